"""Needs 需求清单: post, read, list, edit while open, cancel, and the expiry sweep."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, STALE, lock, status_json
from engine.store.registry import cypher

# Active claims of a need, its still-unstarted project and the venue bookings its claims made:
# what cancelling or expiring undoes.
_UNDO = """
WITH n, old, [(c:Claim)-[:FOR]->(n) WHERE c.status = 'active' | c] AS claims,
     [(p:Project)-[:FULFILLS]->(n) WHERE p.status = 'claimed' | p] AS projects,
     [(b:Booking)-[:BOOKED_FOR]->(n) WHERE b.status = 'active' AND b.claim_id IS NOT NULL | b] AS bookings
SET n.status = $status, n.status_reason = $reason, n.updated_at = $now
FOREACH (c IN claims | SET c.status = 'cancelled', c.status_reason = $reason, c.updated_at = $now)
FOREACH (p IN projects | SET p.status = 'cancelled', p.updated_at = $now)
FOREACH (b IN bookings | SET b.status = 'cancelled', b.status_reason = $reason, b.updated_at = $now)
"""

_VIEW = """
RETURN n {.*} AS need, o.id AS org_id, o.name AS org_name, ar.id AS area_id, ar.name AS area_name,
       [(c:Claim)-[:FOR]->(n) WHERE c.status = 'active' | c.id] AS active_claims,
       [(q)-[:MAKES]->(c2:Claim)-[:FOR]->(n) WHERE c2.status = 'active' | q.id] AS active_providers,
       [(q2)-[:MAKES]->(:Claim)-[:FOR]->(n) | q2.id] AS claimant_ids,
       [(p:Project)-[:FULFILLS]->(n) WHERE p.status <> 'cancelled' | p.id] AS project_ids
"""

POST = cypher(
    "loop.need.post",
    "write",
    f"""
    MATCH (o:Org {{id: $org_id}})
    CREATE (n:Need) SET n = $props
    CREATE (n)-[:POSTED_BY]->(o)
    WITH n
    OPTIONAL MATCH (ar:Area {{id: $area_id}})
    FOREACH (x IN CASE WHEN ar IS NULL THEN [] ELSE [ar] END | CREATE (n)-[:LOCATED_IN]->(x))
    {AUDIT}
    RETURN n.id AS id
    """,
    "a secretary posts a need for an org of their community; one audit entry",
)

DETAIL = cypher(
    "loop.need.detail",
    "read",
    f"""
    MATCH (n:Need {{id: $id}})-[:POSTED_BY]->(o:Org)
    OPTIONAL MATCH (n)-[:LOCATED_IN]->(ar:Area)
    WITH n, o, ar
    {_VIEW}
    """,
    "one need with its org, area, active claims and project",
)

_FILTER = """
($status IS NULL OR n.status = $status)
AND ($category IS NULL OR n.category = $category OR n.category STARTS WITH $category_prefix)
"""

LIST = cypher(
    "loop.need.list",
    "read",
    f"""
    MATCH (n:Need)-[:POSTED_BY]->(o:Org)
    WHERE o.id IN $org_ids AND {_FILTER}
    WITH n, o ORDER BY n.created_at DESC, n.id SKIP $skip LIMIT $limit
    OPTIONAL MATCH (n)-[:LOCATED_IN]->(ar:Area)
    WITH n, o, ar ORDER BY n.created_at DESC, n.id
    {_VIEW}
    """,
    "needs posted by some orgs, by status and category (a top category includes its items)",
)

# Without an org filter the page is cut before the join to the org (every need has one: posting
# and the importer make it): on the district demo the public list of open needs went from 13 ms
# to 3.3 ms (the join ran for all 3,398 open needs first; a pattern predicate instead: 171 ms).
LIST_ALL = cypher(
    "loop.need.list_all",
    "read",
    f"""
    MATCH (n:Need)
    WHERE {_FILTER}
    WITH n ORDER BY n.created_at DESC, n.id SKIP $skip LIMIT $limit
    MATCH (n)-[:POSTED_BY]->(o:Org)
    OPTIONAL MATCH (n)-[:LOCATED_IN]->(ar:Area)
    WITH n, o, ar ORDER BY n.created_at DESC, n.id
    {_VIEW}
    """,
    "needs of every org, by status and category (a top category includes its items)",
)

EDIT = cypher(
    "loop.need.edit",
    "write",
    f"""
    MATCH (n:Need {{id: $id}})
    {lock("n")}
    WITH n, size([(c:Claim)-[:FOR]->(n) WHERE c.status = 'active' | c]) AS taken, {STALE.format(v="n")}
    WHERE n.status = 'open' AND size(stale) = 0 AND taken < coalesce($props.people_wanted, n.people_wanted)
    SET n += $props
    {AUDIT}
    RETURN n.id AS id
    """,
    "edit an open need if it still holds the values the edit was based on (compare-and-set)",
)

CANCEL = cypher(
    "loop.need.cancel",
    "write",
    f"""
    MATCH (n:Need {{id: $id}})
    {lock("n")}
    WITH n, n.status AS old
    WHERE old IN ['open', 'claimed']
    {_UNDO}
    {AUDIT}, audit.before = {status_json("old")}
    RETURN n.id AS id
    """,
    "cancel an open or claimed need with a reason: its active claims and unstarted project too",
)

EXPIRE = cypher(
    "loop.need.expire",
    "write",
    f"""
    MATCH (n:Need)
    WHERE n.status IN ['open', 'claimed'] AND n.window_end < $now
    WITH n ORDER BY n.window_end, n.id LIMIT $limit
    {lock("n")}
    WITH n, n.status AS old
    WHERE old IN ['open', 'claimed'] AND n.window_end < $now
    {_UNDO}
    {AUDIT}, audit.id = $audit_id_prefix + replace(randomUUID(), '-', ''), audit.entity_id = n.id,
        audit.before = {status_json("old")}
    RETURN n.id AS id
    """,
    "expire up to $limit open or claimed needs past their window, one audit entry each ($audit has "
    "no id: each entry's is made per row, as Neo4j checks uniqueness before the row's later SETs)",
)
