"""Dependencies shared by the endpoints: the store and settings opened once, the signed-in actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer

from api.auth.tokens import InvalidToken, read_token
from engine.actors import Actor, Role
from engine.services.accounts import get_account, to_actor, token_version
from engine.services.secret_box import SecretBox
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


async def get_secret_box(request: Request) -> SecretBox:
    """The box of the deployment's data key, opened by the app's lifespan (async: no I/O)."""
    box: SecretBox = request.app.state.secret_box
    return box


StoreDep = Annotated[GraphStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SecretBoxDep = Annotated[SecretBox, Depends(get_secret_box)]

_SIGN_IN = {"WWW-Authenticate": "Bearer"}


def current_actor(request: Request, store: StoreDep, token: Annotated[str | None, Depends(oauth2)]) -> Actor:
    """The actor of the bearer token's active account, if the token's version is the account's
    current one; 401 otherwise (the account is read once, as before). A grid worker reaches only
    the routes of ``GRID_WORKER_PATHS`` (403 elsewhere)."""
    actor = _signed_in(request, store, token)
    route = getattr(request.scope.get("route"), "path", "")
    if actor.role is Role.GRID_WORKER and route not in GRID_WORKER_PATHS:
        raise HTTPException(403, "网格员账号只能代居民提交诉求、查看本人提交的诉求和本人的通知")
    return actor


def _signed_in(request: Request, store: GraphStore, token: str | None) -> Actor:
    """The actor of a valid bearer token (401 otherwise), whatever its role."""
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
    if claims.enrol_only and getattr(request.scope.get("route"), "path", "") not in ENROL_PATHS:
        raise HTTPException(403, "该账号必须使用动态口令登录,请先在“账号安全”中设置动态口令")
    request.state.account_id = account["id"]  # the request's access log line names who asked
    return to_actor(account)


GRID_WORKER_PATHS = frozenset(
    {
        "/auth/me",
        "/auth/password",
        "/auth/totp",
        "/auth/totp/setup",
        "/auth/totp/confirm",
        "/intake/mine",
        "/notifications",
        "/notifications/unread-count",
        "/notifications/read-all",
        "/notifications/{notification_id}/read",
    }
)
"""The only signed-in routes a grid worker (网格员) reaches: every other route refuses it (403)
before its own role checks run; it submits through the public intake routes and reads its own
inbox (a request's status changed)."""

ENROL_PATHS = frozenset({"/auth/me", "/auth/totp/setup", "/auth/totp/confirm", "/auth/password"})
"""The only routes a token issued to an account that must use TOTP but has not set it up reaches:
it enrols (and may change its password), then signs in with its code (403 elsewhere)."""

ActorDep = Annotated[Actor, Depends(current_actor)]


def optional_actor(
    request: Request, store: StoreDep, token: Annotated[str | None, Depends(oauth2)]
) -> Actor | None:
    """The signed-in actor when a bearer token is sent (checked as ``current_actor`` does), else
    None: for the public routes a grid worker also submits through."""
    if not token:
        return None
    return _signed_in(request, store, token)


OptionalActorDep = Annotated[Actor | None, Depends(optional_actor)]
