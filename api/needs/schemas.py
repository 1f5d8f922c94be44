"""Schemas of the needs resource (the inputs are the engine's NeedDraft and NeedEdit)."""

from __future__ import annotations

from typing import Any

from fastapi.openapi.models import Example
from pydantic import BaseModel, ConfigDict, Field

from engine.services.inputs import StrictInput, prop_field

_MEALS: dict[str, Any] = {
    "org_id": "org-s01-c01",
    "area_id": "area-s01-c01",
    "title": "独居老人助餐送餐",
    "description": "为辖区 12 位独居老人每日送午餐,需两名志愿者",
    "category": "elderly.meals",
    "skills": ["配送"],
    "people_wanted": 2,
    "hours_wanted": 20.0,
    "urgency": "high",
    "beneficiaries": ["elderly_alone"],
    "beneficiary_count": 12,
    "window_start": "2026-11-24T00:00:00Z",
    "window_end": "2026-12-24T10:00:00Z",
}
DRAFT_EXAMPLES: dict[str, Example] = {"助餐": Example(summary="为独居老人助餐送餐", value=_MEALS)}
EDIT_EXAMPLES: dict[str, Example] = {
    "加人": Example(summary="增加所需人数并改为特急", value={"people_wanted": 3, "urgency": "urgent"})
}


class NeedOut(BaseModel):
    """A need as every page shows it: its fields, the posting org and area, claims and project."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "2f9c5a0e-1b7d-4c4e-8f7e-0d2a9b3c4d5e",
                    **_MEALS,
                    "status": "open",
                    "created_at": "2026-11-20T02:00:00Z",
                    "updated_at": "2026-11-20T02:00:00Z",
                    "org_name": "中共桃岗社区委员会",
                    "area_name": "桃岗社区",
                    "claimed": 0,
                    "project_id": None,
                }
            ]
        }
    )

    id: str
    title: str
    description: str | None = None
    category: str = Field(description="服务类别编码")
    skills: list[str] = Field(default_factory=list)
    people_wanted: int = Field(description="所需人数(服务方数)")
    hours_wanted: float | None = None
    urgency: str = Field(description="low 一般 · normal 较急 · high 紧急 · urgent 特急")
    beneficiaries: list[str] = Field(default_factory=list)
    beneficiary_count: int | None = None
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    window_start: str = Field(description="服务时间窗口开始(UTC)")
    window_end: str = Field(description="服务时间窗口结束(UTC)")
    status: str = Field(description="open 待认领 · claimed 已认领 · in_progress 服务中 · completed 已完成 · "
                        "evaluated 已评价 · cancelled 已取消 · expired 已过期")  # fmt: skip
    status_reason: str | None = Field(None, description="取消或过期的原因")
    allow_cross_category: bool | None = Field(None, description="社区是否允许以不相符的资源跨类认领本需求")
    created_at: str | None = None
    updated_at: str | None = None
    org_id: str = Field(description="发布需求的党组织")
    org_name: str | None = None
    area_id: str | None = None
    area_name: str | None = None
    claimed: int = Field(description="有效认领数")
    project_id: str | None = Field(None, description="认领满额后生成的项目")


class NeedCancel(StrictInput):
    """Why a need is cancelled."""

    reason: str = prop_field("Need", "status_reason", examples=["老人已由家属接走照料,不再需要"])


class ExpiredNeeds(BaseModel):
    """The needs an expiry sweep closed."""

    expired: list[str] = Field(description="本次过期的需求编号")
    count: int = Field(examples=[3])
