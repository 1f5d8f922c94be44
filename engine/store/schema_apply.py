"""Bring a graph to the current schema: indexes and constraints, then pending migrations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from engine.store.base import GraphStore
from engine.store.queries import meta as meta_queries
from graph_schema.ddl import index_specs
from graph_schema.domain import SCHEMA_VERSION
from graph_schema.migrations import pending


@dataclass
class SchemaReport:
    """What ``apply_schema`` did."""

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    migrations: list[int] = field(default_factory=list)
    version_before: int | None = None
    version: int = SCHEMA_VERSION


def current_version(store: GraphStore) -> int | None:
    """The schema version recorded in the graph, or None for a graph never set up."""
    row = store.one(meta_queries.SCHEMA_VERSION_GET)
    return int(row["version"]) if row and row["version"] is not None else None


def apply_schema(store: GraphStore) -> SchemaReport:
    """Create missing indexes and constraints and run pending migrations; safe to re-run."""
    report = SchemaReport(version_before=current_version(store))
    specs = index_specs()
    for spec, created in zip(specs, store.ensure_indexes(specs), strict=True):
        (report.created if created else report.existing).append(spec.name)
    for migration in pending(report.version_before):
        for name in migration.statements:
            store.run(name)
        report.migrations.append(migration.version)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    store.run(meta_queries.SCHEMA_VERSION_SET, {"version": SCHEMA_VERSION, "applied_at": now})
    return report
