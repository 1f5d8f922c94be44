"""Accounts, for administrators: create, list, enable or disable."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from api.accounts.schemas import AccountOut, ActiveChange
from api.deps import ActorDep, StoreDep
from engine.actors import Role
from engine.services.accounts import AccountDraft, create_account, list_accounts, set_active

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
    """Enable or disable an account; a disabled account cannot sign in."""
    return set_active(store, actor, account_id, body.active)
