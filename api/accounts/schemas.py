"""Schemas of the accounts resource."""

from __future__ import annotations

from pydantic import BaseModel, Field

from engine.services.inputs import StrictInput


class AccountOut(BaseModel):
    """An account as administrators see it (never the password hash)."""

    id: str
    display_name: str
    role: str
    scope_org_id: str | None = None
    subject_id: str | None = None
    active: bool
    created_at: str | None = None
    updated_at: str | None = None


class ActiveChange(StrictInput):
    """Enable (true) or disable (false) an account."""

    active: bool = Field(description="是否启用")
