"""Open311 GeoReport v2, read-only and public (no sign-in): the service list and the service
requests, in JSON. Errors answer in GeoReport's form, a list of ``{code, description}``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import StoreDep
from api.open311.errors import GEOREPORT_ERRORS, GeoReportRoute
from api.open311.schemas import Service, ServiceRequest
from engine.services.open311 import georeport_request, georeport_requests, georeport_services

router = APIRouter(
    prefix="/open311/v2",
    tags=["open311 GeoReport v2"],
    route_class=GeoReportRoute,
    responses=GEOREPORT_ERRORS,
)

Jurisdiction = Annotated[
    str | None,
    Query(description="辖区:党组织编号(如区委),含其下属组织;不填为全平台", examples=["org-top"]),
]


@router.get("/services.json", response_model=list[Service], summary="服务类别列表(Open311)")
def services(store: StoreDep, jurisdiction_id: Jurisdiction = None) -> list[dict[str, Any]]:
    """Every category of the service taxonomy as a GeoReport service."""
    return georeport_services(store, jurisdiction_id)


@router.get("/requests.json", response_model=list[ServiceRequest], summary="服务请求列表(Open311)")
def requests(
    store: StoreDep,
    jurisdiction_id: Jurisdiction = None,
    service_request_id: Annotated[
        str | None, Query(description="逗号分隔的请求编号(给出时忽略其他筛选条件)")
    ] = None,
    service_code: Annotated[
        str | None, Query(description="逗号分隔的服务类别代码", examples=["elderly.meals"])
    ] = None,
    status: Annotated[
        str | None, Query(description="open、closed 或两者(逗号分隔)", examples=["open"])
    ] = None,
    start_date: Annotated[
        str | None,
        Query(
            description="最早发布时间(与 end_date 都不填时为最近 90 天)",
            examples=["2026-10-01T00:00:00+08:00"],
        ),
    ] = None,
    end_date: Annotated[
        str | None, Query(description="最晚发布时间", examples=["2026-11-30T00:00:00+08:00"])
    ] = None,
) -> list[dict[str, Any]]:
    """Needs as GeoReport requests, newest first (at most 1000), by the standard's filters."""
    return georeport_requests(
        store,
        jurisdiction_id=jurisdiction_id,
        service_request_id=service_request_id,
        service_code=service_code,
        status=status,
        start_date=start_date,
        end_date=end_date,
    )


@router.get(
    "/requests/{service_request_id}.json",
    response_model=list[ServiceRequest],
    summary="单个服务请求(Open311)",
)
def request(
    store: StoreDep, service_request_id: str, jurisdiction_id: Jurisdiction = None
) -> list[dict[str, Any]]:
    """One need as a GeoReport request (a list of one, as the standard answers)."""
    return georeport_request(store, service_request_id, jurisdiction_id)
