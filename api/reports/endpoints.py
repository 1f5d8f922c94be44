"""Reports 报表 for 月查/季报/年度考核: the three rates of 接诉即办 (response, resolution,
satisfaction) and counts by status and category, per org (with its subtree) and period."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ActorDep, SettingsDep, StoreDep
from api.reports.schemas import OrgReport
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
