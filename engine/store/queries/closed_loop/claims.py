"""Claims 认领: claim an open need with an offering (capacity-checked, lets exactly the right
number win), withdraw or cancel before work starts, read and list."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, CREATE_CLAIM, fill_need, lock, period_start
from engine.store.queries.outbox import need_orgs, notify, secretaries_of
from engine.store.registry import Statement, cypher
from graph_schema.domain import PROVIDERS

_VIEW = """
RETURN c {.*} AS claim, q.id AS provider_id, labels(q)[0] AS provider_kind,
       n.id AS need_id, n.title AS need_title, n.status AS need_status, o.id AS org_id,
       f.id AS offering_id, f.title AS offering_title
"""

CREATE: dict[str, Statement] = {}  # by label
for _label in PROVIDERS:
    _notify = notify(
        "n, c, f, fills",
        secretaries_of("orgs")
        + " OR (c.via = 'dispatch' AND acc.subject_id = $provider_id "
        + f"AND acc.role = '{_label.lower()}')",
        kind="CASE WHEN acc.role = 'secretary' THEN 'claim' ELSE 'dispatched' END",
        title="CASE WHEN acc.role = 'secretary' THEN '需求“' + n.title + '”有新的认领' "
        "+ CASE WHEN c.fit_warning IS NULL THEN '' ELSE '(跨类认领,请留意)' END "
        "ELSE '已为您派单:' + n.title END",
        label="Need",
        entity_id="n.id",
        extra=f"{need_orgs('n')} AS orgs",
    )
    CREATE[_label] = cypher(
        f"loop.claim.create.{_label}",
        "write",
        f"""
        MATCH (n:Need {{id: $need_id}})
        {lock("n")}
        WITH n
        MATCH (q:{_label} {{id: $provider_id}})-[:OFFERS]->(f:Offering {{id: $offering_id}})
        {lock("f")}
        WITH n, q, f,
             size([(c1:Claim)-[:FOR]->(n) WHERE c1.status = 'active' | c1]) AS taken,
             size([(c2:Claim)-[:USES]->(f) WHERE c2.status = 'active'
                   AND c2.created_at >= {period_start("f")} | c2]) AS used,
             size([(q)-[:MAKES]->(c3:Claim)-[:FOR]->(n3:Need)
                   WHERE c3.status = 'active' AND n3.id = n.id | c3]) AS mine,
             CASE WHEN $booking IS NULL THEN 0 ELSE size([(b0:Booking)-[:RESERVES]->(f)
                  WHERE b0.status = 'active' AND b0.start < $book_end AND b0.end > $book_start
                  | b0]) END AS clash
        WHERE n.status = 'open' AND n.window_end > $now AND f.status = 'active'
          AND taken < n.people_wanted AND used < f.capacity AND mine = 0 AND clash = 0
        {CREATE_CLAIM}
        FOREACH (_ IN CASE WHEN $booking IS NULL THEN [] ELSE [1] END |
          CREATE (b:Booking) SET b = $booking
          CREATE (b)-[:RESERVES]->(f)
          CREATE (b)-[:BOOKED_FOR]->(n)
          CREATE (ba:AuditEntry:Unsealed) SET ba = $booking_audit
        )
        {fill_need("f, ")}
        {AUDIT}, audit.after = $after_head + ',"need_status":"' + n.status + '"'
            + CASE WHEN fills THEN ',"project_id":"' + $project_id + '"' ELSE '' END + '}}'
        {_notify}
        RETURN c.id AS id, n.status AS need_status,
               CASE WHEN fills THEN $project_id ELSE null END AS project_id,
               n.title AS need_title, f.title AS offering_title,
               [(n)-[:POSTED_BY]->(o:Org) | o.id][0] AS org_id
        """,
        "claim an open need with the provider's own active offering: at most people_wanted active "
        "claims per need, capacity per period per offering, one per provider; the claim that fills "
        "the need makes it claimed and creates its project with every claimant serving; with "
        "$booking (a venue claimed for a need's window) also books [$book_start, $book_end) on the "
        "locked venue, refused when an active booking overlaps it (audited on its own); returns "
        "what the claim's view needs besides the claim itself (no read after the write)",
    )

WITHDRAW = cypher(
    "loop.claim.withdraw",
    "write",
    f"""
    MATCH (c:Claim {{id: $id}})-[:FOR]->(n:Need)
    {lock("n")}
    WITH c, n, n.status AS old_need
    WHERE c.status = 'active' AND old_need IN ['open', 'claimed']
    WITH c, n, old_need, [(p:Project)-[:FULFILLS]->(n) WHERE p.status = 'claimed' | p] AS projects
    WITH c, n, old_need, projects,
         [(b:Booking)-[:BOOKED_FOR]->(n) WHERE b.claim_id = c.id AND b.status = 'active' | b] AS bookings
    SET c.status = $status, c.status_reason = $reason, c.updated_at = $now,
        n.status = 'open', n.updated_at = $now
    FOREACH (p IN projects | SET p.status = 'cancelled', p.updated_at = $now)
    FOREACH (b IN bookings | SET b.status = 'cancelled', b.status_reason = $reason, b.updated_at = $now)
    {AUDIT}, audit.before = '{{"status":"active","need_status":"' + old_need + '"}}'
    RETURN c.id AS id, n.status AS need_status
    """,
    "withdraw (provider) or cancel (secretary) an active claim before work starts: the need "
    "reopens, its unstarted project is cancelled and the venue booking the claim made is cancelled",
)

DETAIL = cypher(
    "loop.claim.detail",
    "read",
    f"""
    MATCH (q)-[:MAKES]->(c:Claim {{id: $id}})-[:FOR]->(n:Need)-[:POSTED_BY]->(o:Org)
    MATCH (c)-[:USES]->(f:Offering)
    {_VIEW}
    """,
    "one claim with its provider, need, org and offering",
)

LIST = cypher(
    "loop.claim.list",
    "read",
    f"""
    MATCH (q)-[:MAKES]->(c:Claim)-[:FOR]->(n:Need)-[:POSTED_BY]->(o:Org)
    WHERE ($need_id IS NULL OR n.id = $need_id)
      AND ($provider_id IS NULL OR q.id = $provider_id)
      AND ($org_ids IS NULL OR o.id IN $org_ids)
      AND ($status IS NULL OR c.status = $status)
    MATCH (c)-[:USES]->(f:Offering)
    WITH c, q, n, o, f ORDER BY c.created_at DESC, c.id SKIP $skip LIMIT $limit
    {_VIEW}
    """,
    "claims of a need, a provider or some orgs' needs, by status",
)

VENUE_WINDOW = cypher(
    "loop.claim.venue_window",
    "read",
    """
    MATCH (f:Offering {id: $offering_id})
    MATCH (n:Need {id: $need_id})
    RETURN f.kind AS kind, f.opening_hours AS opening_hours, f.access AS access, f.price AS price,
           n.window_start AS window_start, n.window_end AS window_end, n.title AS need_title
    """,
    "before a claim: whether its offering is a venue, the venue's hours and price, and the need's "
    "window (a venue claimed for a window of at most a day books it in the claim's statement)",
)
