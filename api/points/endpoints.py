"""Points 积分: a holder's balance and ledger (to whoever may see the holder), and an admin's
correction, which is a new ledger entry, never an edit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from api.deps import ActorDep, StoreDep
from api.points.schemas import BalanceOut, PointEntryOut
from engine.services.points import PointCorrection, balance, correct_points, ledger
from engine.services.records import MAX_LIMIT

router = APIRouter(prefix="/points", tags=["points 积分"])

CorrectionBody = Annotated[
    PointCorrection,
    Body(
        openapi_examples={
            "补记": {
                "summary": "补记一次漏记的服务积分",
                "value": {"holder_id": "unit-00001", "points": 20, "note": "11 月助餐服务漏记,补记"},
            },
            "扣减": {
                "summary": "扣减重复记入的积分",
                "value": {"holder_id": "mem-000004", "points": -10, "note": "重复记分,予以扣减"},
            },
        }
    ),
]


@router.post("/corrections", response_model=PointEntryOut, status_code=201, summary="更正积分(管理员)")
def correct(store: StoreDep, actor: ActorDep, body: CorrectionBody) -> dict[str, Any]:
    """Add a correcting entry (positive or negative) to a unit's, member's or org's ledger."""
    return correct_points(store, actor, body)


@router.get("/{holder_id}", response_model=BalanceOut, summary="积分余额")
def balance_of(store: StoreDep, actor: ActorDep, holder_id: str) -> dict[str, Any]:
    """A unit's, member's or org's balance: the sum of its ledger."""
    return balance(store, actor, holder_id)


@router.get("/{holder_id}/ledger", response_model=list[PointEntryOut], summary="积分明细")
def ledger_of(
    store: StoreDep,
    actor: ActorDep,
    holder_id: str,
    skip: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
) -> list[dict[str, Any]]:
    """The holder's ledger entries, newest first, each with the project that earned it."""
    return ledger(store, actor, holder_id, skip=skip, limit=limit)
