"""Network diagnostics: units and members that bridge communities, units many needs depend on,
clusters of the co-construction network, and suggested new partnerships, each with its reason
in Chinese. Pure functions of a projected graph."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

from engine.analytics.gaps import (
    active_offering_points,
    category_family,
    category_name,
    needs_by_fitting_category,
)
from engine.analytics.geo import PointIndex
from engine.analytics.index import REL_TITLES, GraphIndex, index_of

Floats = NDArray[np.float64]
DEFAULT_RADIUS_KM = 5.0  # service radius of an offering that does not state one


# --- bridges ------------------------------------------------------------------------------------
_ORG_TIES = {"Unit": ("REPORTS_TO",), "Member": ("BELONGS_TO", "REPORTS_TO", "JOINS", "HOLDS", "WORKS_AT")}
_PLACE_TITLE = {"Unit": REL_TITLES["LOCATED_IN"], "Member": REL_TITLES["LIVES_IN"]}


def _reach(ix: GraphIndex, only: str | None = None) -> Iterator[tuple[str, str, Iterable[str]]]:
    """(actor, why, nodes whose communities tie the actor to them) for every unit and member, or for
    the actor ``only``: its own place, the orgs it reports to, belongs to, joins or holds a post in,
    the units a member works at, the other parties of its agreements, the needs it served."""

    def starts(rel_type: str) -> Iterable[tuple[str, list[str]]]:
        if only is None:
            return ix.starts(rel_type).items()
        ends = ix.out(only, rel_type)
        return ((only, ends),) if ends else ()

    labels = ix.labels
    for label, title in _PLACE_TITLE.items():
        for actor in ix.ids(label) if only is None else [only] if labels[only] == label else []:
            yield actor, title, (actor,)
        for t in _ORG_TIES[label]:
            why = REL_TITLES[t]
            yield from ((a, why, ends) for a, ends in starts(t) if labels[a] == label)
    for actor, agreements in starts("PARTY_TO"):
        if labels[actor] != "Org":
            yield actor, "共建协议", [p for a in agreements for p in ix.into(a, "PARTY_TO") if p != actor]
    for actor, projects in starts("SERVES"):
        yield actor, REL_TITLES["SERVES"], [n for p in projects for n in ix.out(p, "FULFILLS")]


def community_ties(ix: GraphIndex, actor: str | None = None) -> dict[str, dict[str, set[str]]]:
    """Community areas each unit and member (or only ``actor``) is tied to, with the relationship
    titles that tie it (see ``_reach``)."""
    ties: dict[str, dict[str, set[str]]] = {}
    for who, why, nodes in _reach(ix, actor):
        for node in nodes:
            for c in ix.communities_of(node):
                ties.setdefault(who, {}).setdefault(c, set()).add(why)
    return ties


@dataclass(frozen=True, slots=True)
class Bridge:
    """A unit or member tied to several communities and how much it carries between them."""

    id: str
    label: str
    name: str
    communities: tuple[str, ...]  # community area ids
    betweenness: float  # share of shortest community-to-community paths through it (0..1)
    reason: str


def edge_betweenness(weights: Floats) -> Floats:
    """Edge betweenness of an undirected graph given as a symmetric matrix of multiplicities (how
    many parallel ways join two nodes; paths multiply), summed over ordered source/target pairs.

    Brandes' accumulation, run for every source at once by distance layer with matrix products:
    exact, and fast for the few hundred communities of a city."""
    n = weights.shape[0]
    if n == 0:
        return np.zeros((0, 0))
    dist = shortest_path(csr_matrix(weights > 0), unweighted=True, directed=False)
    finite = dist[np.isfinite(dist)]
    depth = int(finite.max()) if finite.size else 0
    layers = [dist == k for k in range(depth + 1)]
    sigma = layers[0].astype(np.float64)  # σ[s, v]: weighted shortest paths from s to v
    for k in range(1, depth + 1):
        sigma += ((sigma * layers[k - 1]) @ weights) * layers[k]
    delta = np.zeros((n, n))
    credit = np.zeros((n, n))
    safe = np.where(sigma > 0, sigma, 1.0)
    for k in range(depth, 0, -1):
        g = layers[k] * (1.0 + delta) / safe
        before = sigma * layers[k - 1]
        delta += before * (g @ weights.T)
        credit += (before.T @ g) * weights
    return np.asarray(credit + credit.T, dtype=np.float64)


def bridges(graph: nx.MultiDiGraph, *, top: int = 20, mask_pii: bool = False) -> list[Bridge]:
    """Units and members ranked by betweenness on the actor–community graph, with communities as
    the ends of the paths: a bridge joins communities nobody else joins as directly.

    Computed exactly and fast: actors tied to the same two communities are interchangeable, so the
    graph is folded to communities joined by edges that count the actors joining them; an actor's
    betweenness is the sum, over the community pairs it joins, of the edge's betweenness divided
    by that count, normalised by the number of community pairs."""
    ix = index_of(graph)
    communities = [c for c in ix.ids("Area") if graph.nodes[c].get("level") == "community"]
    pos = {c: i for i, c in enumerate(communities)}
    weights = np.zeros((len(communities), len(communities)))
    reached: dict[str, set[str]] = {}
    community_map = ix.community_map()
    none: frozenset[str] = frozenset()
    for who, _, nodes in _reach(ix):
        found = reached.get(who)
        if found is None:
            found = reached[who] = set()
        for node in nodes:
            found.update(community_map.get(node, none))
    spans = {a: sorted(pos[c] for c in cs) for a, cs in reached.items() if len(cs) >= 2}
    pair_counts: Counter[tuple[int, int]] = Counter()
    for at in spans.values():
        pair_counts.update(combinations(at, 2))
    for (a, b), k in pair_counts.items():
        weights[a, b] = weights[b, a] = k
    credit = edge_betweenness(weights)
    share = np.divide(credit, weights, out=np.zeros_like(credit), where=weights > 0).tolist()
    n = len(communities)
    pairs = n * (n - 1) if n > 1 else 1  # ordered pairs, as edge_betweenness counts them
    scored = [
        (-sum(share[a][b] for a, b in combinations(at, 2)) / pairs, -len(at), actor)
        for actor, at in spans.items()
    ]
    out: list[Bridge] = []
    for neg_score, _, actor in sorted(scored)[:top]:
        why = community_ties(ix, actor)[actor]
        cs = sorted(why)
        parts = "；".join(f"{ix.name(c)}（{'、'.join(sorted(why[c]))}）" for c in cs)
        out.append(
            Bridge(
                actor,
                ix.label(actor),
                ix.name(actor, mask_pii=mask_pii),
                tuple(cs),
                -neg_score,
                f"连接 {len(cs)} 个社区：{parts}",
            )
        )
    return out


# --- dependence ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Dependence:
    """How many needs lean on one unit."""

    unit_id: str
    name: str
    served_needs: int  # needs fulfilled by projects the unit serves
    candidate_needs: int  # open needs one of its active offerings fits (category and radius)
    sole_candidate_needs: int  # of those, needs no other unit fits
    reason: str


def _radius(ix: GraphIndex, offering: str) -> float:
    r = ix.prop(offering, "radius_km")
    return float(r) if isinstance(r, int | float) else DEFAULT_RADIUS_KM


def candidate_providers(ix: GraphIndex, needs: Iterable[str]) -> dict[str, set[str]]:
    """For each need, the providers (units or members) with an active offering of a fitting
    category whose service radius (DEFAULT_RADIUS_KM when unset) reaches the need's place."""
    needs = list(needs)
    out: dict[str, set[str]] = {n: set() for n in needs}
    points = {n: pt for n in needs if (pt := ix.point(n)) is not None}
    offerings = active_offering_points(ix)
    for cat, fitting in needs_by_fitting_category(ix, points).items():
        found = offerings.get(cat)
        if found is None:
            continue
        index, ids = found
        radius = np.array([_radius(ix, o) for o in ids])
        lat = np.array([points[n][0] for n in fitting])
        lon = np.array([points[n][1] for n in fitting])
        q, p, dist = index.pairs_within(lat, lon, float(radius.max()))
        inside = dist <= radius[p]
        for i, j in zip(q[inside].tolist(), p[inside].tolist(), strict=True):
            provider = ix.provider.get(ids[j])
            if provider is not None:
                out[fitting[i]].add(provider)
    return out


def dependence(graph: nx.MultiDiGraph, *, top: int = 20) -> list[Dependence]:
    """Units ranked by the needs that depend on them: served through projects (SERVES→FULFILLS),
    open needs they could take (see ``candidate_providers``), and open needs only they could take."""
    ix = index_of(graph)
    open_needs = [n for n in ix.ids("Need") if ix.prop(n, "status") == "open"]
    candidates = candidate_providers(ix, open_needs)
    fits: Counter[str] = Counter()
    sole: Counter[str] = Counter()
    for providers in candidates.values():
        units = {p for p in providers if ix.label(p) == "Unit"}
        fits.update(units)
        if len(providers) == 1 and units:
            sole.update(units)
    out: list[Dependence] = []
    for u in ix.ids("Unit"):
        served = {n for p in ix.out(u, "SERVES") for n in ix.out(p, "FULFILLS")}
        if not served and not fits[u]:
            continue
        reason = f"已承接需求 {len(served)} 项，另有 {fits[u]} 项待认领需求可由其承接"
        if sole[u]:
            reason += f"，其中 {sole[u]} 项只有它能承接"
        out.append(Dependence(u, ix.name(u), len(served), fits[u], sole[u], reason))
    out.sort(key=lambda d: (-(d.served_needs + d.candidate_needs), -d.sole_candidate_needs, d.unit_id))
    return out[:top]


# --- clusters -----------------------------------------------------------------------------------
def community_org(ix: GraphIndex, community: str) -> str | None:
    """The party org of a community area: a community-level org covering it, else any covering org."""
    orgs = sorted(ix.covered_by.get(community, []))
    level = [o for o in orgs if ix.prop(o, "level") == "community"]
    found = level or orgs
    return found[0] if found else None


def representative(ix: GraphIndex, node: str) -> str:
    """Who stands for ``node`` in the co-construction network: a unit's own org is the unit; an org
    inside one community (grid, building, feature branch…) is that community's org; others are themselves."""
    if ix.label(node) != "Org":
        return node
    host = ix.host_unit.get(node)
    if host is not None:
        return host
    communities = ix.org_communities(node)
    if len(communities) == 1:
        return community_org(ix, next(iter(communities))) or node
    return node


def coconstruction_graph(graph: nx.MultiDiGraph) -> nx.Graph:
    """The co-construction network: orgs and units (see ``representative``) joined with weights by
    agreements (2 per shared agreement), 双报到 of units (1) and served projects (1 per project
    for the unit and the org that posted the need). Nodes carry ``label`` and ``name``."""
    ix = index_of(graph)
    h = nx.Graph()

    def link(a: str, b: str, weight: float, why: str) -> None:
        ra, rb = representative(ix, a), representative(ix, b)
        if ra == rb:
            return
        for r in (ra, rb):
            if r not in h:
                h.add_node(r, label=ix.label(r), name=ix.name(r))
        if h.has_edge(ra, rb):
            h[ra][rb]["weight"] += weight
            h[ra][rb]["kinds"].add(why)
        else:
            h.add_edge(ra, rb, weight=weight, kinds={why})

    for agreement in ix.ids("Agreement"):
        parties = sorted(ix.into(agreement, "PARTY_TO"))
        for i, a in enumerate(parties):
            for b in parties[i + 1 :]:
                link(a, b, 2.0, "共建协议")
    for u in ix.ids("Unit"):
        for org in ix.out(u, "REPORTS_TO"):
            link(u, org, 1.0, "双报到")
        for project in ix.out(u, "SERVES"):
            for need in ix.out(project, "FULFILLS"):
                for org in ix.out(need, "POSTED_BY"):
                    link(u, org, 1.0, "服务项目")
    return h


@dataclass(frozen=True, slots=True)
class Cluster:
    """One cluster of the co-construction network."""

    index: int
    nodes: tuple[str, ...]
    orgs: int
    units: int
    weight_inside: float
    main_community: str | None  # the community area most of its orgs and units are in
    reason: str


def clusters(
    graph: nx.MultiDiGraph, *, seed: int = 2026, resolution: float = 1.0, min_size: int = 2
) -> list[Cluster]:
    """Clusters of the co-construction network by Louvain modularity (networkx, fixed ``seed``, so
    the same graph always gives the same clusters), largest first."""
    ix = index_of(graph)
    h = coconstruction_graph(graph)
    if h.number_of_edges() == 0:
        return []
    parts = nx.community.louvain_communities(h, weight="weight", resolution=resolution, seed=seed)
    found = sorted((sorted(p) for p in parts if len(p) >= min_size), key=lambda p: (-len(p), p[0]))
    out: list[Cluster] = []
    for i, nodes in enumerate(found):
        labels = Counter(ix.label(n) for n in nodes)
        places = Counter(c for n in nodes for c in ix.communities_of(n))
        main = min(places.items(), key=lambda x: (-x[1], x[0]))[0] if places else None
        inside = float(h.subgraph(nodes).size(weight="weight"))
        kinds = Counter(k for _, _, ks in h.subgraph(nodes).edges(data="kinds") for k in ks)
        how = "、".join(f"{k}{v}条" for k, v in sorted(kinds.items(), key=lambda x: (-x[1], x[0])))
        where = f"以{ix.name(main)}为中心，" if main else ""
        out.append(
            Cluster(
                i + 1,
                tuple(nodes),
                labels["Org"],
                labels["Unit"],
                inside,
                main,
                f"{where}含党组织 {labels['Org']} 个、驻区单位 {labels['Unit']} 家，内部联系：{how}",
            )
        )
    return out


# --- suggested partnerships ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Suggestion:
    """A unit that could partner with a community it has no agreement with, and why."""

    unit_id: str
    unit_name: str
    community_id: str  # community area
    community_name: str
    org_id: str | None  # the community's party org, the other side of the suggested agreement
    categories: tuple[str, ...]  # need categories its offerings fit
    fitting_needs: int
    offerings: tuple[str, ...]
    distance_km: float
    score: float
    reason: str


def partners_of_orgs(ix: GraphIndex) -> dict[str, set[str]]:
    """For each org, the units it has an agreement with (any status), directly or via the unit's own org."""
    out: dict[str, set[str]] = {}
    for agreement in ix.ids("Agreement"):
        parties = ix.into(agreement, "PARTY_TO")
        units = {p if ix.label(p) == "Unit" else ix.host_unit.get(p, "") for p in parties} - {""}
        for p in parties:
            if ix.label(p) == "Org":
                out.setdefault(p, set()).update(units)
    return out


def suggest_partnerships(
    graph: nx.MultiDiGraph, *, radius_km: float = 3.0, min_needs: int = 2, top: int = 50
) -> list[Suggestion]:
    """Units within ``radius_km`` of a community (its area's point) whose active offerings fit at
    least ``min_needs`` of the needs posted there (not cancelled; offering category in
    taxonomy.related_categories of the need's), when no agreement links the unit with the
    community's org or any org it leads. Score: fitting needs / (1 + km)."""
    ix = index_of(graph)
    placed = [(u, p) for u in ix.ids("Unit") if (p := ix.point(u)) is not None]
    units = [u for u, _ in placed]
    unit_index = PointIndex([p for _, p in placed])
    needs_by_community: dict[str, list[str]] = {}
    for n in ix.ids("Need"):
        community = ix.community_of(ix.area_of(n))
        if community is not None and ix.prop(n, "status") != "cancelled":
            needs_by_community.setdefault(community, []).append(n)
    offerings_of = {
        u: [(o, str(ix.prop(o, "category"))) for o in ix.out(u, "OFFERS") if ix.prop(o, "status") == "active"]
        for u in units
    }
    partners = partners_of_orgs(ix)
    found: list[tuple[float, str, str, float, list[str], list[str]]] = []
    for community, needs in sorted(needs_by_community.items()):
        point = ix.point(community)
        if point is None or len(needs) < min_needs:
            continue
        org = community_org(ix, community)
        partnered = {u for o in ix.subtree(org) for u in partners.get(o, ())} if org else set()
        fits = needs_by_fitting_category(ix, needs)  # offering category -> needs it fits
        idx, dist = unit_index.within(point[0], point[1], radius_km)
        for i, km in zip(idx.tolist(), dist.tolist(), strict=True):
            unit = units[i]
            used = [o for o, cat in offerings_of[unit] if cat in fits]
            if not used or unit in partnered:
                continue
            fitting = sorted({n for o, cat in offerings_of[unit] if cat in fits for n in fits[cat]})
            if len(fitting) >= min_needs:
                found.append((-len(fitting) / (1.0 + km), unit, community, km, used, fitting))
    out: list[Suggestion] = []
    for neg_score, unit, community, km, used, fitting in sorted(found)[:top]:
        cats = tuple(sorted({str(ix.prop(n, "category")) for n in fitting}))
        families = sorted({category_name(category_family(c)) for c in cats})
        titles = "、".join(f"“{t}”" for t in sorted({ix.name(o) for o in used})[:3])
        reason = (
            f"{ix.name(unit)}距{ix.name(community)} {km:.1f} 公里，其{titles}可对接该社区反复出现的"
            f"{'、'.join(families)}类需求 {len(fitting)} 项，双方尚无共建协议"
        )
        out.append(
            Suggestion(
                unit,
                ix.name(unit),
                community,
                ix.name(community),
                community_org(ix, community),
                cats,
                len(fitting),
                tuple(sorted(used)),
                round(km, 3),
                -neg_score,
                reason,
            )
        )
    return out
