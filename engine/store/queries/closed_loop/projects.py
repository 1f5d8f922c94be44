"""Projects 项目清单: start, log hours per provider (within the limits Python passes), the
secretary's confirmation of logged hours (points per confirmed hour), a provider's correction
request and its answer, complete, report a problem and resolve it; read and list."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock
from engine.store.queries.outbox import need_orgs, notify, secretaries_of
from engine.store.registry import Statement, cypher
from graph_schema.domain import PROVIDERS

_VIEW = """
RETURN p {.*} AS project, n.id AS need_id, n.title AS need_title, n.status AS need_status,
       n.category AS category, o.id AS org_id, o.name AS org_name,
       n.window_start AS window_start, n.window_end AS window_end, n.people_wanted AS people_wanted,
       [(q)-[s:SERVES]->(p) | {provider_id: q.id, provider_kind: labels(q)[0],
                               offering_id: s.offering_id, hours: s.hours,
                               hours_logged: s.hours_logged}] AS providers,
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

# The hours a log may add, checked under the need's and the provider's locks: the provider's
# hours on the project (at most the time since start and the window's length), the project's
# (at most window × people wanted) and the provider's hours logged that Beijing day (the cap).
_WITHIN_LIMITS = """
WITH p, q, s, w0,
     reduce(t = 0.0, h IN [(q)-[:LOGGED]->(d:WorkLog)
            WHERE d.logged_at >= $day_start AND d.logged_at < $day_end | d.hours] | t + h) AS today
WHERE coalesce(s.hours_logged, 0.0) + $delta <= $provider_max + 0.000001
  AND coalesce(p.hours_logged, 0.0) + $delta <= $total_max + 0.000001
  AND ($delta <= 0 OR today + $delta <= $daily_cap + 0.000001)
"""

LOG_HOURS: dict[str, Statement] = {}  # by label
HOURS_USED: dict[str, Statement] = {}  # by label
for _label in PROVIDERS:
    LOG_HOURS[_label] = cypher(
        f"loop.project.log_hours.{_label}",
        "write",
        f"""
        {_ROOT}
        WITH p
        MATCH (q:{_label} {{id: $provider_id}})-[s:SERVES]->(p)
        {lock("q")}
        WITH p, q, s, null AS w0 WHERE p.status IN ['in_progress', 'problem']
        {_WITHIN_LIMITS}
        SET s.hours_logged = coalesce(s.hours_logged, 0.0) + $delta,
            p.hours_logged = coalesce(p.hours_logged, 0.0) + $delta, p.updated_at = $now
        CREATE (w:WorkLog) SET w = $log
        CREATE (w)-[:ON]->(p)
        CREATE (q)-[:LOGGED]->(w)
        {AUDIT}
        RETURN w.id AS id, s.hours_logged AS provider_hours_logged, p.hours_logged AS hours_logged
        """,
        "a provider serving a project in progress logs hours within the limits: a pending work log "
        "and the logged totals (no points until the secretary confirms)",
    )
    HOURS_USED[_label] = cypher(
        f"loop.project.hours_used.{_label}",
        "read",
        f"""
        MATCH (q:{_label} {{id: $provider_id}})-[s:SERVES]->(p:Project {{id: $id}})
        RETURN coalesce(s.hours_logged, 0.0) AS provider_logged,
               coalesce(p.hours_logged, 0.0) AS total_logged,
               reduce(t = 0.0, h IN [(q)-[:LOGGED]->(d:WorkLog)
                      WHERE d.logged_at >= $day_start AND d.logged_at < $day_end | d.hours] | t + h) AS today
        """,
        "a provider's logged hours on a project, the project's, and the provider's on one day",
    )

CONFIRM_HOURS = cypher(
    "loop.project.confirm_hours",
    "write",
    f"""
    {_ROOT}
    WITH p WHERE p.status IN ['in_progress', 'problem', 'completed', 'evaluated']
    WITH p, [(w:WorkLog)-[:ON]->(p) WHERE w.status = 'pending' | w] AS pending
    WITH p, pending,
         [x IN $logs WHERE size([w IN pending WHERE w.id = x.id AND w.hours = x.hours]) = 1] AS fresh
    WHERE size($logs) > 0 AND size(fresh) = size($logs)
    FOREACH (x IN $logs | FOREACH (w IN [w2 IN pending WHERE w2.id = x.id] |
      SET w.status = 'confirmed', w.confirmed_at = $now, w.confirmed_by = $by, w.points = x.points))
    SET p.hours_total = coalesce(p.hours_total, 0.0) + $hours, p.updated_at = $now
    WITH p
    UNWIND $providers AS c
    MATCH (q)-[s:SERVES]->(p) WHERE q.id = c.provider_id
    SET s.hours = coalesce(s.hours, 0.0) + c.hours
    FOREACH (e0 IN CASE WHEN c.points > 0 THEN [c.entry] ELSE [] END |
      CREATE (e:PointEntry) SET e = e0
      CREATE (e)-[:CREDITS]->(q)
      CREATE (e)-[:FOR_PROJECT]->(p))
    WITH p, count(s) AS providers
    {AUDIT}
    RETURN p.id AS id, providers
    """,
    "the need's secretary confirms pending work logs (each still pending with the hours read): "
    "confirmed hours on SERVES and the project, and a ledger entry per provider",
)

REQUEST_CORRECTION = cypher(
    "loop.project.request_correction",
    "write",
    f"""
    {_ROOT}
    WITH p
    MATCH (q)-[:LOGGED]->(w:WorkLog {{id: $log_id}})-[:ON]->(p)
    WITH p, w WHERE q.id = $provider_id AND labels(q)[0] = $provider_kind
         AND coalesce(w.correction_status, '') <> 'pending'
         AND p.status IN ['in_progress', 'problem', 'completed', 'evaluated']
    SET w.correction_hours = $hours, w.correction_reason = $reason, w.correction_status = 'pending',
        w.correction_requested_at = $now, w.correction_decided_at = null, w.correction_answer = null
    {AUDIT}
    RETURN w.id AS id
    """,
    "a provider asks the secretary to correct one of its work logs (one open request per log)",
)

ACCEPT_CORRECTION = cypher(
    "loop.project.accept_correction",
    "write",
    f"""
    {_ROOT}
    WITH p
    MATCH (q)-[:LOGGED]->(w0:WorkLog {{id: $log_id}})-[:ON]->(p)
    MATCH (q)-[s:SERVES]->(p)
    {lock("q")}
    WITH p, q, s, w0 WHERE w0.correction_status = 'pending' AND w0.correction_hours = $new_hours
         AND w0.hours = $old_hours AND w0.status = $log_status
    {_WITHIN_LIMITS}
    SET w0.hours = $new_hours, w0.correction_status = 'accepted', w0.correction_decided_at = $now,
        w0.correction_answer = $answer,
        w0.points = CASE WHEN w0.status = 'confirmed' THEN w0.points + $points_delta ELSE w0.points END,
        s.hours_logged = coalesce(s.hours_logged, 0.0) + $delta,
        p.hours_logged = coalesce(p.hours_logged, 0.0) + $delta,
        s.hours = coalesce(s.hours, 0.0) + $confirmed_delta,
        p.hours_total = coalesce(p.hours_total, 0.0) + $confirmed_delta, p.updated_at = $now
    FOREACH (e0 IN CASE WHEN $points_delta <> 0 THEN [$entry] ELSE [] END |
      CREATE (e:PointEntry) SET e = e0
      CREATE (e)-[:CREDITS]->(q)
      CREATE (e)-[:FOR_PROJECT]->(p))
    {AUDIT}
    RETURN w0.id AS id
    """,
    "the secretary accepts a correction: the log's hours replaced, totals moved and, for a "
    "confirmed log, the points difference as a new ledger entry",
)

DECLINE_CORRECTION = cypher(
    "loop.project.decline_correction",
    "write",
    f"""
    {_ROOT}
    WITH p
    MATCH (w:WorkLog {{id: $log_id}})-[:ON]->(p)
    WITH w WHERE w.correction_status = 'pending'
    SET w.correction_status = 'declined', w.correction_decided_at = $now, w.correction_answer = $answer
    {AUDIT}
    RETURN w.id AS id
    """,
    "the secretary declines a correction request: the log keeps its hours",
)

# Everyone is told of a completion, its actor too: the provider who completes is asked to rate
# the community like the secretary is asked to rate the provider.
_NOTIFY_COMPLETE = notify(
    "p, n",
    secretaries_of("orgs") + " OR (acc.role = 'unit' AND acc.subject_id IN units)"
    " OR (acc.role = 'member' AND acc.subject_id IN members)",
    kind="'evaluation_due'",
    title="CASE WHEN acc.role = 'secretary' THEN '项目“' + p.title + '”已完成,请评价服务方' "
    "ELSE '项目“' + p.title + '”已完成,请评价社区' END",
    label="Project",
    entity_id="p.id",
    extra=f"{need_orgs('n')} AS orgs, [(qu:Unit)-[:SERVES]->(p) | qu.id] AS units, "
    "[(qm:Member)-[:SERVES]->(p) | qm.id] AS members",
    actor="''",
)
COMPLETE = cypher(
    "loop.project.complete",
    "write",
    f"""
    {_ROOT}
    WITH p, n WHERE p.status = 'in_progress'
    SET p.status = 'completed', p.completed_at = $now, p.report = $report, p.updated_at = $now,
        n.status = 'completed', n.updated_at = $now
    {AUDIT}
    {_NOTIFY_COMPLETE}
    RETURN p.id AS id
    """,
    "complete a project in progress with a short report: need completed (points for hours come "
    "when the secretary confirms them, not here)",
)

_NOTIFY_PROBLEM = notify(
    "r, p",
    secretaries_of("orgs"),
    kind="'problem'",
    title="'项目“' + p.title + '”有问题上报'",
    label="Project",
    entity_id="p.id",
    extra="[(p)-[:FULFILLS]->(pn:Need)-[:POSTED_BY]->(po:Org) | po.id] + "
    "[(p)-[:FULFILLS]->(:Need)-[:POSTED_BY]->(:Org)<-[:LEADS]-(pl:Org) | pl.id] AS orgs",
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
    {_NOTIFY_PROBLEM}
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
