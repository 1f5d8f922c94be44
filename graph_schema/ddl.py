"""DDL rendered per backend from the schema: unique ids, lookup indexes, full-text indexes.

Neo4j statements are plain Cypher with ``IF NOT EXISTS`` (safe to re-run). FalkorDB has no
``IF NOT EXISTS``: its operations carry what the store must check before running them, and
its unique constraint is the ``GRAPH.CONSTRAINT`` command, not Cypher.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from graph_schema.domain import SCHEMA
from graph_schema.model import Schema


class IndexKind(StrEnum):
    """What an index is for."""

    UNIQUE = "unique"  # unique constraint on id (implies a lookup index)
    LOOKUP = "lookup"  # exact-match / range index on one property
    FULLTEXT = "fulltext"  # full-text search over text properties


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """One index or constraint the graph must have."""

    kind: IndexKind
    label: str
    props: tuple[str, ...]

    @property
    def name(self) -> str:
        """A stable name, used by Neo4j and in reports."""
        return f"{self.label.lower()}_{'_'.join(self.props)}_{self.kind.value}"


# Properties filtered on by the use cases, beyond id.
LOOKUP_PROPS: dict[str, tuple[str, ...]] = {
    "Org": ("level",),
    "Area": ("level",),
    "Unit": ("type",),
    "Need": ("status", "category"),
    "Offering": ("status", "category"),
    "Project": ("status",),
    "Claim": ("status",),
    "ProblemReport": ("status",),
    "AuditEntry": ("entity_id", "at", "seq", "actor", "action"),
    "Notification": ("account_id", "delivery"),  # an inbox and its badge, the outbox's due ones
}


def index_specs(schema: Schema = SCHEMA) -> list[IndexSpec]:
    """Every index and constraint of the schema, unique ids first."""
    specs = [IndexSpec(IndexKind.UNIQUE, lb.name, ("id",)) for lb in schema.labels]
    for label, props in LOOKUP_PROPS.items():
        specs += [IndexSpec(IndexKind.LOOKUP, label, (p,)) for p in props]
    specs += [IndexSpec(IndexKind.FULLTEXT, lb.name, lb.fulltext) for lb in schema.labels if lb.fulltext]
    return specs


# Neo4j's analyzer for the full-text indexes: 'cjk' indexes Chinese as overlapping character
# bigrams (助老助餐 → 助老 老助 助餐), so a phrase query of any two or more characters finds the
# texts that contain them (engine/services/search.py). FalkorDB's full-text indexes keep their
# default tokenizer; search does not use them there (engine/store/queries/search.py says why).
NEO4J_FULLTEXT_ANALYZER = "cjk"


def neo4j_ddl(spec: IndexSpec) -> str:
    """The Neo4j 5 statement for one spec, safe to re-run."""
    if spec.kind is IndexKind.UNIQUE:
        return (
            f"CREATE CONSTRAINT {spec.name} IF NOT EXISTS "
            f"FOR (n:{spec.label}) REQUIRE n.{spec.props[0]} IS UNIQUE"
        )
    if spec.kind is IndexKind.LOOKUP:
        return f"CREATE INDEX {spec.name} IF NOT EXISTS FOR (n:{spec.label}) ON (n.{spec.props[0]})"
    each = ", ".join(f"n.{p}" for p in spec.props)
    return (
        f"CREATE FULLTEXT INDEX {spec.name} IF NOT EXISTS FOR (n:{spec.label}) ON EACH [{each}] "
        f"OPTIONS {{indexConfig: {{`fulltext.analyzer`: '{NEO4J_FULLTEXT_ANALYZER}'}}}}"
    )


def neo4j_statements(schema: Schema = SCHEMA) -> list[str]:
    """All Neo4j DDL of the schema, in the order to apply it."""
    return [neo4j_ddl(s) for s in index_specs(schema)]


def falkordb_index_cypher(spec: IndexSpec) -> str:
    """FalkorDB's Cypher for an exact-match or full-text index (a unique spec needs one first)."""
    if spec.kind is IndexKind.FULLTEXT:
        args = ", ".join(f"'{p}'" for p in spec.props)
        return f"CALL db.idx.fulltext.createNodeIndex('{spec.label}', {args})"
    return f"CREATE INDEX FOR (n:{spec.label}) ON (n.{spec.props[0]})"


def falkordb_constraint_command(graph: str, spec: IndexSpec) -> list[str | int]:
    """The ``GRAPH.CONSTRAINT CREATE`` command for a unique spec."""
    return [
        "GRAPH.CONSTRAINT",
        "CREATE",
        graph,
        "UNIQUE",
        "NODE",
        spec.label,
        "PROPERTIES",
        len(spec.props),
        *spec.props,
    ]
