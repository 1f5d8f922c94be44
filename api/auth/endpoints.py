"""Sign-in (OAuth2 password flow) and the signed-in account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordRequestForm

from api.auth.schemas import Me, PasswordChange, Token
from api.auth.tokens import issue_token
from api.deps import ActorDep, SettingsDep, StoreDep
from engine.actors import Actor
from engine.services.accounts import authenticate, get_account, set_password, view
from engine.settings import Settings

router = APIRouter(prefix="/auth", tags=["auth 登录"])


def _token(request: Request, settings: Settings, actor: Actor, version: int) -> Token:
    """A fresh bearer token of ``actor`` at token version ``version``."""
    token = issue_token(
        actor.account_id, request.app.state.token_secret, settings.token_minutes, version=version
    )
    return Token(
        access_token=token,
        expires_in=settings.token_minutes * 60,
        role=actor.role.value,
        display_name=actor.display_name,
    )


@router.post("/token", response_model=Token, summary="登录,获取令牌")
def sign_in(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token:
    """Exchange a user name and password for a bearer token that expires."""
    signed_in = authenticate(store, form.username, form.password)
    if signed_in is None:
        raise HTTPException(401, "用户名或密码错误,或账号已停用", headers={"WWW-Authenticate": "Bearer"})
    return _token(request, settings, signed_in.actor, signed_in.token_version)


@router.get("/me", response_model=Me, summary="当前登录账号")
def me(store: StoreDep, actor: ActorDep) -> Me:
    """The signed-in account, without its password hash."""
    account = get_account(store, actor.account_id) or {}
    return Me(**view(account))


@router.post("/password", response_model=Token, summary="修改密码")
def change_password(
    request: Request, store: StoreDep, settings: SettingsDep, actor: ActorDep, body: PasswordChange
) -> Token:
    """Set a new password for the signed-in account. Every token issued before ends (a stolen one
    too); the answer is a fresh token to go on with."""
    version = set_password(store, actor, actor.account_id, body.password)
    return _token(request, settings, actor, version)
