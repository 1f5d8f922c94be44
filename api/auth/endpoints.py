"""Sign-in (OAuth2 password flow, with a TOTP code when the account uses one) and the signed-in
account's password and TOTP second factor."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.security import OAuth2PasswordRequestForm

from api.auth.schemas import Me, PasswordChange, Token, TotpCode, TotpSetup
from api.auth.tokens import issue_token
from api.deps import ActorDep, SecretBoxDep, SettingsDep, StoreDep
from api.errors import ErrorBody
from engine.actors import Actor
from engine.services.accounts import get_account, set_password, view
from engine.services.signin_guard import SignInPolicy, totp_confirm, totp_off, totp_required, totp_setup
from engine.services.signin_guard import sign_in as check_sign_in
from engine.settings import Settings

router = APIRouter(prefix="/auth", tags=["auth 登录"])

SIGN_IN_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "用户名或密码错误,或动态口令缺失、错误、已使用(计为一次失败)"},
    423: {"model": ErrorBody, "description": "登录失败次数过多,账号已锁定(Retry-After 秒后再试)"},
    429: {"model": ErrorBody, "description": "失败次数较多暂缓登录,或该地址已暂停登录(Retry-After 秒后再试)"},
}


def _token(
    request: Request, settings: Settings, actor: Actor, version: int, *, enrol_only: bool = False
) -> Token:
    """A fresh bearer token of ``actor`` at token version ``version``."""
    token = issue_token(
        actor.account_id,
        request.app.state.token_secret,
        settings.token_minutes,
        version=version,
        enrol_only=enrol_only,
    )
    return Token(
        access_token=token,
        expires_in=settings.token_minutes * 60,
        role=actor.role.value,
        display_name=actor.display_name,
        totp_enrolment_required=enrol_only,
    )


@router.post("/token", response_model=Token, summary="登录,获取令牌", responses=SIGN_IN_ERRORS)
def sign_in(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    box: SecretBoxDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    otp: Annotated[str | None, Form(max_length=8, description="动态口令(已开启动态口令的账号必填)")] = None,
) -> Token:
    """Exchange a user name and password (and a TOTP code, ``otp``, when the account uses one) for a
    bearer token that expires. Failures are counted per name and per address: after a few the next
    try waits (429), after more the name is locked (423) or the address (429), with Retry-After."""
    address = request.client.host if request.client else "unknown"
    granted = check_sign_in(
        store,
        SignInPolicy.from_settings(settings),
        form.username,
        form.password,
        address,
        otp or None,
        box=box,
    )
    signed_in = granted.signed_in
    return _token(request, settings, signed_in.actor, signed_in.token_version, enrol_only=granted.enrol_only)


@router.get("/me", response_model=Me, summary="当前登录账号")
def me(store: StoreDep, settings: SettingsDep, actor: ActorDep) -> Me:
    """The signed-in account, without its password hash."""
    account = get_account(store, actor.account_id) or {}
    required = totp_required(SignInPolicy.from_settings(settings), account)
    return Me(**{**view(account), "totp_required": required})


@router.post("/password", response_model=Token, summary="修改密码")
def change_password(
    request: Request, store: StoreDep, settings: SettingsDep, actor: ActorDep, body: PasswordChange
) -> Token:
    """Set a new password for the signed-in account (it must pass the password policy). Every token
    issued before ends (a stolen one too); the answer is a fresh token to go on with."""
    version = set_password(
        store, actor, actor.account_id, body.password, min_password_length=settings.password_min_length
    )
    account = get_account(store, actor.account_id) or {}
    enrol_only = not account.get("totp_secret") and totp_required(
        SignInPolicy.from_settings(settings), account
    )
    return _token(request, settings, actor, version, enrol_only=enrol_only)


@router.post("/totp/setup", response_model=TotpSetup, summary="设置动态口令:获取密钥")
def setup_totp(store: StoreDep, actor: ActorDep, box: SecretBoxDep) -> dict[str, str]:
    """A new TOTP secret and its otpauth URI for an authenticator app, shown this once; TOTP is on
    only after a code from it is confirmed (409 while TOTP is already on)."""
    return totp_setup(store, actor, box=box)


@router.post("/totp/confirm", response_model=Token, summary="设置动态口令:确认口令并开启")
def confirm_totp(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
    box: SecretBoxDep,
    body: TotpCode,
) -> Token:
    """Turn TOTP on with a code from the new secret; from now on sign-in asks for a code. The answer
    is a full token (an enrolment-only token ends its limits here)."""
    totp_confirm(store, actor, body.code, box=box)
    account = get_account(store, actor.account_id) or {}
    return _token(request, settings, actor, int(account.get("token_version") or 0))


@router.delete("/totp", status_code=204, summary="关闭动态口令")
def disable_totp(store: StoreDep, actor: ActorDep, box: SecretBoxDep, body: TotpCode) -> None:
    """Turn the signed-in account's TOTP off, with a current code (audited)."""
    totp_off(store, actor, actor.account_id, body.code, box=box)
