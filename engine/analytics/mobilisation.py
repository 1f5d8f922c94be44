"""Emergency mobilisation 平急结合: the members and units to call near a place for given skills.

``Mobiliser`` is built once from a projection (k-d trees over members' homes and units' places,
skill matrices, the area tree) so that ``find`` answers in milliseconds on a city; keep one per
projection (ProjectionCache.derived). Ranking, higher first::

    score = skill share × (0.5 + 0.5 × availability) / (1 + km) / (1 + 0.25 × graph hops)

skill share: requested skills the candidate has / requested; availability: a member's
hours_per_month / 40, a unit's capacity over its active offerings / 10 (both capped at 1);
km: great-circle distance from the place to the member's home (its LIVES_IN area's point) or the
unit; graph hops: relationships from the candidate to the place's area, through its own area and
CONTAINS, or through an org of the place's community it reports to, belongs to, joins or holds a
post in (COVERS then CONTAINS), whichever is shorter.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from engine.analytics.geo import PointIndex
from engine.analytics.index import GraphIndex, index_of
from graph_schema.taxonomy import CATEGORY_BY_ID

MEMBER_FULL_HOURS = 40.0
UNIT_FULL_CAPACITY = 10.0
HOP_WEIGHT = 0.25
SNAP_LEVELS = ("building", "compound", "grid", "community", "street")
_TIE_TYPES = ("REPORTS_TO", "BELONGS_TO", "JOINS", "HOLDS")


@dataclass(frozen=True, slots=True)
class Callee:
    """A member or unit to call, where it stands in the ranking, and why."""

    id: str
    label: str
    name: str
    score: float
    distance_km: float
    graph_hops: int
    skills: tuple[str, ...]  # requested skills it has
    availability: float  # 0..1
    registered: bool  # tied to an org of the place's community
    area: str | None  # name of its home (member) or location (unit)
    reason: str


@dataclass(frozen=True, slots=True)
class _Pool:
    """One kind of candidate (members or units) as arrays aligned with ``ids``."""

    ids: list[str]
    areas: list[str | None]
    index: PointIndex
    skills: NDArray[np.bool_]  # candidate × skill vocabulary
    availability: NDArray[np.float64]
    capacity: NDArray[np.float64]  # hours per month (members) or offering capacity (units)
    communities: list[frozenset[str]]  # communities it is registered with


class Mobiliser:
    """Indexes of one projection for ``find``; build once, query many times."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        ix = index_of(graph)
        self.ix = ix
        vocab: set[str] = set()
        member_rows = []
        for m in ix.ids("Member"):
            point = ix.point(m)
            if point is None:
                continue
            skills = frozenset(_strings(ix.prop(m, "skills")))
            vocab |= skills
            hours = ix.prop(m, "hours_per_month")
            member_rows.append((m, point, skills, float(hours) if isinstance(hours, int | float) else 0.0))
        unit_rows = []
        for u in ix.ids("Unit"):
            point = ix.point(u)
            if point is None:
                continue
            skills_offered: set[str] = set()
            capacity = 0.0
            for o in ix.out(u, "OFFERS"):
                if ix.prop(o, "status") == "active":
                    skills_offered.update(_offering_skills(ix, o))
                    cap = ix.prop(o, "capacity")
                    capacity += float(cap) if isinstance(cap, int | float) else 1.0
            vocab |= skills_offered
            unit_rows.append((u, point, frozenset(skills_offered), capacity))
        self.vocab = {s: i for i, s in enumerate(sorted(vocab))}
        self.members = self._pool(
            [r[0] for r in member_rows],
            [r[1] for r in member_rows],
            [r[2] for r in member_rows],
            np.array([r[3] for r in member_rows], dtype=np.float64),
            MEMBER_FULL_HOURS,
        )
        self.units = self._pool(
            [r[0] for r in unit_rows],
            [r[1] for r in unit_rows],
            [r[2] for r in unit_rows],
            np.array([r[3] for r in unit_rows], dtype=np.float64),
            UNIT_FULL_CAPACITY,
        )
        snap = [(a, p) for a in ix.ids("Area") if (p := ix.point(a)) is not None]
        levels = {str(ix.prop(a, "level")) for a, _ in snap}
        deepest = next((lv for lv in SNAP_LEVELS if lv in levels), None)
        snap = [(a, p) for a, p in snap if ix.prop(a, "level") == deepest]
        self._snap_ids = [a for a, _ in snap]
        self._snap = PointIndex([p for _, p in snap])

    def _pool(
        self,
        ids: list[str],
        points: list[tuple[float, float]],
        skills: list[frozenset[str]],
        capacity: NDArray[np.float64],
        full: float,
    ) -> _Pool:
        matrix = np.zeros((len(ids), max(1, len(self.vocab))), dtype=np.bool_)
        for i, s in enumerate(skills):
            matrix[i, [self.vocab[x] for x in s]] = True
        tied = [
            frozenset(c for t in _TIE_TYPES for o in self.ix.out(n, t) for c in self.ix.org_communities(o))
            for n in ids
        ]
        return _Pool(
            ids,
            [self.ix.area_of(n) for n in ids],
            PointIndex(points),
            matrix,
            np.minimum(capacity / full, 1.0),
            capacity,
            tied,
        )

    @classmethod
    def from_graph(cls, graph: nx.MultiDiGraph) -> Mobiliser:
        """A Mobiliser over ``graph`` (for ProjectionCache.derived)."""
        return cls(graph)

    def locate(self, place: str | tuple[float, float]) -> tuple[tuple[float, float], str | None]:
        """The point and area of ``place``: an area (or any entity) id, or (lat, lon) snapped to
        the nearest area of the deepest level on the map."""
        if isinstance(place, str):
            if place not in self.ix.graph:
                raise KeyError(f"no node {place!r} in the projection")
            point = self.ix.point(place)
            if point is None:
                raise ValueError(f"{self.ix.name(place)}没有位置信息")
            return point, self.ix.area_of(place)
        lat, lon = float(place[0]), float(place[1])
        idx, _ = self._snap.nearest(lat, lon, 1)
        return (lat, lon), (self._snap_ids[int(idx[0])] if idx.size else None)

    def _hops(self, place_area: str | None, area: str | None, registered: bool) -> int:
        """Relationships from a candidate (through its area, or an org of the community) to the place."""
        best = 99
        if place_area is not None and area is not None:
            up = self.ix.ancestors(place_area)
            for depth, a in enumerate(self.ix.ancestors(area)):
                if a in up:
                    best = 1 + depth + up.index(a)
                    break
        if registered and place_area is not None:
            community = self.ix.community_of(place_area)
            if community is not None:
                best = min(best, 2 + self.ix.ancestors(place_area).index(community))
        return best

    def find(
        self,
        place: str | tuple[float, float],
        skills: Collection[str],
        *,
        limit: int = 20,
        radius_km: float = 5.0,
        max_radius_km: float = 40.0,
        kinds: Sequence[str] = ("Member", "Unit"),
        mask_pii: bool = False,
    ) -> list[Callee]:
        """Members and units to call for ``skills`` near ``place``, best first (see the module).

        Looks within ``radius_km`` and doubles the radius up to ``max_radius_km`` until ``limit``
        candidates with at least one of the skills (any candidate when ``skills`` is empty) are found."""
        point, place_area = self.locate(place)
        community = self.ix.community_of(place_area)
        wanted = sorted(set(skills))
        cols = [self.vocab[s] for s in wanted if s in self.vocab]
        pools = [(k, self.members if k == "Member" else self.units) for k in kinds]
        radius = radius_km
        while True:
            found: list[tuple[str, _Pool, int, float, float]] = []
            for kind, pool in pools:
                idx, dist = pool.index.within(point[0], point[1], radius)
                if wanted:
                    share = (
                        pool.skills[idx][:, cols].sum(axis=1) / len(wanted)
                        if cols
                        else np.zeros(idx.shape[0])
                    )
                else:
                    share = np.ones(idx.shape[0])
                keep = share > 0
                found.extend(
                    (kind, pool, i, d, s)
                    for i, d, s in zip(
                        idx[keep].tolist(), dist[keep].tolist(), share[keep].tolist(), strict=True
                    )
                )
            if len(found) >= limit or radius >= max_radius_km:
                break
            radius = min(radius * 2, max_radius_km)
        scored = []
        for kind, pool, i, km, share in found:
            registered = community is not None and community in pool.communities[i]
            hops = self._hops(place_area, pool.areas[i], registered)
            avail = float(pool.availability[i])
            score = share * (0.5 + 0.5 * avail) / (1.0 + km) / (1.0 + HOP_WEIGHT * min(hops, 12))
            scored.append((score, km, kind, pool, i, hops, registered))
        scored.sort(key=lambda x: (-x[0], x[1], x[3].ids[x[4]]))
        return [self._callee(*row, wanted, mask_pii) for row in scored[:limit]]

    def _callee(
        self,
        score: float,
        km: float,
        kind: str,
        pool: _Pool,
        i: int,
        hops: int,
        registered: bool,
        wanted: list[str],
        mask_pii: bool,
    ) -> Callee:
        node = pool.ids[i]
        has = tuple(s for s in wanted if s in self.vocab and bool(pool.skills[i, self.vocab[s]]))
        area = pool.areas[i]
        area_name = self.ix.name(area) if area else None
        if kind == "Member":
            supply = f"每月可服务 {pool.capacity[i]:g} 小时"
            where = f"居住于{area_name}" if area_name else "住址不详"
        else:
            supply = f"可用资源容量 {pool.capacity[i]:g}"
            where = f"位于{area_name}" if area_name else "位置不详"
        parts = [f"距离 {km:.1f} 公里", where, f"图上距离 {hops} 步" if hops < 99 else "与该地无图上联系"]
        if has:
            parts.append(f"具备{'、'.join(has)}")
        parts.append(supply)
        if registered:
            parts.append("已在本社区报到或任职")
        return Callee(
            node,
            kind,
            self.ix.name(node, mask_pii=mask_pii),
            round(score, 6),
            round(km, 3),
            hops,
            has,
            float(pool.availability[i]),
            registered,
            area_name,
            "，".join(parts),
        )


def _offering_skills(ix: GraphIndex, offering: str) -> list[str]:
    """An offering's skills, else the usual skills of its category."""
    skills = _strings(ix.prop(offering, "skills"))
    if skills:
        return skills
    cat = CATEGORY_BY_ID.get(str(ix.prop(offering, "category")))
    return list(cat.skills) if cat else []


def _strings(value: object) -> list[str]:
    """A string-list property as a list (empty when unset)."""
    return [str(s) for s in value] if isinstance(value, list) else []
