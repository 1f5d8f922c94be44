"""Schemas of the series resource (the inputs are the engine's SeriesDraft and CommitmentRequest)."""

from __future__ import annotations

from typing import Any

from fastapi.openapi.models import Example
from pydantic import BaseModel, ConfigDict, Field

_CLASS: dict[str, Any] = {
    "org_id": "org-s01-c01",
    "area_id": "area-s01-c01",
    "title": "四点半课堂",
    "description": "每周三放学后为双职工家庭的孩子辅导作业",
    "category": "children.after_school",
    "people_wanted": 2,
    "hours_wanted": 1.5,
    "urgency": "normal",
    "beneficiaries": ["children"],
    "beneficiary_count": 20,
    "rule": "FREQ=WEEKLY;BYDAY=WE;COUNT=12",
    "dtstart": "2026-12-09T08:30:00Z",
    "duration_minutes": 90,
}
SERIES_EXAMPLES: dict[str, Example] = {
    "四点半课堂": Example(summary="每周三 四点半课堂,共 12 次", value=_CLASS),
    "每月义诊": Example(
        summary="每月 15 日义诊,至明年 6 月底",
        value={
            **_CLASS,
            "title": "社区义诊",
            "category": "health.clinic",
            "beneficiaries": ["elderly"],
            "rule": "FREQ=MONTHLY;BYMONTHDAY=15;UNTIL=20270630",
            "duration_minutes": 180,
        },
    ),
}


class Server(BaseModel):
    """Who serves an occurrence: an active claim (``via``: self 自主认领, dispatch 派单, series 长期承诺)."""

    claim_id: str
    via: str
    offering_id: str | None = None
    provider_id: str
    provider_kind: str
    provider_name: str | None = None


class OccurrenceOut(BaseModel):
    """One occurrence: an ordinary need (claim it through ``POST /claims``) with who serves it."""

    id: str
    title: str
    window_start: str
    window_end: str
    status: str
    status_reason: str | None = None
    people_wanted: int
    servers: list[Server]
    project_id: str | None = None
    hours_total: float | None = Field(None, description="该场次已确认的服务小时")


class CommitmentOut(BaseModel):
    """A provider's standing promise to serve every occurrence of a series."""

    id: str
    status: str = Field(description="active 有效 · withdrawn 已撤回 · ended 已结束")
    offering_id: str
    note: str | None = None
    created_at: str | None = None
    provider_id: str
    provider_kind: str
    provider_name: str | None = None


class CommitmentMade(CommitmentOut):
    """A new commitment and how many occurrences it claimed at once."""

    series_id: str
    updated_at: str | None = None
    claims_made: int = Field(description="本次承诺立即认领的场次数")


class SeriesOut(BaseModel):
    """A series: the need's template, the rule, its commitments and (in the detail) its occurrences."""

    model_config = ConfigDict(extra="allow")

    id: str
    title: str
    description: str | None = None
    category: str
    skills: list[str] | None = None
    people_wanted: int
    hours_wanted: float | None = None
    urgency: str
    beneficiaries: list[str] | None = None
    beneficiary_count: int | None = None
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    rule: str = Field(description="重复规则(RFC 5545 RRULE,北京时间)")
    rule_zh: str = Field(description="规则的中文说明,如 每周 · 共 12 次")
    dtstart: str
    duration_minutes: int
    status: str = Field(description="active 进行中 · ended 已结束 · cancelled 已取消")
    status_zh: str
    status_reason: str | None = None
    occurrences_generated: int | None = None
    generated_all: bool | None = None
    created_at: str | None = None
    updated_at: str | None = None
    org_id: str
    org_name: str | None = None
    area_id: str | None = None
    area_name: str | None = None
    occurrence_count: int = Field(description="已生成的场次数")
    commitments: list[CommitmentOut]
    occurrences: list[OccurrenceOut] | None = None
    cancelled_occurrences: int | None = None


class SeriesExtended(BaseModel):
    """What one run of the horizon job did."""

    series: int = Field(description="检查的进行中项目数")
    occurrences: int = Field(description="新生成的场次数")
    claims: int = Field(description="按长期承诺新认领的场次数")
    ended: int = Field(description="自动结束的项目数")
