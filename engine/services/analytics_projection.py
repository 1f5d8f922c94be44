"""Project the store (or a planner's scope of it) into a ``networkx.MultiDiGraph`` for the analytics.

The one place the analytics' graph is read from the store (through its registered statements), so
``engine.analytics`` stays pure and every analysis runs the same on FalkorDB and Neo4j. The graph's
shape is described in ``engine.analytics.graph``; a projection is a read-only snapshot.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import networkx as nx

from engine.analytics.index import index_of
from engine.store.base import GraphStore, Row
from engine.store.queries.analytics import (
    PROJECTED_LABELS,
    edges_stmt,
    nodes_stmt,
    page_stmt,
    projected_pairs,
    scope_stmt,
)
from engine.store.queries.closed_loop import scope as scope_queries
from engine.store.registry import Statement

T = TypeVar("T")
SCOPE_ROOT_STMT = scope_queries.SUBTREE


@dataclass(frozen=True, slots=True)
class ProjectionStats:
    """How a projection was made: seconds waiting on the store vs building the graph, and its size."""

    scope_org_id: str | None
    store_seconds: float
    build_seconds: float
    statements: int
    nodes: int
    edges: int

    @property
    def seconds(self) -> float:
        """Wall time of the whole projection."""
        return self.store_seconds + self.build_seconds


class _Reader:
    """Runs the projection's statements and keeps the time spent in the store."""

    def __init__(self, store: GraphStore, batch_size: int) -> None:
        self.store = store
        self.batch_size = batch_size
        self.seconds = 0.0
        self.statements = 0

    def run(self, statement: Statement | str, params: Mapping[str, Any]) -> list[Row]:
        started = time.perf_counter()
        rows = self.store.run(statement, params)
        self.seconds += time.perf_counter() - started
        self.statements += 1
        return rows

    def per_batch(self, name: str, ids: Iterable[str]) -> list[Row]:
        """Run ``name`` with ``$ids`` in batches (in id order) and concatenate the rows."""
        ordered = sorted(ids)
        rows: list[Row] = []
        for i in range(0, len(ordered), self.batch_size):
            rows.extend(self.run(name, {"ids": ordered[i : i + self.batch_size]}))
        return rows

    def expand(self, step: str, ids: Iterable[str]) -> set[str]:
        """Ids found by the scope expansion ``step`` from ``ids``."""
        return {str(r["id"]) for r in self.per_batch(scope_stmt(step), ids)}

    def all_nodes(self, label: str) -> list[dict[str, Any]]:
        """Every ``label`` node, page by page in id order."""
        out: list[dict[str, Any]] = []
        after = ""
        while True:
            rows = self.run(page_stmt(label), {"after": after, "limit": self.batch_size})
            out.extend(rows)
            if len(rows) < self.batch_size:
                return out
            after = str(rows[-1]["id"])


def scope_ids(store: GraphStore, org_id: str, *, batch_size: int = 2000) -> dict[str, set[str]]:
    """Ids per label of a planner's scope; see ``_scope`` for what it holds."""
    return _scope(_Reader(store, batch_size), org_id)


def _scope(reader: _Reader, org_id: str) -> dict[str, set[str]]:
    """The org and every org it LEADS; the areas they COVER and all those CONTAIN; the units located
    there, reporting to (双报到) or hosting (EMBEDDED_IN) those orgs, and the partner units of their
    agreements, with the units' own orgs; members belonging, reporting, joining or holding a post
    there or living there; the needs posted there or located there, their projects and claims; the
    offerings of those units and members; and every category."""
    orgs = {str(r["id"]) for r in reader.run(SCOPE_ROOT_STMT, {"org_id": org_id})}
    areas = reader.expand("areas_covered", orgs)
    units = reader.expand("units_in_areas", areas) | reader.expand("units_of_orgs", orgs)
    agreements = reader.expand("agreements_of_units", units) | reader.expand("agreements_of_orgs", orgs)
    units |= reader.expand("units_of_agreements", agreements)
    orgs |= reader.expand("orgs_in_units", units)
    members = reader.expand("members_of_orgs", orgs) | reader.expand("members_in_areas", areas)
    needs = reader.expand("needs_of_orgs", orgs) | reader.expand("needs_in_areas", areas)
    offerings = reader.expand("offerings_of_units", units) | reader.expand("offerings_of_members", members)
    categories = {str(n["id"]) for n in reader.all_nodes("Category")}
    return {
        "Category": categories,
        "Area": areas,
        "Org": orgs,
        "Unit": units,
        "Member": members,
        "Agreement": agreements,
        "Need": needs,
        "Offering": offerings,
        "Project": reader.expand("projects_of_needs", needs),
        "Claim": reader.expand("claims_of_needs", needs),
    }


def project(store: GraphStore, *, org_id: str | None = None, batch_size: int = 2000) -> nx.MultiDiGraph:
    """The whole graph, or with ``org_id`` a planner's scope of it, as a MultiDiGraph.

    Relationships are kept when both ends are projected. ``graph.graph['stats']`` holds the
    ProjectionStats; ``graph.graph['scope_org_id']`` the scope (None for everything).
    """
    reader = _Reader(store, batch_size)
    nodes: dict[str, list[dict[str, Any]]] = {}
    if org_id is None:
        for label in PROJECTED_LABELS:
            nodes[label] = reader.all_nodes(label)
    else:
        for label, ids in _scope(reader, org_id).items():
            nodes[label] = reader.per_batch(nodes_stmt(label), ids)
    ids_of = {label: [str(n["id"]) for n in rows] for label, rows in nodes.items()}
    edges = [
        (rel_type, reader.per_batch(edges_stmt(rel_type, start, end), ids_of[start]))
        for rel_type, start, end in projected_pairs()
        if ids_of.get(start) and ids_of.get(end)
    ]
    started = time.perf_counter()
    graph = nx.MultiDiGraph(scope_org_id=org_id)
    graph.add_nodes_from(
        (str(props["id"]), {"label": label, **{k: v for k, v in props.items() if v is not None}})
        for label, rows in nodes.items()
        for props in rows
    )
    graph.add_edges_from(
        (start, end, {"type": rel_type, **props})
        for rel_type, rows in edges
        for start, end, props in map(_split_edge_row, rows)
        if end in graph
    )
    graph.graph["stats"] = ProjectionStats(
        org_id,
        reader.seconds,
        time.perf_counter() - started,
        reader.statements,
        graph.number_of_nodes(),
        graph.number_of_edges(),
    )
    return graph


def _split_edge_row(row: Row) -> tuple[str, str, dict[str, Any]]:
    """(start id, end id, the relationship's set properties) of one edge row."""
    props = {k: v for k, v in row.items() if v is not None and k not in ("start_id", "end_id")}
    return str(row["start_id"]), str(row["end_id"]), props


class ProjectionCache:
    """Projections kept per store and scope for the life of the process, and objects derived from them.

    Planners' queries then cost only the analysis; ``invalidate`` after writes that matter (or pass
    ``max_age_s`` so a projection older than that is made again).
    """

    def __init__(self, max_age_s: float | None = 300.0, batch_size: int = 2000) -> None:
        self.max_age_s = max_age_s
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._entries: weakref.WeakKeyDictionary[GraphStore, dict[str | None, _Entry]] = (
            weakref.WeakKeyDictionary()
        )

    def _entry(self, store: GraphStore, org_id: str | None) -> _Entry:
        with self._lock:
            per_store = self._entries.setdefault(store, {})
            entry = per_store.get(org_id)
            if entry is None or (
                self.max_age_s is not None and time.monotonic() - entry.made_at > self.max_age_s
            ):
                graph = project(store, org_id=org_id, batch_size=self.batch_size)
                index_of(graph)  # the lookups every analysis needs, built now rather than on the first query
                entry = _Entry(graph, time.monotonic())
                per_store[org_id] = entry
            return entry

    def graph(self, store: GraphStore, org_id: str | None = None) -> nx.MultiDiGraph:
        """The cached projection of ``store`` (scoped to ``org_id`` when given), made on first use."""
        return self._entry(store, org_id).graph

    def derived(
        self, store: GraphStore, key: str, factory: Callable[[nx.MultiDiGraph], T], org_id: str | None = None
    ) -> T:
        """``factory(projection)`` made once per projection and kept beside it (e.g. a Mobiliser)."""
        entry = self._entry(store, org_id)
        with self._lock:
            if key not in entry.derived:
                entry.derived[key] = factory(entry.graph)
            value: T = entry.derived[key]
            return value

    def invalidate(self, store: GraphStore | None = None) -> None:
        """Forget the projections of ``store`` (of every store when None)."""
        with self._lock:
            if store is None:
                self._entries.clear()
            else:
                self._entries.pop(store, None)


class _Entry:
    """One cached projection, when it was made, and the objects derived from it."""

    __slots__ = ("derived", "graph", "made_at")

    def __init__(self, graph: nx.MultiDiGraph, made_at: float) -> None:
        self.graph = graph
        self.made_at = made_at
        self.derived: dict[str, Any] = {}
