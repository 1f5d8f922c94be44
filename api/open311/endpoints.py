"""Open311 GeoReport v2, read-only and public (no sign-in): the service list and the service
requests, in JSON. Errors answer in GeoReport's form, a list of ``{code, description}``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from api.deps import OptionalActorDep, SettingsDep, StoreDep
from api.intake.endpoints import limits
from api.open311.errors import GEOREPORT_ERRORS, GeoReportRoute
from api.open311.schemas import Service, ServiceRequest, SubmittedRequest
from engine.services.intake import RequestDraft, submit_request
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


def _form_value(value: str | None) -> str | None:
    """A form field as given, None when absent or blank (GeoReport clients send empty fields)."""
    return value.strip() if value and value.strip() else None


Text = Annotated[str | None, Form()]


@router.post(
    "/requests.json",
    response_model=list[SubmittedRequest],
    response_model_exclude_none=True,
    status_code=201,
    summary="提交服务请求(Open311,无需登录)",
)
def submit(
    store: StoreDep,
    settings: SettingsDep,
    actor: OptionalActorDep,
    service_code: Annotated[str, Form(description="服务类别代码", examples=["elderly.meals"])],
    jurisdiction_id: Text = None,
    lat: Annotated[float | None, Form(description="纬度(与 long 同时给出,或给出 address_string)")] = None,
    long: Annotated[float | None, Form(description="经度")] = None,
    address_string: Annotated[str | None, Form(description="地址(写明社区或小区名称)")] = None,
    address_id: Text = None,
    description: Annotated[str | None, Form(description="诉求内容")] = None,
    first_name: Text = None,
    last_name: Text = None,
    phone: Text = None,
    email: Text = None,
    device_id: Text = None,
    account_id: Text = None,
    media_url: Text = None,
    api_key: Text = None,
) -> list[dict[str, Any]]:
    """Take a service request (a resident's 诉求) as GeoReport v2 does, form-encoded; answers its
    tracking code as ``service_request_id`` and a notice (likely duplicates named there).
    ``api_key``, ``device_id``, ``address_id`` and ``media_url`` are accepted and not used."""
    try:
        draft = RequestDraft(
            category=service_code.strip(),
            description=(description or "").strip(),
            lat=lat,
            lon=long,
            address=_form_value(address_string),
            contact_first_name=_form_value(first_name),
            contact_last_name=_form_value(last_name),
            contact_phone=_form_value(phone),
            contact_email=_form_value(email),
        )
    except ValidationError as exc:
        names = {"category": "service_code", "lon": "long", "address": "address_string"}
        errors = [
            {**e, "loc": ("body", *(names.get(str(x), str(x)) for x in e["loc"]))} for e in exc.errors()
        ]
        raise RequestValidationError(errors) from None
    receipt = submit_request(store, actor, draft, limits=limits(settings), via="open311")
    return [
        {
            "service_request_id": receipt["code"],
            "service_notice": receipt["notice"],
            "account_id": actor.account_id if actor else None,
        }
    ]
