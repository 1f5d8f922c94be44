"""Schemas of the agreements resource: an agreement with its parties, history and expiry mark."""

from __future__ import annotations

from pydantic import BaseModel, Field

_STATUSES = "active 有效 · expired 已到期 · terminated 已终止"


class Renewal(BaseModel):
    """One renewal of the history."""

    renewed_on: str = Field(description="续签日期")
    previous_valid_to: str | None = Field(None, description="原到期日期")
    valid_to: str = Field(description="新到期日期")


class Agreement(BaseModel):
    """An agreement between a community or street org (甲方) and a resident unit (乙方)."""

    id: str
    title: str
    kind: str
    kind_zh: str
    terms: str | None = None
    signed_on: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    status: str = Field(description=_STATUSES)
    status_zh: str = Field(description="状态(在有效期内且临近到期的显示“即将到期”)")
    obligations_a: list[str] = Field(description="甲方(社区/街道)义务")
    obligations_b: list[str] = Field(description="乙方(驻区单位)义务")
    renewals: list[str] = Field(description="续签记录原文(续签日期:原到期日→新到期日)")
    history: list[Renewal] = Field(description="续签记录")
    terminated_on: str | None = None
    termination_reason: str | None = None
    org_id: str
    org_name: str
    unit_id: str
    unit_name: str
    days_left: int | None = Field(None, description="距到期天数(北京时间)")
    expiring: bool = Field(description="即将到期:有效且在提醒天数内到期")
    lapsed: bool = Field(description="有效期已过但尚未续签或终止")
    created_at: str | None = None
    updated_at: str | None = None
