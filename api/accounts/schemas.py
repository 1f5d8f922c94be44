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
    totp_enabled: bool = False
    totp_required: bool = Field(False, description="TOTP required of this account by an administrator")
    locked_until: str | None = Field(None, description="sign-in locked until (after repeated failures)")
    created_at: str | None = None
    updated_at: str | None = None


class ActiveChange(StrictInput):
    """Enable (true) or disable (false) an account."""

    active: bool = Field(description="是否启用")


class TotpRequirement(StrictInput):
    """Whether an account must sign in with TOTP."""

    required: bool = Field(description="是否必须使用动态口令")
