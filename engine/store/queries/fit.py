"""Fit when claiming (issue 12, point 8): what a self-claim's fit check reads, and the secretary's
per-need and per-org 允许跨类认领 switches (each one audited statement)."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT
from engine.store.registry import cypher

FIT = cypher(
    "fit.claim_fit",
    "read",
    """
    MATCH (n:Need {id: $need_id})-[:POSTED_BY]->(o:Org)
    MATCH (f:Offering {id: $offering_id})
    OPTIONAL MATCH (up:Org)-[:LEADS*0..8]->(o)
    WITH n, f, collect(DISTINCT coalesce(up.allow_cross_category, false)) AS flags
    RETURN n.category AS need_category, coalesce(n.skills, []) AS need_skills,
           f.category AS offering_category, coalesce(f.skills, []) AS offering_skills,
           coalesce(n.allow_cross_category, false) OR true IN flags AS allowed,
           [(n)-[:REQUESTED_BY]->(u:Unit) | u.id][0] AS requester_id
    """,
    "a need's category, skills and 跨类认领 switches (its own, its org's or a leading org's) beside "
    "an offering's category and skills, and the unit that asked for the need (双向服务)",
)

NEED_ORG = cypher(
    "fit.need_org",
    "read",
    """
    MATCH (n:Need {id: $id})-[:POSTED_BY]->(o:Org)
    RETURN o.id AS org_id, coalesce(n.allow_cross_category, false) AS allow
    """,
    "the org of a need and its 跨类认领 switch, before a secretary changes it",
)

SET_NEED = cypher(
    "fit.set_need",
    "write",
    f"""
    MATCH (n:Need {{id: $id}})
    SET n.allow_cross_category = $allow, n.updated_at = $now
    {AUDIT}
    RETURN n.allow_cross_category AS allow
    """,
    "a secretary allows or stops cross-category claims of one need; one audit entry",
)

SET_ORG = cypher(
    "fit.set_org",
    "write",
    f"""
    MATCH (o:Org {{id: $id}})
    SET o.allow_cross_category = $allow, o.updated_at = $now
    {AUDIT}
    RETURN o.allow_cross_category AS allow
    """,
    "a secretary allows or stops cross-category claims of every need of an org and the orgs it "
    "leads; one audit entry",
)
