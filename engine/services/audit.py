"""The audit trail: every write's statement leaves one AuditEntry (who, when, what, values
before and after as JSON text); only admins read it."""

from __future__ import annotations

import json
from typing import Any

from engine.actors import Actor, Role
from engine.services.records import MAX_LIMIT, check_page, public
from engine.services.scope import require_role
from engine.store.base import GraphStore
from engine.store.queries.closed_loop import audit as audit_queries


def list_audit(
    store: GraphStore, actor: Actor, *, entity_id: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Newest audit entries (of one entity, or all), before/after parsed from their JSON text."""
    require_role(actor, (Role.ADMIN,), "只有管理员可以查看操作日志")
    check_page(0, limit)
    rows = store.run(audit_queries.LIST, {"entity_id": entity_id, "limit": min(limit, MAX_LIMIT)})
    out = []
    for row in rows:
        entry = public(row["entry"])
        for key in ("before", "after"):
            entry[key] = json.loads(entry[key]) if entry.get(key) else None
        out.append(entry)
    return out
