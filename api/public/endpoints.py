"""Public results 述评公开: the JSON API and the phone-width page, both without sign-in and without
personal data (members' names masked, no phones)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from api.deps import SettingsDep, StoreDep
from api.public.schemas import PublicResults
from engine.services.public_results import public_results

PAGE = Path(__file__).resolve().parent.parent / "console" / "static" / "public.html"

router = APIRouter(prefix="/public", tags=["public 述评公开"])

PeriodQ = Annotated[
    str | None,
    Query(max_length=10, description="统计时段:年 2026、季度 2026-Q4 或月份 2026-11(与 start/end 二选一)"),
]
StartQ = Annotated[str | None, Query(max_length=40, description="统计开始(含),ISO 日期时间;无时区按北京时间")]
EndQ = Annotated[str | None, Query(max_length=40, description="统计结束(不含),ISO 日期时间;无时区按北京时间")]


@router.get(
    "/orgs/{org_id}/results", response_model=PublicResults, summary="述评公开:党组织时段成果(无需登录)"
)
def results_of(
    store: StoreDep,
    settings: SettingsDep,
    org_id: str,
    period: PeriodQ = None,
    start: StartQ = None,
    end: EndQ = None,
) -> dict[str, Any]:
    """Projects completed, people served, confirmed hours, the three rates, 一事一评 and the units
    that served most, for needs posted in the period by the org and every org it leads."""
    return public_results(store, org_id, period, start, end, settings=settings)


@router.get("/orgs/{org_id}", response_class=FileResponse, include_in_schema=False)
def results_page(org_id: str) -> FileResponse:
    """The public results page of an org (the page reads the org from its address)."""
    return FileResponse(PAGE, media_type="text/html", headers={"Cache-Control": "no-cache"})
