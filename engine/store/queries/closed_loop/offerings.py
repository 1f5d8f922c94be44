"""Offerings 资源清单: register for a provider, read, list, edit, and status changes."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import (
    AUDIT,
    STALE,
    lock,
    period_start,
    provider_name,
    status_json,
)
from engine.store.registry import Statement, cypher
from graph_schema.domain import PROVIDERS

_VIEW = f"""
RETURN f {{.*}} AS offering, q.id AS provider_id, labels(q)[0] AS provider_kind,
       {provider_name("q")} AS provider_name,
       size([(c:Claim)-[:USES]->(f) WHERE c.status = 'active' AND c.created_at >= {period_start("f")} | c])
         AS used_in_period
"""

REGISTER: dict[str, Statement] = {}  # by label
for _label in PROVIDERS:
    REGISTER[_label] = cypher(
        f"loop.offering.register.{_label}",
        "write",
        f"""
        MATCH (q:{_label} {{id: $provider_id}})
        CREATE (f:Offering) SET f = $props
        CREATE (q)-[:OFFERS]->(f)
        {AUDIT}
        RETURN f.id AS id
        """,
        "a unit or member registers an offering of its own; one audit entry",
    )

DETAIL = cypher(
    "loop.offering.detail",
    "read",
    f"""
    MATCH (q)-[:OFFERS]->(f:Offering {{id: $id}})
    {_VIEW}
    """,
    "one offering, its provider and the active claims of its current period",
)

LIST = cypher(
    "loop.offering.list",
    "read",
    f"""
    MATCH (q)-[:OFFERS]->(f:Offering)
    WHERE ($status IS NULL OR f.status = $status)
      AND ($category IS NULL OR f.category = $category OR f.category STARTS WITH $category_prefix)
      AND ($provider_id IS NULL OR q.id = $provider_id)
    WITH q, f ORDER BY f.created_at DESC, f.id SKIP $skip LIMIT $limit
    {_VIEW}
    """,
    "offerings by status, category (a top category includes its items) and provider",
)

EDIT = cypher(
    "loop.offering.edit",
    "write",
    f"""
    MATCH (f:Offering {{id: $id}})
    {lock("f")}
    WITH f, {STALE.format(v="f")}
    WHERE f.status <> 'retired' AND size(stale) = 0
    SET f += $props
    {AUDIT}
    RETURN f.id AS id
    """,
    "edit an offering not retired if it still holds the values the edit was based on",
)

SET_STATUS = cypher(
    "loop.offering.set_status",
    "write",
    f"""
    MATCH (f:Offering {{id: $id}})
    {lock("f")}
    WITH f, f.status AS old
    WHERE old IN $from_statuses
    SET f.status = $to_status, f.updated_at = $now
    {AUDIT}, audit.before = {status_json("old")}
    RETURN f.id AS id
    """,
    "pause, resume or retire an offering when its status allows it",
)
