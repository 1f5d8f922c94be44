"""Sign-in throttle and lockout (issue 13): failed sign-ins counted per tried name and per source
address on ``SignInCounter`` nodes, one counting statement per attempt under both counters' locks
(the name's first, then the address's: one order for all, no deadlock), with its audit entries;
TOTP enrolment and the replay guard on the account."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock
from engine.store.registry import cypher

ENSURE = cypher(
    "signin.ensure",
    "write",
    """
    UNWIND $ids AS key
    MERGE (c:SignInCounter {id: key})
    ON CREATE SET c.failures = 0
    RETURN count(c) AS counters
    """,
    "the counters of a tried name and a source address exist before a failure is counted (MERGE "
    "on the unique id: safe to race and to re-run; no audit entry, nothing is counted here)",
)

STATE = cypher(
    "signin.state",
    "read",
    """
    UNWIND $ids AS key
    MATCH (c:SignInCounter {id: key})
    RETURN c {.*} AS counter
    """,
    "the counters of a tried name and a source address, to refuse a locked or slowed attempt early",
)


def _count(c: str) -> str:
    """Columns of counter ``c`` at this failure: whether it was held by a lock, and its new count
    (a failure while locked is not counted; a window that has passed starts again at 1)."""
    return (
        f"CASE WHEN {c}_held THEN coalesce({c}.failures, 0) "
        f"WHEN {c}.first_at IS NULL OR {c}.first_at < $window_start THEN 1 "
        f"ELSE coalesce({c}.failures, 0) + 1 END AS {c}_count"
    )


def _set(c: str) -> str:
    """Counter ``c`` after the failure: locked when it reaches ``$lock_after`` (and its count starts
    again), otherwise counted in its window."""
    return (
        f"{c}.failures = CASE WHEN {c}_locks THEN 0 ELSE {c}_count END, "
        f"{c}.first_at = CASE WHEN {c}_locks THEN null WHEN {c}_held THEN {c}.first_at "
        f"WHEN {c}_count = 1 THEN $now ELSE {c}.first_at END, "
        f"{c}.last_at = CASE WHEN {c}_held THEN {c}.last_at ELSE $now END, "
        f"{c}.locked_until = CASE WHEN {c}_locks THEN $until ELSE {c}.locked_until END"
    )


FAILED = cypher(
    "signin.failed",
    "write",
    f"""
    MATCH (u:SignInCounter {{id: $user_id}})
    MATCH (d:SignInCounter {{id: $addr_id}})
    {lock("u")}
    {lock("d")}
    WITH u, d, coalesce(u.locked_until, '') > $now AS u_held, coalesce(d.locked_until, '') > $now AS d_held
    WITH u, d, u_held, d_held, {_count("u")}, {_count("d")}
    WITH u, d, u_held, d_held, u_count, d_count,
         NOT u_held AND u_count >= $user_lock_after AS u_locks,
         NOT d_held AND d_count >= $addr_lock_after AS d_locks
    SET {_set("u")}, {_set("d")}
    {AUDIT}
    FOREACH (_ IN CASE WHEN u_locks THEN [1] ELSE [] END |
      CREATE (x:AuditEntry:Unsealed) SET x = $user_locked)
    FOREACH (_ IN CASE WHEN d_locks THEN [1] ELSE [] END |
      CREATE (y:AuditEntry:Unsealed) SET y = $addr_locked)
    RETURN u_count AS user_failures, d_count AS addr_failures, u_locks AS user_locked,
           d_locks AS addr_locked, u.locked_until AS user_until, d.locked_until AS addr_until
    """,
    "count one failed sign-in against the tried name and the source address, locking either that "
    "reaches its limit ($user_lock_after, $addr_lock_after) until $until; one audit entry "
    "(auth.sign_in_failed), one more per lock (auth.locked)",
)

# Refused before the password is checked (locked or slowed): audited, not counted.
REFUSED = cypher(
    "signin.refused",
    "write",
    f"""
    {AUDIT}
    RETURN audit.id AS id
    """,
    "an attempt refused while its name or address is locked or slowed; one audit entry, no count",
)

SUCCEEDED = cypher(
    "signin.succeeded",
    "write",
    f"""
    OPTIONAL MATCH (u:SignInCounter {{id: $user_id}})
    OPTIONAL MATCH (d:SignInCounter {{id: $addr_id}})
    {lock("u")}
    {lock("d")}
    WITH u, d
    WHERE coalesce(u.locked_until, '') <= $now AND coalesce(d.locked_until, '') <= $now
    FOREACH (c IN CASE WHEN u IS NULL THEN [] ELSE [u] END | SET c.failures = 0, c.first_at = null)
    RETURN true AS ok
    """,
    "a right password (and code) signs in only if neither the name nor the address is locked at "
    "this moment (checked under their locks), and resets the name's count; no row when locked",
)

UNLOCK = cypher(
    "signin.unlock",
    "write",
    f"""
    MATCH (a:Account {{id: $account_id}})
    OPTIONAL MATCH (u:SignInCounter {{id: $user_id}})
    FOREACH (c IN CASE WHEN u IS NULL THEN [] ELSE [u] END |
      SET c.failures = 0, c.first_at = null, c.locked_until = null)
    WITH a
    {AUDIT}
    RETURN a.id AS id
    """,
    "an administrator lifts an account's sign-in lock and forgets its failures; one audit entry",
)

TOTP_PENDING = cypher(
    "signin.totp_pending",
    "write",
    f"""
    MATCH (a:Account {{id: $account_id}})
    {lock("a")}
    WITH a WHERE a.totp_secret IS NULL
    SET a.totp_pending = $secret, a.updated_at = $now
    WITH a
    {AUDIT}
    RETURN a.id AS id
    """,
    "keep a new TOTP secret awaiting its first code (refused once TOTP is on); one audit entry, "
    "never the secret",
)

TOTP_CONFIRM = cypher(
    "signin.totp_confirm",
    "write",
    f"""
    MATCH (a:Account {{id: $account_id}})
    {lock("a")}
    WITH a WHERE a.totp_pending = $secret AND a.totp_secret IS NULL
    SET a.totp_secret = a.totp_pending, a.totp_pending = null, a.totp_last_step = $step,
        a.updated_at = $now
    WITH a
    {AUDIT}
    RETURN a.id AS id
    """,
    "turn TOTP on with the pending secret a right code was given for (that code is used up); one audit entry",
)

TOTP_OFF = cypher(
    "signin.totp_off",
    "write",
    f"""
    MATCH (a:Account {{id: $account_id}})
    {lock("a")}
    WITH a WHERE a.totp_secret IS NOT NULL OR a.totp_pending IS NOT NULL
    SET a.totp_secret = null, a.totp_pending = null, a.totp_last_step = null, a.updated_at = $now
    WITH a
    {AUDIT}
    RETURN a.id AS id
    """,
    "turn an account's TOTP off (its owner with a code, or an administrator); one audit entry",
)

TOTP_USE = cypher(
    "signin.totp_use",
    "write",
    f"""
    MATCH (a:Account {{id: $account_id}})
    {lock("a")}
    WITH a WHERE a.totp_secret = $secret AND coalesce(a.totp_last_step, -1) < $step
    SET a.totp_last_step = $step
    RETURN a.id AS id
    """,
    "use up a TOTP time step (a code, or an older one, is never accepted twice); no row on replay",
)

TOTP_REQUIRE = cypher(
    "signin.totp_require",
    "write",
    f"""
    MATCH (a:Account {{id: $account_id}})
    SET a.totp_required = $required, a.updated_at = $now
    WITH a
    {AUDIT}
    RETURN a {{.*}} AS account
    """,
    "an administrator requires (or stops requiring) TOTP for one account; one audit entry",
)

UNSEALED_TOTP = cypher(
    "signin.totp_unsealed",
    "read",
    """
    MATCH (a:Account)
    WHERE (a.totp_secret IS NOT NULL AND NOT a.totp_secret STARTS WITH $prefix)
       OR (a.totp_pending IS NOT NULL AND NOT a.totp_pending STARTS WITH $prefix)
    RETURN a.id AS id, a.totp_secret AS secret, a.totp_pending AS pending
    """,
    "accounts whose TOTP secret (or pending one) was stored before secrets were sealed",
)

SEAL_TOTP = cypher(
    "signin.totp_seal",
    "write",
    f"""
    MATCH (a:Account {{id: $account_id}})
    {lock("a")}
    WITH a WHERE coalesce(a.totp_secret, '') = coalesce($old_secret, '')
      AND coalesce(a.totp_pending, '') = coalesce($old_pending, '')
    SET a.totp_secret = $secret, a.totp_pending = $pending
    WITH a
    {AUDIT}
    RETURN a.id AS id
    """,
    "replace an account's clear TOTP secrets by their sealed form, only if they are still the ones "
    "read (compare-and-set); one audit entry, never a secret",
)
