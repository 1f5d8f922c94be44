"""Units' own needs 双向服务 (issue 12, point 5): a resident unit asks its community or street for
help (a permit, a venue, recruiting). The need is an ordinary Need posted to that org and
REQUESTED_BY the unit, so the community side serves it the usual way: its members (or other units)
claim it, its secretary dispatches it; the unit that asked may not claim it itself (see fit.py).
A unit posts only to the orgs it reports to (双报到) or whose areas hold it, and the communities and
streets leading those. It counts in both sides' reports: the org's (``org_two_way``) and the
unit's (``unit_report``)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from engine.actors import Actor, Role
from engine.errors import Forbidden, Invalid, NotFound
from engine.services.categories import require_offered
from engine.services.clock import resolve
from engine.services.needs import NeedDraft
from engine.services.records import audit_record, check_page, new_id, present, public
from engine.services.scope import jurisdiction, may_see_holder, require_role
from engine.store.base import GraphStore, Row
from engine.store.queries import unit_needs as queries
from engine.store.queries.nodes import node_stmt
from graph_schema.domain import NEED_STATUSES
from graph_schema.validation import normalize_datetime, validate_node

RESOLVED = ("completed", "evaluated")


def targets(store: GraphStore, actor: Actor, unit_id: str | None = None) -> list[dict[str, Any]]:
    """The orgs a unit may post its own needs to (its own, for a unit account)."""
    if actor.role is Role.UNIT:
        if unit_id not in (None, actor.subject_id):
            raise Forbidden("只能查看本单位可提需求的党组织")
        unit_id = actor.subject_id
    elif not actor.is_admin:
        raise Forbidden("只有驻区单位可以提出本单位的需求")
    if not unit_id:
        raise Invalid("请指定驻区单位")
    return [dict(r) for r in store.run(queries.TARGETS, {"unit_id": unit_id})]


def unit_need_view(row: Row) -> dict[str, Any]:
    """A unit's need as callers see it: the need, the org it was posted to and the unit that asked."""
    return {
        **public(row["need"]),
        "org_id": row["org_id"],
        "org_name": row["org_name"],
        "requester_id": row["unit_id"],
        "requester_name": row["unit_name"],
        "claimed": len(row["active_claims"]),
        "project_id": (row["project_ids"] or [None])[0],
    }


def post_unit_need(
    store: GraphStore, actor: Actor, draft: NeedDraft, *, now: str | None = None
) -> dict[str, Any]:
    """A unit posts its own need (status open) to one of its orgs; audited, the org's secretaries told."""
    at = resolve(now)
    require_role(actor, (Role.UNIT,), "只有驻区单位可以提出本单位的需求;社区需求请由社区书记发布")
    unit_id = actor.subject_id or ""
    allowed = {t["id"] for t in store.run(queries.TARGETS, {"unit_id": unit_id})}
    if draft.org_id not in allowed:
        raise Forbidden("只能向本单位所在或报到的社区、街道提出需求")
    require_offered(store, draft.category)  # a retired (or unknown) category is refused, as for any need
    if draft.area_id and store.one(node_stmt("get", "Area"), {"id": draft.area_id}) is None:
        raise NotFound("需求所在区域不存在")
    need_id = new_id()
    props = present({**draft.props(), "id": need_id, "status": "open", "created_at": at, "updated_at": at})
    problems = validate_node("Need", props)
    if problems:
        raise Invalid(problems[0].message)
    after = {**props, "org_id": draft.org_id, "area_id": draft.area_id, "requester_id": unit_id}
    row = store.one(
        queries.POST,
        {
            "unit_id": unit_id,
            "org_id": draft.org_id,
            "area_id": draft.area_id,
            "props": props,
            "now": at,
            "audit": audit_record(actor, "need.unit_post", "Need", need_id, at, before=None, after=after),
        },
    )
    if row is None:
        raise NotFound("驻区单位或党组织不存在")
    return get_unit_need(store, need_id)


def get_unit_need(store: GraphStore, need_id: str) -> dict[str, Any]:
    """One unit's need by id (no scope check: callers check)."""
    row = store.one(queries.DETAIL, {"id": need_id})
    if row is None:
        raise NotFound("需求不存在")
    return unit_need_view(row)


def _params(
    unit_id: str | None, org_ids: list[str] | None, status: str | None, skip: int, limit: int
) -> dict[str, Any]:
    return {"unit_id": unit_id, "org_ids": org_ids, "status": status, "skip": skip, "limit": limit}


def list_unit_needs(
    store: GraphStore,
    actor: Actor,
    *,
    status: str | None = None,
    skip: int = 0,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Units' own needs, newest first: a unit's own; those posted to a jurisdiction's orgs for
    secretaries and planners; all for admins. Members see the open ones (they may serve them)."""
    check_page(skip, limit)
    if status is not None and status not in NEED_STATUSES:
        raise Invalid(f"需求状态“{status}”不存在")
    unit_id, org_ids = None, None
    if actor.role is Role.UNIT:
        unit_id = actor.subject_id
    elif actor.role is Role.MEMBER:
        if status not in (None, "open"):
            raise Forbidden("党员只能浏览待认领的单位需求")
        status = "open"
    else:
        org_ids = jurisdiction(store, actor).filter
    rows = store.run(queries.LIST, _params(unit_id, org_ids, status, skip, limit))
    return [unit_need_view(r) for r in rows]


def _period(start: str, end: str) -> tuple[str, str]:
    try:
        start, end = normalize_datetime(start), normalize_datetime(end)
    except (ValueError, AttributeError) as exc:
        raise Invalid("统计时段应为日期时间(如 2026-11-24T08:00:00Z)") from exc
    if end <= start:
        raise Invalid("统计时段的结束须晚于开始")
    return start, end


def _counts(statuses: list[str]) -> dict[str, Any]:
    return {
        "needs": len(statuses),
        "resolved": sum(1 for s in statuses if s in RESOLVED),
        "by_status": {s: 0 for s in NEED_STATUSES} | dict(Counter(statuses)),
    }


def org_two_way(store: GraphStore, org_id: str, start: str, end: str) -> dict[str, Any]:
    """双向服务 in an org's report: units' own needs posted to it and its subtree in [start, end)
    (the caller has authorised the org and normalised the period)."""
    rows = store.run(queries.ORG_PERIOD, {"org_id": org_id, "start": start, "end": end})
    return {**_counts([r["status"] for r in rows]), "units": len({r["unit_id"] for r in rows})}


def unit_report(store: GraphStore, actor: Actor, unit_id: str, start: str, end: str) -> dict[str, Any]:
    """A unit's side of 双向服务 for [start, end): the needs it asked its community for and the
    needs it served (active claims made in the period), by status. To the unit itself, and to the
    planners and secretaries of the orgs it is tied to."""
    start, end = _period(start, end)
    if not may_see_holder(store, actor, jurisdiction(store, actor), "Unit", unit_id):
        raise Forbidden("只能查看本单位或本辖区单位的双向服务统计")
    row = store.one(queries.UNIT_PERIOD, {"unit_id": unit_id, "start": start, "end": end})
    if row is None:
        raise NotFound("驻区单位不存在")
    return {
        "unit_id": unit_id,
        "name": row["name"],
        "start": start,
        "end": end,
        "asked": _counts(list(row["asked"])),
        "served": _counts(list(row["served"])),
    }
