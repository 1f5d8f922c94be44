"""Coverage: areas no party organisation covers, the share of 两新 units with a party organisation,
and the share of in-service members registered with their residential community (双报到),
each overall, by street and by community. Pure functions of a projected graph."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from engine.analytics.index import GraphIndex, index_of
from graph_schema.domain import AREA_LEVELS, TWO_NEW_UNIT_TYPES

GAP_LEVELS = ("grid", "compound", "building")
RESIDENTIAL_LEVELS = ("community", "grid", "compound", "building")


@dataclass(frozen=True, slots=True)
class Share:
    """``hits`` out of ``total``; ``rate`` is None when there is nothing to count."""

    hits: int
    total: int

    @property
    def rate(self) -> float | None:
        """hits / total, or None when total is 0."""
        return self.hits / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class ShareRow:
    """A share for one street or community area."""

    area_id: str
    area_name: str
    level: str
    street_id: str | None
    share: Share


@dataclass(frozen=True, slots=True)
class ShareReport:
    """A share overall, by street and by community, and the ids of the items that miss it."""

    title: str
    overall: Share
    by_street: list[ShareRow]
    by_community: list[ShareRow]
    misses: list[str]
    unplaced: int  # counted items whose street is unknown (in ``overall`` only)


def share_report(ix: GraphIndex, title: str, items: Iterable[tuple[str, str | None, bool]]) -> ShareReport:
    """Tally (item id, its area, hit) triples overall and per street and community of the area."""
    overall = [0, 0]
    streets: dict[str, list[int]] = {}
    communities: dict[str, list[int]] = {}
    misses: list[str] = []
    unplaced = 0
    for item, area, hit in items:
        overall[0] += hit
        overall[1] += 1
        if not hit:
            misses.append(item)
        street, community = ix.street_of(area), ix.community_of(area)
        if street is None:
            unplaced += 1
        for key, table in ((street, streets), (community, communities)):
            if key is not None:
                counts = table.setdefault(key, [0, 0])
                counts[0] += hit
                counts[1] += 1

    def rows(table: dict[str, list[int]], level: str) -> list[ShareRow]:
        return [
            ShareRow(a, ix.name(a), level, ix.street_of(a), Share(h, t))
            for a, (h, t) in sorted(table.items(), key=lambda x: (ix.street_of(x[0]) or "", x[0]))
        ]

    return ShareReport(
        title,
        Share(overall[0], overall[1]),
        rows(streets, "street"),
        rows(communities, "community"),
        sorted(misses),
        unplaced,
    )


@dataclass(frozen=True, slots=True)
class AreaGap:
    """An area no party organisation covers, with where it lies."""

    area_id: str
    name: str
    level: str
    street: str | None
    community: str | None


@dataclass(frozen=True, slots=True)
class CoverageGaps:
    """Uncovered grids, compounds and buildings, and the covered share per level."""

    uncovered: dict[str, list[AreaGap]]  # level -> areas
    shares: dict[str, ShareReport]  # level -> covered share overall / by street / by community


def uncovered_areas(graph: nx.MultiDiGraph, levels: Iterable[str] = GAP_LEVELS) -> CoverageGaps:
    """Areas of ``levels`` that no org COVERS directly.

    The rule: an area is covered only when some party organisation has a COVERS relationship to
    that very area. Coverage is not inherited from an ancestor: a 社区党委 covering the community
    does not give each building a 楼栋党小组, and "which buildings have no party group" is exactly
    the question. Any org counts (a 小区党支部 may cover its buildings directly)."""
    ix = index_of(graph)
    uncovered: dict[str, list[AreaGap]] = {}
    shares: dict[str, ShareReport] = {}
    for level in levels:
        areas = [a for a in ix.ids("Area") if graph.nodes[a].get("level") == level]
        items = [(a, a, bool(ix.covered_by.get(a))) for a in areas]
        report = share_report(ix, f"{AREA_LEVELS.get(level, level)}党组织覆盖率", items)
        shares[level] = report
        uncovered[level] = [
            AreaGap(
                a,
                ix.name(a),
                level,
                _name(ix, ix.street_of(a)),
                _name(ix, ix.community_of(a)),
            )
            for a in report.misses
        ]
    return CoverageGaps(uncovered, shares)


def _name(ix: GraphIndex, node: str | None) -> str | None:
    return ix.name(node) if node else None


def two_new_org_share(graph: nx.MultiDiGraph) -> ShareReport:
    """Share of 两新 units (graph_schema.domain.TWO_NEW_UNIT_TYPES: private firms, social
    organisations) with a party org of their own (Org-[:EMBEDDED_IN]->Unit), by the unit's area."""
    ix = index_of(graph)
    items = [
        (u, ix.area_of(u), bool(ix.unit_orgs.get(u)))
        for u in ix.ids("Unit")
        if graph.nodes[u].get("type") in TWO_NEW_UNIT_TYPES
    ]
    return share_report(ix, "两新组织党组织覆盖率", items)


def residential_orgs(ix: GraphIndex, home: str) -> set[str]:
    """Orgs covering the home area or an ancestor of it at community level or below: the
    community's 社区党委 and the grid/compound/building branches there, not the street."""
    out: set[str] = set()
    for a in ix.ancestors(home):
        if ix.graph.nodes[a].get("level") in RESIDENTIAL_LEVELS:
            out.update(ix.covered_by.get(a, []))
    return out


def in_service_reporting_share(graph: nx.MultiDiGraph) -> ShareReport:
    """Share of in-service members (Member.in_service) who REPORTS_TO an org of their residential
    community (see ``residential_orgs``), by the community of their home (LIVES_IN). Members with
    no known home are counted overall as misses and in ``unplaced``."""
    ix = index_of(graph)
    items = []
    for m in ix.ids("Member"):
        if graph.nodes[m].get("in_service") is not True:
            continue
        home = ix.home.get(m)
        hit = home is not None and not residential_orgs(ix, home).isdisjoint(ix.out(m, "REPORTS_TO"))
        items.append((m, home, hit))
    return share_report(ix, "在职党员到居住地社区报到率", items)


def unit_reporting_share(graph: nx.MultiDiGraph) -> ShareReport:
    """Share of resident units located in the projected areas (LOCATED_IN an area of the scope)
    that REPORTS_TO an org of their community (``residential_orgs`` of their area): the units'
    双报到 rate beside the members' (issue 12). Units placed elsewhere or nowhere (partners of the
    scope's agreements, say) are not counted."""
    ix = index_of(graph)
    areas = set(ix.ids("Area"))
    items = []
    for u in ix.ids("Unit"):
        area = ix.area_of(u)
        if area is None or area not in areas:
            continue
        hit = not residential_orgs(ix, area).isdisjoint(ix.out(u, "REPORTS_TO"))
        items.append((u, area, hit))
    return share_report(ix, "驻区单位到社区报到率", items)
