"""Points 积分: a ledger of entries written by rules (per hour served, per rating star, per
evaluation given; see the settings) inside the write that earns them. Balances are sums of
the ledger; nothing edits an entry; an admin's correction is a new entry."""

from __future__ import annotations

from typing import Any, ClassVar

from engine.actors import Actor, Role
from engine.errors import Forbidden, Invalid, NotFound
from engine.services.clock import resolve
from engine.services.inputs import SchemaInput, id_field, prop_field
from engine.services.records import audit_record, check_page, new_id, present, public
from engine.services.scope import holder_kind, jurisdiction, may_see_holder, require_role
from engine.store.base import GraphStore
from engine.store.queries.closed_loop import points as points_queries
from engine.store.queries.nodes import node_stmt


class PointCorrection(SchemaInput):
    """An admin's correction of a holder's balance: positive or negative points with a note."""

    schema_label: ClassVar[str] = "PointEntry"

    holder_id: str = id_field("Org", description="积分所属的单位、党员或党组织编号")
    points: int = prop_field("PointEntry", "points")
    note: str = prop_field("PointEntry", "note")
    project_id: str | None = id_field("Project", None, description="相关项目编号")


def point_entry(points: int, reason: str, rule: str, note: str, at: str) -> dict[str, Any]:
    """A new ledger entry (to be attached to its holder and project by the statement)."""
    return {"id": new_id(), "points": points, "reason": reason, "rule": rule, "note": note, "at": at}


def _visible_holder(store: GraphStore, actor: Actor, holder_id: str) -> str:
    kind = holder_kind(store, holder_id)
    if not may_see_holder(store, actor, jurisdiction(store, actor), kind, holder_id):
        raise Forbidden("无权查看该积分")
    return kind


def balance(store: GraphStore, actor: Actor, holder_id: str) -> dict[str, Any]:
    """A unit's, member's or org's balance (the sum of its ledger) and how many entries it has."""
    kind = _visible_holder(store, actor, holder_id)
    row = store.one(points_queries.BALANCE[kind], {"id": holder_id})
    if row is None:
        raise NotFound("找不到该单位、党员或党组织")
    return {"holder_id": holder_id, "holder_kind": kind, "balance": row["balance"], "entries": row["entries"]}


def ledger(
    store: GraphStore, actor: Actor, holder_id: str, *, skip: int = 0, limit: int = 50
) -> list[dict[str, Any]]:
    """A holder's ledger entries, newest first, each with the project that earned it."""
    check_page(skip, limit)
    kind = _visible_holder(store, actor, holder_id)
    rows = store.run(points_queries.LEDGER[kind], {"id": holder_id, "skip": skip, "limit": limit})
    return [{**public(r["entry"]), "project_id": r["project_id"], "holder_id": holder_id} for r in rows]


def correct_points(
    store: GraphStore, actor: Actor, correction: PointCorrection, *, now: str | None = None
) -> dict[str, Any]:
    """An admin adds a correcting entry (never an edit of an old one); returns the entry."""
    at = resolve(now)
    require_role(actor, (Role.ADMIN,), "只有管理员可以更正积分")
    if correction.points == 0:
        raise Invalid("更正的积分不能为 0")
    kind = holder_kind(store, correction.holder_id)
    if (
        correction.project_id
        and store.one(node_stmt("get", "Project"), {"id": correction.project_id}) is None
    ):
        raise NotFound("相关项目不存在")
    entry = point_entry(correction.points, "correction", "admin_correction", correction.note, at)
    after = present({**entry, "holder_id": correction.holder_id, "project_id": correction.project_id})
    written = store.one(
        points_queries.CORRECT[kind],
        {
            "holder_id": correction.holder_id,
            "project_id": correction.project_id,
            "entry": entry,
            "audit": audit_record(
                actor, "points.correct", "PointEntry", entry["id"], at, before=None, after=after
            ),
        },
    )
    if written is None:
        raise NotFound("找不到该单位、党员或党组织")
    return {**entry, "holder_id": correction.holder_id, "project_id": correction.project_id}
