"""Pledges 公开承诺 over HTTP: a member or unit commits in public and records progress; the org's
secretary reviews (approved pledges appear on the public results page, members masked)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ActorDep, StoreDep
from api.params import status_query
from api.pledges.schemas import PledgeOrg, PledgeOut
from engine.services.personal import with_provider_name, with_provider_names
from engine.services.pledges import (
    PledgeDraft,
    PledgeEdit,
    PledgeProgressEntry,
    PledgeReview,
    edit_pledge,
    get_pledge,
    list_pledges,
    make_pledge,
    pledge_orgs,
    record_progress,
    review_pledge,
    withdraw_pledge,
)
from engine.services.records import MAX_LIMIT
from graph_schema.domain import PLEDGE_REVIEWS, PLEDGE_STATUSES

router = APIRouter(prefix="/pledges", tags=["pledges 公开承诺"])


@router.get("/orgs", response_model=list[PledgeOrg], summary="可作出承诺的党组织(本人或本单位)")
def orgs(store: StoreDep, actor: ActorDep) -> list[dict[str, Any]]:
    """A member's branch, the community it reports to and the 三缘 branches it joins; a unit's 双报到 org."""
    return pledge_orgs(store, actor)


@router.post("", response_model=PledgeOut, status_code=201, summary="作出公开承诺")
def make(store: StoreDep, actor: ActorDep, body: PledgeDraft) -> dict[str, Any]:
    """A member or unit commits in public to one of its orgs; it waits for the secretary's review."""
    return with_provider_name(store, actor, make_pledge(store, actor, body))


@router.get("", response_model=list[PledgeOut], summary="公开承诺列表")
def list_(
    store: StoreDep,
    actor: ActorDep,
    review: str | None = status_query(PLEDGE_REVIEWS, "pending"),
    status: str | None = status_query(PLEDGE_STATUSES, "active"),
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> list[dict[str, Any]]:
    """A provider's own pledges; those made to the orgs of the jurisdiction for secretaries and planners."""
    rows = list_pledges(store, actor, review=review, status=status, skip=skip, limit=limit)
    return with_provider_names(store, actor, rows)


@router.get("/{pledge_id}", response_model=PledgeOut, summary="公开承诺详情(含进展)")
def get(store: StoreDep, actor: ActorDep, pledge_id: str) -> dict[str, Any]:
    """One pledge with its progress entries: to its provider and to the org's jurisdiction."""
    return with_provider_name(store, actor, get_pledge(store, actor, pledge_id))


@router.patch("/{pledge_id}", response_model=PledgeOut, summary="修改公开承诺(重新审核)")
def edit(store: StoreDep, actor: ActorDep, pledge_id: str, body: PledgeEdit) -> dict[str, Any]:
    """The provider corrects the fields given of its active pledge; it goes back to review (off
    the public page until approved again) and the secretaries are told."""
    return with_provider_name(store, actor, edit_pledge(store, actor, pledge_id, body))


@router.post("/{pledge_id}/progress", response_model=PledgeOut, summary="记录承诺进展")
def progress(store: StoreDep, actor: ActorDep, pledge_id: str, body: PledgeProgressEntry) -> dict[str, Any]:
    """The provider records progress (the percent never goes back; 100% completes the pledge)."""
    return with_provider_name(store, actor, record_progress(store, actor, pledge_id, body))


@router.post("/{pledge_id}/review", response_model=PledgeOut, summary="审核公开承诺(社区书记)")
def review(store: StoreDep, actor: ActorDep, pledge_id: str, body: PledgeReview) -> dict[str, Any]:
    """The org's secretary approves the pledge for the public page, or returns it with a note."""
    return with_provider_name(store, actor, review_pledge(store, actor, pledge_id, body))


@router.post("/{pledge_id}/withdraw", response_model=PledgeOut, summary="撤回公开承诺")
def withdraw(store: StoreDep, actor: ActorDep, pledge_id: str) -> dict[str, Any]:
    """The provider withdraws its active pledge; it leaves the public page."""
    return with_provider_name(store, actor, withdraw_pledge(store, actor, pledge_id))
