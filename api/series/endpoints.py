"""Recurring needs 常态化共建项目 over HTTP: a secretary creates a series (an RFC 5545 rule) and sees its
occurrences and who serves each; a unit or member commits to the whole series (``POST
/series/{id}/commitments``) or claims one occurrence like any need (``POST /claims``); the secretary
cancels it with a reason; an admin runs the horizon job (the worker runs it on its own)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from api.deps import ActorDep, StoreDep
from api.params import status_query
from api.series.schemas import SERIES_EXAMPLES, CommitmentMade, SeriesExtended, SeriesOut
from engine.actors import Role
from engine.services.records import MAX_LIMIT
from engine.services.recurrence import (
    CommitmentRequest,
    CommitmentWithdrawal,
    SeriesCancellation,
    SeriesDraft,
    cancel_series,
    commit_series,
    create_series,
    extend_series,
    get_series,
    list_series,
    withdraw_commitment,
)
from engine.services.scope import require_role
from graph_schema.domain import SERIES_STATUSES

router = APIRouter(prefix="/series", tags=["series 常态化项目"])


@router.post("", response_model=SeriesOut, status_code=201, summary="发布常态化项目(社区书记)")
def create(
    store: StoreDep, actor: ActorDep, body: Annotated[SeriesDraft, Body(openapi_examples=SERIES_EXAMPLES)]
) -> dict[str, Any]:
    """Create a recurring need; its occurrences up to 90 days ahead (at least the first) are
    generated as open needs at once. A rule without COUNT or UNTIL, with too many occurrences or
    longer than two years answers 422 and writes nothing."""
    return create_series(store, actor, body)


@router.get("", response_model=list[SeriesOut], summary="常态化项目列表")
def list_(
    store: StoreDep,
    actor: ActorDep,
    status: str | None = status_query(SERIES_STATUSES, "active"),
    skip: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
) -> list[dict[str, Any]]:
    """Series newest first: providers browse the active ones; planners and secretaries their
    jurisdiction's; admins all."""
    return list_series(store, actor, status=status, skip=skip, limit=limit)


@router.post("/extend", response_model=SeriesExtended, summary="生成后续场次(管理员)")
def extend(store: StoreDep, actor: ActorDep) -> dict[str, int]:
    """Run the horizon job now: generate occurrences within 90 days, apply commitments to them, end
    series whose last occurrence is over (the worker runs it hourly; safe to run twice)."""
    require_role(actor, (Role.ADMIN,), "只有管理员可以手动生成场次")
    return extend_series(store)


@router.get("/{series_id}", response_model=SeriesOut, summary="常态化项目详情(含各场次及服务方)")
def get(store: StoreDep, actor: ActorDep, series_id: str) -> dict[str, Any]:
    """One series with its occurrences in time order and who serves each."""
    return get_series(store, actor, series_id)


@router.post("/{series_id}/commitments", response_model=CommitmentMade, status_code=201, summary="长期承诺")
def commit(store: StoreDep, actor: ActorDep, series_id: str, body: CommitmentRequest) -> dict[str, Any]:
    """Commit to serve every occurrence with one of one's own offerings: each open future occurrence
    with room is claimed at once, later ones as they are generated. A full series or a second
    commitment answers 409."""
    return commit_series(store, actor, series_id, body)


@router.post(
    "/{series_id}/commitments/{commitment_id}/withdraw", response_model=SeriesOut, summary="撤回长期承诺"
)
def withdraw(
    store: StoreDep, actor: ActorDep, series_id: str, commitment_id: str, body: CommitmentWithdrawal
) -> dict[str, Any]:
    """Withdraw a commitment with a reason (the provider that made it, or the series' secretary): its
    claims on future occurrences are withdrawn and those occurrences reopen; past and started ones
    are kept; the secretaries and the provider are told. An inactive commitment answers 409."""
    return withdraw_commitment(store, actor, series_id, commitment_id, body.reason)


@router.post("/{series_id}/cancel", response_model=SeriesOut, summary="取消常态化项目(社区书记)")
def cancel(store: StoreDep, actor: ActorDep, series_id: str, body: SeriesCancellation) -> dict[str, Any]:
    """Cancel with a reason: future open or claimed occurrences are cancelled with their claims,
    the providers serving or committed are notified, past occurrences are kept."""
    return cancel_series(store, actor, series_id, body.reason)
