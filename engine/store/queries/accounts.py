"""Accounts: create (audited), read, list, enable or disable, new password, revoke sessions.
Every change that must end the account's tokens raises its ``token_version`` in the same
statement (tokens carry the version they were issued at)."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock
from engine.store.registry import cypher

CREATE = cypher(
    "account.create",
    "write",
    f"CREATE (a:Account) SET a = $props {AUDIT} RETURN a.id AS id",
    "an administrator creates an account; one audit entry",
)

GET = cypher("account.get", "read", "MATCH (a:Account {id: $id}) RETURN a {.*} AS account")

LIST = cypher(
    "account.list",
    "read",
    """
    MATCH (a:Account)
    WHERE $role IS NULL OR a.role = $role
    WITH a ORDER BY a.id SKIP $skip LIMIT $limit
    OPTIONAL MATCH (c:SignInCounter {id: 'user:' + substring(a.id, 0, 59)})
    RETURN a {.*} AS account, c.locked_until AS locked_until ORDER BY a.id
    """,
    "accounts in id order, each with when its sign-in lock ends (if it ever was locked)",
)

# Disabling an admin locks every admin account in id order (one order for all: no deadlock) before
# counting the other active ones, so two admins disabling each other at once leave one.
SET_ACTIVE = cypher(
    "account.set_active",
    "write",
    f"""
    MATCH (a:Account {{id: $id}})
    OPTIONAL MATCH (x:Account {{role: 'admin'}}) WHERE $active = false AND a.role = 'admin'
    WITH a, x ORDER BY x.id
    WITH a, collect(x) AS admins
    FOREACH (y IN admins | {lock("y")})
    {lock("a")}
    WITH a, size([y IN admins WHERE y.id <> a.id AND y.active = true]) AS others
    WHERE $active OR a.role <> 'admin' OR others > 0
    SET a.active = $active, a.updated_at = $now,
        a.token_version = coalesce(a.token_version, 0) + CASE WHEN $active THEN 0 ELSE 1 END
    WITH a
    {AUDIT}
    RETURN a {{.*}} AS account
    """,
    "enable or disable an account (disabling ends its tokens; never the last active admin); one audit entry",
)

SET_PASSWORD = cypher(
    "account.set_password",
    "write",
    f"""
    MATCH (a:Account {{id: $id}})
    {lock("a")}
    SET a.password_hash = $password_hash, a.updated_at = $now,
        a.token_version = coalesce(a.token_version, 0) + 1
    WITH a
    {AUDIT}
    RETURN a.token_version AS token_version
    """,
    "set a new password and end the tokens issued before (the audit records that it changed, never "
    "the hash); one audit entry",
)

REVOKE_SESSIONS = cypher(
    "account.revoke_sessions",
    "write",
    f"""
    MATCH (a:Account {{id: $id}})
    {lock("a")}
    SET a.token_version = coalesce(a.token_version, 0) + 1, a.updated_at = $now
    WITH a
    {AUDIT}
    RETURN a.token_version AS token_version
    """,
    "an administrator ends every token of an account (it may sign in again); one audit entry",
)
