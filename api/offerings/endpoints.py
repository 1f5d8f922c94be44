"""Offerings 资源清单 over HTTP: a unit or member registers and manages its offerings; the list
is public to every signed-in role (a member provider's name masked unless entitled)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from api.deps import ActorDep, StoreDep
from api.offerings.schemas import DRAFT_EXAMPLES, EDIT_EXAMPLES, OfferingOut
from api.params import status_query
from engine.services.offerings import (
    OfferingDraft,
    OfferingEdit,
    edit_offering,
    get_offering,
    list_offerings,
    pause_offering,
    register_offering,
    resume_offering,
    retire_offering,
)
from engine.services.personal import with_provider_name, with_provider_names
from engine.services.records import MAX_LIMIT
from graph_schema.domain import OFFERING_STATUSES

router = APIRouter(prefix="/offerings", tags=["offerings 资源"])


@router.post("", response_model=OfferingOut, status_code=201, summary="登记资源(单位、党员)")
def register(
    store: StoreDep,
    actor: ActorDep,
    body: Annotated[OfferingDraft, Body(openapi_examples=DRAFT_EXAMPLES)],
) -> dict[str, Any]:
    """Register an offering of the signed-in unit or member (an admin names the provider)."""
    return with_provider_name(store, actor, register_offering(store, actor, body))


@router.get("", response_model=list[OfferingOut], summary="资源列表")
def list_(
    store: StoreDep,
    actor: ActorDep,
    status: str | None = status_query(OFFERING_STATUSES, "active"),
    category: str | None = Query(None, description="按服务类别筛选(大类含其子类)", examples=["health"]),
    provider_id: str | None = Query(None, description="只看该单位或党员的资源"),
    skip: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
) -> list[dict[str, Any]]:
    """Offerings newest first, by status, category and provider."""
    rows = list_offerings(
        store, actor, status=status, category=category, provider_id=provider_id, skip=skip, limit=limit
    )
    return with_provider_names(store, actor, rows)


@router.get("/{offering_id}", response_model=OfferingOut, summary="资源详情")
def get(store: StoreDep, actor: ActorDep, offering_id: str) -> dict[str, Any]:
    """One offering with its use in the current period."""
    return with_provider_name(store, actor, get_offering(store, actor, offering_id))


@router.patch("/{offering_id}", response_model=OfferingOut, summary="修改资源")
def edit(
    store: StoreDep,
    actor: ActorDep,
    offering_id: str,
    body: Annotated[OfferingEdit, Body(openapi_examples=EDIT_EXAMPLES)],
) -> dict[str, Any]:
    """Change the fields given of an offering that is not retired (its provider or an admin)."""
    return with_provider_name(store, actor, edit_offering(store, actor, offering_id, body))


@router.post("/{offering_id}/pause", response_model=OfferingOut, summary="暂停资源")
def pause(store: StoreDep, actor: ActorDep, offering_id: str) -> dict[str, Any]:
    """Pause an active offering: no new claims until it is resumed."""
    return with_provider_name(store, actor, pause_offering(store, actor, offering_id))


@router.post("/{offering_id}/resume", response_model=OfferingOut, summary="恢复资源")
def resume(store: StoreDep, actor: ActorDep, offering_id: str) -> dict[str, Any]:
    """Make a paused offering active again."""
    return with_provider_name(store, actor, resume_offering(store, actor, offering_id))


@router.post("/{offering_id}/retire", response_model=OfferingOut, summary="下架资源")
def retire(store: StoreDep, actor: ActorDep, offering_id: str) -> dict[str, Any]:
    """Retire an offering for good (existing claims stand)."""
    return with_provider_name(store, actor, retire_offering(store, actor, offering_id))
