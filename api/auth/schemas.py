"""Schemas of sign-in and of the signed-in account."""

from __future__ import annotations

from pydantic import BaseModel, Field

from engine.services.inputs import StrictInput


class Token(BaseModel):
    """A bearer token of the OAuth2 password flow."""

    access_token: str
    token_type: str = Field("bearer", examples=["bearer"])
    expires_in: int = Field(description="seconds until the token expires", examples=[28800])
    role: str = Field(examples=["secretary"])
    display_name: str = Field(examples=["玉林社区 李书记"])


class Me(BaseModel):
    """Who is signed in."""

    id: str = Field(examples=["yulin-secretary"])
    display_name: str
    role: str
    scope_org_id: str | None = None
    subject_id: str | None = None


class PasswordChange(StrictInput):
    """A new password for the signed-in account."""

    password: str = Field(min_length=8, max_length=128, description="新密码,至少 8 位")
