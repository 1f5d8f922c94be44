"""Dependencies shared by the endpoints: the store and settings opened once, the signed-in actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer

from api.auth.tokens import InvalidToken, read_token
from engine.actors import Actor
from engine.services.accounts import get_account, to_actor, token_version
from engine.settings import Settings
from engine.store.base import GraphStore

oauth2 = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


async def get_store(request: Request) -> GraphStore:
    """The process's graph store, opened by the app's lifespan (async: no I/O, so no hop to a
    worker thread; FastAPI runs every sync dependency in its thread pool)."""
    store: GraphStore = request.app.state.store
    return store


async def get_settings_dep(request: Request) -> Settings:
    """The settings the app was built with (async: no I/O, no hop to a worker thread)."""
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[GraphStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]

_SIGN_IN = {"WWW-Authenticate": "Bearer"}


def current_actor(request: Request, store: StoreDep, token: Annotated[str | None, Depends(oauth2)]) -> Actor:
    """The actor of the bearer token's active account, if the token's version is the account's
    current one; 401 otherwise (the account is read once, as before)."""
    if not token:
        raise HTTPException(401, "请先登录", headers=_SIGN_IN)
    try:
        claims = read_token(token, request.app.state.token_secret)
    except InvalidToken:
        raise HTTPException(401, "登录已失效,请重新登录", headers=_SIGN_IN) from None
    account = get_account(store, claims.account_id)
    if account is None or not account.get("active", False):
        raise HTTPException(401, "账号不存在或已停用,请联系管理员", headers=_SIGN_IN)
    if claims.version != token_version(account):  # password changed, disabled or revoked since
        raise HTTPException(401, "登录已失效(密码已修改或会话已被撤销),请重新登录", headers=_SIGN_IN)
    return to_actor(account)


ActorDep = Annotated[Actor, Depends(current_actor)]
