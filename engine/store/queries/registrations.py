"""双报到 registrations (issue 12): a unit or an in-service member registers with a community (a
pending Registration), the community's secretary accepts (the REPORTS_TO tie is made) or declines
with a reason; each write one statement with its audit entry and the outbox notification."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock
from engine.store.queries.outbox import notify, provider_account, secretaries_of
from engine.store.registry import Statement, cypher

_VIEW = """
RETURN r {.*} AS registration, p.id AS registrant_id, p.name AS registrant_name,
       o.id AS org_id, o.name AS org_name
"""

LIST = cypher(
    "registration.list",
    "read",
    f"""
    MATCH (p)-[:REGISTERS]->(r:Registration)-[:REGISTERS_AT]->(o:Org)
    WHERE ($org_ids IS NULL OR o.id IN $org_ids) AND ($registrant_id IS NULL OR p.id = $registrant_id)
      AND ($status IS NULL OR r.status = $status)
    WITH r, p, o ORDER BY r.created_at DESC, r.id SKIP $skip LIMIT $limit
    {_VIEW}
    """,
    "registrations with some communities (or all) or of one registrant, by status, newest first",
)

DETAIL = cypher(
    "registration.detail",
    "read",
    f"""
    MATCH (p)-[:REGISTERS]->(r:Registration {{id: $id}})-[:REGISTERS_AT]->(o:Org)
    {_VIEW}
    """,
    "one registration with its registrant and community",
)

# Per registrant label: a pending registration unless one is pending already or the tie exists.
SUBMIT: dict[str, Statement] = {
    label: cypher(
        f"registration.submit.{label}",
        "write",
        f"""
        MATCH (p:{label} {{id: $registrant_id}})
        MATCH (o:Org {{id: $org_id}})
        {lock("p")}
        WITH p, o,
             size([(p)-[:REGISTERS]->(pr:Registration)-[:REGISTERS_AT]->(po:Org)
                   WHERE pr.status = 'pending' AND po.id = $org_id | pr]) AS pending,
             size([(p)-[:REPORTS_TO]->(ro:Org) WHERE ro.id = $org_id | ro]) AS reported
        WITH p, o WHERE pending = 0 AND reported = 0
        CREATE (r:Registration) SET r = $props
        CREATE (p)-[:REGISTERS]->(r)
        CREATE (r)-[:REGISTERS_AT]->(o)
        {AUDIT}
        {
            notify(
                "r, o",
                secretaries_of("[o.id]"),
                kind="'registration'",
                title="'双报到申请:' + $registrant_name",
                label="Registration",
                entity_id="r.id",
            )
        }
        RETURN r.id AS id
        """,
        f"a {label.lower()} registers with a community (双报到): pending, unless a registration is "
        "pending there or the tie exists (the registrant is locked first); the community's "
        "secretaries are notified",
    )
    for label in ("Unit", "Member")
}


def _decide(name: str, status: str, tie: str, words: str) -> Statement:
    return cypher(
        f"registration.{name}",
        "write",
        f"""
        MATCH (r:Registration {{id: $id}})
        {lock("r")}
        WITH r
        WHERE r.status = 'pending'
        MATCH (p)-[:REGISTERS]->(r)-[:REGISTERS_AT]->(o:Org)
        SET r.status = '{status}', r.decision_reason = $reason, r.decided_at = $now,
            r.decided_by = $actor, r.updated_at = $now
        {tie}
        {AUDIT}
        {
            notify(
                "r, p, o",
                provider_account("p"),
                kind="'registration_decided'",
                title=f"'{words}' + o.name",
                label="Registration",
                entity_id="r.id",
                actor="$actor",
            )
        }
        RETURN r.id AS id
        """,
        f"the community's secretary {name}s a pending registration (locked, checked again)"
        + (", making the REPORTS_TO tie" if tie else "")
        + "; the registrant's account is notified",
    )


ACCEPT = _decide(
    "accept",
    "accepted",
    "MERGE (p)-[tie:REPORTS_TO]->(o) ON CREATE SET tie.since = $today",
    "双报到已接收:",
)
DECLINE = _decide("decline", "declined", "", "双报到未被接收:")
