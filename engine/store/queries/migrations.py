"""The statements of the schema's migrations (graph_schema/migrations.py names them in order).

Each is safe to re-run: it touches only what an older version wrote and marks it as it goes.
"""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import lock
from engine.store.registry import cypher

# Version 2: hours are confirmed by the community before they earn points (issue 16). Logs written
# before then have no status: those of finished projects were credited at completion, so they count
# as confirmed; the rest wait for confirmation like new ones. SERVES.hours and Project.hours_total
# now mean confirmed hours and hours_logged everything logged.
cypher(
    "migrate.v2.work_logs",
    "write",
    f"""
    MATCH (w:WorkLog)-[:ON]->(p:Project)
    WHERE w.status IS NULL
    {lock("w")}
    WITH w, p WHERE w.status IS NULL
    WITH w, p, p.status IN ['completed', 'evaluated'] AS done
    SET w.status = CASE WHEN done THEN 'confirmed' ELSE 'pending' END,
        w.confirmed_at = CASE WHEN done THEN coalesce(p.completed_at, w.logged_at) ELSE null END,
        w.confirmed_by = CASE WHEN done THEN 'migration-v2' ELSE null END
    RETURN count(w) AS migrated
    """,
    "v2: work logs before confirmation existed: confirmed on finished projects, else pending",
)

cypher(
    "migrate.v2.serves_hours",
    "write",
    f"""
    MATCH (q)-[s:SERVES]->(p:Project)
    WHERE s.hours_logged IS NULL
    {lock("p")}
    WITH q, s, p WHERE s.hours_logged IS NULL
    WITH s, p, coalesce(s.hours, 0.0) AS logged
    SET s.hours_logged = logged,
        s.hours = CASE WHEN p.status IN ['completed', 'evaluated'] THEN logged ELSE 0.0 END
    RETURN count(s) AS migrated
    """,
    "v2: a provider's hours on a project split into logged and confirmed (unfinished: none yet)",
)

cypher(
    "migrate.v2.project_hours",
    "write",
    f"""
    MATCH (p:Project)
    WHERE p.hours_logged IS NULL
    {lock("p")}
    WITH p WHERE p.hours_logged IS NULL
    WITH p, coalesce(p.hours_total, 0.0) AS logged
    SET p.hours_logged = logged,
        p.hours_total = CASE WHEN p.status IN ['completed', 'evaluated'] THEN logged ELSE 0.0 END
    RETURN count(p) AS migrated
    """,
    "v2: a project's hours split into logged and confirmed (unfinished: none confirmed yet)",
)

# Version 3: unsealed audit entries carry the label ``Unsealed`` (the sealer finds them by it instead
# of scanning the whole trail for a missing ``seq``). Entries written before then and not yet sealed
# get it here; sealed ones never had it.
cypher(
    "migrate.v3.unsealed_audit",
    "write",
    f"""
    MATCH (a:AuditEntry)
    WHERE a.seq IS NULL
    {lock("a")}
    WITH a WHERE a.seq IS NULL
    SET a:Unsealed
    RETURN count(a) AS migrated
    """,
    "v3: audit entries not yet sealed get the label Unsealed the sealer looks them up by",
)
