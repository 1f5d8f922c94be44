"""Statements of the exporter: one organisation's scope, step by step, and nodes' outgoing relationships.

Every statement takes a batch of ids (``UNWIND $ids``) so the exporter pages through any size of
graph in bounded queries; the scope rules themselves (which step follows which) live in
engine/exporting.
"""

from __future__ import annotations

from engine.store.registry import cypher
from graph_schema.domain import SCHEMA

ORG_TREE = cypher(
    "export.scope.org_tree",
    "read",
    "UNWIND $ids AS id MATCH (:Org {id: id})-[:LEADS*0..]->(x:Org) RETURN DISTINCT x.id AS id",
    "these orgs and every org they lead, at any depth",
)

AREAS_COVERED = cypher(
    "export.scope.areas_covered",
    "read",
    """
    UNWIND $ids AS id
    MATCH (:Org {id: id})-[:COVERS]->(a:Area)
    MATCH (a)-[:CONTAINS*0..]->(x:Area)
    RETURN DISTINCT x.id AS id
    """,
    "areas these orgs cover and every area those contain",
)

UNITS_IN_AREAS = cypher(
    "export.scope.units_in_areas",
    "read",
    "UNWIND $ids AS id MATCH (u:Unit)-[:LOCATED_IN]->(:Area {id: id}) RETURN DISTINCT u.id AS id",
    "units located in these areas",
)

EMBEDDED_ORGS = cypher(
    "export.scope.embedded_orgs",
    "read",
    """
    UNWIND $ids AS id
    MATCH (o:Org)-[:EMBEDDED_IN]->(:Unit {id: id})
    MATCH (o)-[:LEADS*0..]->(x:Org)
    RETURN DISTINCT x.id AS id
    """,
    "party orgs embedded in these units, and the orgs they lead",
)

MEMBERS_OF_ORGS = cypher(
    "export.scope.members_of_orgs",
    "read",
    "UNWIND $ids AS id MATCH (m:Member)-[:BELONGS_TO]->(:Org {id: id}) RETURN DISTINCT m.id AS id",
    "members whose formal affiliation is one of these orgs",
)

NEEDS_OF_ORGS = cypher(
    "export.scope.needs_of_orgs",
    "read",
    "UNWIND $ids AS id MATCH (n:Need)-[:POSTED_BY]->(:Org {id: id}) RETURN DISTINCT n.id AS id",
    "needs posted by these orgs",
)

PROJECTS_OF_NEEDS = cypher(
    "export.scope.projects_of_needs",
    "read",
    "UNWIND $ids AS id MATCH (p:Project)-[:FULFILLS]->(:Need {id: id}) RETURN DISTINCT p.id AS id",
    "projects that fulfil these needs",
)


def out_stmt(label: str) -> str:
    """Name of the statement listing the outgoing relationships of a batch of ``label`` nodes."""
    return f"export.out.{label}"


for _label in sorted({s for rel in SCHEMA.rel_types for s in rel.starts}):
    cypher(
        out_stmt(_label),
        "read",
        f"""
        UNWIND $ids AS id
        MATCH (a:{_label} {{id: id}})-[r]->(b)
        RETURN type(r) AS type, a.id AS start_id, labels(b)[0] AS end_label, b.id AS end_id,
               properties(r) AS props
        """,
        f"outgoing relationships of a batch of {_label} nodes",
    )
