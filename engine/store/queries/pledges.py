"""Pledges 公开承诺 ("1+3", issue 12, point 6): a member's or unit's public commitments to an org
where it belongs, a ledger of progress entries, the secretary's review, and what the public reads."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, STALE, lock, provider_name
from engine.store.queries.outbox import notify, provider_account, secretaries_of
from engine.store.registry import Statement, cypher
from graph_schema.domain import PROVIDERS

# The orgs a provider may pledge to: a member's own branch, the community it reports to (在职党员
# 报到) and the 三缘 branches it joins; a unit's 双报到 org and the orgs whose areas hold it.
_ORG_TIES = {
    "Member": "(q)-[t:BELONGS_TO|REPORTS_TO|JOINS]->(o:Org)",
    "Unit": "(q)-[t:REPORTS_TO]->(o:Org)",
}
# The secretaries who review a pledge: of its org and of the org leading it (a grid's community).
_REVIEWERS = "[o.id] + [(o)<-[:LEADS]-(pl:Org) | pl.id] AS reviewing_orgs"


def _tell_reviewers(title: str, at: str = "$now") -> str:
    """Notify the pledge's reviewers (``p`` in ``o``) with ``title`` (a Cypher expression)."""
    return notify(
        "p, o",
        secretaries_of("reviewing_orgs"),
        kind="'pledge'",
        title=title,
        label="Pledge",
        entity_id="p.id",
        extra=_REVIEWERS,
        at=at,
    )


_NEW = _tell_reviewers("'新的公开承诺待审核:' + p.title")
_REVIEWED = notify(
    "p, q",
    provider_account("q"),
    kind="'pledge'",
    title="CASE WHEN p.review = 'approved' THEN '您的公开承诺已审核公示:' "
    "ELSE '您的公开承诺被退回:' END + p.title",
    label="Pledge",
    entity_id="p.id",
)
ORGS: dict[str, Statement] = {}
CREATE: dict[str, Statement] = {}
for _label in PROVIDERS:
    ORGS[_label] = cypher(
        f"pledge.orgs.{_label}",
        "read",
        f"""
        MATCH (q:{_label} {{id: $provider_id}})
        MATCH {_ORG_TIES[_label]}
        WITH o, min(CASE type(t) WHEN 'BELONGS_TO' THEN 0 WHEN 'REPORTS_TO' THEN 1 ELSE 2 END) AS rank
        RETURN o.id AS id, o.name AS name, o.level AS level
        ORDER BY rank, id
        """,
        "the orgs a provider may make its public commitments to: its own branch first, then the "
        "community it reports to, then the 三缘 branches it joins",
    )
    CREATE[_label] = cypher(
        f"pledge.create.{_label}",
        "write",
        f"""
        MATCH (q:{_label} {{id: $provider_id}})
        MATCH (o:Org {{id: $org_id}})
        CREATE (p:Pledge) SET p = $props
        CREATE (q)-[:PLEDGES]->(p)
        CREATE (p)-[:PLEDGED_TO]->(o)
        {AUDIT}
        {_NEW}
        RETURN p.id AS id
        """,
        "a member or unit makes a public commitment to one of its orgs (pending review); one audit "
        "entry and a notification to the org's secretaries",
    )

_VIEW = f"""
RETURN p {{.*}} AS pledge, q.id AS provider_id, labels(q)[0] AS provider_kind,
       {provider_name("q")} AS unit_name, q.name AS name, o.id AS org_id, o.name AS org_name
"""

DETAIL = cypher(
    "pledge.detail",
    "read",
    f"""
    MATCH (q)-[:PLEDGES]->(p:Pledge {{id: $id}})-[:PLEDGED_TO]->(o:Org)
    {_VIEW},
    [(e:PledgeProgress)-[:PROGRESS_OF]->(p) | e {{.*}}] AS progress
    """,
    "one pledge with its provider, org and progress entries",
)

LIST = cypher(
    "pledge.list",
    "read",
    f"""
    MATCH (q)-[:PLEDGES]->(p:Pledge)-[:PLEDGED_TO]->(o:Org)
    WHERE ($provider_id IS NULL OR (q.id = $provider_id AND labels(q)[0] = $provider_kind))
      AND ($org_ids IS NULL OR o.id IN $org_ids)
      AND ($review IS NULL OR p.review = $review)
      AND ($status IS NULL OR p.status = $status)
    WITH q, p, o ORDER BY p.created_at DESC, p.id SKIP $skip LIMIT $limit
    {_VIEW}
    """,
    "pledges of a provider or of some orgs, by review and status, newest first",
)

PUBLIC = cypher(
    "pledge.public",
    "read",
    f"""
    MATCH (top:Org {{id: $org_id}})-[:LEADS*0..8]->(o:Org)<-[:PLEDGED_TO]-(p:Pledge)<-[:PLEDGES]-(q)
    WHERE p.review = 'approved' AND p.status <> 'withdrawn'
    WITH DISTINCT q, p, o ORDER BY p.created_at DESC, p.id LIMIT $limit
    {_VIEW},
    [(e:PledgeProgress)-[:PROGRESS_OF]->(p) | e {{.*}}] AS progress
    """,
    "the reviewed public commitments of an org and its subtree (public results page)",
)

PROGRESS = cypher(
    "pledge.progress",
    "write",
    f"""
    MATCH (p:Pledge {{id: $id}})
    {lock("p")}
    WITH p, coalesce(p.percent, 0) AS before
    WHERE p.status = 'active' AND $entry.percent >= before
    CREATE (e:PledgeProgress) SET e = $entry
    CREATE (e)-[:PROGRESS_OF]->(p)
    SET p.percent = $entry.percent, p.updated_at = $now,
        p.status = CASE WHEN $entry.percent >= 100 THEN 'completed' ELSE 'active' END
    {AUDIT}, audit.before = '{{"percent":' + toString(before) + '}}'
    RETURN p.status AS status, p.percent AS percent
    """,
    "a progress entry on an active pledge: its percent never goes back; 100% completes the pledge",
)

REVIEW = cypher(
    "pledge.review",
    "write",
    f"""
    MATCH (q)-[:PLEDGES]->(p:Pledge {{id: $id}})
    {lock("p")}
    WITH q, p, p.review AS before
    WHERE p.status <> 'withdrawn'
    SET p.review = $review, p.review_note = $note, p.reviewed_at = $now, p.updated_at = $now
    {AUDIT}, audit.before = '{{"review":"' + coalesce(before, 'pending') + '"}}'
    {_REVIEWED}
    RETURN p.review AS review
    """,
    "the org's secretary approves (公示) or returns a pledge; its provider is told",
)

_EDITED = _tell_reviewers("'公开承诺已修改,待重新审核:' + p.title", at="$audit.at")

EDIT = cypher(
    "pledge.edit",
    "write",
    f"""
    MATCH (p:Pledge {{id: $id}})-[:PLEDGED_TO]->(o:Org)
    {lock("p")}
    WITH p, o, {STALE.format(v="p")}
    WHERE p.status = 'active' AND size(stale) = 0
    SET p += $props
    {AUDIT}
    {_EDITED}
    RETURN p.id AS id
    """,
    "the provider edits an active pledge if it still holds the values the edit was based on "
    "(compare-and-set); it goes back to review, and the org's secretaries are told",
)

WITHDRAW = cypher(
    "pledge.withdraw",
    "write",
    f"""
    MATCH (p:Pledge {{id: $id}})
    {lock("p")}
    WITH p
    WHERE p.status = 'active'
    SET p.status = 'withdrawn', p.updated_at = $now
    {AUDIT}
    RETURN p.status AS status
    """,
    "the provider withdraws an active pledge",
)

PROGRESS_IDS = cypher(
    "pledge.progress_ids",
    "read",
    """
    MATCH (e:PledgeProgress)-[:PROGRESS_OF]->(p:Pledge)
    WHERE p.id IN $ids
    RETURN e.id AS id
    """,
    "the progress entries of some pledges (the scoped export)",
)
