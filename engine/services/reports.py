"""Reports per org (with its subtree) and period: the three rates of 接诉即办 plus counts of
needs by status and category, for 月查/季报/年度考核.

The cohort is the needs posted in [start, end) by the org and every org it leads; cancelled
needs (withdrawn by the community) are left out of the rates but counted by status.
- response 响应率: first claim within ``response_hours`` of posting / cohort;
- resolution 解决率: completed or evaluated / cohort;
- satisfaction 满意率: community ratings of 4 or 5 stars / all community ratings of the cohort.
A rate is None when its denominator is 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from engine.actors import Actor
from engine.errors import Forbidden, Invalid, NotFound
from engine.services.clock import parse
from engine.services.scope import jurisdiction, subtree
from engine.services.unit_needs import org_two_way
from engine.settings import Settings, get_settings
from engine.store.base import GraphStore, Row
from engine.store.queries.closed_loop import reports as reports_queries
from graph_schema.domain import NEED_STATUSES
from graph_schema.validation import normalize_datetime

SATISFIED_FROM = 4
RESOLVED = ("completed", "evaluated")


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def three_rates(rows: Iterable[Row], response_hours: float) -> dict[str, Any]:
    """Response, resolution and satisfaction over per-need rows (status, created_at,
    claim_times, ratings), with their numerators and denominators."""
    eligible = [r for r in rows if r["status"] != "cancelled"]
    limit_s = response_hours * 3600
    responded = sum(
        1
        for r in eligible
        if r["claim_times"]
        and (parse(min(r["claim_times"])) - parse(r["created_at"])).total_seconds() <= limit_s
    )
    resolved = sum(1 for r in eligible if r["status"] in RESOLVED)
    ratings = [x for r in eligible for x in r["ratings"]]
    satisfied = sum(1 for x in ratings if x >= SATISFIED_FROM)
    return {
        "response": {
            "rate": _rate(responded, len(eligible)),
            "responded": responded,
            "needs": len(eligible),
            "within_hours": response_hours,
        },
        "resolution": {"rate": _rate(resolved, len(eligible)), "resolved": resolved, "needs": len(eligible)},
        "satisfaction": {
            "rate": _rate(satisfied, len(ratings)),
            "satisfied": satisfied,
            "ratings": len(ratings),
        },
    }


def authorise(store: GraphStore, actor: Actor, org_id: str) -> None:
    """Planners, secretaries and admins report on orgs of their jurisdiction; others are refused."""
    if actor.is_provider:
        raise Forbidden("服务方不能查看辖区统计")
    scope = jurisdiction(store, actor)
    if scope.everything and not subtree(store, org_id):
        raise NotFound("党组织不存在")
    if not scope.covers(org_id):
        raise Forbidden("只能统计本辖区的党组织")


def org_report(
    store: GraphStore,
    actor: Actor,
    org_id: str,
    start: str,
    end: str,
    *,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The report of ``org_id`` and its subtree for needs posted in [start, end) (ISO times)."""
    rules = settings or get_settings()
    try:
        start, end = normalize_datetime(start), normalize_datetime(end)
    except (ValueError, AttributeError) as exc:
        raise Invalid("统计时段应为日期时间(如 2026-11-24T08:00:00Z)") from exc
    if end <= start:
        raise Invalid("统计时段的结束须晚于开始")
    authorise(store, actor, org_id)
    period = {"org_id": org_id, "start": start, "end": end}
    rows = store.run(reports_queries.NEEDS_IN_PERIOD, period)
    points = store.run(reports_queries.POINTS_IN_PERIOD, period)
    by_status = {s: 0 for s in NEED_STATUSES} | dict(Counter(r["status"] for r in rows))
    by_category = dict(sorted(Counter(r["category"] for r in rows).items()))
    by_top = dict(sorted(Counter(r["category"].split(".")[0] for r in rows).items()))
    return {
        "org_id": org_id,
        "start": start,
        "end": end,
        "needs": len(rows),
        "by_status": by_status,
        "by_category": by_category,
        "by_top_category": by_top,
        **three_rates(rows, rules.response_hours),
        "points_total": sum(int(p["points"]) for p in points),
        "points_by_holder": points,
        "two_way_service": org_two_way(store, org_id, start, end),  # 双向服务: units' own needs
    }
