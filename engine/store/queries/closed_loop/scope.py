"""Jurisdiction reads: an org's subtree, the orgs a provider is tied to, what kind a holder is."""

from __future__ import annotations

from engine.store.registry import Statement, cypher
from graph_schema.domain import PROVIDERS

SUBTREE = cypher(
    "loop.scope.subtree",
    "read",
    "MATCH (root:Org {id: $org_id})-[:LEADS*0..]->(o:Org) RETURN DISTINCT o.id AS id",
    "ids of an org and every org it leads, transitively: a planner's or secretary's jurisdiction",
)

# Formal ties of a provider to orgs, plus the orgs whose needs it has served.
_TIES = {
    "Unit": "[(p)-[:REPORTS_TO]->(o:Org) | o.id]",
    "Member": (
        "[(p)-[:BELONGS_TO]->(o:Org) | o.id] + [(p)-[:REPORTS_TO]->(o2:Org) | o2.id] "
        "+ [(p)-[:JOINS]->(o3:Org) | o3.id]"
    ),
}
PROVIDER_ORGS: dict[str, Statement] = {}  # by label
for _label in PROVIDERS:
    PROVIDER_ORGS[_label] = cypher(
        f"loop.scope.provider_orgs.{_label}",
        "read",
        f"""
        MATCH (p:{_label} {{id: $id}})
        RETURN {_TIES[_label]}
             + [(p)-[:SERVES]->(:Project)-[:FULFILLS]->(:Need)-[:POSTED_BY]->(o4:Org) | o4.id] AS org_ids
        """,
        "orgs a provider reports to, belongs to, joins or has served: who may see its records",
    )

HOLDER_KIND = cypher(
    "loop.scope.holder_kind",
    "read",
    """
    MATCH (x:Unit {id: $id}) RETURN 'Unit' AS kind
    UNION MATCH (x:Member {id: $id}) RETURN 'Member' AS kind
    UNION MATCH (x:Org {id: $id}) RETURN 'Org' AS kind
    """,
    "whether an id names a unit, a member or an org (points holders, raters, ratees)",
)
