"""Claims 认领 over HTTP: a unit or member claims an open need with one of its offerings, or a
secretary, planner or admin dispatches one (派单); withdrawing before work starts reopens the need."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from api.claims.schemas import CLAIM_EXAMPLES, ClaimMade, ClaimOut, ClaimWithdrawal
from api.deps import ActorDep, StoreDep
from api.params import status_query
from engine.services.claims import ClaimRequest, claim_need, get_claim, list_claims, withdraw_claim
from engine.services.personal import with_provider_name, with_provider_names
from engine.services.records import MAX_LIMIT
from graph_schema.domain import CLAIM_STATUSES

router = APIRouter(prefix="/claims", tags=["claims 认领"])


@router.post("", response_model=ClaimMade, status_code=201, summary="认领需求或派单")
def claim(
    store: StoreDep, actor: ActorDep, body: Annotated[ClaimRequest, Body(openapi_examples=CLAIM_EXAMPLES)]
) -> dict[str, Any]:
    """Claim an open need with one of the provider's active offerings; the claim that fills the
    need creates its project. A full need, a used-up offering or a duplicate answers 409."""
    return with_provider_name(store, actor, claim_need(store, actor, body))


@router.get("", response_model=list[ClaimOut], summary="认领列表")
def list_(
    store: StoreDep,
    actor: ActorDep,
    need_id: str | None = Query(None, description="只看该需求的认领"),
    provider_id: str | None = Query(None, description="只看该服务方的认领"),
    status: str | None = status_query(CLAIM_STATUSES, "active"),
    skip: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
) -> list[dict[str, Any]]:
    """Claims newest first: a provider's own, or those on needs of the actor's jurisdiction."""
    rows = list_claims(
        store, actor, need_id=need_id, provider_id=provider_id, status=status, skip=skip, limit=limit
    )
    return with_provider_names(store, actor, rows)


@router.get("/{claim_id}", response_model=ClaimOut, summary="认领详情")
def get(store: StoreDep, actor: ActorDep, claim_id: str) -> dict[str, Any]:
    """One claim: to its provider and to the jurisdiction of the need's org."""
    return with_provider_name(store, actor, get_claim(store, actor, claim_id))


@router.post("/{claim_id}/withdraw", response_model=ClaimOut, summary="撤回或取消认领")
def withdraw(
    store: StoreDep, actor: ActorDep, claim_id: str, body: ClaimWithdrawal | None = None
) -> dict[str, Any]:
    """The provider withdraws its claim, or the need's secretary cancels it, before work starts."""
    reason = body.reason if body else None
    return with_provider_name(store, actor, withdraw_claim(store, actor, claim_id, reason))
