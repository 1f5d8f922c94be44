"""Relationships: the neighbourhood of an entity, the paths linking two in words, the composition
of a 大工委/大党委, and every tie of a unit. Pure functions of a projected graph."""

from __future__ import annotations

from collections import deque
from collections.abc import Collection
from dataclasses import dataclass

import networkx as nx

from engine.analytics.index import REL_TITLES, GraphIndex, index_of
from graph_schema.domain import AGREEMENT_KINDS, AGREEMENT_STATUSES, HOLD_ROLES, PROJECT_STATUSES, UNIT_TYPES


@dataclass(frozen=True, slots=True)
class NodeRef:
    """An entity as the analyses report it: id, label, display name."""

    id: str
    label: str
    name: str


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A node of a neighbourhood and its distance in hops from the centre."""

    node: NodeRef
    hops: int


@dataclass(frozen=True, slots=True, order=True)
class Tie:
    """One relationship ``start -[type]-> end`` with its Chinese title."""

    start: str
    end: str
    type: str
    title: str


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """The nodes within ``hops`` of ``centre`` and the relationships among them."""

    centre: NodeRef
    hops: int
    nodes: list[Neighbour]
    ties: list[Tie]
    truncated: bool  # True when ``max_nodes`` stopped the walk early


def _ref(ix: GraphIndex, node: str, mask_pii: bool) -> NodeRef:
    return NodeRef(node, ix.label(node), ix.name(node, mask_pii=mask_pii))


def _adjacent(ix: GraphIndex, node: str, rel_types: Collection[str] | None) -> list[tuple[str, str, bool]]:
    """(neighbour, relationship type, True when the relationship leaves ``node``), both directions."""
    found = ix.adjacent(node)
    return found if rel_types is None else [x for x in found if x[1] in rel_types]


def neighbourhood_graph(
    graph: nx.MultiDiGraph,
    node: str,
    *,
    hops: int = 1,
    rel_types: Collection[str] | None = None,
    max_nodes: int = 500,
) -> nx.MultiDiGraph:
    """The subgraph of the nodes within ``hops`` of ``node`` over ``rel_types`` (all when None),
    in either direction; at most ``max_nodes`` nodes, nearest first. ``graph['hops']`` maps each
    node to its distance and ``graph['truncated']`` says whether the limit cut the walk."""
    if node not in graph:
        raise KeyError(f"no node {node!r} in the projection")
    types = set(rel_types) if rel_types is not None else None
    ix = index_of(graph)
    dist = {node: 0}
    queue = deque([node])
    truncated = False
    while queue and not truncated:
        current = queue.popleft()
        if dist[current] >= hops:
            continue
        for nbr, _, _ in sorted(_adjacent(ix, current, types)):
            if nbr in dist:
                continue
            if len(dist) >= max_nodes:
                truncated = True
                break
            dist[nbr] = dist[current] + 1
            queue.append(nbr)
    kept = set(dist)
    sub = nx.MultiDiGraph(hops=dist, truncated=truncated, centre=node)
    sub.add_nodes_from((n, graph.nodes[n]) for n in kept)
    sub.add_edges_from(
        (u, v, k, d)
        for u, v, k, d in graph.edges(kept, keys=True, data=True)
        if v in kept and (types is None or d["type"] in types)
    )
    return sub


def neighbourhood(
    graph: nx.MultiDiGraph,
    node: str,
    *,
    hops: int = 1,
    rel_types: Collection[str] | None = None,
    max_nodes: int = 500,
    mask_pii: bool = False,
) -> Neighbourhood:
    """The neighbourhood of ``node`` as plain records (see ``neighbourhood_graph``)."""
    sub = neighbourhood_graph(graph, node, hops=hops, rel_types=rel_types, max_nodes=max_nodes)
    ix = index_of(graph)
    dist: dict[str, int] = sub.graph["hops"]
    return Neighbourhood(
        centre=_ref(ix, node, mask_pii),
        hops=hops,
        nodes=[
            Neighbour(_ref(ix, n, mask_pii), d) for n, d in sorted(dist.items(), key=lambda x: (x[1], x[0]))
        ],
        ties=sorted(Tie(u, v, t, REL_TITLES.get(t, t)) for u, v, t in sub.edges(data="type")),
        truncated=bool(sub.graph["truncated"]),
    )


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a path in words: from one entity to the next over one or more relationships."""

    to: NodeRef
    types: tuple[str, ...]
    forward: bool  # False when the relationships point back (rendered ←title—)
    text: str  # the arrow, e.g. “—领导→” or “←隶属—” or “—共建协议→” for a collapsed agreement


@dataclass(frozen=True, slots=True)
class LinkPath:
    """A shortest path between two entities, with its length in relationships and its words."""

    start: NodeRef
    steps: tuple[Step, ...]
    length: int
    text: str


def _expand(
    ix: GraphIndex,
    frontier: list[str],
    preds: dict[str, list[str]],
    dist: dict[str, int],
    types: set[str] | None,
) -> list[str]:
    """Grow one side of the search by a whole layer; returns the new layer (sorted)."""
    found: dict[str, list[str]] = {}
    for u in frontier:
        for v, _, _ in _adjacent(ix, u, types):
            if v not in preds:
                found.setdefault(v, []).append(u)
    for v, us in found.items():
        preds[v] = sorted(set(us))
        dist[v] = dist[us[0]] + 1
    return sorted(found)


def _shortest(
    ix: GraphIndex, a: str, b: str, max_hops: int, types: set[str] | None, limit: int
) -> list[list[str]]:
    """Up to ``limit`` shortest paths from ``a`` to ``b`` by a bidirectional breadth-first search that
    grows the smaller side a layer at a time (hubs such as a district org stay cheap)."""
    preds_a: dict[str, list[str]] = {a: []}
    preds_b: dict[str, list[str]] = {b: []}
    dist_a, dist_b = {a: 0}, {b: 0}
    front_a, front_b = [a], [b]
    for _ in range(max_hops):
        if len(front_a) <= len(front_b):
            front_a = _expand(ix, front_a, preds_a, dist_a, types)
            meet = [v for v in front_a if v in preds_b]
        else:
            front_b = _expand(ix, front_b, preds_b, dist_b, types)
            meet = [v for v in front_b if v in preds_a]
        if meet:
            best = min(dist_a[m] + dist_b[m] for m in meet)
            out: list[list[str]] = []
            for m in (m for m in meet if dist_a[m] + dist_b[m] == best):
                for head in _walk_back(preds_a, m, limit):
                    for tail in _walk_back(preds_b, m, limit):
                        out.append(head + tail[::-1][1:])
                        if len(out) >= limit:
                            return out
            return out
        if not front_a or not front_b:
            return []
    return []


def _walk_back(preds: dict[str, list[str]], end: str, limit: int) -> list[list[str]]:
    """Up to ``limit`` paths from the search's root to ``end``, following ``preds``."""
    out: list[list[str]] = []
    stack: list[list[str]] = [[end]]
    while stack and len(out) < limit:
        path = stack.pop()
        head = path[-1]
        if not preds[head]:
            out.append(path[::-1])
            continue
        stack.extend([*path, p] for p in reversed(preds[head]))
    return out


def _between(graph: nx.MultiDiGraph, u: str, v: str, types: set[str] | None) -> tuple[tuple[str, ...], bool]:
    """Relationship types linking u and v (forward ones first) and whether they point u → v."""
    forward = sorted({d["type"] for d in graph.get_edge_data(u, v, default={}).values()})
    backward = sorted({d["type"] for d in graph.get_edge_data(v, u, default={}).values()})
    if types is not None:
        forward = [t for t in forward if t in types]
        backward = [t for t in backward if t in types]
    return (tuple(forward), True) if forward else (tuple(backward), False)


def _arrow(titles: str, forward: bool) -> str:
    return f" —{titles}→ " if forward else f" ←{titles}— "


def describe_path(
    graph: nx.MultiDiGraph,
    path: list[str],
    *,
    rel_types: Collection[str] | None = None,
    mask_pii: bool = False,
) -> LinkPath:
    """A path of node ids in words; an agreement between two parties reads as one step
    (“区人民医院 —共建协议→ 玉林社区党委”)."""
    ix = index_of(graph)
    types = set(rel_types) if rel_types is not None else None
    steps: list[Step] = []
    i = 0
    while i < len(path) - 1:
        u, v = path[i], path[i + 1]
        if (
            ix.label(v) == "Agreement"
            and i + 2 < len(path)
            and _between(graph, u, v, types) == (("PARTY_TO",), True)
            and _between(graph, path[i + 2], v, types) == (("PARTY_TO",), True)
        ):
            kind = str(graph.nodes[v].get("kind", ""))
            title = AGREEMENT_KINDS.get(kind, REL_TITLES["PARTY_TO"])
            steps.append(
                Step(_ref(ix, path[i + 2], mask_pii), ("PARTY_TO", "PARTY_TO"), True, _arrow(title, True))
            )
            i += 2
            continue
        found, forward = _between(graph, u, v, types)
        titles = "、".join(REL_TITLES.get(t, t) for t in found)
        steps.append(Step(_ref(ix, v, mask_pii), found, forward, _arrow(titles, forward)))
        i += 1
    start = _ref(ix, path[0], mask_pii)
    text = start.name + "".join(s.text + s.to.name for s in steps)
    return LinkPath(start, tuple(steps), len(path) - 1, text)


def paths_between(
    graph: nx.MultiDiGraph,
    a: str,
    b: str,
    *,
    max_hops: int = 6,
    rel_types: Collection[str] | None = None,
    limit: int = 5,
    mask_pii: bool = False,
) -> list[LinkPath]:
    """Up to ``limit`` shortest paths (relationships in either direction) from ``a`` to ``b``, at most
    ``max_hops`` long, in words; empty when none is that short."""
    for n in (a, b):
        if n not in graph:
            raise KeyError(f"no node {n!r} in the projection")
    if a == b:
        return [describe_path(graph, [a], rel_types=rel_types, mask_pii=mask_pii)]
    types = set(rel_types) if rel_types is not None else None
    found = _shortest(index_of(graph), a, b, max_hops, types, limit)
    return [describe_path(graph, p, rel_types=rel_types, mask_pii=mask_pii) for p in found]


@dataclass(frozen=True, slots=True)
class Seat:
    """A member's post on a council and the units the member works at."""

    member: NodeRef
    role: str
    role_zh: str
    units: tuple[NodeRef, ...]


@dataclass(frozen=True, slots=True)
class CouncilComposition:
    """Who sits on a 大工委/大党委: its posts, its 兼职委员 and the units they come from."""

    org: NodeRef
    level: str
    kind: str
    seats: list[Seat]
    part_time: list[Seat]
    units: dict[str, int]  # unit id -> 兼职委员 it sends
    unit_types: dict[str, int]  # Chinese unit type -> 兼职委员 from such units
    text: str


def council_composition(graph: nx.MultiDiGraph, org_id: str, *, mask_pii: bool = False) -> CouncilComposition:
    """The current posts held on ``org_id`` (Member-[:HOLDS {role}]->Org); 兼职委员 are role
    ``part_time_member``, each with the units they WORK_AT."""
    ix = index_of(graph)
    if org_id not in graph or ix.label(org_id) != "Org":
        raise KeyError(f"no org {org_id!r} in the projection")
    seats: list[Seat] = []
    for m, _, data in graph.in_edges(org_id, data=True):
        if data.get("type") != "HOLDS" or data.get("until"):  # an ended post is history (issue 12)
            continue
        role = str(data.get("role", ""))
        works = tuple(_ref(ix, u, mask_pii) for u in sorted(ix.out(m, "WORKS_AT")))
        seats.append(Seat(_ref(ix, m, mask_pii), role, HOLD_ROLES.get(role, role), works))
    order = list(HOLD_ROLES)
    seats.sort(key=lambda s: (order.index(s.role) if s.role in order else len(order), s.member.id))
    part_time = [s for s in seats if s.role == "part_time_member"]
    units: dict[str, int] = {}
    unit_types: dict[str, int] = {}
    for s in part_time:
        for u in s.units:
            units[u.id] = units.get(u.id, 0) + 1
            t = UNIT_TYPES.get(str(ix.prop(u.id, "type", "")), "其他")
            unit_types[t] = unit_types.get(t, 0) + 1
    name = ix.name(org_id)
    kinds = "、".join(f"{t}{n}名" for t, n in sorted(unit_types.items(), key=lambda x: (-x[1], x[0])))
    text = (
        f"{name}共有职务 {len(seats)} 个，其中兼职委员 {len(part_time)} 名，来自 {len(units)} 家驻区单位"
        + (f"（{kinds}）" if kinds else "")
        + "。"
    )
    data = graph.nodes[org_id]
    return CouncilComposition(
        _ref(ix, org_id, mask_pii),
        str(data.get("level", "")),
        str(data.get("kind", "")),
        seats,
        part_time,
        units,
        unit_types,
        text,
    )


@dataclass(frozen=True, slots=True)
class AgreementTie:
    """An agreement of a unit and the other parties to it."""

    agreement: NodeRef
    kind_zh: str
    status_zh: str
    parties: tuple[NodeRef, ...]


@dataclass(frozen=True, slots=True)
class ProjectTie:
    """A project a unit serves and the need it fulfils."""

    project: NodeRef
    status_zh: str
    need: NodeRef | None
    hours: float


@dataclass(frozen=True, slots=True)
class UnitTies:
    """Every tie of a resident unit, and a sentence summing them up."""

    unit: NodeRef
    area: NodeRef | None
    embedded_orgs: list[NodeRef]
    reports_to: list[NodeRef]
    agreements: list[AgreementTie]
    projects: list[ProjectTie]
    workers: list[NodeRef]
    offerings: list[NodeRef]
    text: str


def unit_ties(graph: nx.MultiDiGraph, unit_id: str, *, mask_pii: bool = False) -> UnitTies:
    """The agreements (PARTY_TO), 双报到 (REPORTS_TO), projects (SERVES), members who WORK_AT it,
    its embedded party org(s) and its offerings, of the unit ``unit_id``."""
    ix = index_of(graph)
    if unit_id not in graph or ix.label(unit_id) != "Unit":
        raise KeyError(f"no unit {unit_id!r} in the projection")

    def refs(ids: list[str]) -> list[NodeRef]:
        return [_ref(ix, n, mask_pii) for n in sorted(ids)]

    agreements = []
    for a in sorted(ix.out(unit_id, "PARTY_TO")):
        data = graph.nodes[a]
        others = refs([p for p in ix.into(a, "PARTY_TO") if p != unit_id])
        agreements.append(
            AgreementTie(
                _ref(ix, a, mask_pii),
                AGREEMENT_KINDS.get(str(data.get("kind")), "协议"),
                AGREEMENT_STATUSES.get(str(data.get("status")), ""),
                tuple(others),
            )
        )
    projects = []
    for _, p, data in sorted(graph.out_edges(unit_id, data=True), key=lambda e: e[1]):
        if data.get("type") != "SERVES":
            continue
        needs = ix.out(p, "FULFILLS")
        status = str(graph.nodes[p].get("status", ""))
        projects.append(
            ProjectTie(
                _ref(ix, p, mask_pii),
                PROJECT_STATUSES.get(status, status),
                _ref(ix, needs[0], mask_pii) if needs else None,
                float(data.get("hours") or 0.0),
            )
        )
    area = ix.area_of(unit_id)
    embedded = refs(ix.unit_orgs.get(unit_id, []))
    reports = refs(ix.out(unit_id, "REPORTS_TO"))
    workers = refs(ix.into(unit_id, "WORKS_AT"))
    offerings = refs(ix.out(unit_id, "OFFERS"))
    parts = [
        f"{ix.name(unit_id)}" + (f"位于{ix.name(area)}" if area else ""),
        f"单位党组织 {len(embedded)} 个" if embedded else "尚未建立单位党组织",
        f"向{'、'.join(r.name for r in reports)}双报到" if reports else "尚未双报到",
        f"签订协议 {len(agreements)} 份",
        f"参与项目 {len(projects)} 个",
        f"在职党员 {len(workers)} 名",
        f"登记资源 {len(offerings)} 项",
    ]
    return UnitTies(
        _ref(ix, unit_id, mask_pii),
        _ref(ix, area, mask_pii) if area else None,
        embedded,
        reports,
        agreements,
        projects,
        workers,
        offerings,
        "，".join(parts) + "。",
    )
