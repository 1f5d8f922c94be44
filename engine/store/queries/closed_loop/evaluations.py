"""Evaluations 一事一评 and 双向评价: the community rates each provider of a completed project
(the project is evaluated once all are rated), each provider rates the community; read."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock
from engine.store.registry import Statement, cypher
from graph_schema.domain import PROVIDERS

# Point entries made in Python (rule, points) and attached here; each list holds 0 or 1 entry.
_CREDIT = """
FOREACH (x IN ${param} | CREATE (pe:PointEntry) SET pe = x
  CREATE (pe)-[:CREDITS]->({holder}) CREATE (pe)-[:FOR_PROJECT]->(p))
"""

_ROOT = f"""
MATCH (p:Project {{id: $project_id}})-[:FULFILLS]->(n:Need)-[:POSTED_BY]->(o:Org)
{lock("n")}
"""

RATE_PROVIDER: dict[str, Statement] = {}  # by label
RATE_COMMUNITY: dict[str, Statement] = {}  # by label
for _label in PROVIDERS:
    RATE_PROVIDER[_label] = cypher(
        f"loop.evaluation.rate_provider.{_label}",
        "write",
        f"""
        {_ROOT}
        WITH p, n, o
        MATCH (q:{_label} {{id: $provider_id}})-[:SERVES]->(p)
        WITH p, n, o, q,
             size([(q)<-[:RATES]-(e0:Evaluation)-[:ABOUT]->(p0:Project)
                   WHERE e0.direction = 'community_to_provider' AND p0.id = p.id | e0]) AS already
        WHERE p.status = 'completed' AND already = 0
        CREATE (e:Evaluation) SET e = $evaluation
        CREATE (e)-[:ABOUT]->(p)
        CREATE (e)-[:RATES]->(q)
        CREATE (o)-[:GAVE]->(e)
        {_CREDIT.format(param="ratee_points", holder="q")}
        {_CREDIT.format(param="rater_points", holder="o")}
        WITH p, n, e, size([(x1)-[:SERVES]->(p) | x1]) AS crew,
             size([(p)<-[:ABOUT]-(e1:Evaluation) WHERE e1.direction = 'community_to_provider' | e1]) AS rated
        SET p.status = CASE WHEN rated >= crew THEN 'evaluated' ELSE p.status END,
            n.status = CASE WHEN rated >= crew THEN 'evaluated' ELSE n.status END,
            p.updated_at = $now, n.updated_at = $now
        {AUDIT}, audit.after = $after_head + ',"project_status":"' + p.status + '"}}'
        RETURN e.id AS id, p.status AS project_status
        """,
        "the community rates one provider of a completed project once (points to both by rule); "
        "the project and need become evaluated when every provider is rated",
    )
    RATE_COMMUNITY[_label] = cypher(
        f"loop.evaluation.rate_community.{_label}",
        "write",
        f"""
        {_ROOT}
        WITH p, n, o
        MATCH (q:{_label} {{id: $provider_id}})-[:SERVES]->(p)
        WITH p, o, q, size([(q)-[:GAVE]->(e0:Evaluation)-[:ABOUT]->(p0:Project) WHERE p0.id = p.id | e0])
             AS already
        WHERE p.status IN ['completed', 'evaluated'] AND already = 0
        CREATE (e:Evaluation) SET e = $evaluation
        CREATE (e)-[:ABOUT]->(p)
        CREATE (e)-[:RATES]->(o)
        CREATE (q)-[:GAVE]->(e)
        {_CREDIT.format(param="ratee_points", holder="o")}
        {_CREDIT.format(param="rater_points", holder="q")}
        {AUDIT}, audit.after = $after_head + ',"project_status":"' + p.status + '"}}'
        RETURN e.id AS id, p.status AS project_status
        """,
        "a provider of a completed project rates the community's organisation of it once",
    )

FOR_PROJECT = cypher(
    "loop.evaluation.for_project",
    "read",
    """
    MATCH (g)-[:GAVE]->(e:Evaluation)-[:ABOUT]->(p:Project {id: $project_id})
    MATCH (e)-[:RATES]->(r)
    RETURN e {.*} AS evaluation, g.id AS rater_id, labels(g)[0] AS rater_kind,
           r.id AS ratee_id, labels(r)[0] AS ratee_kind
    ORDER BY e.created_at, e.id
    """,
    "every evaluation of a project, both directions, with who rated whom",
)
