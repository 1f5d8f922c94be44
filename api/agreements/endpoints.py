"""Agreements over HTTP: the community's or street's secretary (or an admin) signs, renews and
terminates; org roles read their jurisdiction's, a unit its own (read-only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.agreements.schemas import Agreement
from api.deps import ActorDep, SettingsDep, StoreDep
from api.params import status_query
from engine.services.agreements import (
    AgreementDraft,
    RenewBody,
    TerminateBody,
    create_agreement,
    get_agreement,
    list_agreements,
    renew_agreement,
    terminate_agreement,
)
from engine.services.records import MAX_LIMIT
from graph_schema.domain import AGREEMENT_STATUSES

router = APIRouter(prefix="/agreements", tags=["agreements 共建协议"])


@router.post("", response_model=Agreement, status_code=201, summary="签订共建协议(社区/街道书记)")
def create(store: StoreDep, settings: SettingsDep, actor: ActorDep, body: AgreementDraft) -> dict[str, Any]:
    """Sign an agreement between an org of the jurisdiction and a unit, with both sides' obligations."""
    made = create_agreement(store, actor, body)
    return get_agreement(store, actor, made["id"], warning_days=settings.agreement_warning_days)


@router.get("", response_model=list[Agreement], summary="共建协议列表(即将到期的有标记)")
def listing(
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
    org_id: Annotated[str | None, Query(description="只看该党组织的协议(须在辖区内)")] = None,
    unit_id: Annotated[str | None, Query(description="只看该单位的协议")] = None,
    status: str | None = status_query(AGREEMENT_STATUSES, "active"),
    expiring: Annotated[bool, Query(description="只看即将到期的协议")] = False,
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> list[dict[str, Any]]:
    """Agreements of the jurisdiction (a unit: its own), soonest end first."""
    return list_agreements(
        store, actor, org_id=org_id, unit_id=unit_id, status=status, expiring_only=expiring,
        warning_days=settings.agreement_warning_days, skip=skip, limit=limit,
    )  # fmt: skip


@router.get("/{agreement_id}", response_model=Agreement, summary="协议详情")
def detail(store: StoreDep, settings: SettingsDep, actor: ActorDep, agreement_id: str) -> dict[str, Any]:
    """One agreement with its obligations and renewal history."""
    return get_agreement(store, actor, agreement_id, warning_days=settings.agreement_warning_days)


@router.post("/{agreement_id}/renew", response_model=Agreement, summary="续签协议(社区/街道书记)")
def renew(
    store: StoreDep, settings: SettingsDep, actor: ActorDep, agreement_id: str, body: RenewBody
) -> dict[str, Any]:
    """Renew to a later end date; the previous end date stays in the history."""
    renew_agreement(store, actor, agreement_id, body)
    return get_agreement(store, actor, agreement_id, warning_days=settings.agreement_warning_days)


@router.post("/{agreement_id}/terminate", response_model=Agreement, summary="终止协议(社区/街道书记)")
def terminate(
    store: StoreDep, settings: SettingsDep, actor: ActorDep, agreement_id: str, body: TerminateBody
) -> dict[str, Any]:
    """End the agreement early with a reason."""
    terminate_agreement(store, actor, agreement_id, body)
    return get_agreement(store, actor, agreement_id, warning_days=settings.agreement_warning_days)
