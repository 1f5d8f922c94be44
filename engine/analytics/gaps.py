"""Gaps between demand and supply: by category × area, needs with no provider within a radius, and
needs posted / completed per month. Pure functions of a projected graph."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

import networkx as nx
import numpy as np

from engine.analytics.geo import PointIndex
from engine.analytics.index import GraphIndex, index_of
from graph_schema.domain import AREA_LEVELS
from graph_schema.taxonomy import CATEGORY_BY_ID, related_categories

UNMET = ("open", "expired")
DONE = ("completed", "evaluated")


def category_family(category: str) -> str:
    """The top-level category of ``category`` (itself when it is top-level or unknown)."""
    cat = CATEGORY_BY_ID.get(category)
    return cat.parent if cat is not None and cat.parent else category


def category_name(category: str) -> str:
    """The Chinese name of a category code (the code itself when unknown)."""
    cat = CATEGORY_BY_ID.get(category)
    return cat.name if cat is not None else category


def used_offerings(ix: GraphIndex) -> set[str]:
    """Offerings in use: named by a SERVES relationship (offering_id) or by an active claim."""
    used = {
        str(d["offering_id"])
        for _, _, d in ix.graph.edges(data=True)
        if d.get("type") == "SERVES" and d.get("offering_id")
    }
    for c in ix.ids("Claim"):
        data = ix.graph.nodes[c]
        if data.get("status") == "active" and data.get("offering_id"):
            used.add(str(data["offering_id"]))
        used.update(ix.out(c, "USES") if data.get("status") == "active" else ())
    return used


@dataclass(frozen=True, slots=True)
class GapRow:
    """Demand and supply of one category in one area."""

    category: str
    category_name: str
    area_id: str | None
    area_name: str
    needs: int
    needs_unmet: int  # open or expired
    offerings: int  # active
    offerings_idle: int  # active, never served through nor claimed

    @property
    def balance(self) -> int:
        """Active offerings minus unmet needs: negative where demand outruns supply."""
        return self.offerings - self.needs_unmet


def supply_demand(graph: nx.MultiDiGraph, *, level: str = "community", family: bool = True) -> list[GapRow]:
    """Needs (all, unmet) against active offerings (all, idle) per category (its top-level family
    when ``family``) × area of ``level`` (a need's LOCATED_IN area, an offering's provider's area).
    Rows are sorted by shortfall, worst first."""
    if level not in AREA_LEVELS:
        raise ValueError(f"unknown area level {level!r}")
    ix = index_of(graph)
    table: dict[tuple[str, str | None], list[int]] = {}

    def cell(node: str) -> list[int]:
        cat = str(graph.nodes[node].get("category", ""))
        key = (category_family(cat) if family else cat, ix.ancestor_at(ix.area_of(node), level))
        return table.setdefault(key, [0, 0, 0, 0])

    for n in ix.ids("Need"):
        counts = cell(n)
        counts[0] += 1
        counts[1] += graph.nodes[n].get("status") in UNMET
    used = used_offerings(ix)
    for o in ix.ids("Offering"):
        if graph.nodes[o].get("status") != "active":
            continue
        counts = cell(o)
        counts[2] += 1
        counts[3] += o not in used
    rows = [
        GapRow(cat, category_name(cat), area, ix.name(area) if area else "未定位", *counts)
        for (cat, area), counts in table.items()
    ]
    rows.sort(key=lambda r: (r.balance, -r.needs_unmet, r.category, r.area_id or ""))
    return rows


@dataclass(frozen=True, slots=True)
class UnservedNeed:
    """A need with no active offering of a fitting category within the radius."""

    need_id: str
    title: str
    category: str
    community: str | None
    street: str | None
    nearest_km: float | None  # distance to the nearest fitting offering anywhere, None if there is none
    nearest_offering: str | None
    reason: str


def active_offering_points(ix: GraphIndex) -> dict[str, tuple[PointIndex, list[str]]]:
    """Active offerings with a known place, per category: a spatial index and the ids in its order."""
    grouped: dict[str, list[tuple[str, tuple[float, float]]]] = {}
    for o in ix.ids("Offering"):
        point = ix.point(o)
        if ix.prop(o, "status") == "active" and point is not None:
            grouped.setdefault(str(ix.prop(o, "category", "")), []).append((o, point))
    return {
        cat: (PointIndex([p for _, p in entries]), [o for o, _ in entries])
        for cat, entries in grouped.items()
    }


def needs_by_fitting_category(ix: GraphIndex, needs: Iterable[str]) -> dict[str, list[str]]:
    """For each offering category, the needs (with a place) it fits (taxonomy.related_categories)."""
    out: dict[str, list[str]] = {}
    for n in needs:
        for c in related(str(ix.prop(n, "category", ""))):
            out.setdefault(c, []).append(n)
    return out


@lru_cache(maxsize=512)
def related(category: str) -> frozenset[str]:
    """taxonomy.related_categories, cached (it scans the taxonomy on every call)."""
    return frozenset(related_categories(category))


def needs_without_provider(
    graph: nx.MultiDiGraph, *, radius_km: float = 3.0, statuses: Collection[str] = ("open",)
) -> list[UnservedNeed]:
    """Needs in ``statuses`` with no active offering whose category fits (taxonomy.related_categories)
    within ``radius_km`` (great-circle, from the need's place to the offering's or its provider's)."""
    ix = index_of(graph)
    offerings = active_offering_points(ix)
    needs = [n for n in ix.ids("Need") if ix.prop(n, "status") in statuses]
    points = {n: p for n in needs if (p := ix.point(n)) is not None}
    best: dict[str, tuple[float, str]] = {}
    for cat, fitting in needs_by_fitting_category(ix, points).items():
        found = offerings.get(cat)
        if found is None:
            continue
        lat = np.array([points[n][0] for n in fitting])
        lon = np.array([points[n][1] for n in fitting])
        idx, dist = found[0].nearest_many(lat, lon)
        for n, i, d in zip(fitting, idx.tolist(), dist.tolist(), strict=True):
            candidate = (d, found[1][i])
            if n not in best or candidate < best[n]:
                best[n] = candidate
    out: list[UnservedNeed] = []
    for n in needs:
        near = best.get(n)
        if near is not None and near[0] <= radius_km:
            continue
        cat = str(ix.prop(n, "category", ""))
        if n not in points:
            reason = "需求没有位置信息，无法就近匹配"
        elif near is None:
            reason = f"全域没有可用的“{category_name(cat)}”同类资源"
        else:
            reason = (
                f"{radius_km:g} 公里内没有可用的“{category_name(cat)}”同类资源，最近的在 {near[0]:.1f} 公里外"
            )
        area = ix.area_of(n)
        community, street = ix.community_of(area), ix.street_of(area)
        out.append(
            UnservedNeed(
                n,
                ix.name(n),
                cat,
                ix.name(community) if community else None,
                ix.name(street) if street else None,
                round(near[0], 3) if near else None,
                near[1] if near else None,
                reason,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class MonthCount:
    """Needs posted and completed in one month (YYYY-MM)."""

    month: str
    posted: int
    completed: int


def completed_at(ix: GraphIndex, need: str) -> str | None:
    """When a need was done: the earliest completed_at of the done projects fulfilling it, else
    (a done need without such a project) its updated_at."""
    times = [
        str(ix.prop(p, "completed_at"))
        for p in ix.into(need, "FULFILLS")
        if ix.prop(p, "status") in DONE and ix.prop(p, "completed_at")
    ]
    if times:
        return min(times)
    if ix.prop(need, "status") in DONE and ix.prop(need, "updated_at"):
        return str(ix.prop(need, "updated_at"))
    return None


def monthly_trends(graph: nx.MultiDiGraph) -> list[MonthCount]:
    """Needs posted (created_at) and completed (see ``completed_at``) per month, every month from
    the first to the last that has any, in order (UTC months of the ISO stamps)."""
    ix = index_of(graph)
    posted: dict[str, int] = {}
    completed: dict[str, int] = {}
    for n in ix.ids("Need"):
        created = ix.prop(n, "created_at")
        if created:
            posted[str(created)[:7]] = posted.get(str(created)[:7], 0) + 1
        done = completed_at(ix, n)
        if done:
            completed[done[:7]] = completed.get(done[:7], 0) + 1
    months = sorted(set(posted) | set(completed))
    if not months:
        return []
    out: list[MonthCount] = []
    year, month = int(months[0][:4]), int(months[0][5:7])
    while f"{year:04d}-{month:02d}" <= months[-1]:
        key = f"{year:04d}-{month:02d}"
        out.append(MonthCount(key, posted.get(key, 0), completed.get(key, 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
