"""The service taxonomy over HTTP: every signed-in role reads it (what may be chosen for a new need
or offering); administrators add a category or item, rename, retire and restore."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.categories.schemas import CategoryOut, StatusChange
from api.deps import ActorDep, StoreDep
from engine.services.categories import (
    CategoryDraft,
    CategoryRename,
    add_category,
    get_category,
    list_categories,
    rename_category,
    restore_category,
    retire_category,
)

router = APIRouter(prefix="/categories", tags=["categories 服务类别"])


@router.get("", response_model=list[CategoryOut], summary="服务类别表")
def categories(
    store: StoreDep,
    actor: ActorDep,
    include_retired: Annotated[bool, Query(description="含已停用的类别")] = True,
) -> list[dict[str, Any]]:
    """Every category followed by its items; ``offered`` says what a new need may use."""
    return list_categories(store, include_retired=include_retired)


@router.post("", response_model=CategoryOut, status_code=201, summary="新增类别或服务项目(管理员)")
def add(store: StoreDep, actor: ActorDep, body: CategoryDraft) -> dict[str, Any]:
    """A new category (no ``parent_id``) or an item under an active category."""
    return add_category(store, actor, body)


@router.get("/{code}", response_model=CategoryOut, summary="服务类别详情")
def one(store: StoreDep, actor: ActorDep, code: str) -> dict[str, Any]:
    """One entry of the taxonomy."""
    return get_category(store, code)


@router.patch("/{code}", response_model=CategoryOut, summary="重命名(管理员)")
def rename(store: StoreDep, actor: ActorDep, code: str, body: CategoryRename) -> dict[str, Any]:
    """A new name (the code stays, so needs and offerings keep it)."""
    return rename_category(store, actor, code, body)


@router.post("/{code}/retire", response_model=StatusChange, summary="停用(管理员)")
def retire(store: StoreDep, actor: ActorDep, code: str) -> dict[str, Any]:
    """No new needs or offerings use it (or its items); those that do keep it."""
    return retire_category(store, actor, code)


@router.post("/{code}/restore", response_model=StatusChange, summary="恢复启用(管理员)")
def restore(store: StoreDep, actor: ActorDep, code: str) -> dict[str, Any]:
    """Offer a retired entry again."""
    return restore_category(store, actor, code)
