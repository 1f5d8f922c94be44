"""Units' own needs 双向服务 (issue 12, point 5): a resident unit asks its community or street for
help (a permit, a venue, recruiting); the need is posted to that org, REQUESTED_BY the unit, and
served by the community side through the ordinary claim and dispatch."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT
from engine.store.queries.outbox import need_orgs, notify, secretaries_of
from engine.store.registry import cypher

TARGETS = cypher(
    "unit_need.targets",
    "read",
    """
    MATCH (u:Unit {id: $unit_id})
    OPTIONAL MATCH (u)-[:REPORTS_TO]->(r:Org)
    WITH u, collect(DISTINCT r.id) AS reported
    OPTIONAL MATCH (u)-[:LOCATED_IN]->(:Area)<-[:CONTAINS*0..6]-(:Area)<-[:COVERS]-(c:Org)
    WITH reported, collect(DISTINCT c.id) AS covering
    UNWIND reported + covering AS direct
    MATCH (d:Org {id: direct})
    MATCH (up:Org)-[:LEADS*0..4]->(d)
    WITH DISTINCT up, d
    WHERE up.id = d.id OR up.level IN ['community', 'street']
    RETURN DISTINCT up.id AS id, up.name AS name, up.level AS level
    ORDER BY id
    """,
    "the orgs a unit may post its own needs to: those it reports to (双报到) or whose areas hold it, "
    "and the communities and streets leading them",
)

_NOTIFY = notify(
    "n, u",
    secretaries_of("orgs"),
    kind="'unit_need'",
    title="'驻区单位“' + u.name + '”提出需求:' + n.title",
    label="Need",
    entity_id="n.id",
    extra=f"{need_orgs('n')} AS orgs",
)

POST = cypher(
    "unit_need.post",
    "write",
    f"""
    MATCH (u:Unit {{id: $unit_id}})
    MATCH (o:Org {{id: $org_id}})
    CREATE (n:Need) SET n = $props
    CREATE (n)-[:POSTED_BY]->(o)
    CREATE (n)-[:REQUESTED_BY]->(u)
    WITH n, u
    OPTIONAL MATCH (ar:Area {{id: $area_id}})
    FOREACH (x IN CASE WHEN ar IS NULL THEN [] ELSE [ar] END | CREATE (n)-[:LOCATED_IN]->(x))
    {AUDIT}
    {_NOTIFY}
    RETURN n.id AS id
    """,
    "a unit posts its own need (双向服务) to its community or street: the need, its org, the unit "
    "that asked, one audit entry and a notification to the org's secretaries",
)

LIST = cypher(
    "unit_need.list",
    "read",
    """
    MATCH (n:Need)-[:REQUESTED_BY]->(u:Unit)
    MATCH (n)-[:POSTED_BY]->(o:Org)
    WHERE ($unit_id IS NULL OR u.id = $unit_id)
      AND ($org_ids IS NULL OR o.id IN $org_ids)
      AND ($status IS NULL OR n.status = $status)
    WITH n, u, o ORDER BY n.created_at DESC, n.id SKIP $skip LIMIT $limit
    RETURN n {.*} AS need, u.id AS unit_id, u.name AS unit_name, o.id AS org_id, o.name AS org_name,
           [(c:Claim)-[:FOR]->(n) WHERE c.status = 'active' | c.id] AS active_claims,
           [(p:Project)-[:FULFILLS]->(n) WHERE p.status <> 'cancelled' | p.id] AS project_ids
    """,
    "units' own needs, newest first: of one unit, or posted to some orgs, by status",
)

DETAIL = cypher(
    "unit_need.detail",
    "read",
    """
    MATCH (n:Need {id: $id})-[:REQUESTED_BY]->(u:Unit)
    MATCH (n)-[:POSTED_BY]->(o:Org)
    RETURN n {.*} AS need, u.id AS unit_id, u.name AS unit_name, o.id AS org_id, o.name AS org_name,
           [(c:Claim)-[:FOR]->(n) WHERE c.status = 'active' | c.id] AS active_claims,
           [(p:Project)-[:FULFILLS]->(n) WHERE p.status <> 'cancelled' | p.id] AS project_ids
    """,
    "one unit's own need with the unit that asked and the org it was posted to",
)

ORG_PERIOD = cypher(
    "unit_need.org_period",
    "read",
    """
    MATCH (top:Org {id: $org_id})-[:LEADS*0..8]->(o:Org)<-[:POSTED_BY]-(n:Need)-[:REQUESTED_BY]->(u:Unit)
    WHERE n.created_at >= $start AND n.created_at < $end
    RETURN DISTINCT n.id AS id, n.status AS status, u.id AS unit_id
    """,
    "the units' own needs posted to an org and its subtree in [start, end): for its reports",
)

UNIT_PERIOD = cypher(
    "unit_need.unit_period",
    "read",
    """
    MATCH (u:Unit {id: $unit_id})
    RETURN u.name AS name,
           [(n:Need)-[:REQUESTED_BY]->(u) WHERE n.created_at >= $start AND n.created_at < $end
            | n.status] AS asked,
           [(u)-[:MAKES]->(c:Claim)-[:FOR]->(m:Need)
            WHERE c.status = 'active' AND c.created_at >= $start AND c.created_at < $end | m.status] AS served
    """,
    "a unit's two-way record in [start, end): the needs it asked for and the needs it served",
)
