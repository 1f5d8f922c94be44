"""Projects 项目清单: start, log hours per provider, complete (with points per hour served),
report a problem and resolve it; read and list."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock
from engine.store.registry import cypher
from graph_schema.domain import PROVIDERS

_VIEW = """
RETURN p {.*} AS project, n.id AS need_id, n.title AS need_title, n.status AS need_status,
       n.category AS category, o.id AS org_id, o.name AS org_name,
       [(q)-[s:SERVES]->(p) | {provider_id: q.id, provider_kind: labels(q)[0],
                               offering_id: s.offering_id, hours: s.hours}] AS providers,
       [(r:ProblemReport)-[:ON]->(p) | r {.*}] AS problems
"""

# Every status change of a project locks its need first: the need is the aggregate root.
_ROOT = f"""
MATCH (p:Project {{id: $id}})-[:FULFILLS]->(n:Need)
{lock("n")}
"""

DETAIL = cypher(
    "loop.project.detail",
    "read",
    f"""
    MATCH (p:Project {{id: $id}})-[:FULFILLS]->(n:Need)-[:POSTED_BY]->(o:Org)
    {_VIEW}
    """,
    "one project with its need, org, providers (hours, offering) and problem reports",
)

LIST = cypher(
    "loop.project.list",
    "read",
    f"""
    MATCH (p:Project)-[:FULFILLS]->(n:Need)-[:POSTED_BY]->(o:Org)
    WHERE ($org_ids IS NULL OR o.id IN $org_ids) AND ($status IS NULL OR p.status = $status)
    WITH p, n, o, [(q0)-[:SERVES]->(p) | q0.id] AS crew
    WHERE $provider_id IS NULL OR $provider_id IN crew
    WITH p, n, o ORDER BY p.created_at DESC, p.id SKIP $skip LIMIT $limit
    {_VIEW}
    """,
    "projects of some orgs' needs or served by a provider, by status",
)

WORK_LOGS = cypher(
    "loop.project.work_logs",
    "read",
    """
    MATCH (q)-[:LOGGED]->(w:WorkLog)-[:ON]->(p:Project {id: $id})
    RETURN w {.*} AS log, q.id AS provider_id, labels(q)[0] AS provider_kind
    ORDER BY w.logged_at, w.id
    """,
    "the hours logged on a project, per provider",
)

START = cypher(
    "loop.project.start",
    "write",
    f"""
    {_ROOT}
    WITH p, n WHERE p.status = 'claimed' AND n.status = 'claimed'
    SET p.status = 'in_progress', p.started_at = $now, p.updated_at = $now,
        n.status = 'in_progress', n.updated_at = $now
    {AUDIT}
    RETURN p.id AS id
    """,
    "start a claimed project: project and need in progress",
)

for _label in PROVIDERS:
    cypher(
        f"loop.project.log_hours.{_label}",
        "write",
        f"""
        {_ROOT}
        WITH p
        MATCH (q:{_label} {{id: $provider_id}})-[s:SERVES]->(p)
        WITH p, q, s WHERE p.status IN ['in_progress', 'problem']
        SET s.hours = coalesce(s.hours, 0.0) + $hours,
            p.hours_total = coalesce(p.hours_total, 0.0) + $hours, p.updated_at = $now
        CREATE (w:WorkLog) SET w = $log
        CREATE (w)-[:ON]->(p)
        CREATE (q)-[:LOGGED]->(w)
        {AUDIT}
        RETURN w.id AS id, s.hours AS provider_hours, p.hours_total AS hours_total
        """,
        "a provider serving a project in progress logs hours: a work log, its SERVES hours and "
        "the project's total",
    )

COMPLETE = cypher(
    "loop.project.complete",
    "write",
    f"""
    {_ROOT}
    WITH p, n WHERE p.status = 'in_progress'
    SET p.status = 'completed', p.completed_at = $now, p.report = $report, p.updated_at = $now,
        n.status = 'completed', n.updated_at = $now
    WITH p, [(q)-[s:SERVES]->(p) | {{provider: q,
             points: toInteger(round(coalesce(s.hours, 0.0) * $points_per_hour))}}] AS credits
    FOREACH (x IN credits | FOREACH (q2 IN CASE WHEN x.points > 0 THEN [x.provider] ELSE [] END |
      CREATE (e:PointEntry)
      SET e.id = randomUUID(), e.points = x.points, e.reason = 'service_hours', e.at = $now,
          e.rule = $rule, e.note = $note
      CREATE (e)-[:CREDITS]->(q2)
      CREATE (e)-[:FOR_PROJECT]->(p)))
    {AUDIT}
    RETURN p.id AS id, [x IN credits WHERE x.points > 0 | {{provider_id: x.provider.id, points: x.points}}]
           AS credited
    """,
    "complete a project in progress with a short report: need completed, and each provider "
    "credited points for the hours it served (rule from the settings)",
)

REPORT_PROBLEM = cypher(
    "loop.project.report_problem",
    "write",
    f"""
    {_ROOT}
    WITH p WHERE p.status IN ['in_progress', 'problem']
    SET p.status = 'problem', p.updated_at = $now
    CREATE (r:ProblemReport) SET r = $problem
    CREATE (r)-[:ON]->(p)
    {AUDIT}
    RETURN r.id AS id
    """,
    "report a problem (问题上报) on a project in progress: the project waits for the secretary",
)

RESOLVE_PROBLEM = cypher(
    "loop.project.resolve_problem",
    "write",
    f"""
    MATCH (r:ProblemReport {{id: $id}})-[:ON]->(p:Project)-[:FULFILLS]->(n:Need)
    {lock("n")}
    WITH r, p WHERE r.status = 'open'
    SET r.status = 'resolved', r.resolution = $resolution, r.resolved_at = $now
    WITH r, p, size([(r2:ProblemReport)-[:ON]->(p) WHERE r2.status = 'open' | r2]) AS still_open
    SET p.status = CASE WHEN still_open = 0 AND p.status = 'problem' THEN 'in_progress' ELSE p.status END,
        p.updated_at = $now
    {AUDIT}, audit.after = $after_head + ',"project_status":"' + p.status + '"}}'
    RETURN r.id AS id, p.status AS project_status, p.id AS project_id
    """,
    "the secretary resolves a problem report; the project resumes when none is left open",
)

PROBLEM_DETAIL = cypher(
    "loop.project.problem_detail",
    "read",
    """
    MATCH (r:ProblemReport {id: $id})-[:ON]->(p:Project)-[:FULFILLS]->(n:Need)-[:POSTED_BY]->(o:Org)
    RETURN r {.*} AS problem, p.id AS project_id, o.id AS org_id
    """,
    "one problem report with its project and the org whose need it is",
)
