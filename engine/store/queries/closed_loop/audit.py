"""Reading the audit trail (entries are written by each use case's own statement)."""

from __future__ import annotations

from engine.store.registry import cypher

LIST = cypher(
    "loop.audit.list",
    "read",
    """
    MATCH (a:AuditEntry)
    WHERE $entity_id IS NULL OR a.entity_id = $entity_id
    WITH a ORDER BY a.at DESC, a.id DESC LIMIT $limit
    RETURN a {.*} AS entry
    """,
    "newest audit entries, all or of one entity",
)
