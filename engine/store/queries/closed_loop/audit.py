"""Reading the audit trail (entries are written by each use case's own statement)."""

from __future__ import annotations

from engine.store.registry import cypher

LIST = cypher(
    "loop.audit.list",
    "read",
    """
    MATCH (a:AuditEntry)
    WHERE ($entity_id IS NULL OR a.entity_id = $entity_id)
      AND ($entity_label IS NULL OR a.entity_label = $entity_label)
      AND ($actor IS NULL OR a.actor = $actor)
      AND ($action IS NULL OR a.action = $action OR a.action STARTS WITH $action_prefix)
      AND ($since IS NULL OR a.at >= $since)
      AND ($until IS NULL OR a.at <= $until)
    WITH a ORDER BY a.at DESC, a.id DESC SKIP $skip LIMIT $limit
    RETURN a {.*} AS entry
    """,
    "newest audit entries, all or filtered by entity, entity label, actor, action (or every action "
    "starting with $action_prefix, i.e. $action and a dot) and a time range",
)
