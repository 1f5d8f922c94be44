"""Edits of free-text fields as compare-and-set: the write holds only if the node still has the
values the edit was based on, so the audit's before values are exact without a transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.actors import Actor
from engine.errors import Conflict, Invalid
from engine.services.records import audit_record, present
from engine.store.base import GraphStore
from engine.store.registry import Statement
from graph_schema.validation import validate_node

EDIT_ATTEMPTS = 3


def edit_node(
    store: GraphStore,
    actor: Actor,
    *,
    label: str,
    entity_id: str,
    action: str,
    statement: Statement,
    changes: Mapping[str, Any],
    at: str,
    read: Callable[[], dict[str, Any]],
    check: Callable[[dict[str, Any], dict[str, Any]], None],
) -> None:
    """Apply ``changes`` to node ``entity_id`` through ``statement`` with one audit entry.

    ``read`` returns the current properties (raising NotFound/Forbidden/Conflict as fit),
    ``check(current, merged)`` raises when the merged node breaks a rule; a concurrent change
    between read and write makes the write miss and the whole is retried a few times.
    """
    if not changes:
        raise Invalid("没有要修改的内容")
    for _ in range(EDIT_ATTEMPTS):
        current = read()
        merged = {**current, **changes}
        problems = validate_node(label, present(merged))
        if problems:
            raise Invalid(problems[0].message)
        check(current, merged)
        before = {k: current.get(k) for k in changes}
        props = {**changes, "updated_at": at}
        audit = audit_record(actor, action, label, entity_id, at, before=before, after=props)
        params = {"id": entity_id, "before": before, "props": props, "audit": audit}
        if store.one(statement, params) is not None:
            return
    raise Conflict("该记录正在被他人修改,请稍后重试", "busy")
