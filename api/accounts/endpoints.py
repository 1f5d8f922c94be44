"""Accounts, for administrators: create, list, enable or disable, end an account's sessions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from api.accounts.schemas import AccountOut, ActiveChange
from api.deps import ActorDep, StoreDep
from engine.actors import Role
from engine.services.accounts import AccountDraft, create_account, list_accounts, revoke_sessions, set_active

router = APIRouter(prefix="/accounts", tags=["accounts 账号"])


@router.post("", response_model=AccountOut, status_code=201, summary="创建账号(管理员)")
def create(store: StoreDep, actor: ActorDep, body: AccountDraft) -> dict[str, Any]:
    """Create an account with a role and its scope org or provider."""
    return create_account(store, actor, body)


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
