"""Units' own needs 双向服务 over HTTP: a unit posts a need to its community or street and follows
it; the community side lists them and serves them through claims and dispatch; both sides'
figures. The secretary's 允许跨类认领 switches for a need or an org."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ActorDep, StoreDep
from api.params import status_query
from api.unit_needs.schemas import CrossCategory, CrossCategoryOut, TargetOrg, UnitNeedOut, UnitReport
from engine.services.fit import set_need_cross_category, set_org_cross_category
from engine.services.needs import NeedDraft
from engine.services.records import MAX_LIMIT
from engine.services.unit_needs import list_unit_needs, post_unit_need, targets, unit_report
from graph_schema.domain import NEED_STATUSES

router = APIRouter(tags=["unit needs 双向服务"])


@router.post("/unit-needs", response_model=UnitNeedOut, status_code=201, summary="驻区单位提出本单位需求")
def post(store: StoreDep, actor: ActorDep, body: NeedDraft) -> dict[str, Any]:
    """A unit asks the community or street it reports to or sits in for help; the org's secretaries
    are told. ``org_id`` must be one of ``GET /unit-needs/targets``."""
    return post_unit_need(store, actor, body)


@router.get("/unit-needs", response_model=list[UnitNeedOut], summary="驻区单位需求列表(双向服务)")
def list_(
    store: StoreDep,
    actor: ActorDep,
    status: str | None = status_query(NEED_STATUSES, "open"),
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> list[dict[str, Any]]:
    """A unit's own needs; those posted to the jurisdiction for secretaries and planners; the open
    ones for members (who may serve them)."""
    return list_unit_needs(store, actor, status=status, skip=skip, limit=limit)


@router.get("/unit-needs/targets", response_model=list[TargetOrg], summary="本单位可提需求的社区、街道")
def targets_(
    store: StoreDep,
    actor: ActorDep,
    unit_id: Annotated[str | None, Query(max_length=64, description="驻区单位(管理员查询时指定)")] = None,
) -> list[dict[str, Any]]:
    """The orgs the unit reports to or whose areas hold it, and the communities and streets above."""
    return targets(store, actor, unit_id)


@router.get("/unit-needs/report/{unit_id}", response_model=UnitReport, summary="驻区单位双向服务统计")
def report(
    store: StoreDep,
    actor: ActorDep,
    unit_id: str,
    start: Annotated[str, Query(max_length=40, description="统计开始(含),如 2026-10-01T00:00:00Z")],
    end: Annotated[str, Query(max_length=40, description="统计结束(不含)")],
) -> dict[str, Any]:
    """The needs the unit asked for and the needs it served in [start, end)."""
    return unit_report(store, actor, unit_id, start, end)


@router.put(
    "/needs/{need_id}/cross-category", response_model=CrossCategoryOut, summary="设置需求是否允许跨类认领"
)
def need_cross_category(
    store: StoreDep, actor: ActorDep, need_id: str, body: CrossCategory
) -> dict[str, Any]:
    """The need's secretary lets providers claim it with an offering of another category (the
    claim then carries a warning both sides see), or stops it."""
    return set_need_cross_category(store, actor, need_id, body.allow)


@router.put(
    "/orgs/{org_id}/cross-category", response_model=CrossCategoryOut, summary="设置党组织是否允许跨类认领"
)
def org_cross_category(store: StoreDep, actor: ActorDep, org_id: str, body: CrossCategory) -> dict[str, Any]:
    """The same switch for every need of the org and of the orgs it leads."""
    return set_org_cross_category(store, actor, org_id, body.allow)
