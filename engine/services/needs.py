"""Needs 需求清单: a secretary posts a need for an org of the community, edits it while open,
cancels it with a reason; needs past their window expire in a sweep. Statuses:
open → claimed → in_progress → completed → evaluated, or cancelled / expired (DOMAIN.md)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import model_validator

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.services.categories import require_offered
from engine.services.clock import resolve
from engine.services.editing import edit_node
from engine.services.inputs import Category, SchemaInput, checked, id_field, prop_field
from engine.services.records import audit_record, check_page, new_id, present, public
from engine.services.scope import Scope, jurisdiction, require_role, subtree
from engine.store.base import GraphStore, Row
from engine.store.queries.closed_loop import needs as needs_queries
from engine.store.queries.nodes import node_stmt
from graph_schema.domain import NEED_STATUSES
from graph_schema.validation import validate_node

EXPIRY_REASON = "已超过服务时间窗口仍未开始服务,系统自动过期"
_WRITERS = (Role.ADMIN, Role.SECRETARY)
_NOT_WRITER = "只有社区书记可以发布或管理需求"


class NeedFields(SchemaInput):
    """What a secretary writes about a need (shared by a new need and an edit)."""

    schema_label: ClassVar[str] = "Need"

    def _window_ok(self) -> None:
        start, end = getattr(self, "window_start", None), getattr(self, "window_end", None)
        if start and end and end <= start:
            raise ValueError("“结束时间”必须晚于“开始时间”")


class NeedDraft(NeedFields):
    """A new need: for an org in the secretary's community, optionally at an area."""

    org_id: str = id_field("Org", description="发布需求的党组织(本社区或下属网格、楼栋)")
    area_id: str | None = id_field("Area", None, description="需求所在区域")
    title: str = prop_field("Need", "title")
    description: str | None = prop_field("Need", "description", None)
    category: Category = prop_field("Need", "category")
    skills: list[str] = prop_field("Need", "skills", default_factory=list)
    people_wanted: int = prop_field("Need", "people_wanted", 1)
    hours_wanted: float | None = prop_field("Need", "hours_wanted", None)
    urgency: str = prop_field("Need", "urgency", "normal")
    beneficiaries: list[str] = prop_field("Need", "beneficiaries", default_factory=list)
    beneficiary_count: int | None = prop_field("Need", "beneficiary_count", None)
    lat: float | None = prop_field("Need", "lat", None)
    lon: float | None = prop_field("Need", "lon", None)
    address: str | None = prop_field("Need", "address", None)
    window_start: str = prop_field("Need", "window_start")
    window_end: str = prop_field("Need", "window_end")

    @model_validator(mode="after")
    def _window(self) -> NeedDraft:
        self._window_ok()
        return self


class NeedEdit(NeedFields):
    """Changes to an open need; only the fields given are changed (None clears an optional one)."""

    title: str | None = prop_field("Need", "title", None)
    description: str | None = prop_field("Need", "description", None)
    category: Category | None = prop_field("Need", "category", None)
    skills: list[str] | None = prop_field("Need", "skills", None)
    people_wanted: int | None = prop_field("Need", "people_wanted", None)
    hours_wanted: float | None = prop_field("Need", "hours_wanted", None)
    urgency: str | None = prop_field("Need", "urgency", None)
    beneficiaries: list[str] | None = prop_field("Need", "beneficiaries", None)
    beneficiary_count: int | None = prop_field("Need", "beneficiary_count", None)
    lat: float | None = prop_field("Need", "lat", None)
    lon: float | None = prop_field("Need", "lon", None)
    address: str | None = prop_field("Need", "address", None)
    window_start: str | None = prop_field("Need", "window_start", None)
    window_end: str | None = prop_field("Need", "window_end", None)

    @model_validator(mode="after")
    def _window(self) -> NeedEdit:
        self._window_ok()
        return self


def status_zh(status: str) -> str:
    """The Chinese name of a need status."""
    return NEED_STATUSES.get(status, status)


def need_view(row: Row) -> dict[str, Any]:
    """A need as callers see it: its properties, org, area, how many claimed, its project."""
    return {
        **public(row["need"]),
        "org_id": row["org_id"],
        "org_name": row["org_name"],
        "area_id": row["area_id"],
        "area_name": row["area_name"],
        "claimed": len(row["active_claims"]),
        "project_id": (row["project_ids"] or [None])[0],
    }


def need_row(store: GraphStore, need_id: str) -> Row:
    """The stored need with its org and claims; NotFound when there is none."""
    row = store.one(needs_queries.DETAIL, {"id": need_id})
    if row is None:
        raise NotFound("需求不存在")
    return row


def may_see_need(actor: Actor, scope: Scope, row: Row) -> bool:
    """Open needs are public; others to their org's jurisdiction and to providers that claimed them."""
    if scope.everything or row["need"]["status"] == "open" or scope.covers(row["org_id"]):
        return True
    return actor.is_provider and actor.subject_id in row["claimant_ids"]


def _writable(store: GraphStore, actor: Actor, need_id: str) -> Row:
    """The need, after checking that ``actor`` may manage it (secretary in scope, admin)."""
    require_role(actor, _WRITERS, _NOT_WRITER)
    row = need_row(store, need_id)
    if not jurisdiction(store, actor).covers(row["org_id"]):
        raise Forbidden("只能管理本社区及下属网格、楼栋的需求")
    return row


def _require_open(row: Row, doing_zh: str) -> None:
    status = row["need"]["status"]
    if status != "open":
        raise Conflict(f"该需求当前状态为“{status_zh(status)}”,不能{doing_zh}", "illegal_transition")


def post_need(store: GraphStore, actor: Actor, draft: NeedDraft, *, now: str | None = None) -> dict[str, Any]:
    """Post a need (status open) for an org in the secretary's community; returns the need."""
    at = resolve(now)
    require_role(actor, _WRITERS, _NOT_WRITER)
    if not jurisdiction(store, actor).covers(draft.org_id):
        raise Forbidden("只能为本社区及下属网格、楼栋发布需求")
    require_offered(store, draft.category)  # a retired (or unknown) category is refused
    if draft.area_id and store.one(node_stmt("get", "Area"), {"id": draft.area_id}) is None:
        raise NotFound("需求所在区域不存在")
    need_id = new_id()
    props = present({**draft.props(), "id": need_id, "status": "open", "created_at": at, "updated_at": at})
    problems = validate_node("Need", props)
    if problems:
        raise Invalid(problems[0].message)
    after = {**props, "org_id": draft.org_id, "area_id": draft.area_id}
    row = store.one(
        needs_queries.POST,
        {
            "org_id": draft.org_id,
            "area_id": draft.area_id,
            "props": props,
            "audit": audit_record(actor, "need.post", "Need", need_id, at, before=None, after=after),
        },
    )
    if row is None:
        raise NotFound("发布需求的党组织不存在")
    return need_view(need_row(store, need_id))


def get_need(store: GraphStore, actor: Actor, need_id: str) -> dict[str, Any]:
    """One need, if ``actor`` may see it (open needs are public)."""
    row = need_row(store, need_id)
    if not may_see_need(actor, jurisdiction(store, actor), row):
        raise Forbidden("无权查看该需求")
    return need_view(row)


def list_needs(
    store: GraphStore,
    actor: Actor,
    *,
    status: str | None = None,
    category: str | None = None,
    org_id: str | None = None,
    skip: int = 0,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Needs newest first. Providers browse the public list of open needs (anywhere, or under
    ``org_id``); planners and secretaries see every need of their jurisdiction; admins all."""
    check_page(skip, limit)
    if status is not None and status not in NEED_STATUSES:
        raise Invalid(f"需求状态“{status}”不存在")
    scope = jurisdiction(store, actor)
    org_ids = scope.filter
    if actor.is_provider:
        if status not in (None, "open"):
            raise Forbidden("服务方只能浏览待认领的需求;已认领的请查看“我的认领”")
        status, org_ids = "open", None
    if org_id is not None:
        if not (actor.is_provider or scope.covers(org_id)):
            raise Forbidden("只能查看本辖区的需求")
        org_ids = sorted(subtree(store, org_id))
    params = {
        "status": status,
        "category": category,
        "category_prefix": f"{category}." if category else None,
        "skip": skip,
        "limit": limit,
    }
    # Unscoped lists page before joining the orgs (a separate statement: see loop.need.list_all).
    rows = (
        store.run(needs_queries.LIST_ALL, params)
        if org_ids is None
        else store.run(needs_queries.LIST, {**params, "org_ids": org_ids})
    )
    return [need_view(r) for r in rows]


def edit_need(
    store: GraphStore, actor: Actor, need_id: str, edit: NeedEdit, *, now: str | None = None
) -> dict[str, Any]:
    """Change an open need. The write holds only if the need still has the values the change
    was based on (else it is re-read and retried), so the audit's before values are exact."""
    at = resolve(now)

    def read() -> dict[str, Any]:
        row = _writable(store, actor, need_id)
        _require_open(row, "修改")
        taken[0] = len(row["active_claims"])
        return public(row["need"])

    def check(current: dict[str, Any], merged: dict[str, Any]) -> None:
        if merged.get("category") != current.get("category"):
            require_offered(store, merged.get("category"))  # keeping a retired one is fine
        if merged["window_end"] <= merged["window_start"]:
            raise Invalid("“结束时间”必须晚于“开始时间”")
        if merged["people_wanted"] <= taken[0]:
            raise Conflict(
                f"已有 {taken[0]} 个认领,所需人数须多于 {taken[0]};如人手已够,可取消后重新发布",
                "below_claimed",
            )

    taken = [0]
    edit_node(
        store,
        actor,
        label="Need",
        entity_id=need_id,
        action="need.edit",
        statement=needs_queries.EDIT,
        changes=edit.props(only_set=True),
        at=at,
        read=read,
        check=check,
    )
    return need_view(need_row(store, need_id))


def cancel_need(
    store: GraphStore, actor: Actor, need_id: str, reason: str, *, now: str | None = None
) -> dict[str, Any]:
    """Cancel an open or claimed need with a reason; its claims and unstarted project end too."""
    at = resolve(now)
    reason = checked("Need", "status_reason", reason)
    if not reason:
        raise Invalid("请填写取消原因")
    row = _writable(store, actor, need_id)
    if row["need"]["status"] not in ("open", "claimed"):
        _require_open(row, "取消")
    after = {"status": "cancelled", "status_reason": reason}
    written = store.one(
        needs_queries.CANCEL,
        {
            "id": need_id,
            "status": "cancelled",
            "reason": reason,
            "now": at,
            "audit": audit_record(actor, "need.cancel", "Need", need_id, at, before=None, after=after),
        },
    )
    if written is None:  # the status changed since it was read
        _require_open(need_row(store, need_id), "取消")
    return need_view(need_row(store, need_id))


def expire_needs(store: GraphStore, actor: Actor, *, now: str | None = None, batch: int = 500) -> list[str]:
    """Expire every open or claimed need whose window has ended (a scheduled sweep, admin or
    ``SYSTEM``); each expiry is one audit entry. Returns the ids expired."""
    at = resolve(now)
    require_role(actor, (Role.ADMIN,), "只有管理员或系统可以执行过期处理")
    after = {"status": "expired", "status_reason": EXPIRY_REASON}
    audit = audit_record(actor, "need.expire", "Need", "-", at, before=None, after=after)
    prefix = audit.pop("id")  # one entry per need: the statement appends a fresh suffix per row
    expired: list[str] = []
    while True:
        rows = store.run(
            needs_queries.EXPIRE,
            {
                "now": at,
                "limit": batch,
                "status": "expired",
                "reason": EXPIRY_REASON,
                "audit": audit,
                "audit_id_prefix": prefix,
            },
        )
        expired += [r["id"] for r in rows]
        if len(rows) < batch:
            return expired
