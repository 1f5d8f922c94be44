"""Requests 诉求 over HTTP: anyone submits (a grid worker signed in submits for a resident) and
follows a request by its tracking code; the community's secretary works the intake queue."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ActorDep, OptionalActorDep, SettingsDep, StoreDep
from api.intake.schemas import CloseBody, MergeBody, PublicRequest, QueueItem, Receipt
from api.params import status_query
from engine.services.intake import (
    IntakeLimits,
    NeedFromRequest,
    RequestDraft,
    close_request,
    convert_request,
    list_queue,
    merge_request,
    my_requests,
    submit_request,
    track_request,
)
from engine.services.records import MAX_LIMIT
from engine.settings import Settings
from graph_schema.domain import REQUEST_STATUSES

router = APIRouter(prefix="/intake", tags=["intake 诉求受理"])


def limits(settings: Settings) -> IntakeLimits:
    """The submission limits of the settings."""
    return IntakeLimits(settings.intake_per_contact_per_day, settings.intake_per_address_per_day)


@router.post("/requests", response_model=Receipt, status_code=201, summary="提交诉求(无需登录)")
def submit(
    store: StoreDep, settings: SettingsDep, actor: OptionalActorDep, body: RequestDraft
) -> dict[str, Any]:
    """Take a request into its community's queue; answers its tracking code and likely duplicates."""
    return submit_request(store, actor, body, limits=limits(settings))


@router.get("/requests/{code}", response_model=PublicRequest, summary="按查询码查询诉求进度(无需登录)")
def track(store: StoreDep, code: str) -> dict[str, Any]:
    """A request's public status and timeline, without personal data."""
    return track_request(store, code)


@router.get("/queue", response_model=list[QueueItem], summary="诉求待办(社区书记)")
def queue(
    store: StoreDep,
    actor: ActorDep,
    org_id: Annotated[str | None, Query(description="只看该社区(须在辖区内)")] = None,
    status: str | None = status_query(REQUEST_STATUSES, "queued"),
    all_statuses: Annotated[bool, Query(description="列出所有状态(忽略 status)")] = False,
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> list[dict[str, Any]]:
    """Requests of the jurisdiction newest first (queued ones by default), with likely duplicates."""
    wanted = None if all_statuses else (status or "queued")
    return list_queue(store, actor, org_id=org_id, status=wanted, skip=skip, limit=limit)


@router.get("/mine", response_model=list[QueueItem], summary="我提交的诉求(网格员)")
def mine(
    store: StoreDep,
    actor: ActorDep,
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> list[dict[str, Any]]:
    """The requests the signed-in grid worker submitted for residents."""
    return my_requests(store, actor, skip=skip, limit=limit)


@router.post("/requests/{code}/need", response_model=QueueItem, summary="转为需求(社区书记)")
def to_need(store: StoreDep, actor: ActorDep, code: str, body: NeedFromRequest) -> dict[str, Any]:
    """Make a need of the request (prefilled from it; the fields given override)."""
    return convert_request(store, actor, code, body)


@router.post("/requests/{code}/merge", response_model=QueueItem, summary="并入已有需求(社区书记)")
def merge(store: StoreDep, actor: ActorDep, code: str, body: MergeBody) -> dict[str, Any]:
    """Merge the request into an open need of the community."""
    return merge_request(store, actor, code, body.need_id)


@router.post("/requests/{code}/close", response_model=QueueItem, summary="办结诉求(社区书记)")
def close(store: StoreDep, actor: ActorDep, code: str, body: CloseBody) -> dict[str, Any]:
    """Close the request with a reason the resident sees."""
    return close_request(store, actor, code, body.reason)
