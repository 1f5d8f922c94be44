"""Reports 报表 for 月查/季报/年度考核: the three rates of 接诉即办 (response, resolution,
satisfaction) and counts by status and category, per org (with its subtree) and period; their
series by month or quarter, child orgs side by side, and the 述职报告 as .docx and .xlsx."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import ActorDep, SettingsDep, StoreDep
from api.reports.period_schemas import ChildComparison, OrgSeries
from api.reports.schemas import OrgReport
from engine.reporting import render_docx, render_xlsx
from engine.services.period_reports import (
    children_comparison,
    duty_report,
    org_series,
    record_duty_report_export,
)
from engine.services.reports import org_report

router = APIRouter(prefix="/reports", tags=["reports 报表"])

Start = Annotated[
    str,
    Query(description="统计开始(含),ISO 日期时间;无时区按北京时间", examples=["2026-10-01T00:00:00+08:00"]),
]
End = Annotated[
    str,
    Query(description="统计结束(不含),ISO 日期时间;无时区按北京时间", examples=["2026-11-01T00:00:00+08:00"]),
]


@router.get("/orgs/{org_id}", response_model=OrgReport, summary="党组织报表:三率与分类统计")
def report_of(
    store: StoreDep, settings: SettingsDep, actor: ActorDep, org_id: str, start: Start, end: End
) -> dict[str, Any]:
    """Needs posted in [start, end) by the org and every org it leads: the three rates and counts."""
    return org_report(store, actor, org_id, start, end, settings=settings)


PeriodQ = Annotated[
    str | None,
    Query(max_length=10, description="统计时段:年 2026、季度 2026-Q4 或月份 2026-11(与 start/end 二选一)"),
]
StartQ = Annotated[str | None, Query(max_length=40, description="统计开始(含),ISO 日期时间;无时区按北京时间")]
EndQ = Annotated[str | None, Query(max_length=40, description="统计结束(不含),ISO 日期时间;无时区按北京时间")]
DutyPeriod = Annotated[
    str,
    Query(max_length=10, description="述职时段:年 2026、季度 2026-Q4 或月份 2026-11", examples=["2026-Q4"]),
]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/orgs/{org_id}/series", response_model=OrgSeries, summary="党组织报表:按月或按季度的走势")
def series_of(
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
    org_id: str,
    by: Annotated[Literal["month", "quarter"], Query(description="month 按月,quarter 按季度")] = "month",
    period: PeriodQ = None,
    start: StartQ = None,
    end: EndQ = None,
) -> dict[str, Any]:
    """The subtree's figures per month or quarter (Beijing calendar) of the period, and the totals."""
    return org_series(store, actor, org_id, by, period, start, end, settings=settings)


@router.get("/orgs/{org_id}/children", response_model=ChildComparison, summary="党组织报表:下级组织对比")
def children_of(
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
    org_id: str,
    period: PeriodQ = None,
    start: StartQ = None,
    end: EndQ = None,
) -> dict[str, Any]:
    """Each org the org leads directly, with its subtree's figures for the period, side by side."""
    return children_comparison(store, actor, org_id, period, start, end, settings=settings)


def _download(content: bytes, media_type: str, org_id: str, period: str, suffix: str) -> Response:
    name = f"述职报告-{org_id}-{period}.{suffix}"
    disposition = (
        f"attachment; filename=\"report-{org_id}-{period}.{suffix}\"; filename*=UTF-8''{quote(name)}"
    )
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


@router.get(
    "/orgs/{org_id}/duty-report.docx",
    response_class=Response,
    summary="述职报告(Word)",
    responses={200: {"content": {DOCX: {}}, "description": "述职报告 .docx"}},
)
def duty_report_docx(
    store: StoreDep, settings: SettingsDep, actor: ActorDep, org_id: str, period: DutyPeriod
) -> Response:
    """The 述职报告 of the org for a month, quarter or year, with child orgs compared and a figure."""
    report = duty_report(store, actor, org_id, period, settings=settings)
    content = render_docx(report)
    record_duty_report_export(store, actor, org_id, report, "docx")
    return _download(content, DOCX, org_id, report["period"]["key"], "docx")


@router.get(
    "/orgs/{org_id}/duty-report.xlsx",
    response_class=Response,
    summary="述职报告(Excel)",
    responses={200: {"content": {XLSX: {}}, "description": "述职报告 .xlsx"}},
)
def duty_report_xlsx(
    store: StoreDep, settings: SettingsDep, actor: ActorDep, org_id: str, period: DutyPeriod
) -> Response:
    """The 述职报告 of the org as a workbook: totals with the figure, child orgs, months, units."""
    report = duty_report(store, actor, org_id, period, settings=settings)
    content = render_xlsx(report)
    record_duty_report_export(store, actor, org_id, report, "xlsx")
    return _download(content, XLSX, org_id, report["period"]["key"], "xlsx")
