"""One street partition read from the store into the matcher's model, in a few bulk reads:
open needs, offerings with capacity left this period, providers' places and the graph ties."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from engine.errors import Invalid, NotFound
from engine.matching import GraphTies, NeedSpec, OfferingSpec, ProviderPlace, ScoreWeights, build_arcs
from engine.matching.scoring import ScoredArcs
from engine.services.clock import parse, period_starts
from engine.store.base import GraphStore, Row
from graph_schema.domain import PROVIDERS

GOOD_RATING = 4  # a community's rating of a provider from which an earlier project counts as good
KM_PER_DEGREE = 111.0
PLACE_LEVELS = ("grid", "community", "street")


def epoch(at: str | None) -> float | None:
    """An ISO UTC string as epoch seconds (None stays None)."""
    return None if at is None else parse(at).timestamp()


def street_of(store: GraphStore, org_id: str) -> str:
    """The street partition of an org (itself when it is a street); Invalid above street level."""
    row = store.one("match.partition.street_of", {"org_id": org_id})
    if row is None:
        raise NotFound("党组织不存在")
    streets = sorted(row["street_ids"])
    if not streets:
        raise Invalid("派单按街道分区进行:请选择一个街道或其下属社区、网格")
    return streets[0]


@dataclass(frozen=True)
class OrgTree:
    """The orgs of one street partition: level and parent of each."""

    street_id: str
    level: Mapping[str, str]
    parent: Mapping[str, str]

    def ancestor(self, org_id: str, level: str) -> str | None:
        """``org_id`` or its nearest ancestor of ``level`` inside the partition."""
        seen: set[str] = set()
        cur: str | None = org_id
        while cur is not None and cur not in seen:
            if self.level.get(cur) == level:
                return cur
            seen.add(cur)
            cur = self.parent.get(cur)
        return None

    def communities(self) -> frozenset[str]:
        """The community orgs of the partition."""
        return frozenset(o for o, lv in self.level.items() if lv == "community")


def org_tree(store: GraphStore, street_id: str) -> OrgTree:
    """The partition's orgs (one read)."""
    level: dict[str, str] = {}
    parent: dict[str, str] = {}
    for r in store.run("match.partition.orgs", {"street_id": street_id}):
        level[r["id"]] = r["level"]
        if r["parent_id"] is not None and r["id"] != street_id:
            parent.setdefault(r["id"], r["parent_id"])
    return OrgTree(street_id, level, parent)


@dataclass(frozen=True)
class AreaMap:
    """The areas of one street partition: parent of each and the orgs covering it, by level."""

    parent: Mapping[str, str]
    covering: Mapping[str, Mapping[str, str]]  # area id -> level -> org id

    def place(self, area_id: str | None) -> ProviderPlace:
        """The grid, community and street orgs covering ``area_id`` or an area containing it."""
        found: dict[str, str] = {}
        seen: set[str] = set()
        cur = area_id
        while cur is not None and cur not in seen:
            seen.add(cur)
            for level, org in self.covering.get(cur, {}).items():
                found.setdefault(level, org)
            cur = self.parent.get(cur)
        return ProviderPlace(found.get("grid"), found.get("community"), found.get("street"))


def area_map(store: GraphStore, street_id: str) -> AreaMap:
    """The partition's areas (one read); the smallest org id wins where several cover an area."""
    parent: dict[str, str] = {}
    covering: dict[str, dict[str, str]] = defaultdict(dict)
    rows = store.run("match.partition.areas", {"street_id": street_id})
    for r in sorted(rows, key=lambda r: (r["id"], r["parent_id"] or "", r["org_id"] or "")):
        if r["parent_id"] is not None:
            parent.setdefault(r["id"], r["parent_id"])
        covering.setdefault(r["id"], {})
        if r["level"] in PLACE_LEVELS:
            covering[r["id"]].setdefault(r["level"], r["org_id"])
    return AreaMap(parent, covering)


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

    def arcs(self, weights: ScoreWeights | None = None) -> ScoredArcs:
        """The scored candidate arcs, without a provider already claiming the need."""
        arcs = build_arcs(self.needs, self.offerings, self.ties, weights=weights)
        if not any(self.claimants.values()) or not len(arcs):
            return arcs
        facts = arcs.facts
        keep = [
            i
            for i in range(len(arcs))
            if facts.providers[int(facts.provider[i])]
            not in self.claimants.get(self.needs[int(facts.need[i])].id, frozenset())
        ]
        return arcs.take(np.asarray(keep, dtype=np.int64))


def _need_specs(tree: OrgTree, areas: AreaMap, rows: list[Row]) -> list[NeedSpec]:
    specs = []
    for r in rows:
        place = areas.place(min(r["areas"]) if r["areas"] else None)
        org = r["org_id"]
        specs.append(
            NeedSpec(
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
                street_id=place.street_id or tree.street_id,
                beneficiaries=frozenset(r["beneficiaries"] or ()),
                beneficiary_count=r["beneficiary_count"] or 0,
            )
        )
    return specs


def _box(needs: list[NeedSpec]) -> dict[str, float]:
    """The needs' bounding box and kilometres per degree there (an empty box when no need has a
    place); an offering is read when its service radius reaches the box."""
    lats = [n.lat for n in needs if n.lat is not None]
    lons = [n.lon for n in needs if n.lon is not None]
    if not lats:
        return {"lat_min": 1.0, "lat_max": 0.0, "lon_min": 1.0, "lon_max": 0.0, "km_lat": 1.0, "km_lon": 1.0}
    km_lon = KM_PER_DEGREE * max(0.05, float(np.cos(np.radians(max(map(abs, lats))))))
    return {
        "lat_min": min(lats),
        "lat_max": max(lats),
        "lon_min": min(lons),
        "lon_max": max(lons),
        "km_lat": KM_PER_DEGREE * 0.99,  # a little more than the radius: never miss one on the edge
        "km_lon": km_lon * 0.99,
    }


def _ties(
    store: GraphStore,
    tree: OrgTree,
    places: dict[str, ProviderPlace],
    offerings: list[Row],
    agreements: list[Row],
    registrations: list[Row],
) -> GraphTies:
    """Agreements, 双报到, good-rated history and load of the offerings' providers, with their places."""
    by_kind: dict[str, set[str]] = defaultdict(set)
    for o in offerings:
        by_kind[o["provider_kind"]].add(o["provider_id"])
    load: dict[str, int] = {}
    rating_owner: dict[str, str] = {}
    for label in PROVIDERS:
        ids = sorted(by_kind.get(label, ()))
        if not ids:
            continue
        for r in store.run(f"match.providers.record.{label}", {"ids": ids, "good_rating": GOOD_RATING}):
            if r["load"]:
                load[r["id"]] = int(r["load"])
            rating_owner.update({e: r["id"] for e in r["good_ratings"]})
    good: dict[tuple[str, str], int] = defaultdict(int)
    if rating_owner:
        for r in store.run("match.ratings.orgs", {"ids": sorted(rating_owner)}):
            community = tree.ancestor(r["org_id"], "community")
            if community is not None:
                good[(rating_owner[r["id"]], community)] += 1
    communities = tree.communities()
    agreed: dict[str, set[str]] = defaultdict(set)
    for r in agreements:  # an agreement with the street counts for each of its communities
        level = tree.level.get(r["org_id"])
        agreed[r["provider_id"]] |= set(communities) if level == "street" else {r["org_id"]}
    registered: dict[str, set[str]] = defaultdict(set)
    for r in registrations:
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


def _offerings(store: GraphStore, needs: list[NeedSpec], tied: Mapping[str, set[str]], at: str) -> list[Row]:
    """Offerings whose radius reaches the needs and those of tied providers, with the capacity they
    have left this period (``capacity_left``, at least 1)."""
    if not needs:
        return []
    starts = period_starts(at)
    rows = {r["id"]: r for r in store.run("match.partition.offerings", _box(needs))}
    for label, ids in tied.items():
        if ids:
            found = store.run(f"match.partition.offerings_of.{label}", {"ids": sorted(ids)})
            rows.update((r["id"], r) for r in found)
    used = {r["id"]: int(r["used"]) for r in store.run("match.offerings.used", starts)}
    left = [{**r, "capacity_left": int(r["capacity"]) - used.get(k, 0)} for k, r in sorted(rows.items())]
    return [r for r in left if r["capacity_left"] > 0]


def read_partition(
    store: GraphStore, street_id: str, at: str, need_orgs: Iterable[str] | None = None
) -> Partition:
    """The open needs of ``street_id`` (only those posted by ``need_orgs`` when given) and the
    offerings that may serve them, with capacity left this period, places and ties."""
    tree = org_tree(store, street_id)
    if street_id not in tree.level:
        raise NotFound("街道党组织不存在")
    orgs = sorted(tree.level if need_orgs is None else set(need_orgs) & set(tree.level))
    need_rows = store.run("match.partition.needs", {"org_ids": orgs, "now": at})
    need_rows = [r for r in need_rows if r["people_wanted"] > len(r["claimants"])]
    areas = area_map(store, street_id)
    needs = _need_specs(tree, areas, need_rows)
    partition_orgs = sorted(tree.level)
    agreements = store.run("match.ties.agreements", {"org_ids": partition_orgs})
    registrations = store.run("match.ties.registrations", {"org_ids": partition_orgs})
    places: dict[str, ProviderPlace] = {}
    tied: dict[str, set[str]] = {label: set() for label in PROVIDERS}
    for label in PROVIDERS:
        for r in store.run(f"match.partition.placed.{label}", {"area_ids": sorted(areas.covering)}):
            places.setdefault(r["id"], areas.place(r["area_id"]))
            tied[label].add(r["id"])
    for r in (*agreements, *registrations):
        tied[r["provider_kind"]].add(r["provider_id"])
    offer_rows = _offerings(store, needs, tied, at)
    ties = _ties(store, tree, places, offer_rows, agreements, registrations)
    return Partition(
        street_id=street_id,
        needs=tuple(needs),
        offerings=tuple(_offering_spec(r) for r in offer_rows),
        ties=ties,
        claimants={r["id"]: frozenset(r["claimants"]) for r in need_rows},
        need_org={r["id"]: r["org_id"] for r in need_rows},
        provider_kind={r["provider_id"]: r["provider_kind"] for r in offer_rows},
    )
