"""Period reports for planners and secretaries within their scope: time series by month or
quarter, child orgs compared side by side, and the 述职报告 those make for one org and period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from engine.actors import Actor
from engine.services.audit_chain import record_event
from engine.services.periods import Period, buckets, resolve_period
from engine.services.public_results import (
    PeriodData,
    figures,
    org_info,
    project_ratings,
    public_name,
    read_period,
    top_units,
)
from engine.services.reports import authorise
from engine.services.unit_needs import org_two_way
from engine.settings import Settings, get_settings
from engine.store.base import GraphStore
from engine.store.queries import results as results_queries

LEVELS_ZH = {
    "district": "区委",
    "street": "街道党工委",
    "community": "社区党委",
    "grid": "网格党支部",
    "compound": "小区党支部",
    "building": "楼栋党小组",
    "unit": "单位党组织",
    "other": "其他党组织",
}


def _period(period: str | None, start: str | None, end: str | None) -> Period:
    return resolve_period(period, start, end)


def _series(data: PeriodData, when: Period, by: str, hours: float) -> list[dict[str, Any]]:
    return [
        {
            "key": b.key,
            "label": b.label,
            "start": b.start,
            "end": b.end,
            **figures(data.posted(b.start, b.end), hours),
        }
        for b in buckets(when, by)
    ]


def _children(store: GraphStore, org_id: str, data: PeriodData, hours: float) -> dict[str, Any]:
    org = org_info(store, org_id)
    under: dict[str, set[str]] = defaultdict(set)
    for row in store.run(results_queries.DESCENDANTS, {"org_id": org_id}):
        under[row["child_id"]].add(row["org_id"])
    rows = [
        {
            "org_id": c["id"],
            "name": c["name"],
            "level": c["level"],
            "level_zh": LEVELS_ZH.get(c["level"], c["level"]),
            **figures(data.only(under[c["id"]]), hours),
        }
        for c in sorted(org["children"], key=lambda c: c["id"])
    ]
    return {
        "org": {"id": org["id"], "name": org["name"], "level": org["level"]},
        "total": figures(data, hours),
        "own": figures(data.only({org_id}), hours),
        "children": rows,
    }


def org_series(
    store: GraphStore,
    actor: Actor,
    org_id: str,
    by: str = "month",
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
    *,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The figures of ``org_id``'s subtree per month or quarter of the period, and their totals."""
    rules = settings or get_settings()
    when = _period(period, start, end)
    buckets(when, by)  # a bad grouping or a too-long series is refused before any read
    authorise(store, actor, org_id)
    data = read_period(store, org_id, when.start, when.end)
    return {
        "org_id": org_id,
        "by": by,
        "start": when.start,
        "end": when.end,
        "total": figures(data, rules.response_hours),
        "series": _series(data, when, by, rules.response_hours),
    }


def children_comparison(
    store: GraphStore,
    actor: Actor,
    org_id: str,
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
    *,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Each org ``org_id`` leads directly, with its subtree's figures for the period; ``own`` is the
    needs the org posted itself, so children's counts plus own make the total."""
    rules = settings or get_settings()
    when = _period(period, start, end)
    authorise(store, actor, org_id)
    data = read_period(store, org_id, when.start, when.end)
    return {"start": when.start, "end": when.end, **_children(store, org_id, data, rules.response_hours)}


def duty_report(
    store: GraphStore, actor: Actor, org_id: str, period: str, *, settings: Settings | None = None
) -> dict[str, Any]:
    """述职报告 of ``org_id`` for a month, quarter or year: totals, child orgs side by side, the
    months, the units that served most and 一事一评 (members masked for the report's readers)."""
    rules = settings or get_settings()
    when = _period(period, None, None)
    authorise(store, actor, org_id)
    data = read_period(store, org_id, when.start, when.end)
    compared = _children(store, org_id, data, rules.response_hours)
    return {
        **compared,
        "period": {
            "key": when.key,
            "label": when.label,
            "kind": when.kind,
            "start": when.start,
            "end": when.end,
        },
        "months": _series(data, when, "month", rules.response_hours),
        "top_units": top_units(data),
        "project_ratings": project_ratings(data, public_name),
        "two_way_service": org_two_way(store, org_id, when.start, when.end),  # 双向服务
    }


def record_duty_report_export(
    store: GraphStore, actor: Actor, org_id: str, report: Mapping[str, Any], file_format: str
) -> None:
    """A downloaded 述职报告 is an export of the jurisdiction's figures: audited with who, which org and
    period, the file's format and how many rows of each part it holds (issue 13)."""
    details = {
        "kind": "duty_report",
        "format": file_format,
        "scope": org_id,
        "period": report["period"]["key"],
        "rows": {part: len(report.get(part) or []) for part in ("children", "months", "top_units")},
    }
    record_event(store, actor, "export.duty_report", "Org", org_id, details)
