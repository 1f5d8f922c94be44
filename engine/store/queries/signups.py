"""Sign-up, waitlist, check-in and volunteer records (issue 12 point 4, 民政部令第67号): a member
signs up for a need wanting N people (signed up to N, then waitlisted in order), withdraws (the
first waitlisted moves up in the same statement, and is notified), checks in and out with the
organiser's code; the organiser confirms the hours, the volunteer may ask for a correction.

Every write locks the need (sign-up, withdrawal: they compete over the roster) or the sign-up
(attendance, hours) before it reads, and writes its audit entry in the same statement.
"""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock
from engine.store.queries.outbox import need_orgs, notify, secretaries_of
from engine.store.registry import cypher

# A sign-up as every read shows it: its properties, its need, the need's org, the member's name.
_VIEW = """
RETURN s {.*} AS signup, m.name AS name, m.phone AS phone,
       n {.id, .title, .status, .people_wanted, .window_start, .window_end, .category} AS need,
       o.id AS org_id, o.name AS org_name
"""

SIGN_UP = cypher(
    "signup.create",
    "write",
    f"""
    MATCH (n:Need {{id: $need_id}})
    {lock("n")}
    WITH n
    MATCH (m:Member {{id: $member_id}})
    WITH n, m, [(s0:Signup)-[:SIGNUP_FOR]->(n) | s0] AS every
    WITH n, m, [x IN every WHERE x.member_id = $member_id AND x.status <> 'withdrawn' | x.id] AS mine,
         size([x IN every WHERE x.status = 'signed' | 1]) AS signed,
         size([x IN every WHERE x.status = 'waitlisted' | 1]) AS waiting,
         reduce(top = 0, x IN every | CASE WHEN x.seq > top THEN x.seq ELSE top END) AS top
    WHERE n.status IN $open_statuses AND n.window_end > $now AND size(mine) = 0
    CREATE (s:Signup) SET s = $props, s.seq = top + 1,
        s.status = CASE WHEN signed < n.people_wanted AND waiting = 0 THEN 'signed' ELSE 'waitlisted' END
    CREATE (m)-[:SIGNED_UP]->(s)
    CREATE (s)-[:SIGNUP_FOR]->(n)
    {AUDIT}
    SET audit.after = $after_head + ',"seq":' + toString(s.seq) + ',"status":"' + s.status + '"}}'
    RETURN s.id AS id, s.status AS status, s.seq AS seq
    """,
    "a member signs up for a need: signed while fewer than the people wanted are and nobody waits, "
    "else waitlisted after the last one (the need is locked first, so concurrent sign-ups never "
    "exceed it); one active sign-up per member and need",
)

WITHDRAW = cypher(
    "signup.withdraw",
    "write",
    f"""
    MATCH (s:Signup {{id: $id}})-[:SIGNUP_FOR]->(n:Need)
    {lock("n")}
    WITH s, n
    {lock("s")}
    WITH s, n
    WHERE s.status IN ['signed', 'waitlisted'] AND s.checkin_at IS NULL
    WITH s, n, s.status AS was
    SET s.status = 'withdrawn', s.withdrawn_at = $now, s.withdrawn_by = $actor, s.updated_at = $now
    {AUDIT}
    SET audit.before = '{{"status":"' + was + '"}}'
    WITH s, n, was
    OPTIONAL MATCH (w:Signup)-[:SIGNUP_FOR]->(n)
    WHERE w.status = 'waitlisted'
    WITH s, n, was, w ORDER BY w.seq
    WITH s, n, was, collect(w) AS waiting
    WITH s, n, was, waiting, size([(x:Signup)-[:SIGNUP_FOR]->(n) WHERE x.status = 'signed' | 1]) AS signed
    WITH s, n, was, [i IN range(0, size(waiting) - 1) WHERE i < n.people_wanted - signed | waiting[i]]
         AS moving
    FOREACH (p IN moving | SET p.status = 'signed', p.promoted_at = $now, p.updated_at = $now)
    FOREACH (p IN moving |
      CREATE (pa:AuditEntry:Unsealed) SET pa = $promoted_audit, pa.id = $promoted_id + toString(p.seq),
        pa.entity_id = p.id)
    {
        notify(
            "s, n, was, moving",
            "acc.role = 'member' AND acc.subject_id IN promoted",
            kind="'signup_promoted'",
            title="'候补转正:您已成为“' + n.title + '”的正式报名人员'",
            label="Need",
            entity_id="n.id",
            extra="[p IN moving | p.member_id] AS promoted",
            actor="$actor",
        )
    }
    RETURN s.id AS id, was, [p IN moving | p.id] AS promoted
    """,
    "a member (or the organiser) withdraws a sign-up not yet checked in; as many of the waitlist "
    "as there are free places move up in order, audited and notified, in the same statement",
)

SET_CODE = cypher(
    "signup.code.set",
    "write",
    f"""
    MATCH (n:Need {{id: $need_id}})
    {lock("n")}
    WITH n
    WHERE n.status IN $open_statuses
    SET n.checkin_code = $code
    {AUDIT}
    RETURN n.checkin_code AS code
    """,
    "the organiser sets (or renews) the activity's check-in code",
)

BY_CODE = cypher(
    "signup.by_code",
    "read",
    """
    MATCH (n:Need)
    WHERE n.checkin_code = $code
    RETURN n.id AS need_id
    """,
    "the needs whose check-in code is this one (a fresh code must name none)",
)

CHECK_IN = cypher(
    "signup.check_in",
    "write",
    f"""
    MATCH (s:Signup {{id: $id}})-[:SIGNUP_FOR]->(n:Need)
    {lock("s")}
    WITH s, n
    WHERE s.status = 'signed' AND s.checkin_at IS NULL AND n.checkin_code = $code
      AND n.window_start <= $late AND n.window_end >= $now
    SET s.checkin_at = $now, s.updated_at = $now
    {AUDIT}
    RETURN s.id AS id
    """,
    "a signed-up volunteer checks in with the activity's code, within its window",
)

CHECK_OUT = cypher(
    "signup.check_out",
    "write",
    f"""
    MATCH (s:Signup {{id: $id}})-[:SIGNUP_FOR]->(n:Need)
    {lock("s")}
    WITH s, n
    WHERE s.status = 'signed' AND s.checkin_at = $checkin_at AND s.checkout_at IS NULL
      AND n.checkin_code = $code
    SET s.checkout_at = $now, s.coverage = $coverage, s.low_attendance = $low,
        s.hours_status = 'pending', s.updated_at = $now
    {AUDIT}
    RETURN s.id AS id
    """,
    "a checked-in volunteer checks out with the code: the time, the share of the activity it "
    "covered and the flag below 60% recorded; its hours wait for the organiser",
)

CONFIRM = cypher(
    "signup.confirm",
    "write",
    f"""
    MATCH (m:Member)-[:SIGNED_UP]->(s:Signup {{id: $id}})
    {lock("s")}
    WITH m, s
    WHERE s.status = 'signed' AND s.checkin_at = $checkin_at AND coalesce(s.checkout_at, '') = $checkout_at
      AND coalesce(s.hours_status, '') <> 'confirmed'
    SET s.hours = $hours, s.hours_status = 'confirmed', s.confirmed_at = $now, s.confirmed_by = $actor,
        s.coverage = $coverage, s.low_attendance = $low, s.updated_at = $now
    CREATE (pe:PointEntry) SET pe = $entry
    CREATE (pe)-[:CREDITS]->(m)
    {AUDIT}
    RETURN s.id AS id
    """,
    "the organiser confirms a volunteer's hours (checked in, not yet confirmed); the member's points "
    "for them are credited in the same statement",
)

REQUEST_CORRECTION = cypher(
    "signup.correction.request",
    "write",
    f"""
    MATCH (s:Signup {{id: $id}})-[:SIGNUP_FOR]->(n:Need)
    {lock("s")}
    WITH s, n
    WHERE s.hours_status = 'confirmed' AND coalesce(s.correction_status, '') <> 'pending'
    SET s.correction_hours = $hours, s.correction_reason = $reason, s.correction_status = 'pending',
        s.correction_requested_at = $now, s.correction_decided_at = null, s.correction_answer = null,
        s.updated_at = $now
    {AUDIT}
    {
        notify(
            "s, n",
            secretaries_of("orgs"),
            kind="'signup_correction'",
            title="'志愿时长更正申请:' + n.title",
            label="Need",
            entity_id="n.id",
            extra=f"{need_orgs('n')} AS orgs",
            actor="$actor",
        )
    }
    RETURN s.id AS id
    """,
    "a volunteer asks for its confirmed hours to be corrected; the need's secretaries are notified",
)

DECIDE_CORRECTION = cypher(
    "signup.correction.decide",
    "write",
    f"""
    MATCH (m:Member)-[:SIGNED_UP]->(s:Signup {{id: $id}})
    {lock("s")}
    WITH m, s
    WHERE s.correction_status = 'pending' AND s.hours = $hours AND s.correction_hours = $corrected
    SET s.hours = CASE WHEN $accept THEN s.correction_hours ELSE s.hours END,
        s.correction_status = CASE WHEN $accept THEN 'accepted' ELSE 'declined' END,
        s.correction_decided_at = $now, s.correction_answer = $answer, s.updated_at = $now
    FOREACH (x IN CASE WHEN $accept AND $entry.points <> 0 THEN [m] ELSE [] END |
      CREATE (pe:PointEntry) SET pe = $entry
      CREATE (pe)-[:CREDITS]->(x))
    {AUDIT}
    RETURN s.id AS id, s.hours AS hours
    """,
    "the organiser accepts (the hours become the corrected ones, the points follow by a new ledger "
    "entry) or declines a correction",
)

DETAIL = cypher(
    "signup.detail",
    "read",
    f"""
    MATCH (m:Member)-[:SIGNED_UP]->(s:Signup {{id: $id}})-[:SIGNUP_FOR]->(n:Need)-[:POSTED_BY]->(o:Org)
    {_VIEW}
    """,
    "one sign-up with its member, need and the need's org",
)

ROSTER = cypher(
    "signup.roster",
    "read",
    f"""
    MATCH (m:Member)-[:SIGNED_UP]->(s:Signup)-[:SIGNUP_FOR]->(n:Need {{id: $need_id}})-[:POSTED_BY]->(o:Org)
    WITH m, s, n, o ORDER BY s.seq
    {_VIEW}
    """,
    "a need's roster in sign-up order (signed, waitlisted and withdrawn)",
)

MINE = cypher(
    "signup.mine",
    "read",
    f"""
    MATCH (m:Member {{id: $member_id}})-[:SIGNED_UP]->(s:Signup)-[:SIGNUP_FOR]->(n:Need)-[:POSTED_BY]->(o:Org)
    WITH m, s, n, o ORDER BY n.window_start DESC, s.seq
    {_VIEW}
    """,
    "a member's sign-ups, latest activity first",
)

FIND = cypher(
    "signup.find",
    "read",
    f"""
    MATCH (m:Member {{id: $member_id}})-[:SIGNED_UP]->(s:Signup)-[:SIGNUP_FOR]->(n:Need)-[:POSTED_BY]->(o:Org)
    WHERE n.checkin_code = $code AND s.status <> 'withdrawn'
    {_VIEW}
    """,
    "a member's sign-up for the activity whose check-in code is given",
)

RECORD = cypher(
    "signup.record",
    "read",
    f"""
    MATCH (m:Member {{id: $member_id}})-[:SIGNED_UP]->(s:Signup)-[:SIGNUP_FOR]->(n:Need)-[:POSTED_BY]->(o:Org)
    WHERE s.hours_status = 'confirmed' AND s.checkin_at >= $start AND s.checkin_at < $end
    WITH m, s, n, o ORDER BY s.checkin_at
    {_VIEW}
    """,
    "a member's confirmed volunteer service in a period (the 志愿服务记录证明)",
)

VOLUNTEER = cypher(
    "signup.volunteer",
    "read",
    """
    MATCH (m:Member {id: $member_id})
    RETURN m.id AS id, m.name AS name, m.phone AS phone,
           [(m)-[:BELONGS_TO]->(bo:Org) | bo.name] AS orgs
    """,
    "a volunteer's name, phone and the orgs it belongs to (for the 志愿服务记录证明)",
)

ORG_NAME = cypher(
    "signup.org_name",
    "read",
    """
    MATCH (o:Org {id: $id})
    RETURN o.name AS name
    """,
    "the name of the org that issues a 志愿服务记录证明",
)
