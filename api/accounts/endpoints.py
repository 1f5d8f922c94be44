"""Accounts, for administrators: create, list, enable or disable, end an account's sessions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from api.accounts.schemas import AccountOut, ActiveChange, TotpRequirement
from api.deps import ActorDep, SecretBoxDep, SettingsDep, StoreDep
from engine.actors import Role
from engine.services.accounts import AccountDraft, create_account, list_accounts, revoke_sessions, set_active
from engine.services.signin_guard import require_totp, totp_off, unlock

router = APIRouter(prefix="/accounts", tags=["accounts 账号"])


@router.post("", response_model=AccountOut, status_code=201, summary="创建账号(管理员)")
def create(store: StoreDep, settings: SettingsDep, actor: ActorDep, body: AccountDraft) -> dict[str, Any]:
    """Create an account with a role and its scope org or provider; its password must pass the
    password policy (422 otherwise)."""
    return create_account(store, actor, body, min_password_length=settings.password_min_length)


@router.get("", response_model=list[AccountOut], summary="账号列表(管理员)")
def list_(
    store: StoreDep,
    actor: ActorDep,
    role: Role | None = None,
    skip: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=500),
) -> list[dict[str, Any]]:
    """Accounts, optionally of one role."""
    return list_accounts(store, actor, role=role, skip=skip, limit=limit)


@router.put("/{account_id}/active", response_model=AccountOut, summary="停用或启用账号(管理员)")
def activate(store: StoreDep, actor: ActorDep, account_id: str, body: ActiveChange) -> dict[str, Any]:
    """Enable or disable an account; a disabled account cannot sign in and its tokens end for
    good. An admin cannot disable itself, nor anyone the last active admin (409)."""
    return set_active(store, actor, account_id, body.active)


@router.delete("/{account_id}/sessions", status_code=204, summary="撤销账号的全部登录会话(管理员)")
def revoke(store: StoreDep, actor: ActorDep, account_id: str) -> None:
    """End every token of the account (a lost phone, a leaked token); it may sign in again."""
    revoke_sessions(store, actor, account_id)


@router.post("/{account_id}/unlock", status_code=204, summary="解除账号的登录锁定(管理员)")
def unlock_account(store: StoreDep, actor: ActorDep, account_id: str) -> None:
    """Lift the lock repeated failed sign-ins put on the account and forget its failures (audited);
    a locked source address is not lifted here, it ends when its time is up."""
    unlock(store, actor, account_id)


@router.delete("/{account_id}/totp", status_code=204, summary="关闭账号的动态口令(管理员)")
def remove_totp(store: StoreDep, actor: ActorDep, box: SecretBoxDep, account_id: str) -> None:
    """Turn an account's TOTP off (a lost phone); it sets it up again at its next sign-in if its
    TOTP is required (audited)."""
    totp_off(store, actor, account_id, box=box)


@router.put("/{account_id}/totp-required", response_model=AccountOut, summary="要求账号使用动态口令(管理员)")
def set_totp_required(
    store: StoreDep, actor: ActorDep, account_id: str, body: TotpRequirement
) -> dict[str, Any]:
    """Require (or stop requiring) TOTP of one account, besides the roles the settings name."""
    return require_totp(store, actor, account_id, body.required)
