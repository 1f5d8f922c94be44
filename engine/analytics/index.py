"""Lookups every analysis needs on a projected graph, built once per graph object and cached.

Where things are: an area's street and community (walking CONTAINS up), the area of a unit
(LOCATED_IN), of a member (LIVES_IN, the home), of a need (LOCATED_IN), of an offering (its
provider's), of an org (what it COVERS, else its host unit's, else its leading org's); a point
(lat, lon) for each, falling back to the area's or an ancestor's coordinates; display names.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from graph_schema.domain import REL_TYPES

REL_TITLES = {r.name: r.title_zh for r in REL_TYPES}
Point = tuple[float, float]
_TITLED = ("Need", "Offering", "Project", "Agreement")
_MAX_DEPTH = 16  # deeper trees are data errors (a CONTAINS or LEADS cycle); stop walking there


def mask_name(name: str) -> str:
    """A person's name for roles that must not see it: the surname and 某 (张某)."""
    return f"{name[:1]}某" if name else "某"


class GraphIndex:
    """Indexes of one projection: ids per label, area tree, who is where, points and names."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self.labels: dict[str, str] = {n: str(lb) for n, lb in graph.nodes(data="label")}
        by_label: dict[str, list[str]] = defaultdict(list)
        for node, label in self.labels.items():
            by_label[label].append(node)
        self.by_label = {label: sorted(ids) for label, ids in by_label.items()}
        self._out: dict[str, dict[str, list[str]]] = defaultdict(dict)
        self._in: dict[str, dict[str, list[str]]] = defaultdict(dict)
        for u, nbrs in graph.adj.items():
            for v, keyed in nbrs.items():
                for data in keyed.values():
                    if data.get("until"):  # an ended post is history, no longer a tie (issue 12)
                        continue
                    t = data["type"]
                    self._out[t].setdefault(u, []).append(v)
                    self._in[t].setdefault(v, []).append(u)
        self.area_parent: dict[str, str] = {v: u for u, vs in self._out["CONTAINS"].items() for v in vs}
        self.covers: dict[str, list[str]] = self._out["COVERS"]
        self.covered_by: dict[str, list[str]] = self._in["COVERS"]
        self.leads_parent: dict[str, list[str]] = self._in["LEADS"]  # org -> the orgs leading it
        self.located: dict[str, str] = {u: vs[0] for u, vs in self._out["LOCATED_IN"].items()}  # unit/need
        self.home: dict[str, str] = {u: vs[0] for u, vs in self._out["LIVES_IN"].items()}  # member
        self.host_unit: dict[str, str] = {u: vs[0] for u, vs in self._out["EMBEDDED_IN"].items()}
        self.unit_orgs: dict[str, list[str]] = self._in["EMBEDDED_IN"]  # unit -> its embedded orgs
        self.provider: dict[str, str] = {v: u for u, vs in self._out["OFFERS"].items() for v in vs}
        self._ancestors: dict[str, tuple[str, ...]] = {}
        self._street: dict[str, str | None] = {}
        self._community: dict[str, str | None] = {}
        self._place_areas()
        self._at: dict[tuple[str, str], str | None] = {}
        self._communities: dict[str, frozenset[str]] = {}
        self._community_map: dict[str, frozenset[str]] | None = None
        self._org_communities: dict[str, frozenset[str]] = {}

    def _place_areas(self) -> None:
        """Each area's street and community, in one walk down CONTAINS from the top areas."""
        nodes = self.graph.nodes
        children = self._out["CONTAINS"]
        stack: list[tuple[str, str | None, str | None]] = [
            (a, None, None) for a in self.ids("Area") if a not in self.area_parent
        ]
        while stack:
            area, street, community = stack.pop()
            if area in self._street:
                continue
            level = nodes[area].get("level")
            street = area if level == "street" else street
            community = area if level == "community" else community
            self._street[area], self._community[area] = street, community
            stack.extend((c, street, community) for c in children.get(area, ()))

    # --- generic access -------------------------------------------------------------------
    def ids(self, label: str) -> list[str]:
        """Ids of the ``label`` nodes, sorted."""
        return self.by_label.get(label, [])

    def label(self, node: str) -> str:
        """The label of ``node``."""
        return self.labels[node]

    def prop(self, node: str, name: str, default: object = None) -> object:
        """A property of ``node``."""
        return self.graph.nodes[node].get(name, default)

    def out(self, node: str, rel_type: str) -> list[str]:
        """Ends of the ``rel_type`` relationships leaving ``node``."""
        return self._out[rel_type].get(node, [])

    def into(self, node: str, rel_type: str) -> list[str]:
        """Starts of the ``rel_type`` relationships arriving at ``node``."""
        return self._in[rel_type].get(node, [])

    def adjacent(self, node: str) -> list[tuple[str, str, bool]]:
        """(neighbour, relationship type, True when it leaves ``node``) for each relationship of ``node``."""
        found = [(v, t, True) for t, ends in self._out.items() for v in ends.get(node, ())]
        found.extend((u, t, False) for t, starts in self._in.items() for u in starts.get(node, ()))
        return found

    def starts(self, rel_type: str) -> dict[str, list[str]]:
        """Every start node of ``rel_type`` with the ends it reaches."""
        return self._out[rel_type]

    def name(self, node: str, *, mask_pii: bool = False) -> str:
        """What a person reads for ``node``: name or title (a member's masked when asked)."""
        data = self.graph.nodes[node]
        label = data.get("label")
        if label in _TITLED:
            return str(data.get("title") or node)
        if label == "Member" and mask_pii:
            return mask_name(str(data.get("name") or ""))
        return str(data.get("name") or node)

    # --- the area tree --------------------------------------------------------------------
    def ancestors(self, area: str) -> tuple[str, ...]:
        """``area`` and the areas containing it, innermost first."""
        found = self._ancestors.get(area)
        if found is None:
            chain = [area]
            while len(chain) < _MAX_DEPTH and chain[-1] in self.area_parent:
                chain.append(self.area_parent[chain[-1]])
            found = self._ancestors[area] = tuple(chain)
        return found

    def ancestor_at(self, area: str | None, level: str) -> str | None:
        """The area of ``level`` that is ``area`` or contains it, or None."""
        if area is None or area not in self.labels:
            return None
        key = (area, level)
        if key not in self._at:
            nodes = self.graph.nodes
            self._at[key] = next((a for a in self.ancestors(area) if nodes[a].get("level") == level), None)
        return self._at[key]

    def street_of(self, area: str | None) -> str | None:
        """The street area of ``area``."""
        if area in self._street:
            return self._street[area]
        return self.ancestor_at(area, "street")  # an area inside a CONTAINS cycle

    def community_of(self, area: str | None) -> str | None:
        """The community area of ``area`` (None for a street or an area outside communities)."""
        if area in self._community:
            return self._community[area]
        return self.ancestor_at(area, "community")

    # --- who is where ---------------------------------------------------------------------
    def area_of(self, node: str) -> str | None:
        """The area a unit, need, member (home), offering (its provider's) or org is in."""
        label = self.label(node)
        if label in ("Unit", "Need"):
            return self.located.get(node)
        if label == "Member":
            return self.home.get(node)
        if label == "Offering":
            provider = self.provider.get(node)
            return self.area_of(provider) if provider else None
        if label == "Org":
            areas = sorted(self.covers.get(node, []), key=lambda a: -len(self.ancestors(a)))
            if areas:
                return areas[0]
            host = self.host_unit.get(node)
            return self.located.get(host) if host else None
        if label == "Area":
            return node
        return None

    def point(self, node: str) -> Point | None:
        """(lat, lon) of ``node``: its own, else (an offering) its provider's, else its area's or the
        nearest ancestor's that has one."""
        data = self.graph.nodes[node]
        lat, lon = data.get("lat"), data.get("lon")
        if lat is not None and lon is not None:
            return float(lat), float(lon)
        if data.get("label") == "Offering":
            provider = self.provider.get(node)
            return self.point(provider) if provider else None
        area = self.area_of(node)
        if area is None:
            return None
        for a in self.ancestors(area):
            ad = self.graph.nodes[a]
            if ad.get("lat") is not None and ad.get("lon") is not None:
                return float(ad["lat"]), float(ad["lon"])
        return None

    def org_communities(self, org: str) -> frozenset[str]:
        """Community areas an org works in: those of the areas it COVERS at or below community
        level, else its host unit's, else (walking LEADS up) its leading orgs'. A street or
        district org is in none."""
        cached = self._org_communities.get(org)
        if cached is not None:
            return cached
        found: frozenset[str] = frozenset()
        frontier, seen = [org], {org}
        for _ in range(_MAX_DEPTH):
            for o in frontier:
                found |= {c for c in map(self.community_of, self._org_areas(o)) if c is not None}
            if found or any(self.covers.get(o) for o in frontier):
                break
            frontier = [p for o in frontier for p in self.leads_parent.get(o, []) if p not in seen]
            seen.update(frontier)
            if not frontier:
                break
        self._org_communities[org] = found
        return found

    def _org_areas(self, org: str) -> list[str]:
        covered = self.covers.get(org, [])
        if covered:
            return covered
        host = self.host_unit.get(org)
        area = self.located.get(host) if host else None
        return [area] if area else []

    def communities_of(self, node: str) -> frozenset[str]:
        """The community areas ``node`` (an org, or anything with an area) belongs to."""
        found = self._communities.get(node)
        if found is None:
            if self.label(node) == "Org":
                found = self.org_communities(node)
            else:
                community = self.community_of(self.area_of(node))
                found = frozenset((community,)) if community else frozenset()
            self._communities[node] = found
        return found

    def community_map(self) -> dict[str, frozenset[str]]:
        """``communities_of`` for every org, area, unit, need and member at once (made on first use)."""
        if self._community_map is None:
            single: dict[str, frozenset[str]] = {}
            none: frozenset[str] = frozenset()

            def around(area: str | None) -> frozenset[str]:
                c = self.community_of(area)
                return none if c is None else single.setdefault(c, frozenset((c,)))

            found = {a: around(a) for a in self.ids("Area")}
            found.update((n, around(self.located.get(n))) for lb in ("Unit", "Need") for n in self.ids(lb))
            found.update((m, around(self.home.get(m))) for m in self.ids("Member"))
            found.update((o, self.org_communities(o)) for o in self.ids("Org"))
            self._community_map = found
        return self._community_map

    def subtree(self, org: str) -> set[str]:
        """``org`` and every org it LEADS, transitively."""
        out, stack = {org}, [org]
        while stack:
            for child in self.out(stack.pop(), "LEADS"):
                if child not in out:
                    out.add(child)
                    stack.append(child)
        return out

    def names(self, nodes: Iterable[str], *, mask_pii: bool = False) -> list[str]:
        """Display names of ``nodes``, in order."""
        return [self.name(n, mask_pii=mask_pii) for n in nodes]


_CACHE: weakref.WeakKeyDictionary[nx.MultiDiGraph, GraphIndex] = weakref.WeakKeyDictionary()


def index_of(graph: nx.MultiDiGraph) -> GraphIndex:
    """The GraphIndex of ``graph``, built on first use (projections are read-only snapshots)."""
    found = _CACHE.get(graph)
    if found is None:
        found = _CACHE[graph] = GraphIndex(graph)
    return found
