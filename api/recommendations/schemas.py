"""Schemas of the recommendations resource."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RecommendationOut(BaseModel):
    """A recommended (need, offering) pair with its score, the named parts that sum to it, the
    reasons and the path in words; a member's name masked unless entitled."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "need_id": "need-00012",
                    "offering_id": "offer-00031",
                    "provider_id": "unit-00003",
                    "provider_kind": "Unit",
                    "provider_name": "春城区第一人民医院",
                    "score": 36.5,
                    "parts": {
                        "category": 10.0,
                        "skills": 6.0,
                        "distance": 8.5,
                        "agreement": 8.0,
                        "urgency": 4.0,
                    },
                    "path_words": "同一社区 · 已签共建协议 · 距离 0.8 公里",
                    "reasons": "类别相符 +10.00 · 技能匹配 +6.00 · 距离近 +8.50 · 共建协议 +8.00",
                    "distance_km": 0.8,
                }
            ]
        }
    )

    need_id: str
    offering_id: str
    provider_id: str
    provider_kind: str | None = Field(None, description="Unit 或 Member")
    provider_name: str | None = Field(None, description="服务方名称;党员姓名除有权查看者外脱敏")
    score: float
    parts: dict[str, float] = Field(description="得分构成,各项之和等于得分")
    path_words: str = Field(description="服务方与需求之间的关系说明")
    reasons: str = Field(description="得分理由")
    distance_km: float | None = None
