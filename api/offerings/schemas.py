"""Schemas of the offerings resource (the inputs are the engine's OfferingDraft and OfferingEdit)."""

from __future__ import annotations

from typing import Any

from fastapi.openapi.models import Example
from pydantic import BaseModel, ConfigDict, Field

_SERVICE: dict[str, Any] = {
    "title": "社区义诊",
    "description": "每月一次上门义诊,测血压血糖",
    "kind": "service",
    "category": "health",
    "skills": ["医疗"],
    "capacity": 2,
    "period": "month",
    "radius_km": 3.0,
}
DRAFT_EXAMPLES: dict[str, Example] = {
    "义诊": Example(summary="单位登记志愿服务", value=_SERVICE),
    "场所": Example(
        summary="单位共享会议室(预约使用)",
        value={
            "title": "会议室共享",
            "kind": "venue",
            "access": "reservation",
            "category": "culture",
            "capacity": 8,
            "period": "month",
            "address": "春城区祥源街道北京路87号三楼",
        },
    ),
}
EDIT_EXAMPLES: dict[str, Example] = {
    "扩容": Example(summary="提高每期可服务次数", value={"capacity": 4, "period": "month"})
}


class OfferingOut(BaseModel):
    """An offering with its provider (a member's name masked unless entitled) and its use this period."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                    **_SERVICE,
                    "status": "active",
                    "created_at": "2026-11-20T02:00:00Z",
                    "updated_at": "2026-11-20T02:00:00Z",
                    "provider_id": "unit-00003",
                    "provider_kind": "Unit",
                    "provider_name": "春城区第一人民医院",
                    "used_in_period": 1,
                }
            ]
        }
    )

    id: str
    title: str
    description: str | None = None
    kind: str = Field(description="service 志愿服务 · venue 场所共享 · goods 物资 · funds 资金")
    access: str | None = Field(None, description="场所使用方式:free · reservation · paid")
    category: str
    skills: list[str] = Field(default_factory=list)
    capacity: int = Field(description="每期可服务次数")
    period: str = Field(description="week · month · quarter · year · once")
    available_from: str | None = None
    available_to: str | None = None
    radius_km: float | None = None
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    opening_hours: list[str] | None = Field(None, description="场所开放时间(北京时间),如 mon 09:00-17:00")
    price: float | None = Field(None, description="收费场所的收费标准(元/小时)")
    amount: int | None = Field(None, description="物资、资金的总量")
    amount_left: int | None = Field(None, description="物资、资金的剩余量")
    amount_unit: str | None = Field(None, description="计量单位(份、件、元)")
    status: str = Field(description="active 可用 · paused 暂停 · retired 已下架")
    created_at: str | None = None
    updated_at: str | None = None
    provider_id: str
    provider_kind: str = Field(description="Unit 或 Member")
    provider_name: str | None = Field(None, description="服务方名称;党员姓名除有权查看者外脱敏")
    used_in_period: int = Field(description="本期已用次数(有效认领)")
