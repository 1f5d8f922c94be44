"""Read the graph, or one organisation's scope of it, into plain nodes and relationships.

Scope of an org: that org and every org it LEADS (at any depth); the areas those orgs COVER and
every area those CONTAIN; units LOCATED_IN those areas and the orgs EMBEDDED_IN those units (with
the orgs they lead); members who BELONG_TO a scoped org; needs POSTED_BY a scoped org and the
projects that FULFIL them; offerings of scoped units and members; agreements with a scoped unit or
org as a party; 双报到 registrations of scoped units and members; and the whole service taxonomy.
A relationship is exported when both its ends are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from engine.store.base import GraphStore
from engine.store.queries.exporting import out_stmt
from engine.store.queries.nodes import node_stmt
from graph_schema.domain import SCHEMA

# Never exported: sign-in accounts hold password hashes; the schema version is bookkeeping.
NOT_EXPORTED = ("Account", "SchemaVersion")
EXPORT_LABELS: tuple[str, ...] = tuple(lb.name for lb in SCHEMA.labels if lb.name not in NOT_EXPORTED)
STARTING_LABELS = {s for rel in SCHEMA.rel_types for s in rel.starts}
PAGE = 2000


class ExportError(ValueError):
    """The export cannot be made as asked (e.g. the scope org does not exist)."""


@dataclass(frozen=True, slots=True)
class Rel:
    """One relationship between two exported nodes."""

    type: str
    start_label: str
    start: str
    end_label: str
    end: str
    props: dict[str, Any]


@dataclass
class GraphData:
    """Exported nodes (label -> property maps, sorted by id) and relationships."""

    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rels: list[Rel] = field(default_factory=list)

    def ids(self) -> set[tuple[str, str]]:
        """(label, id) of every node."""
        return {(lb, n["id"]) for lb, rows in self.nodes.items() for n in rows}


def _batches(ids: Iterable[str], size: int) -> Iterable[list[str]]:
    items = sorted(set(ids))
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _ids(store: GraphStore, name: str, ids: Iterable[str], batch_size: int) -> set[str]:
    """The ids a scope statement returns for ``ids``, run in batches."""
    return {str(r["id"]) for batch in _batches(ids, batch_size) for r in store.run(name, {"ids": batch})}


def _out_rels(store: GraphStore, label: str, ids: Iterable[str], batch_size: int) -> list[Rel]:
    """Outgoing relationships of the ``label`` nodes ``ids``, to any node."""
    if label not in STARTING_LABELS:
        return []
    return [
        Rel(r["type"], label, str(r["start_id"]), r["end_label"], str(r["end_id"]), dict(r["props"] or {}))
        for batch in _batches(ids, batch_size)
        for r in store.run(out_stmt(label), {"ids": batch})
    ]


def _all_nodes(store: GraphStore, label: str, batch_size: int) -> list[dict[str, Any]]:
    """Every node of ``label``, paged by id."""
    rows: list[dict[str, Any]] = []
    while True:
        page = store.run(node_stmt("list", label), {"skip": len(rows), "limit": batch_size})
        rows += [r["node"] for r in page]
        if len(page) < batch_size:
            return rows


def _nodes(store: GraphStore, label: str, ids: set[str], batch_size: int) -> list[dict[str, Any]]:
    """The ``label`` nodes ``ids``, read in batches."""
    found = [
        r["node"]
        for batch in _batches(ids, batch_size)
        for r in store.run(node_stmt("get_many", label), {"ids": batch})
    ]
    return sorted(found, key=lambda n: str(n["id"]))


def _scope(store: GraphStore, org_id: str, batch_size: int) -> dict[str, set[str]]:
    """Ids per label in the scope of ``org_id`` (module doc)."""
    orgs = _ids(store, "export.scope.org_tree", [org_id], batch_size)
    if not orgs:
        raise ExportError(f"找不到编号为“{org_id}”的党组织,无法按它的范围导出")
    areas = _ids(store, "export.scope.areas_covered", orgs, batch_size)
    units = _ids(store, "export.scope.units_in_areas", areas, batch_size)
    orgs |= _ids(store, "export.scope.embedded_orgs", units, batch_size)
    members = _ids(store, "export.scope.members_of_orgs", orgs, batch_size)
    needs = _ids(store, "export.scope.needs_of_orgs", orgs, batch_size)
    scope = {"Org": orgs, "Area": areas, "Unit": units, "Member": members, "Need": needs}
    scope["Project"] = _ids(store, "export.scope.projects_of_needs", needs, batch_size)
    provided: dict[str, set[str]] = {"Offering": set(), "Agreement": set(), "Registration": set()}
    provided.update(Series=set(), Commitment=set())
    for label, rel_type in (
        ("Unit", "OFFERS"),
        ("Member", "OFFERS"),
        ("Unit", "PARTY_TO"),
        ("Org", "PARTY_TO"),
        ("Unit", "REGISTERS"),
        ("Member", "REGISTERS"),
        ("Need", "OCCURRENCE_OF"),  # the series of scoped needs, and commitments of scoped providers
        ("Unit", "COMMITS"),
        ("Member", "COMMITS"),
    ):
        for rel in _out_rels(store, label, scope[label], batch_size):
            if rel.type == rel_type and rel.end_label in provided:
                provided[rel.end_label].add(rel.end)
    # 公开承诺 (issue 12): the pledges of scoped members and units, and their progress entries
    pledges = {
        r.end
        for lb in ("Unit", "Member")
        for r in _out_rels(store, lb, scope[lb], batch_size)
        if r.type == "PLEDGES"
    }
    provided["Pledge"] = pledges
    provided["PledgeProgress"] = _ids(store, "pledge.progress_ids", pledges, batch_size)
    # Venues and goods (issue 12): the bookings and allocations of the scoped offerings.
    provided["Booking"] = _ids(store, "venue.export.bookings_of", provided["Offering"], batch_size)
    provided["Allocation"] = _ids(store, "venue.export.allocations_of", provided["Offering"], batch_size)
    # Sign-ups of scoped members (issue 12 point 4): roster places, attendance and hours.
    provided["Signup"] = {
        r.end for r in _out_rels(store, "Member", scope["Member"], batch_size) if r.type == "SIGNED_UP"
    }
    return {**scope, **provided}


def collect(store: GraphStore, *, scope_org_id: str | None, batch_size: int = PAGE) -> GraphData:
    """The nodes and relationships to export: the whole graph, or the scope of ``scope_org_id``."""
    data = GraphData()
    if scope_org_id is None:
        for label in EXPORT_LABELS:
            data.nodes[label] = _all_nodes(store, label, batch_size)
    else:
        scope = _scope(store, scope_org_id, batch_size)
        for label in EXPORT_LABELS:
            if label == "Category":
                data.nodes[label] = _all_nodes(store, label, batch_size)
            else:
                data.nodes[label] = _nodes(store, label, scope.get(label, set()), batch_size)
    exported = data.ids()
    for label, rows in data.nodes.items():
        for rel in _out_rels(store, label, (n["id"] for n in rows), batch_size):
            if (rel.end_label, rel.end) in exported:
                data.rels.append(rel)
    data.rels.sort(key=lambda r: (r.type, r.start_label, r.start, r.end_label, r.end))
    return data
