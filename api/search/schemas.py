"""Schemas of text search: hits grouped by kind."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SearchHit(BaseModel):
    """One thing found: what it is, its title (a member's name masked unless one may see it),
    the line under it and a piece of its text around the first word found."""

    kind: str = Field(description="need 需求 · offering 资源 · unit 驻区单位 · org 党组织 · member 党员")
    id: str
    title: str | None = None
    subtitle: str | None = Field(
        None, description="需求的发布组织、资源的提供方、单位报到的社区、上级组织或党员所在组织"
    )
    snippet: str | None = Field(None, description="描述中命中词附近的一段文字")
    status: str | None = None
    status_zh: str | None = None
    score: float = Field(description="全文索引的相关度(各后端的分值不可相互比较)")


class SearchGroup(BaseModel):
    """One kind's page of hits, best first."""

    kind: str
    kind_zh: str
    items: list[SearchHit]
    has_more: bool = Field(description="是否还有下一页(skip 加 limit 再查)")


class SearchOut(BaseModel):
    """The words searched and the hits of each kind asked for."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "q": "助老",
                    "words": ["助老"],
                    "skip": 0,
                    "limit": 20,
                    "groups": [
                        {
                            "kind": "need",
                            "kind_zh": "需求",
                            "has_more": False,
                            "items": [
                                {
                                    "kind": "need",
                                    "id": "need-00012",
                                    "title": "助老助餐志愿服务",
                                    "subtitle": "中共桃岗社区委员会",
                                    "snippet": "每周三为独居老人送餐,助老助餐…",
                                    "status": "open",
                                    "status_zh": "待认领",
                                    "score": 1.61,
                                }
                            ],
                        }
                    ],
                }
            ]
        }
    )

    q: str
    words: list[str] = Field(description="实际搜索的词(汉字、字母、数字;其余字符只作分隔)")
    skip: int
    limit: int
    groups: list[SearchGroup]
