"""Results of an org's subtree for a period (述评公开, 述职): the needs posted in [start, end) with the
org that posted each, their projects, who served them and the community's ratings. Rows name a
provider's ``name`` as stored: the services mask members' names before anything leaves them."""

from __future__ import annotations

from engine.store.registry import cypher

_COHORT = """
    MATCH (root:Org {id: $org_id})-[:LEADS*0..]->(o:Org)
    WITH DISTINCT o
    MATCH (n:Need)-[:POSTED_BY]->(o)
    WHERE n.created_at >= $start AND n.created_at < $end
"""

NEEDS = cypher(
    "results.needs",
    "read",
    _COHORT
    + """
    RETURN n.id AS id, o.id AS org_id, n.status AS status, n.category AS category,
           n.created_at AS created_at,
           [(c:Claim)-[:FOR]->(n) | c.created_at] AS claim_times,
           [(n)<-[:FULFILLS]-(:Project)<-[:ABOUT]-(e:Evaluation)
            WHERE e.direction = 'community_to_provider' | e.rating] AS ratings
    ORDER BY id
    """,
    "per need posted by an org's subtree in [start, end): its org, status, claim times, ratings",
)

PROJECTS = cypher(
    "results.projects",
    "read",
    _COHORT
    + """
    MATCH (p:Project)-[:FULFILLS]->(n)
    RETURN p.id AS id, n.id AS need_id, o.id AS org_id, p.title AS title, p.status AS status,
           p.completed_at AS completed_at, coalesce(p.hours_total, 0.0) AS hours,
           n.category AS category, coalesce(n.beneficiary_count, 0) AS beneficiaries
    ORDER BY id
    """,
    "the projects of the needs an org's subtree posted in [start, end), with confirmed hours",
)

SERVES = cypher(
    "results.serves",
    "read",
    _COHORT
    + """
    MATCH (h)-[s:SERVES]->(p:Project)-[:FULFILLS]->(n)
    RETURN p.id AS project_id, o.id AS org_id, labels(h)[0] AS kind, h.id AS provider_id,
           h.name AS name, coalesce(s.hours, 0.0) AS hours
    ORDER BY project_id, provider_id
    """,
    "who served each project of the period's needs, with its confirmed hours (SERVES.hours)",
)

RATINGS = cypher(
    "results.ratings",
    "read",
    _COHORT
    + """
    MATCH (e:Evaluation)-[:ABOUT]->(p:Project)-[:FULFILLS]->(n)
    WHERE e.direction = 'community_to_provider'
    MATCH (e)-[:RATES]->(h)
    RETURN p.id AS project_id, e.rating AS rating, labels(h)[0] AS kind, h.id AS provider_id,
           h.name AS name, e.created_at AS at
    ORDER BY project_id, at, provider_id
    """,
    "一事一评: the community's rating of each provider of the period's projects",
)

ORG = cypher(
    "results.org",
    "read",
    """
    MATCH (o:Org {id: $org_id})
    RETURN o.id AS id, o.name AS name, o.level AS level,
           [(o)-[:LEADS]->(c:Org) | {id: c.id, name: c.name, level: c.level}] AS children
    """,
    "an org's public name and level, and the orgs it leads directly",
)

DESCENDANTS = cypher(
    "results.descendants",
    "read",
    """
    MATCH (:Org {id: $org_id})-[:LEADS]->(c:Org)-[:LEADS*0..]->(d:Org)
    RETURN DISTINCT c.id AS child_id, d.id AS org_id
    """,
    "each org below an org's direct children, with the child it falls under (child comparisons)",
)
