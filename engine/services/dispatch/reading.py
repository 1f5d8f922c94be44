"""What a dispatch reads of the store, in a few bulk reads, and the street partitions carved from it:
open needs, offerings with capacity left this period, providers' places and the graph ties.

Two readers fill the same ``Snapshot``: one street's rows through queries limited to that street
(a community's or a street's run), or the rows of every street at once through whole-graph reads
(a district's or city's run: one read instead of one per street, since streets share offerings).
``Snapshot.partition`` then carves one street's matching problem out of either."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal, TypeVar

import numpy as np

from engine.errors import Invalid, NotFound
from engine.matching import (
    GraphTies,
    NeedSpec,
    OfferingSpec,
    ProviderPlace,
    ScoreWeights,
    build_arcs,
    place_problem,
)
from engine.matching.scoring import ScoredArcs
from engine.services.clock import parse, period_starts
from engine.store.base import GraphStore, Row
from engine.store.queries import matching as matching_queries
from engine.store.registry import Statement
from graph_schema.domain import PROVIDERS

GOOD_RATING = 4  # a community's rating of a provider from which an earlier project counts as good
KM_PER_DEGREE = 111.0
PLACE_LEVELS = ("grid", "community", "street")
UNREADABLE = "存储的数据有误(类型或取值不对),无法计算匹配得分"
_Spec = TypeVar("_Spec", NeedSpec, OfferingSpec)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A need or offering a dispatch or recommendation left out because it cannot be scored (a
    latitude without a longitude, say, written before the edge checked it), and why, in words."""

    kind: Literal["need", "offering"]
    id: str
    reason: str
    org_id: str | None = None  # a need's posting org (to carve partitions)

    def view(self) -> dict[str, str]:
        """The report row: kind, id and reason."""
        return {"kind": self.kind, "id": self.id, "reason": self.reason}


def _spec_or_skip(kind: Literal["need", "offering"], row: Row, make: Any) -> Any:
    """``make(row)``, or a ``Skipped`` saying why the stored row cannot be scored."""
    problem = place_problem(row.get("lat"), row.get("lon"))
    if problem is None:
        try:
            return make(row)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            words = str(exc).partition(": ")[2]
            problem = words if isinstance(exc, ValueError) and words else UNREADABLE
    return Skipped(kind, str(row.get("id")), problem, row.get("org_id") if kind == "need" else None)


def _split(items: Iterable[_Spec | Skipped], spec: type[_Spec]) -> tuple[list[_Spec], list[Skipped]]:
    kept: list[_Spec] = []
    skipped: list[Skipped] = []
    for item in items:
        (kept if isinstance(item, spec) else skipped).append(item)  # type: ignore[arg-type]
    return kept, skipped


@lru_cache(maxsize=1 << 16)
def epoch(at: str | None) -> float | None:
    """An ISO UTC string as epoch seconds (None stays None). Stored times were normalised when
    written (``2026-11-02T08:00:00Z``), which ``fromisoformat`` reads directly; anything else
    goes through the full ``parse``. Cached: a district's windows repeat a lot."""
    if at is None:
        return None
    with suppress(ValueError):
        read = datetime.fromisoformat(at)
        if read.tzinfo is not None:
            return read.timestamp()
    return parse(at).timestamp()


def streets_of(store: GraphStore, org_id: str) -> list[str]:
    """The street partitions a dispatch over ``org_id`` covers: the street at or above it, or every
    street below it (a district or city); NotFound, or Invalid when there is none."""
    row = store.one(matching_queries.PARTITION_STREET_OF, {"org_id": org_id})
    if row is None:
        raise NotFound("党组织不存在")
    if row["street_ids"]:
        return sorted(row["street_ids"])[:1]
    streets = sorted(r["id"] for r in store.run(matching_queries.PARTITION_STREETS_UNDER, {"org_id": org_id}))
    if not streets:
        raise Invalid("派单按街道分区进行:该党组织上下都没有街道党工委")
    return streets


def street_of(store: GraphStore, org_id: str) -> str:
    """The one street partition of an org; Invalid when it spans several (a district)."""
    streets = streets_of(store, org_id)
    if len(streets) > 1:
        raise Invalid("请选择一个街道或其下属社区、网格")
    return streets[0]


@dataclass(frozen=True)
class OrgTree:
    """Orgs with their level and parent (those of one street, or of all)."""

    level: Mapping[str, str]
    parent: Mapping[str, str]
    leaders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # every org leading one

    @classmethod
    def from_rows(cls, rows: Iterable[Row], roots: Iterable[str] = ()) -> OrgTree:
        """The tree of (id, level, parent_id) rows; the parents of ``roots`` are left out of
        ``parent`` (they are outside the partitions) but kept in ``leaders``."""
        tops = frozenset(roots)
        level: dict[str, str] = {}
        parent: dict[str, str] = {}
        leaders: dict[str, list[str]] = defaultdict(list)
        for r in rows:
            level[r["id"]] = r["level"]
            if r["parent_id"] is not None:
                leaders[r["id"]].append(r["parent_id"])
                if r["id"] not in tops:
                    parent.setdefault(r["id"], r["parent_id"])
        return cls(level, parent, {k: tuple(sorted(set(v))) for k, v in leaders.items()})

    def with_leaders(self, org_id: str) -> list[str]:
        """``org_id`` and the orgs leading it (whose secretaries hear of its needs)."""
        return [org_id, *self.leaders.get(org_id, ())]

    def ancestor(self, org_id: str, level: str) -> str | None:
        """``org_id`` or its nearest ancestor of ``level``."""
        seen: set[str] = set()
        cur: str | None = org_id
        while cur is not None and cur not in seen:
            if self.level.get(cur) == level:
                return cur
            seen.add(cur)
            cur = self.parent.get(cur)
        return None

    def street_orgs(self) -> dict[str, set[str]]:
        """Street id -> the orgs of its partition (itself and everything under it)."""
        found: dict[str, set[str]] = defaultdict(set)
        for org in self.level:
            street = self.ancestor(org, "street")
            if street is not None:
                found[street].add(org)
        return found


@dataclass(frozen=True)
class AreaMap:
    """Areas with their parent and the orgs covering each, by level."""

    parent: Mapping[str, str]
    covering: Mapping[str, Mapping[str, str]]  # area id -> level -> org id
    _places: dict[str | None, ProviderPlace] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_rows(cls, parents: Iterable[Row], covers: Iterable[Row]) -> AreaMap:
        """The map of (id, parent_id) rows and of (id, level, org_id) rows of the orgs covering an
        area at a place level; the smallest id wins where an area has several of either."""
        parent: dict[str, str] = {}
        covering: dict[str, dict[str, str]] = {}
        for r in sorted(parents, key=lambda r: (r["id"], r["parent_id"] or "")):
            if r["parent_id"] is not None:
                parent.setdefault(r["id"], r["parent_id"])
            covering.setdefault(r["id"], {})
        for r in sorted(covers, key=lambda r: (r["id"], r["org_id"])):
            if r["level"] in PLACE_LEVELS:
                covering.setdefault(r["id"], {}).setdefault(r["level"], r["org_id"])
        return cls(parent, covering)

    def place(self, area_id: str | None) -> ProviderPlace:
        """The grid, community and street orgs covering ``area_id`` or an area containing it
        (remembered: many needs and providers share an area)."""
        known = self._places.get(area_id)
        if known is None:
            known = self._places[area_id] = self._walk(area_id)
        return known

    def _walk(self, area_id: str | None) -> ProviderPlace:
        found: dict[str, str] = {}
        seen: set[str] = set()
        cur = area_id
        while cur is not None and cur not in seen:
            seen.add(cur)
            for level, org in self.covering.get(cur, {}).items():
                found.setdefault(level, org)
            cur = self.parent.get(cur)
        return ProviderPlace(found.get("grid"), found.get("community"), found.get("street"))


@dataclass(frozen=True)
class Partition:
    """What the matcher needs of one street partition, and the facts the service keeps beside it."""

    street_id: str
    needs: tuple[NeedSpec, ...]
    offerings: tuple[OfferingSpec, ...]
    ties: GraphTies
    claimants: Mapping[str, frozenset[str]]  # need id -> providers already claiming it
    need_org: Mapping[str, str]  # need id -> posting org
    provider_kind: Mapping[str, str]  # provider id -> Unit or Member
    skipped: tuple[Skipped, ...] = ()  # its needs, and offerings read, that cannot be scored

    def skipped_need(self, need_id: str) -> Skipped | None:
        """Why the need ``need_id`` of this partition was left out, if it was."""
        return next((s for s in self.skipped if s.kind == "need" and s.id == need_id), None)

    def arcs(self, weights: ScoreWeights | None = None) -> ScoredArcs:
        """The scored candidate arcs, without a provider already claiming the need."""
        arcs = build_arcs(self.needs, self.offerings, self.ties, weights=weights)
        if not any(self.claimants.values()) or not len(arcs):
            return arcs
        facts = arcs.facts
        need_index = {n.id: i for i, n in enumerate(self.needs)}
        provider_index = {p: i for i, p in enumerate(facts.providers)}
        width = len(provider_index)
        claimed = [
            need_index[need_id] * width + provider_index[p]
            for need_id, providers in self.claimants.items()
            if need_id in need_index
            for p in providers
            if p in provider_index
        ]
        keep = ~np.isin(facts.need * width + facts.provider, np.asarray(claimed, dtype=np.int64))
        return arcs.take(np.flatnonzero(keep).astype(np.int64))


@dataclass(frozen=True)
class ReadRows:
    """The rows a reader brings back; ``Snapshot.build`` turns them into the matcher's model."""

    orgs: OrgTree
    areas: AreaMap
    needs: list[Row]  # open, unexpired, not yet fully claimed, posted by orgs of the streets
    offerings: list[Row]  # active, with ``capacity_left`` > 0
    agreements: list[Row]
    registrations: list[Row]
    placed: list[Row]  # (id, area_id) of providers with an active offering
    records: list[Row]  # (id, load, good_ratings) of the offerings' providers
    ratings: list[Row]  # (id, org_id): the org whose need each good rating's project served


@dataclass(frozen=True)
class Snapshot:
    """Needs, offerings and ties of some street partitions, read once; partitions are carved from it."""

    tree: OrgTree
    needs: tuple[NeedSpec, ...]
    need_street: Mapping[str, str]
    offerings: tuple[OfferingSpec, ...]
    ties: GraphTies
    tied: Mapping[str, frozenset[str]]  # street id -> providers tied to it (placed, agreement, 双报到)
    claimants: Mapping[str, frozenset[str]]
    need_org: Mapping[str, str]
    provider_kind: Mapping[str, str]
    _reach: np.ndarray = field(repr=False)  # per offering: lat_min, lat_max, lon_min, lon_max reached
    skipped: tuple[Skipped, ...] = ()  # needs and offerings read that cannot be scored

    @classmethod
    def build(cls, rows: ReadRows) -> Snapshot:
        """The model of the rows: need and offering specs, places and ties."""
        tree, areas = rows.orgs, rows.areas
        street_orgs = tree.street_orgs()
        org_street = {o: s for s, orgs in street_orgs.items() for o in orgs}
        built = [
            _spec_or_skip("need", r, lambda r: _need_spec(tree, areas, org_street[r["org_id"]], r))
            for r in rows.needs
            if r["org_id"] in org_street
        ]
        needs, skipped_needs = _split(built, NeedSpec)
        kept = {n.id for n in needs}
        need_rows = [r for r in rows.needs if r["id"] in kept]
        places = {r["id"]: areas.place(r["area_id"]) for r in sorted(rows.placed, key=_by_id_area)}
        tied: dict[str, set[str]] = defaultdict(set)
        for provider, place in places.items():
            if place.street_id is not None:
                tied[place.street_id].add(provider)
        for r in (*rows.agreements, *rows.registrations):
            street = org_street.get(r["org_id"])
            if street is not None:
                tied[street].add(r["provider_id"])
        offerings, skipped_offerings = _split(
            (_spec_or_skip("offering", r, _offering_spec) for r in rows.offerings), OfferingSpec
        )
        return cls(
            tree=tree,
            needs=tuple(needs),
            need_street={r["id"]: org_street[r["org_id"]] for r in need_rows},
            offerings=tuple(offerings),
            ties=_ties(tree, street_orgs, places, rows),
            tied={s: frozenset(p) for s, p in tied.items()},
            claimants={r["id"]: frozenset(r["claimants"]) for r in need_rows},
            need_org={r["id"]: r["org_id"] for r in need_rows},
            provider_kind={r["provider_id"]: r["provider_kind"] for r in rows.offerings},
            _reach=_reach(offerings),
            skipped=(*skipped_needs, *skipped_offerings),
        )

    def partition(
        self,
        street_id: str | None,
        need_orgs: Iterable[str] | None = None,
        used: Mapping[str, int] | None = None,
    ) -> Partition:
        """One street's open needs (every street's when ``street_id`` is None; only those posted by
        ``need_orgs`` when given) and the offerings whose radius reaches them or whose provider is
        tied to the street (all offerings for every street), their capacity less ``used``
        (offering id -> needs already promised elsewhere in this run)."""
        wanted = None if need_orgs is None else frozenset(need_orgs)
        needs = [
            n
            for n in self.needs
            if street_id in (None, self.need_street[n.id])
            and (wanted is None or self.need_org[n.id] in wanted)
        ]
        if street_id is None:
            offerings = list(self.offerings) if needs else []
        else:
            tied = self.tied.get(street_id, frozenset())
            offerings = [self.offerings[i] for i in self._reaching(needs, tied)]
        skipped = tuple(
            s
            for s in self.skipped
            if s.kind == "offering"
            or (
                street_id in (None, self.tree.ancestor(s.org_id or "", "street"))
                and (wanted is None or s.org_id in wanted)
            )
        )
        return Partition(
            street_id=street_id or "",
            needs=tuple(needs),
            offerings=tuple(offerings),
            ties=self.ties,
            claimants={n.id: self.claimants[n.id] for n in needs},
            need_org={n.id: self.need_org[n.id] for n in needs},
            provider_kind={o.provider_id: self.provider_kind[o.provider_id] for o in offerings},
            skipped=skipped,
        )

    def _reaching(self, needs: list[NeedSpec], tied: frozenset[str]) -> list[int]:
        """Indexes of the offerings whose service radius reaches the needs' bounding box or whose
        provider is tied: a cheap superset of the candidates' offerings."""
        if not needs:
            return []
        box = need_box((n.lat, n.lon) for n in needs)
        reach = self._reach
        inside = (
            (reach[:, 1] >= box["lat_min"])
            & (reach[:, 0] <= box["lat_max"])
            & (reach[:, 3] >= box["lon_min"])
            & (reach[:, 2] <= box["lon_max"])
        )
        if tied:
            inside |= np.fromiter((o.provider_id in tied for o in self.offerings), bool, len(self.offerings))
        return [int(i) for i in np.flatnonzero(inside)]


def _by_id_area(r: Row) -> tuple[str, str]:
    return (r["id"], r["area_id"] or "")


def _need_spec(tree: OrgTree, areas: AreaMap, street_id: str, r: Row) -> NeedSpec:
    place = areas.place(min(r["areas"]) if r["areas"] else None)
    org = r["org_id"]
    return NeedSpec(
        id=r["id"],
        category=r["category"],
        demand=r["people_wanted"] - len(r["claimants"]),
        urgency=r["urgency"],
        skills=frozenset(r["skills"] or ()),
        lat=r["lat"],
        lon=r["lon"],
        window=(epoch(r["window_start"]) or 0.0, epoch(r["window_end"]) or 0.0),
        grid_id=place.grid_id or tree.ancestor(org, "grid"),
        community_id=place.community_id or tree.ancestor(org, "community"),
        street_id=place.street_id or street_id,
        beneficiaries=frozenset(r["beneficiaries"] or ()),
        beneficiary_count=r["beneficiary_count"] or 0,
    )


def _offering_spec(r: Row) -> OfferingSpec:
    start, end = epoch(r["available_from"]), epoch(r["available_to"])
    window = None
    if start is not None or end is not None:
        window = (-math.inf if start is None else start, math.inf if end is None else end)
    return OfferingSpec(
        id=r["id"],
        provider_id=r["provider_id"],
        category=r["category"],
        capacity=int(r["capacity_left"]),
        provider_kind="unit" if r["provider_kind"] == "Unit" else "member",
        skills=frozenset(r["skills"] or ()),
        lat=r["lat"],
        lon=r["lon"],
        radius_km=float(r["radius_km"] or 0.0),
        window=window,
    )


def need_box(points: Iterable[tuple[float | None, float | None]]) -> dict[str, float]:
    """The bounding box of the needs' (lat, lon) and kilometres per degree there (an empty box when
    no need has a place); an offering is read when its service radius reaches the box."""
    placed = [
        (lat, lon)
        for lat, lon in points
        if lat is not None and lon is not None and place_problem(lat, lon) is None
    ]
    if not placed:
        return {"lat_min": 1.0, "lat_max": 0.0, "lon_min": 1.0, "lon_max": 0.0, "km_lat": 1.0, "km_lon": 1.0}
    lats = [lat for lat, _ in placed]
    lons = [lon for _, lon in placed]
    km_lon = KM_PER_DEGREE * max(0.05, float(np.cos(np.radians(max(map(abs, lats))))))
    return {
        "lat_min": min(lats),
        "lat_max": max(lats),
        "lon_min": min(lons),
        "lon_max": max(lons),
        "km_lat": KM_PER_DEGREE * 0.99,  # a little more than the radius: never miss one on the edge
        "km_lon": km_lon * 0.99,
    }


def _reach(offerings: list[OfferingSpec]) -> np.ndarray:
    """Per offering the latitudes and longitudes its radius reaches (with the margins of
    ``need_box``, at the offering's own latitude); nowhere for an offering without a place."""
    reach = np.empty((len(offerings), 4), dtype=np.float64)
    reach[:, 0] = reach[:, 2] = np.inf
    reach[:, 1] = reach[:, 3] = -np.inf
    for i, o in enumerate(offerings):
        if o.lat is None or o.lon is None:
            continue
        dlat = o.radius_km / (KM_PER_DEGREE * 0.99)
        dlon = o.radius_km / (
            KM_PER_DEGREE * 0.99 * max(0.05, math.cos(math.radians(min(89.9, abs(o.lat) + dlat))))
        )
        reach[i] = (o.lat - dlat, o.lat + dlat, o.lon - dlon, o.lon + dlon)
    return reach


def _ties(
    tree: OrgTree, street_orgs: Mapping[str, set[str]], places: dict[str, ProviderPlace], rows: ReadRows
) -> GraphTies:
    """Agreements, 双报到, good-rated history and load of the providers, with their places."""
    load: dict[str, int] = {}
    rating_owner: dict[str, str] = {}
    for r in rows.records:
        if r["load"]:
            load[r["id"]] = int(r["load"])
        rating_owner.update({e: r["id"] for e in r["good_ratings"]})
    good: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows.ratings:
        community = tree.ancestor(r["org_id"], "community")
        if r["id"] in rating_owner and community is not None:
            good[(rating_owner[r["id"]], community)] += 1
    agreed: dict[str, set[str]] = defaultdict(set)
    for r in rows.agreements:  # an agreement with the street counts for each of its communities
        org = r["org_id"]
        if tree.level.get(org) == "street":
            agreed[r["provider_id"]] |= {o for o in street_orgs.get(org, ()) if tree.level[o] == "community"}
        else:
            agreed[r["provider_id"]].add(org)
    registered: dict[str, set[str]] = defaultdict(set)
    for r in rows.registrations:
        community = tree.ancestor(r["org_id"], "community")
        if community is not None:
            registered[r["provider_id"]].add(community)
    return GraphTies(
        agreements={k: frozenset(v) for k, v in agreed.items()},
        registrations={k: frozenset(v) for k, v in registered.items()},
        places=places,
        good_projects=dict(good),
        load=load,
    )


# Readers ---------------------------------------------------------------------------------------


def read_snapshot(
    store: GraphStore, street_ids: Sequence[str], at: str, need_orgs: Iterable[str] | None = None
) -> Snapshot:
    """The open needs of ``street_ids`` (only those posted by ``need_orgs`` when given) and what may
    serve them. One street is read through queries limited to it; several at once through
    whole-graph reads, each row read once however many streets it reaches."""
    streets = sorted(set(street_ids))
    one = len(streets) == 1
    reads = _Reads(store, [] if one else _whole_graph_reads(streets, at))
    try:
        return _read(reads, streets, one, at, need_orgs)
    finally:
        reads.close()


READ_THREADS = 4
"""Whole-graph reads sent at once: the server answers them on its own threads while this process
decodes the rows of those already back."""


class _Reads:
    """The reads of one snapshot: those given are sent at once on a few threads (they do not
    depend on each other), and each is answered from its future when asked; the rest go to the
    store as they come."""

    def __init__(self, store: GraphStore, calls: list[tuple[Statement, dict[str, Any]]]) -> None:
        self.store = store
        self.pool = ThreadPoolExecutor(max_workers=READ_THREADS) if calls else None
        self.futures: dict[tuple[str, str], Future[list[Row]]] = {}
        for stmt, params in calls:
            assert self.pool is not None
            self.futures[self.key(stmt, params)] = self.pool.submit(store.run, stmt, params)

    @staticmethod
    def key(stmt: Statement, params: Mapping[str, Any]) -> tuple[str, str]:
        return stmt.name, repr(sorted(params.items()))

    def run(self, stmt: Statement, params: Mapping[str, Any] | None = None) -> list[Row]:
        """The rows of ``stmt`` with ``params``: from the read sent ahead, or asked now."""
        future = self.futures.pop(self.key(stmt, params or {}), None)
        return future.result() if future is not None else self.store.run(stmt, params)

    def close(self) -> None:
        """Stop the threads (a read not taken, after an error, is waited for and dropped)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _whole_graph_reads(streets: list[str], at: str) -> list[tuple[Statement, dict[str, Any]]]:
    """The reads of a run over several streets that need nothing read before them."""
    q = matching_queries
    return [
        (q.PARTITION_NEEDS, {"org_ids": None, "now": at}),
        (q.OFFERINGS_ACTIVE, {}),
        (q.NEED_AREAS, {"org_ids": None, "now": at}),
        (q.PROVIDERS_GOOD_RATINGS, {"good_rating": GOOD_RATING}),
        (q.PARTITION_AREAS, {"street_ids": streets}),
        (q.PARTITION_AREA_COVERS, {"street_ids": streets, "levels": list(PLACE_LEVELS)}),
        (q.TIES_REGISTRATIONS, {"org_ids": None}),
        (q.PARTITION_ORGS, {"street_ids": streets}),
        (q.OFFERINGS_USED, period_starts(at)),
        (q.TIES_AGREEMENTS, {"org_ids": None}),
        (q.NEED_CLAIMANTS, {"org_ids": None}),
        (q.PROVIDERS_LOAD, {}),
    ]


def _read(store: _Reads, streets: list[str], one: bool, at: str, need_orgs: Iterable[str] | None) -> Snapshot:
    tree = OrgTree.from_rows(
        store.run(matching_queries.PARTITION_ORGS, {"street_ids": streets}), roots=streets
    )
    missing = [s for s in streets if tree.level.get(s) != "street"]
    if missing:
        raise NotFound(f"街道党组织不存在:{missing[0]}")
    orgs = sorted(tree.level if need_orgs is None else set(need_orgs) & set(tree.level))
    org_ids = orgs if one else None
    need_rows = _need_rows(store, org_ids, at)
    by_streets = {"street_ids": streets}
    areas = AreaMap.from_rows(
        store.run(matching_queries.PARTITION_AREAS, by_streets),
        store.run(matching_queries.PARTITION_AREA_COVERS, {**by_streets, "levels": list(PLACE_LEVELS)}),
    )
    tie_orgs = sorted(tree.level) if one else None
    agreements = store.run(matching_queries.TIES_AGREEMENTS, {"org_ids": tie_orgs})
    registrations = store.run(matching_queries.TIES_REGISTRATIONS, {"org_ids": tie_orgs})
    if one:
        placed, offerings = _street_offerings(store, tree, areas, need_rows, agreements + registrations, at)
        records, ratings = _records(store, offerings)
    else:
        placed, offerings = _all_offerings(store, at) if need_rows else ([], [])
        records, ratings = _all_records(store)
    rows = ReadRows(tree, areas, need_rows, offerings, agreements, registrations, placed, records, ratings)
    return Snapshot.build(rows)


def _need_rows(store: _Reads, org_ids: list[str] | None, at: str) -> list[Row]:
    """The open needs posted by ``org_ids`` (or any) not yet fully claimed, each with its
    ``claimants`` and ``areas`` (three flat reads joined here)."""
    by_org = {"org_ids": org_ids}
    claimants: dict[str, list[str]] = defaultdict(list)
    for r in store.run(matching_queries.NEED_CLAIMANTS, by_org):
        claimants[r["id"]].append(r["provider_id"])
    areas: dict[str, list[str]] = defaultdict(list)
    for r in store.run(matching_queries.NEED_AREAS, {**by_org, "now": at}):
        areas[r["id"]].append(r["area_id"])
    rows = store.run(matching_queries.PARTITION_NEEDS, {**by_org, "now": at})
    for r in rows:
        r["claimants"], r["areas"] = claimants.get(r["id"], []), areas.get(r["id"], [])
    return [r for r in rows if r["people_wanted"] > len(r["claimants"])]


def read_partition(
    store: GraphStore, street_id: str, at: str, need_orgs: Iterable[str] | None = None
) -> Partition:
    """One street's open needs (only those posted by ``need_orgs`` when given) and the offerings
    that may serve them, with capacity left this period, places and ties."""
    orgs = None if need_orgs is None else frozenset(need_orgs)
    return read_snapshot(store, [street_id], at, orgs).partition(street_id, orgs)


def _street_offerings(
    store: _Reads, tree: OrgTree, areas: AreaMap, need_rows: list[Row], tie_rows: list[Row], at: str
) -> tuple[list[Row], list[Row]]:
    """One street's providers placed in its areas (``placed``: id, area_id), and the active
    offerings with capacity left that may serve its needs: those whose radius reaches the needs'
    box and those of providers tied to the street (placed there, agreement, 双报到)."""
    placed: list[Row] = []
    tied: dict[str, set[str]] = {label: set() for label in PROVIDERS}
    for label in PROVIDERS:
        found = store.run(matching_queries.PARTITION_PLACED[label], {"area_ids": sorted(areas.covering)})
        placed += found
        tied[label].update(r["id"] for r in found)
    for r in tie_rows:
        tied[r["provider_kind"]].add(r["provider_id"])
    if not need_rows:
        return placed, []
    box = need_box((r["lat"], r["lon"]) for r in need_rows)
    rows = {r["id"]: r for r in store.run(matching_queries.PARTITION_OFFERINGS, box)}
    for label, ids in tied.items():
        if ids:
            found = store.run(matching_queries.PARTITION_OFFERINGS_OF[label], {"ids": sorted(ids)})
            rows.update((r["id"], r) for r in found)
    return placed, _with_capacity_left(store, rows, at)


def _all_offerings(store: _Reads, at: str) -> tuple[list[Row], list[Row]]:
    """Every active offering with capacity left, and where the providers offering are placed (the
    offerings' read brings a row per offering and area of its provider)."""
    rows: dict[str, Row] = {}
    placed: set[tuple[str, str]] = set()
    for r in store.run(matching_queries.OFFERINGS_ACTIVE):
        area = r.pop("area_id")
        if area is not None:
            placed.add((r["provider_id"], area))
        rows.setdefault(r["id"], r)
    return [{"id": q, "area_id": a} for q, a in sorted(placed)], _with_capacity_left(store, rows, at)


def _with_capacity_left(store: _Reads, rows: dict[str, Row], at: str) -> list[Row]:
    """The offerings of ``rows`` (by id) with the capacity they have left this period
    (``capacity_left``), those with at least 1, by id."""
    used = {r["id"]: int(r["used"]) for r in store.run(matching_queries.OFFERINGS_USED, period_starts(at))}
    left = [{**r, "capacity_left": int(r["capacity"]) - used.get(k, 0)} for k, r in sorted(rows.items())]
    return [r for r in left if r["capacity_left"] > 0]


def _records(store: _Reads, offerings: list[Row]) -> tuple[list[Row], list[Row]]:
    """The load and good ratings of the offerings' providers, and the orgs those ratings were for."""
    by_kind: dict[str, set[str]] = defaultdict(set)
    for o in offerings:
        by_kind[o["provider_kind"]].add(o["provider_id"])
    records: list[Row] = []
    for label in PROVIDERS:
        ids = sorted(by_kind.get(label, ()))
        if ids:
            records += store.run(
                matching_queries.PROVIDERS_RECORD[label], {"ids": ids, "good_rating": GOOD_RATING}
            )
    rated = sorted({e for r in records for e in r["good_ratings"]})
    ratings = store.run(matching_queries.RATINGS_ORGS, {"ids": rated}) if rated else []
    return records, ratings


def _all_records(store: _Reads) -> tuple[list[Row], list[Row]]:
    """``_records`` of every provider with a load or a good rating (a run over many streets: two
    aggregations over the graph instead of a lookup per provider)."""
    records: dict[str, Row] = {}
    for r in store.run(matching_queries.PROVIDERS_LOAD):
        records[r["id"]] = {"id": r["id"], "load": r["load"], "good_ratings": []}
    ratings = []
    for r in store.run(matching_queries.PROVIDERS_GOOD_RATINGS, {"good_rating": GOOD_RATING}):
        records.setdefault(r["id"], {"id": r["id"], "load": 0, "good_ratings": []})
        records[r["id"]]["good_ratings"].append(r["evaluation_id"])
        ratings.append({"id": r["evaluation_id"], "org_id": r["org_id"]})
    return list(records.values()), ratings
