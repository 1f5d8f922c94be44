"""Reports: the needs an org and its subtree posted in a period, with what the three rates of
接诉即办 need (first claim time, status, community ratings)."""

from __future__ import annotations

from engine.store.registry import cypher

NEEDS_IN_PERIOD = cypher(
    "loop.report.needs",
    "read",
    """
    MATCH (root:Org {id: $org_id})-[:LEADS*0..]->(o:Org)
    WITH DISTINCT o
    MATCH (n:Need)-[:POSTED_BY]->(o)
    WHERE n.created_at >= $start AND n.created_at < $end
    RETURN n.id AS id, n.status AS status, n.category AS category, n.created_at AS created_at,
           [(c:Claim)-[:FOR]->(n) | c.created_at] AS claim_times,
           [(n)<-[:FULFILLS]-(:Project)<-[:ABOUT]-(e:Evaluation)
            WHERE e.direction = 'community_to_provider' | e.rating] AS ratings
    """,
    "per need posted by an org's subtree in [start, end): status, category, claim times, ratings",
)

POINTS_IN_PERIOD = cypher(
    "loop.report.points",
    "read",
    """
    MATCH (root:Org {id: $org_id})-[:LEADS*0..]->(o:Org)
    WITH DISTINCT o
    MATCH (e:PointEntry)-[:FOR_PROJECT]->(:Project)-[:FULFILLS]->(:Need)-[:POSTED_BY]->(o)
    WHERE e.at >= $start AND e.at < $end
    MATCH (e)-[c:CREDITS]->(h)
    RETURN h.id AS holder_id, labels(h)[0] AS kind,
           CASE WHEN labels(h)[0] = 'Member' THEN null ELSE h.name END AS name,
           toInteger(sum(e.points)) AS points, count(c) AS entries
    ORDER BY points DESC, holder_id
    """,
    "points credited in [start, end) for the projects of an org's subtree, per holder (积分 for 考核)",
)
