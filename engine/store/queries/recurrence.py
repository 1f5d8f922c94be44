"""Statements of recurring needs 常态化共建项目 (issue 12, point 3).

A ``Series`` holds the RFC 5545 rule and the need's template; its occurrences are ordinary
``Need`` nodes ``OCCURRENCE_OF`` it (so claims, projects, hours, points and evaluations work per
occurrence unchanged). A provider's ``Commitment`` to the whole series is a standing promise: it is
applied to each open future occurrence by a claim of ``via = 'series'``. The series is the aggregate
root of its commitments and of generating occurrences (locked first); an occurrence is the root of
its claims (locked first), as any need.
"""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, CREATE_CLAIM, fill_need, lock
from engine.store.queries.outbox import notify, secretaries_of
from engine.store.registry import Statement, cypher
from graph_schema.domain import PROVIDERS

_ORGS = "[(s)-[:POSTED_BY]->(so:Org) | so.id] + [(s)-[:POSTED_BY]->(:Org)<-[:LEADS]-(sl:Org) | sl.id]"
_PROVIDER_NAME = "CASE WHEN {v}:Unit THEN {v}.name ELSE null END"

# Occurrences ($occurrences: one props map each) of series s posted by o, at area ar when there is one.
_OCCURRENCES = """
UNWIND $occurrences AS occ
CREATE (n:Need) SET n = occ
CREATE (n)-[:POSTED_BY]->(o)
CREATE (n)-[:OCCURRENCE_OF]->(s)
FOREACH (x IN CASE WHEN ar IS NULL THEN [] ELSE [ar] END | CREATE (n)-[:LOCATED_IN]->(x))
WITH s, count(n) AS made
"""

CREATE = cypher(
    "recurrence.series.create",
    "write",
    f"""
    MATCH (o:Org {{id: $org_id}})
    CREATE (s:Series) SET s = $props
    CREATE (s)-[:POSTED_BY]->(o)
    WITH s, o
    OPTIONAL MATCH (ar:Area {{id: $area_id}})
    FOREACH (x IN CASE WHEN ar IS NULL THEN [] ELSE [ar] END | CREATE (s)-[:LOCATED_IN]->(x))
    WITH s, o, ar
    {_OCCURRENCES}
    {AUDIT}
    RETURN s.id AS id, made
    """,
    "a secretary creates a recurring need: the series and its occurrences up to the horizon, one audit entry",
)

EXTEND = cypher(
    "recurrence.series.extend",
    "write",
    f"""
    MATCH (s:Series {{id: $id}})
    {lock("s")}
    WITH s
    WHERE s.status = 'active' AND s.occurrences_generated = $generated
    MATCH (s)-[:POSTED_BY]->(o:Org)
    OPTIONAL MATCH (s)-[:LOCATED_IN]->(ar:Area)
    WITH s, o, ar
    SET s.occurrences_generated = $generated + size($occurrences), s.generated_all = $all,
        s.updated_at = $now
    WITH s, o, ar
    {_OCCURRENCES}
    {AUDIT}
    RETURN s.id AS id, made
    """,
    "generate the next occurrences of an active series if no one did since it was read "
    "($generated is the count read: a second run of the same extension changes nothing)",
)

END = cypher(
    "recurrence.series.end",
    "write",
    f"""
    MATCH (s:Series {{id: $id}})
    {lock("s")}
    WITH s, [(x:Need)-[:OCCURRENCE_OF]->(s) | x.window_end] AS ends
    WITH s, reduce(last = '', e IN ends | CASE WHEN e > last THEN e ELSE last END) AS last
    WHERE s.status = 'active' AND s.generated_all = true AND last < $now
    SET s.status = 'ended', s.status_reason = $reason, s.updated_at = $now
    WITH s
    OPTIONAL MATCH (m:Commitment)-[:TO_SERIES]->(s)
    WHERE m.status = 'active'
    WITH s, collect(m) AS commitments
    FOREACH (m IN commitments | SET m.status = 'ended', m.status_reason = $reason, m.updated_at = $now)
    {AUDIT}
    RETURN s.id AS id
    """,
    "end a series whose occurrences are all generated and over; its active commitments end too",
)

CANCEL = cypher(
    "recurrence.series.cancel",
    "write",
    f"""
    MATCH (s:Series {{id: $id}})
    {lock("s")}
    WITH s
    WHERE s.status = 'active'
    OPTIONAL MATCH (n:Need)-[:OCCURRENCE_OF]->(s)
    WHERE n.window_start > $now
    FOREACH (x IN CASE WHEN n IS NULL THEN [] ELSE [n] END | {lock("x")})
    WITH s, collect(n) AS later
    WITH s, [x IN later WHERE x.status IN ['open', 'claimed']] AS future
    SET s.status = 'cancelled', s.status_reason = $reason, s.updated_at = $now
    WITH s, future
    UNWIND CASE WHEN size(future) = 0 THEN [null] ELSE future END AS n
    OPTIONAL MATCH (q)-[:MAKES]->(c:Claim)-[:FOR]->(n)
    WHERE c.status = 'active'
    WITH s, n, collect(c) AS claims, collect(q.id) AS providers
    OPTIONAL MATCH (p:Project)-[:FULFILLS]->(n)
    WHERE p.status = 'claimed'
    WITH s, n, claims, providers, collect(p) AS projects
    FOREACH (x IN CASE WHEN n IS NULL THEN [] ELSE [n] END |
      SET x.status = 'cancelled', x.status_reason = $reason, x.updated_at = $now)
    FOREACH (c IN claims | SET c.status = 'cancelled', c.status_reason = $reason, c.updated_at = $now)
    FOREACH (p IN projects | SET p.status = 'cancelled', p.updated_at = $now)
    WITH s, collect(n.id) AS cancelled, collect(providers) AS served
    OPTIONAL MATCH (cq)-[:COMMITS]->(m:Commitment)-[:TO_SERIES]->(s)
    WHERE m.status = 'active'
    WITH s, cancelled, served, collect(m) AS commitments, collect(cq.id) AS committers
    FOREACH (m IN commitments | SET m.status = 'ended', m.status_reason = $reason, m.updated_at = $now)
    {AUDIT}, audit.after = $after_head + ',"cancelled":' + toString(size(cancelled)) + '}}'
    {
        notify(
            "s, cancelled",
            "acc.role IN ['unit', 'member'] AND acc.subject_id IN told",
            kind="'series_cancelled'",
            title="$title",
            label="Series",
            entity_id="s.id",
            extra="reduce(a = committers, l IN served | a + l) AS told",
        )
    }
    RETURN s.id AS id, cancelled
    """,
    "cancel an active series with a reason: its future open or claimed occurrences are cancelled "
    "with their active claims and unstarted projects, active commitments end, past and started "
    "occurrences are kept; every provider serving or committed is told",
)

WITHDRAW_COMMITMENT = cypher(
    "recurrence.commitment.withdraw",
    "write",
    f"""
    MATCH (s:Series {{id: $series_id}})
    {lock("s")}
    WITH s
    MATCH (q)-[:COMMITS]->(m:Commitment {{id: $id}})-[:TO_SERIES]->(s)
    WHERE m.status = 'active'
    OPTIONAL MATCH (n:Need)-[:OCCURRENCE_OF]->(s)
    WHERE n.window_start > $now
    FOREACH (x IN CASE WHEN n IS NULL THEN [] ELSE [n] END | {lock("x")})
    WITH s, q, m, collect(n) AS later
    SET m.status = 'withdrawn', m.status_reason = $reason, m.updated_at = $now
    WITH s, q, m, [x IN later WHERE x.status IN ['open', 'claimed']] AS future
    UNWIND CASE WHEN size(future) = 0 THEN [null] ELSE future END AS n
    OPTIONAL MATCH (q)-[:MAKES]->(c:Claim)-[:FOR]->(n)
    WHERE c.status = 'active' AND c.via = 'series'
    OPTIONAL MATCH (p:Project)-[:FULFILLS]->(n)
    WHERE p.status = 'claimed'
    WITH s, m, n, c, collect(p) AS projects
    FOREACH (x IN CASE WHEN c IS NULL THEN [] ELSE [c] END |
      SET x.status = 'withdrawn', x.status_reason = $reason, x.updated_at = $now)
    FOREACH (x IN CASE WHEN c IS NULL THEN [] ELSE [n] END | SET x.status = 'open', x.updated_at = $now)
    FOREACH (x IN CASE WHEN c IS NULL THEN [] ELSE projects END |
      SET x.status = 'cancelled', x.updated_at = $now)
    WITH s, m, collect(c.id) AS withdrawn
    {AUDIT}, audit.after = $after_head + ',"withdrawn_claims":' + toString(size(withdrawn)) + '}}'
    {
        notify(
            "s, m, withdrawn",
            secretaries_of("orgs") + " OR (acc.role = $provider_role AND acc.subject_id = $provider_id)",
            kind="'series_withdrawn'",
            title="$title",
            label="Series",
            entity_id="s.id",
            extra=f"{_ORGS} AS orgs",
        )
    }
    RETURN m.id AS id, size(withdrawn) AS withdrawn
    """,
    "withdraw an active commitment to a series with a reason (the provider, or the series' "
    "secretary): the claims it made on future open or claimed occurrences are withdrawn, those "
    "occurrences reopen and their unstarted projects are cancelled; past and started ones are kept; "
    "the series' secretaries and the provider are told (not whoever withdrew it)",
)

COMMIT: dict[str, Statement] = {}  # by provider label
APPLY: dict[str, Statement] = {}  # by provider label
for _label in PROVIDERS:
    COMMIT[_label] = cypher(
        f"recurrence.commit.{_label}",
        "write",
        f"""
        MATCH (s:Series {{id: $series_id}})
        {lock("s")}
        WITH s
        MATCH (q:{_label} {{id: $provider_id}})-[:OFFERS]->(f:Offering {{id: $offering_id}})
        WITH s, q, f,
             size([(m1:Commitment)-[:TO_SERIES]->(s) WHERE m1.status = 'active' | m1]) AS taken,
             size([(q)-[:COMMITS]->(m2:Commitment)-[:TO_SERIES]->(s2:Series)
                   WHERE m2.status = 'active' AND s2.id = s.id | m2]) AS mine
        WHERE s.status = 'active' AND f.status = 'active' AND taken < s.people_wanted AND mine = 0
        CREATE (m:Commitment) SET m = $commitment
        CREATE (q)-[:COMMITS]->(m)
        CREATE (m)-[:TO_SERIES]->(s)
        {AUDIT}
        {
            notify(
                "s, m",
                secretaries_of("orgs"),
                kind="'series_commitment'",
                title="'常态化项目“' + s.title + '”有新的长期承诺'",
                label="Series",
                entity_id="s.id",
                extra=f"{_ORGS} AS orgs",
            )
        }
        RETURN m.id AS id
        """,
        "a provider commits to serve every occurrence of an active series with its own active "
        "offering: at most people_wanted active commitments per series, one per provider",
    )
    APPLY[_label] = cypher(
        f"recurrence.apply.{_label}",
        "write",
        f"""
        MATCH (n:Need {{id: $need_id}})
        {lock("n")}
        WITH n
        MATCH (n)-[:OCCURRENCE_OF]->(:Series)<-[:TO_SERIES]-(m:Commitment {{id: $commitment_id}})
        MATCH (q:{_label} {{id: $provider_id}})-[:COMMITS]->(m)
        MATCH (q)-[:OFFERS]->(f:Offering {{id: $offering_id}})
        WITH n, q, m, f,
             size([(c1:Claim)-[:FOR]->(n) WHERE c1.status = 'active' | c1]) AS taken,
             size([(q)-[:MAKES]->(c3:Claim)-[:FOR]->(n3:Need)
                   WHERE c3.status = 'active' AND n3.id = n.id | c3]) AS mine
        WHERE n.status = 'open' AND n.window_start > $now AND m.status = 'active'
          AND f.status = 'active' AND taken < n.people_wanted AND mine = 0
        {CREATE_CLAIM}
        {fill_need()}
        {AUDIT}, audit.after = $after_head + ',"need_status":"' + n.status + '"}}'
        RETURN c.id AS id, n.status AS need_status
        """,
        "a series commitment claims one open future occurrence (a claim via 'series'): at most "
        "people_wanted active claims per occurrence, one per provider; the claim that fills it "
        "creates its project, as any claim. The offering's per-period capacity is not counted: the "
        "commitment was the provider's promise for every occurrence",
    )

_SERIES_VIEW = f"""
RETURN s {{.*}} AS series, o.id AS org_id, o.name AS org_name, ar.id AS area_id, ar.name AS area_name,
       [(cq)-[:COMMITS]->(cm:Commitment)-[:TO_SERIES]->(s)
        | {{id: cm.id, status: cm.status, offering_id: cm.offering_id, note: cm.note,
           created_at: cm.created_at, provider_id: cq.id, provider_kind: labels(cq)[0],
           provider_name: {_PROVIDER_NAME.format(v="cq")}}}] AS commitments,
       size([(x:Need)-[:OCCURRENCE_OF]->(s) | x]) AS occurrences
"""

DETAIL = cypher(
    "recurrence.series.detail",
    "read",
    f"""
    MATCH (s:Series {{id: $id}})-[:POSTED_BY]->(o:Org)
    OPTIONAL MATCH (s)-[:LOCATED_IN]->(ar:Area)
    WITH s, o, ar
    {_SERIES_VIEW}
    """,
    "one series with its org, area, commitments and how many occurrences it has",
)

LIST = cypher(
    "recurrence.series.list",
    "read",
    f"""
    MATCH (s:Series)-[:POSTED_BY]->(o:Org)
    WHERE ($org_ids IS NULL OR o.id IN $org_ids) AND ($status IS NULL OR s.status = $status)
    WITH s, o ORDER BY s.created_at DESC, s.id SKIP $skip LIMIT $limit
    OPTIONAL MATCH (s)-[:LOCATED_IN]->(ar:Area)
    WITH s, o, ar ORDER BY s.created_at DESC, s.id
    {_SERIES_VIEW}
    """,
    "series posted by some orgs (all when $org_ids is null), by status, newest first",
)

OCCURRENCES = cypher(
    "recurrence.series.occurrences",
    "read",
    f"""
    MATCH (n:Need)-[:OCCURRENCE_OF]->(:Series {{id: $id}})
    WITH n ORDER BY n.window_start, n.id
    RETURN n {{.id, .title, .window_start, .window_end, .status, .status_reason, .people_wanted}}
             AS occurrence,
           [(q)-[:MAKES]->(c:Claim)-[:FOR]->(n) WHERE c.status = 'active'
            | {{claim_id: c.id, via: c.via, offering_id: c.offering_id, provider_id: q.id,
               provider_kind: labels(q)[0], provider_name: {_PROVIDER_NAME.format(v="q")}}}] AS servers,
           [(p:Project)-[:FULFILLS]->(n) WHERE p.status <> 'cancelled'
            | p {{.id, .status, .hours_total}}] AS projects
    """,
    "a series' occurrences in time order, each with who serves it (active claims) and its project",
)

DUE = cypher(
    "recurrence.series.due",
    "read",
    """
    MATCH (s:Series)
    WHERE s.status = 'active' AND s.id > $after
    WITH s, [(x:Need)-[:OCCURRENCE_OF]->(s) | x.window_end] AS ends
    WITH s, reduce(last = '', e IN ends | CASE WHEN e > last THEN e ELSE last END) AS last_end
    RETURN s.id AS id, s.rule AS rule, s.dtstart AS dtstart, s.duration_minutes AS duration_minutes,
           s.occurrences_generated AS generated, coalesce(s.generated_all, false) AS generated_all,
           last_end
    ORDER BY s.id LIMIT $limit
    """,
    "active series after an id, for the horizon job: what is generated and when the last one ends",
)
