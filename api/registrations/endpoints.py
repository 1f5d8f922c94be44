"""双报到 over HTTP: a unit or member registers with a community; the community's secretary (or an
admin) accepts (the REPORTS_TO tie is made) or declines with a reason."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ActorDep, StoreDep
from api.params import status_query
from api.registrations.schemas import Registration
from engine.services.records import MAX_LIMIT
from engine.services.registrations import (
    DecisionBody,
    RegistrationDraft,
    accept_registration,
    decline_registration,
    list_registrations,
    submit_registration,
)
from graph_schema.domain import REGISTRATION_STATUSES

router = APIRouter(prefix="/registrations", tags=["registrations 双报到"])


@router.post("", response_model=Registration, status_code=201, summary="申请到社区报到(驻区单位、党员)")
def submit(store: StoreDep, actor: ActorDep, body: RegistrationDraft) -> dict[str, Any]:
    """The signed-in unit or member registers with a community; its secretaries are notified."""
    return submit_registration(store, actor, body)


@router.get("", response_model=list[Registration], summary="报到申请列表")
def listing(
    store: StoreDep,
    actor: ActorDep,
    org_id: Annotated[str | None, Query(description="只看向该社区提交的申请(须在辖区内)")] = None,
    status: str | None = status_query(REGISTRATION_STATUSES, "pending"),
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> list[dict[str, Any]]:
    """Registrations of the jurisdiction (a unit or member: its own), newest first."""
    return list_registrations(store, actor, org_id=org_id, status=status, skip=skip, limit=limit)


@router.post("/{registration_id}/accept", response_model=Registration, summary="接收报到(社区书记)")
def accept(store: StoreDep, actor: ActorDep, registration_id: str, body: DecisionBody) -> dict[str, Any]:
    """Accept a pending registration: the registrant now reports to the community."""
    return accept_registration(store, actor, registration_id, body.reason)


@router.post("/{registration_id}/decline", response_model=Registration, summary="不予接收(社区书记)")
def decline(store: StoreDep, actor: ActorDep, registration_id: str, body: DecisionBody) -> dict[str, Any]:
    """Decline a pending registration with a reason the registrant sees."""
    return decline_registration(store, actor, registration_id, body.reason)
