"""Accounts: create (audited), read, list, enable or disable."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT
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
    RETURN a {.*} AS account ORDER BY a.id SKIP $skip LIMIT $limit
    """,
)

SET_ACTIVE = cypher(
    "account.set_active",
    "write",
    f"""
    MATCH (a:Account {{id: $id}})
    SET a.active = $active, a.updated_at = $now
    WITH a
    {AUDIT}
    RETURN a {{.*}} AS account
    """,
    "enable or disable an account; one audit entry",
)

SET_PASSWORD = cypher(
    "account.set_password",
    "write",
    f"""
    MATCH (a:Account {{id: $id}})
    SET a.password_hash = $password_hash, a.updated_at = $now
    WITH a
    {AUDIT}
    RETURN a.id AS id
    """,
    "set a new password (the audit records that it changed, never the hash); one audit entry",
)
