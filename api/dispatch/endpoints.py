"""Dispatch runs 派单 over HTTP: a planner or secretary starts a run over its scope, the
proposals wait for the need's secretary, who accepts (a dispatch claim) or rejects each."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from api.deps import ActorDep, SettingsDep, StoreDep
from api.dispatch.schemas import RUN_EXAMPLES, ProposalAccepted, ProposalOut, RunOut, RunSummary
from api.params import status_query
from engine.services.dispatch import (
    DispatchRequest,
    ProposalDecision,
    accept_proposal,
    get_proposal,
    get_run,
    list_proposals,
    list_runs,
    reject_proposal,
    start_run,
)
from engine.services.personal import with_provider_name, with_provider_names
from engine.services.records import MAX_LIMIT
from graph_schema.domain import PROPOSAL_STATUSES

router = APIRouter(prefix="/dispatch", tags=["dispatch 派单"])


@router.post("/runs", response_model=RunSummary, status_code=201, summary="发起派单")
def start(
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
    body: Annotated[DispatchRequest, Body(openapi_examples=RUN_EXAMPLES)],
) -> dict[str, Any]:
    """Match the open needs of a street, community or grid with offerings and store the proposals."""
    return start_run(
        store,
        actor,
        body.scope_org_id,
        body.method,
        body.urgent_first,
        body.max_share,
        weights=settings.match_weights,
        fairness_mode=body.fairness_mode,
    )


@router.get("/runs", response_model=list[RunOut], summary="派单批次列表")
def runs(
    store: StoreDep,
    actor: ActorDep,
    skip: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
) -> list[dict[str, Any]]:
    """Runs over the actor's jurisdiction, newest first."""
    return list_runs(store, actor, skip=skip, limit=limit)


@router.get("/runs/{run_id}", response_model=RunOut, summary="派单批次详情")
def run(store: StoreDep, actor: ActorDep, run_id: str) -> dict[str, Any]:
    """One run, to the jurisdiction of its scope."""
    return get_run(store, actor, run_id)


@router.get("/proposals", response_model=list[ProposalOut], summary="派单建议列表")
def proposals(
    store: StoreDep,
    actor: ActorDep,
    run_id: str | None = Query(None, description="只看该批次的建议"),
    need_id: str | None = Query(None, description="只看该需求的建议"),
    status: str | None = status_query(PROPOSAL_STATUSES, "pending"),
    skip: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
) -> list[dict[str, Any]]:
    """Proposals on needs of the actor's jurisdiction, best first, with their explanations."""
    rows = list_proposals(store, actor, run_id=run_id, need_id=need_id, status=status, skip=skip, limit=limit)
    return with_provider_names(store, actor, rows)


@router.get("/proposals/{proposal_id}", response_model=ProposalOut, summary="派单建议详情")
def proposal(store: StoreDep, actor: ActorDep, proposal_id: str) -> dict[str, Any]:
    """One proposal with its explanation."""
    return with_provider_name(store, actor, get_proposal(store, actor, proposal_id))


@router.post("/proposals/{proposal_id}/accept", response_model=ProposalAccepted, summary="采纳派单建议")
def accept(
    store: StoreDep, actor: ActorDep, proposal_id: str, body: ProposalDecision | None = None
) -> dict[str, Any]:
    """The need's secretary accepts: the proposal becomes a dispatch claim under the claiming rules
    (a full need or a used-up offering answers 409 and the proposal is superseded)."""
    done = accept_proposal(store, actor, proposal_id, body.reason if body else None)
    return {
        **with_provider_name(store, actor, done),
        "claim": with_provider_name(store, actor, done["claim"]),
    }


@router.post("/proposals/{proposal_id}/reject", response_model=ProposalOut, summary="拒绝派单建议")
def reject(
    store: StoreDep, actor: ActorDep, proposal_id: str, body: ProposalDecision | None = None
) -> dict[str, Any]:
    """The need's secretary rejects a pending proposal; the need stays open."""
    done = reject_proposal(store, actor, proposal_id, body.reason if body else None)
    return with_provider_name(store, actor, done)
