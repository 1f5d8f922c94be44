"""Needs 需求清单 over HTTP: a secretary posts, edits and cancels the community's needs; every
role browses them within what it may see; an admin runs the expiry sweep."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from api.deps import ActorDep, StoreDep
from api.needs.schemas import DRAFT_EXAMPLES, EDIT_EXAMPLES, ExpiredNeeds, NeedCancel, NeedOut
from api.params import status_query
from engine.services.needs import (
    NeedDraft,
    NeedEdit,
    cancel_need,
    edit_need,
    expire_needs,
    get_need,
    list_needs,
    post_need,
)
from engine.services.records import MAX_LIMIT
from graph_schema.domain import NEED_STATUSES

router = APIRouter(prefix="/needs", tags=["needs 需求"])


@router.post("", response_model=NeedOut, status_code=201, summary="发布需求(社区书记)")
def post(
    store: StoreDep, actor: ActorDep, body: Annotated[NeedDraft, Body(openapi_examples=DRAFT_EXAMPLES)]
) -> dict[str, Any]:
    """Post a need for the community or a grid/building under it; it starts open (待认领)."""
    return post_need(store, actor, body)


@router.get("", response_model=list[NeedOut], summary="需求列表")
def list_(
    store: StoreDep,
    actor: ActorDep,
    status: str | None = status_query(NEED_STATUSES, "open"),
    category: str | None = Query(None, description="按服务类别筛选(大类含其子类)", examples=["elderly"]),
    org_id: str | None = Query(None, description="只看该党组织及其下属发布的需求"),
    skip: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
) -> list[dict[str, Any]]:
    """Needs newest first: providers browse open needs; planners and secretaries their jurisdiction's."""
    return list_needs(store, actor, status=status, category=category, org_id=org_id, skip=skip, limit=limit)


@router.post("/expire", response_model=ExpiredNeeds, summary="过期处理(管理员)")
def expire(store: StoreDep, actor: ActorDep) -> ExpiredNeeds:
    """Expire every open or claimed need whose window has ended, each with its audit entry."""
    ids = expire_needs(store, actor)
    return ExpiredNeeds(expired=ids, count=len(ids))


@router.get("/{need_id}", response_model=NeedOut, summary="需求详情")
def get(store: StoreDep, actor: ActorDep, need_id: str) -> dict[str, Any]:
    """One need: open needs are public; others to their jurisdiction and to their claimants."""
    return get_need(store, actor, need_id)


@router.patch("/{need_id}", response_model=NeedOut, summary="修改需求(待认领时)")
def edit(
    store: StoreDep,
    actor: ActorDep,
    need_id: str,
    body: Annotated[NeedEdit, Body(openapi_examples=EDIT_EXAMPLES)],
) -> dict[str, Any]:
    """Change the fields given of an open need (the window and people wanted are re-checked)."""
    return edit_need(store, actor, need_id, body)


@router.post("/{need_id}/cancel", response_model=NeedOut, summary="取消需求")
def cancel(store: StoreDep, actor: ActorDep, need_id: str, body: NeedCancel) -> dict[str, Any]:
    """Cancel an open or claimed need with a reason; its claims and unstarted project end too."""
    return cancel_need(store, actor, need_id, body.reason)
