"""Schemas of the registrations resource (双报到)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Registration(BaseModel):
    """A unit's or member's registration with a community (a member's name masked unless entitled)."""

    id: str
    registrant_kind: str = Field(description="Unit 驻区单位 · Member 在职党员")
    registrant_kind_zh: str
    registrant_id: str
    registrant_name: str | None = None
    org_id: str
    org_name: str
    note: str | None = None
    status: str = Field(description="pending 待审核 · accepted 已接收 · declined 未接收")
    status_zh: str
    decision_reason: str | None = None
    decided_at: str | None = None
    decided_by: str | None = None
    created_at: str
    updated_at: str | None = None
