"""Schemas of the claims resource (the input of a claim is the engine's ClaimRequest)."""

from __future__ import annotations

from fastapi.openapi.models import Example
from pydantic import BaseModel, ConfigDict, Field

from engine.services.inputs import StrictInput, prop_field

CLAIM_EXAMPLES: dict[str, Example] = {
    "自主认领": Example(
        summary="单位用自己的资源认领需求",
        value={
            "need_id": "2f9c5a0e-1b7d-4c4e-8f7e-0d2a9b3c4d5e",
            "offering_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
            "note": "可安排两名医护人员",
        },
    ),
    "派单": Example(
        summary="社区书记为服务方派单",
        value={
            "need_id": "2f9c5a0e-1b7d-4c4e-8f7e-0d2a9b3c4d5e",
            "offering_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
            "provider_id": "unit-00003",
        },
    ),
}


class ClaimOut(BaseModel):
    """A claim with its provider (a member's name masked unless entitled), need and offering."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
                    "status": "active",
                    "via": "self",
                    "offering_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                    "note": "可安排两名医护人员",
                    "created_at": "2026-11-20T03:00:00Z",
                    "updated_at": "2026-11-20T03:00:00Z",
                    "provider_id": "unit-00003",
                    "provider_kind": "Unit",
                    "provider_name": "春城区第一人民医院",
                    "need_id": "2f9c5a0e-1b7d-4c4e-8f7e-0d2a9b3c4d5e",
                    "need_title": "独居老人助餐送餐",
                    "need_status": "claimed",
                    "org_id": "org-s01-c01",
                    "offering_title": "社区义诊",
                }
            ]
        }
    )

    id: str
    status: str = Field(description="active 有效 · withdrawn 已撤回 · cancelled 已取消")
    via: str = Field(description="self 自主认领 · dispatch 派单")
    offering_id: str
    note: str | None = None
    status_reason: str | None = None
    fit_warning: str | None = Field(None, description="资源与需求类别或技能不符、经社区允许的跨类认领提示")
    created_at: str | None = None
    updated_at: str | None = None
    provider_id: str
    provider_kind: str = Field(description="Unit 或 Member")
    provider_name: str | None = Field(None, description="服务方名称;党员姓名除有权查看者外脱敏")
    need_id: str
    need_title: str | None = None
    need_status: str = Field(description="认领后需求的状态")
    org_id: str = Field(description="需求所属党组织")
    offering_title: str | None = None


class ClaimMade(ClaimOut):
    """A new claim, with the project created when this claim filled the need."""

    project_id: str | None = Field(None, description="认领满额时生成的项目编号")
    booking_id: str | None = Field(None, description="以场所认领时为需求时段生成的场所预约编号")


class ClaimWithdrawal(StrictInput):
    """Why a claim is withdrawn or cancelled (optional)."""

    reason: str | None = prop_field("Claim", "status_reason", None, examples=["人员临时抽调,无法按期服务"])
