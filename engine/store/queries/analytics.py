"""Reads that project the graph into networkx for the planners' analytics (engine/analytics).

Nodes are read per label in pages keyed on ``id`` (``WHERE n.id > $after ORDER BY n.id LIMIT
$limit``: each page starts from the id index instead of skipping rows; FalkorDB 4.16 answers
``>`` on an indexed string exactly but not ``<``, so pages never use an upper bound), as plain
columns (maps cost the client several times more). Relationships are read per type and endpoint
pair for batches of start ids (``UNWIND $ids``), with the type's properties as columns. A planner's
scope (an org and everything under it) is resolved by a few ``UNWIND $ids`` expansions, one
relationship pattern each.
"""

from __future__ import annotations

from engine.store.registry import Statement, cypher
from graph_schema.domain import SCHEMA

# Labels the analytics project; the closed loop's bookkeeping (logs, evaluations, points, audit)
# and the accounts stay out.
PROJECTED_LABELS = (
    "Category",
    "Area",
    "Org",
    "Unit",
    "Member",
    "Agreement",
    "Need",
    "Offering",
    "Project",
    "Claim",
)
# Long free texts and contact details are not analysed, so they are not read.
UNPROJECTED_PROPS = frozenset(
    {
        "description",
        "terms",
        "report",
        "address",
        "phone",
        "contact_name",
        "contact_phone",
        "status_reason",
        "note",
    }
)


def projected_props(label: str) -> tuple[str, ...]:
    """The properties of ``label`` the projection reads."""
    return tuple(p.name for p in SCHEMA.label(label).props if p.name not in UNPROJECTED_PROPS)


def projected_pairs() -> list[tuple[str, str, str]]:
    """(type, start label, end label) of every relationship the projection reads."""
    return [
        (r.name, s, e)
        for r in SCHEMA.rel_types
        for s, e in r.endpoint_pairs()
        if s in PROJECTED_LABELS and e in PROJECTED_LABELS
    ]


def page_stmt(label: str) -> str:
    """Name of the statement that reads one page of ``label`` nodes after a given id."""
    return f"analytics.page.{label}"


def nodes_stmt(label: str) -> str:
    """Name of the statement that reads the ``label`` nodes with the given ids."""
    return f"analytics.nodes.{label}"


def edges_stmt(rel_type: str, start: str, end: str) -> str:
    """Name of the statement reading ``rel_type`` relationships from some ``start`` nodes to ``end`` nodes."""
    return f"analytics.edges.{rel_type}.{start}.{end}"


def _register_nodes(label: str) -> list[Statement]:
    columns = ", ".join(f"n.{p} AS {p}" for p in projected_props(label))
    return [
        cypher(
            page_stmt(label),
            "read",
            f"MATCH (n:{label}) WHERE n.id > $after WITH n ORDER BY n.id LIMIT $limit RETURN {columns}",
            f"one page of {label} nodes in id order after id $after, the analysed properties as columns",
        ),
        cypher(
            nodes_stmt(label),
            "read",
            f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) RETURN {columns}",
            f"the {label} nodes $ids, the analysed properties as columns",
        ),
    ]


def _register_edges(rel_type: str, start: str, end: str) -> Statement:
    props = "".join(f", r.{p.name} AS {p.name}" for p in SCHEMA.rel(rel_type).props)
    return cypher(
        edges_stmt(rel_type, start, end),
        "read",
        f"""
        UNWIND $ids AS id
        MATCH (a:{start} {{id: id}})-[r:{rel_type}]->(b:{end})
        RETURN a.id AS start_id, b.id AS end_id{props}
        """,
        f"the {rel_type} relationships from the {start} nodes $ids to {end} nodes, for the projection",
    )


for _label in PROJECTED_LABELS:
    _register_nodes(_label)
for _rel, _start, _end in projected_pairs():
    _register_edges(_rel, _start, _end)

# A planner's scope, one expansion per pattern: (name, label of the $ids, pattern, label found).
SCOPE_STEPS: dict[str, tuple[str, str, str]] = {
    "areas_covered": ("Org", "-[:COVERS]->(:Area)-[:CONTAINS*0..]->", "Area"),
    "units_in_areas": ("Area", "<-[:LOCATED_IN]-", "Unit"),
    "units_of_orgs": ("Org", "-[:REPORTS_TO|EMBEDDED_IN]-", "Unit"),
    "units_of_agreements": ("Agreement", "<-[:PARTY_TO]-", "Unit"),
    "orgs_in_units": ("Unit", "<-[:EMBEDDED_IN]-", "Org"),
    "members_of_orgs": ("Org", "<-[:BELONGS_TO|REPORTS_TO|JOINS|HOLDS]-", "Member"),
    "members_in_areas": ("Area", "<-[:LIVES_IN]-", "Member"),
    "needs_of_orgs": ("Org", "<-[:POSTED_BY]-", "Need"),
    "needs_in_areas": ("Area", "<-[:LOCATED_IN]-", "Need"),
    "offerings_of_units": ("Unit", "-[:OFFERS]->", "Offering"),
    "offerings_of_members": ("Member", "-[:OFFERS]->", "Offering"),
    "projects_of_needs": ("Need", "<-[:FULFILLS]-", "Project"),
    "claims_of_needs": ("Need", "<-[:FOR]-", "Claim"),
    "agreements_of_units": ("Unit", "-[:PARTY_TO]->", "Agreement"),
    "agreements_of_orgs": ("Org", "-[:PARTY_TO]->", "Agreement"),
}


def scope_stmt(step: str) -> str:
    """Name of the scope expansion ``step`` (a key of SCOPE_STEPS)."""
    return f"analytics.scope.{step}"


def _register_scope_step(step: str, source: str, pattern: str, found: str) -> Statement:
    return cypher(
        scope_stmt(step),
        "read",
        f"UNWIND $ids AS id MATCH (:{source} {{id: id}}){pattern}(x:{found}) RETURN DISTINCT x.id AS id",
        f"scope expansion: {found} ids reached from the {source} nodes $ids",
    )


for _step, (_source, _pattern, _found) in SCOPE_STEPS.items():
    _register_scope_step(_step, _source, _pattern, _found)
