"""Requests 诉求 (issue 11): submit into a community's intake queue, list the queue, find likely
duplicates, turn a request into a need, merge it into one, close it; each write one statement."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock
from engine.store.queries.directory import PERSONAL_TIES
from engine.store.queries.outbox import notify
from engine.store.registry import cypher


def _notify_submitter(carry: str, title: str) -> str:
    """Tell the grid worker who submitted request ``q`` (if one did) that its status changed."""
    return notify(
        carry,
        "q.submitted_by IS NOT NULL AND acc.id = q.submitted_by",
        kind="'request_status'",
        title=title,
        label="Request",
        entity_id="q.id",
        actor="$actor",
    )


# Submissions of the last day by the same contact key and the same address key (the limits).
_COUNTS = """
OPTIONAL MATCH (r:Request)
WHERE r.created_at >= $since AND (r.contact_key = $contact_key OR r.address_key = $address_key)
WITH {keep} toInteger(sum(CASE WHEN r.contact_key = $contact_key THEN 1 ELSE 0 END)) AS by_contact,
     toInteger(sum(CASE WHEN r.address_key = $address_key THEN 1 ELSE 0 END)) AS by_address
"""

# A request as staff and the public timeline read it: its properties, community, linked need.
_VIEW = """
RETURN q {.*} AS request, o.id AS org_id, o.name AS org_name,
       [(q)-[:BECAME]->(n:Need) | n {.id, .title, .status, .status_reason, .updated_at}] AS needs
"""

PLACES = cypher(
    "intake.places",
    "read",
    """
    MATCH (o:Org {level: 'community'})-[:COVERS]->(:Area)-[:CONTAINS*0..4]->(a:Area)
    RETURN DISTINCT o.id AS org_id, o.name AS org_name, a.id AS area_id, a.name AS area_name,
           a.level AS level, a.lat AS lat, a.lon AS lon
    """,
    "every community with the areas it covers and contains: where a request lands",
)

COUNTS = cypher(
    "intake.counts",
    "read",
    f"""
    {_COUNTS.format(keep="")}
    RETURN by_contact, by_address
    """,
    "requests of the last day by one contact key and by one address key (the submission limits)",
)

SUBMIT = cypher(
    "intake.submit",
    "write",
    f"""
    MATCH (o:Org {{id: $org_id}})
    {lock("o")}
    WITH o
    {_COUNTS.format(keep="o,")}
    WHERE by_contact < $contact_limit AND by_address < $address_limit
    CREATE (q:Request) SET q = $props
    CREATE (q)-[:QUEUED_AT]->(o)
    {AUDIT}
    RETURN q.id AS id
    """,
    "a request enters a community's queue unless its contact or address is past the day's limit "
    "(the community is locked first, so concurrent submissions there count each other)",
)

QUEUE = cypher(
    "intake.queue",
    "read",
    f"""
    MATCH (q:Request)-[:QUEUED_AT]->(o:Org)
    WHERE ($org_ids IS NULL OR o.id IN $org_ids) AND ($status IS NULL OR q.status = $status)
      AND ($submitted_by IS NULL OR q.submitted_by = $submitted_by)
    WITH q, o ORDER BY q.created_at DESC, q.id SKIP $skip LIMIT $limit
    {_VIEW}
    """,
    "requests of some communities (or all), by status or submitting account, newest first",
)

DETAIL = cypher(
    "intake.detail",
    "read",
    f"""
    MATCH (q:Request {{id: $id}})-[:QUEUED_AT]->(o:Org)
    {_VIEW}
    """,
    "one request by its tracking code, with its community and need",
)

OPEN_IN = cypher(
    "intake.open_in",
    "read",
    """
    MATCH (q:Request)-[:QUEUED_AT]->(o:Org)
    WHERE o.id IN $org_ids AND q.category IN $categories AND q.status IN ['queued', 'converted', 'merged']
    WITH q, o
    OPTIONAL MATCH (q)-[:BECAME]->(n:Need)
    WITH q, o, n
    WHERE n IS NULL OR n.status IN $open_needs
    RETURN q.id AS id, o.id AS org_id, q.category AS category, q.description AS description,
           q.lat AS lat, q.lon AS lon, q.address_key AS address_key, q.created_at AS created_at
    ORDER BY q.created_at DESC, q.id LIMIT $limit
    """,
    "requests still open (queued, or their need not yet done) of some communities and categories: "
    "the candidates for likely duplicates",
)

CONVERT = cypher(
    "intake.convert",
    "write",
    f"""
    MATCH (q:Request {{id: $id}})
    {lock("q")}
    WITH q
    WHERE q.status = 'queued'
    MATCH (o:Org {{id: $org_id}})
    CREATE (n:Need) SET n = $need
    CREATE (n)-[:POSTED_BY]->(o)
    CREATE (q)-[:BECAME]->(n)
    SET q.status = 'converted', q.decided_at = $now, q.decided_by = $actor, q.updated_at = $now
    WITH q, n
    OPTIONAL MATCH (ar:Area {{id: $area_id}})
    FOREACH (x IN CASE WHEN ar IS NULL THEN [] ELSE [ar] END | CREATE (n)-[:LOCATED_IN]->(x))
    {AUDIT}
    CREATE (posted:AuditEntry:Unsealed) SET posted = $need_audit
    {_notify_submitter("q, n", "'诉求 ' + q.id + ' 已转为服务需求:' + n.title")}
    RETURN n.id AS id
    """,
    "a secretary turns a queued request into a need of the community: the need, the link, the "
    "request's new status, both audit entries and the submitting grid worker's notification in "
    "one statement",
)

MERGE_INTO = cypher(
    "intake.merge",
    "write",
    f"""
    MATCH (q:Request {{id: $id}})
    {lock("q")}
    WITH q
    MATCH (n:Need {{id: $need_id}})
    {lock("n")}
    WITH q, n
    WHERE q.status = 'queued' AND n.status IN $open_needs
    CREATE (q)-[:BECAME]->(n)
    SET q.status = 'merged', q.decided_at = $now, q.decided_by = $actor, q.updated_at = $now
    {AUDIT}
    {_notify_submitter("q, n", "'诉求 ' + q.id + ' 已并入服务需求:' + n.title")}
    RETURN q.id AS id
    """,
    "a secretary merges a queued request into an existing open need of the community (the "
    "submitting grid worker is notified)",
)

CLOSE = cypher(
    "intake.close",
    "write",
    f"""
    MATCH (q:Request {{id: $id}})
    {lock("q")}
    WITH q
    WHERE q.status = 'queued'
    SET q.status = 'closed', q.status_reason = $reason, q.decided_at = $now, q.decided_by = $actor,
        q.updated_at = $now
    {AUDIT}
    {_notify_submitter("q", "'诉求 ' + q.id + ' 已办结:' + $reason_short")}
    RETURN q.id AS id
    """,
    "a secretary closes a queued request with a reason the resident sees (the submitting grid "
    "worker is notified)",
)

TIES = cypher(
    "dir.personal.ties.Request",
    "read",
    """
    UNWIND $ids AS pid
    MATCH (q:Request {id: pid})-[:QUEUED_AT]->(o:Org)
    RETURN q.id AS id, [o.id] AS org_ids
    """,
    "the community whose secretary may see a request's contact (personal data)",
)
PERSONAL_TIES["Request"] = TIES  # the personal-data rule picks its ties statement by label
