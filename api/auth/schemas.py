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
    totp_enrolment_required: bool = Field(
        False, description="the account must use TOTP and has not set it up: this token only enrols it"
    )


class Me(BaseModel):
    """Who is signed in."""

    id: str = Field(examples=["yulin-secretary"])
    display_name: str
    role: str
    scope_org_id: str | None = None
    subject_id: str | None = None
    totp_enabled: bool = False
    totp_required: bool = Field(
        False, description="TOTP is required of this account (its role or its own flag)"
    )


class PasswordChange(StrictInput):
    """A new password for the signed-in account."""

    password: str = Field(
        min_length=8, max_length=128, description="新密码:至少 10 位(可设置),含字母、数字、符号中的两类"
    )


class TotpSetup(BaseModel):
    """A new TOTP secret, shown this once, for the authenticator app (scan the URI as a QR code)."""

    secret: str = Field(description="base32 secret to type into an authenticator app")
    otpauth_uri: str = Field(description="otpauth:// URI (a QR code of it is what apps scan)")


class TotpCode(StrictInput):
    """A 6-digit code from the authenticator app."""

    code: str = Field(min_length=6, max_length=8, pattern=r"^[0-9]+$", description="动态口令(6 位数字)")
