"""Directory reads for the loop's pages: an org and its subtree, a unit, a member, the members of
some orgs, and the ties and names of people that decide who sees their personal data."""

from __future__ import annotations

from engine.store.registry import Statement, cypher
from graph_schema.domain import PROVIDERS


def _ref(var: str) -> str:
    """The id-and-name map of node ``var``. Each pattern comprehension of a statement names its node
    apart: FalkorDB 4.16 binds a name reused in a later comprehension to the first one's node, so
    that list came back empty (a unit's own orgs and areas, a member's posts and branches)."""
    return f"{{id: {var}.id, name: {var}.name}}"


ORG = cypher(
    "dir.org.detail",
    "read",
    """
    MATCH (o:Org {id: $id})
    WITH o, [(p:Org)-[:LEADS]->(o) | {id: p.id, name: p.name}] AS parents,
         size([(o)-[r:LEADS]->(c:Org) | c]) AS children
    RETURN o {.id, .name, .level, .kind, .org_type, .basis} AS org, parents, children
    """,
    "one org: its public fields, the org that leads it and how many it leads",
)

TREE = cypher(
    "dir.org.tree",
    "read",
    """
    MATCH (root:Org {id: $id})-[:LEADS*0..]->(o:Org)
    WITH DISTINCT o
    WITH o, [(p:Org)-[:LEADS]->(o) | p.id] AS parent_ids,
         [(o)-[:COVERS]->(a:Area) | {id: a.id, name: a.name, level: a.level}] AS areas,
         size([(m:Member)-[r:BELONGS_TO]->(o) | m]) AS members
    RETURN o {.id, .name, .level, .kind} AS org, parent_ids, areas, members
    ORDER BY o.id
    """,
    "an org and every org it leads, each with its parent, the areas it covers and its member count",
)

UNIT = cypher(
    "dir.unit.detail",
    "read",
    f"""
    MATCH (u:Unit {{id: $id}})
    WITH u, [(u)-[:REPORTS_TO]->(t:Org) | {_ref("t")}] AS reports_to,
         [(e:Org)-[:EMBEDDED_IN]->(u) | {_ref("e")}] AS own_orgs,
         [(u)-[:LOCATED_IN]->(a:Area) | {_ref("a")}] AS areas,
         size([(u)-[of:OFFERS]->(f:Offering) WHERE f.status = 'active' | f]) AS active_offerings
    RETURN u {{.*}} AS unit, reports_to, own_orgs, areas, active_offerings
    """,
    "one unit with the orgs it reports to, its own party orgs, its area and active offerings",
)

_MEMBER_TIES = f"""
WITH m, [(m)-[:BELONGS_TO]->(b:Org) | {_ref("b")}] AS belongs_to,
     [(m)-[:REPORTS_TO]->(t:Org) | {_ref("t")}] AS reports_to,
     [(m)-[:JOINS]->(j:Org) | {_ref("j")}] AS joins,
     [(m)-[h:HOLDS]->(p:Org) WHERE h.until IS NULL | {{id: p.id, name: p.name, role: h.role}}] AS holds
RETURN m {{.*}} AS member, belongs_to, reports_to, joins, holds
"""

MEMBER = cypher(
    "dir.member.detail",
    "read",
    f"""
    MATCH (m:Member {{id: $id}})
    {_MEMBER_TIES}
    """,
    "one member with the orgs it belongs to, reports to, joins and holds posts in",
)

MEMBERS = cypher(
    "dir.member.list",
    "read",
    f"""
    MATCH (m:Member)-[r:BELONGS_TO|REPORTS_TO]->(o:Org)
    WHERE o.id IN $org_ids
    WITH DISTINCT m
    WITH m ORDER BY m.id SKIP $skip LIMIT $limit
    {_MEMBER_TIES}
    """,
    "members that belong or report to some orgs (a community's roll), by id",
)

# The orgs whose secretary may see a person's personal data: a member's formal affiliation and
# the community it reports to (在职党员到社区报到); a unit's 双报到 community and its own orgs.
_TIES = {
    "Member": "[(p)-[:BELONGS_TO]->(o:Org) | o.id] + [(p)-[:REPORTS_TO]->(o2:Org) | o2.id]",
    "Unit": "[(p)-[:REPORTS_TO]->(o:Org) | o.id] + [(o2:Org)-[:EMBEDDED_IN]->(p) | o2.id]",
}
PERSONAL_TIES: dict[str, Statement] = {}  # by label
PERSONAL_NAMES: dict[str, Statement] = {}  # by label
for _label in PROVIDERS:
    PERSONAL_TIES[_label] = cypher(
        f"dir.personal.ties.{_label}",
        "read",
        f"""
        UNWIND $ids AS pid
        MATCH (p:{_label} {{id: pid}})
        RETURN p.id AS id, {_TIES[_label]} AS org_ids
        """,
        "the orgs that entitle their secretary to see these people's personal data",
    )
    PERSONAL_NAMES[_label] = cypher(
        f"dir.personal.names.{_label}",
        "read",
        f"""
        UNWIND $ids AS pid
        MATCH (p:{_label} {{id: pid}})
        RETURN p.id AS id, p.name AS name
        """,
        "names of some providers (a member's name is personal data, masked by the caller)",
    )
