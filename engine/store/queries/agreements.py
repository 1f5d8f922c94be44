"""Agreements 共建协议 / 双向服务协议 (issue 12): made, renewed and terminated in place, each write one
statement with its audit entry; the expiry warning job MERGEs one notification per agreement, term
and account. The parties: the community or street org (甲方, ``party_a``) and the unit (乙方)."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock
from engine.store.registry import cypher

# An agreement with its two parties as lists and views read it.
_VIEW = """
RETURN a {.*} AS agreement, o.id AS org_id, o.name AS org_name, u.id AS unit_id, u.name AS unit_name
"""

LIST = cypher(
    "agreement.list",
    "read",
    f"""
    MATCH (o:Org)-[:PARTY_TO]->(a:Agreement)<-[:PARTY_TO]-(u:Unit)
    WHERE ($org_ids IS NULL OR o.id IN $org_ids) AND ($unit_id IS NULL OR u.id = $unit_id)
      AND ($status IS NULL OR a.status = $status)
    WITH a, o, u ORDER BY a.valid_to, a.id SKIP $skip LIMIT $limit
    {_VIEW}
    """,
    "agreements of some orgs (or all) or of one unit, by status, soonest end first",
)

DETAIL = cypher(
    "agreement.detail",
    "read",
    f"""
    MATCH (o:Org)-[:PARTY_TO]->(a:Agreement {{id: $id}})<-[:PARTY_TO]-(u:Unit)
    WITH a, o, u LIMIT 1
    {_VIEW}
    """,
    "one agreement with its org and unit parties",
)

CREATE = cypher(
    "agreement.create",
    "write",
    f"""
    MATCH (o:Org {{id: $org_id}})
    MATCH (u:Unit {{id: $unit_id}})
    CREATE (a:Agreement) SET a = $props
    CREATE (o)-[:PARTY_TO {{role: 'party_a'}}]->(a)
    CREATE (u)-[:PARTY_TO {{role: 'party_b'}}]->(a)
    {AUDIT}
    RETURN a.id AS id
    """,
    "a secretary signs an agreement between its community or street and a unit: the node, both "
    "parties and the audit entry in one statement",
)

RENEW = cypher(
    "agreement.renew",
    "write",
    f"""
    MATCH (a:Agreement {{id: $id}})
    {lock("a")}
    WITH a
    WHERE a.status IN ['active', 'expired']
      AND (a.valid_to = $before_valid_to OR (a.valid_to IS NULL AND $before_valid_to IS NULL))
    SET a.valid_to = $valid_to, a.status = 'active', a.renewals = coalesce(a.renewals, []) + [$entry],
        a.updated_at = $now
    {AUDIT}
    RETURN a.id AS id
    """,
    "renew an agreement still in force or expired to a later end date (compare-and-set on the end "
    "date it had; the renewal is appended to its history)",
)

TERMINATE = cypher(
    "agreement.terminate",
    "write",
    f"""
    MATCH (a:Agreement {{id: $id}})
    {lock("a")}
    WITH a
    WHERE a.status IN ['active', 'expired']
    SET a.status = 'terminated', a.terminated_on = $today, a.termination_reason = $reason,
        a.updated_at = $now
    {AUDIT}
    RETURN a.id AS id
    """,
    "terminate an agreement with a reason",
)

EXPIRING = cypher(
    "job.remind.agreement_expiring",
    "write",
    f"""
    MATCH (o:Org)-[:PARTY_TO]->(a:Agreement)<-[:PARTY_TO]-(u:Unit)
    WHERE a.status = 'active' AND a.valid_to >= $today AND a.valid_to <= $horizon
    WITH a, u, [o.id] + [(pl:Org)-[:LEADS]->(o) | pl.id] AS orgs
    MATCH (acc:Account)
    WHERE acc.active = true
      AND ((acc.role = 'secretary' AND acc.scope_org_id IN orgs)
           OR (acc.role = 'unit' AND acc.subject_id = u.id))
    WITH DISTINCT a, acc
    {lock("a")}
    WITH a, acc WHERE a.status = 'active'
    MERGE (note:Notification {{id: 'agreement_expiring:' + a.id + ':' + a.valid_to + ':' + acc.id}})
    ON CREATE SET note.account_id = acc.id, note.kind = 'agreement_expiring',
        note.title = '协议即将到期(' + a.valid_to + '):' + a.title,
        note.entity_label = 'Agreement', note.entity_id = a.id, note.created_at = $now,
        note.dedupe = 'agreement_expiring:' + a.id + ':' + a.valid_to, note.job_run = $run,
        note.delivery = CASE WHEN acc.email IS NULL THEN 'none' ELSE 'pending' END,
        note.attempts = 0, note.next_attempt_at = $now
    WITH count(note) AS matched, toInteger(sum(CASE WHEN note.job_run = $run THEN 1 ELSE 0 END)) AS created
    {AUDIT}, audit.after = '{{"matched":' + toString(matched) + ',"created":' + toString(created) + '}}'
    RETURN matched, created
    """,
    "warn the secretaries of an agreement's org (and of the org leading it) and the unit's account "
    "that the agreement ends within the warning days: once per agreement, end date and account "
    "(a renewal warns again before its new end); one audit entry with the counts",
)
