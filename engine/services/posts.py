"""Posts 职务 held by members (issue 12): 书记, 副书记, 兼职委员 (a unit leader on a 大工委/大党委: the
unit is named), 网格员, 楼长, 党员中心户 — assigned, edited, ended, listed, in place.

Rules:
- A secretary manages the posts of the orgs in its jurisdiction (its community and the orgs it
  leads), an administrator anywhere; planners read those of their jurisdiction.
- Nobody holds the same role at the same org twice at once.
- 书记 is a sole role: one current 书记 per org. Assigning a new one *replaces* the current one
  with history kept: the old post ends the day the new one starts (``ended_reason`` says so) in
  the same statement; with ``replace`` false the assignment is refused instead (409).
- A 兼职委员 names the unit they come from (an existing ``Unit``); other roles name none.
- An ended post keeps its relationship with ``until`` and is no longer edited (history).
- Members' names and phones are masked for readers not entitled to them (engine/privacy.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, model_validator

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.services.clock import resolve
from engine.services.inputs import StrictInput, id_field
from engine.services.personal import mask_personal
from engine.services.records import audit_record, new_id, present
from engine.services.scope import jurisdiction, require_role
from engine.store.base import GraphStore, Row
from engine.store.queries import posts as posts_queries
from engine.store.queries.nodes import node_stmt
from graph_schema.domain import HOLD_ROLES

SOLE_ROLES = ("secretary",)
"""Roles an org has one current holder of (a second assignment replaces, with history)."""
UNIT_ROLES = ("part_time_member",)
"""Roles whose holder comes from a unit, which the post names."""
REPLACED_REASON = "新任书记接任"
_WRITERS = (Role.ADMIN, Role.SECRETARY)
_READERS = (Role.ADMIN, Role.SECRETARY, Role.PLANNER)
_ROLE_FIELD = Field(description="职务:" + "、".join(f"{k} {v}" for k, v in HOLD_ROLES.items()))


def role_zh(role: str) -> str:
    """The Chinese name of a post's role."""
    return HOLD_ROLES.get(role, role)


def _day(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"“{what}”须为日期,如 2026-01-31") from None


class _PostFields(StrictInput):
    """Shared checks of a post's fields."""

    @model_validator(mode="after")
    def _fields(self) -> _PostFields:
        role = getattr(self, "role", None)
        if role is not None and role not in HOLD_ROLES:
            raise ValueError(f"职务“{role}”不存在")
        for name, what in (("since", "任职日期"), ("until", "离任日期")):
            if getattr(self, name, None) is not None:
                object.__setattr__(self, name, _day(getattr(self, name), what))
        return self


class PostDraft(_PostFields):
    """A new post: a member takes a role at an org (a 兼职委员 names the unit they come from)."""

    org_id: str = id_field("Org", description="任职的党组织")
    member_id: str = id_field("Member", description="任职的党员")
    role: str = _ROLE_FIELD
    since: str | None = Field(None, max_length=10, description="任职日期(默认今天)")
    unit_id: str | None = id_field("Unit", None, description="来自的驻区单位(兼职委员必填)")
    note: str | None = Field(None, max_length=200, description="备注")
    replace: bool = Field(True, description="该组织已有书记时:true 由新任接替(原任离任,保留记录),false 拒绝")


class PostEdit(_PostFields):
    """Changes to a current post; only the fields given change (``unit_id`` null clears it)."""

    role: str | None = Field(None, description="职务")
    since: str | None = Field(None, max_length=10, description="任职日期")
    unit_id: str | None = id_field("Unit", None, description="来自的驻区单位(兼职委员)")
    note: str | None = Field(None, max_length=200, description="备注")


class PostEnd(_PostFields):
    """Ending a post: the day it ends (default today) and why."""

    until: str | None = Field(None, max_length=10, description="离任日期(默认今天)")
    reason: str | None = Field(None, max_length=200, description="离任原因")


def post_view(row: Row) -> dict[str, Any]:
    """A post as callers see it (the member's name and phone still to be masked)."""
    return {
        "id": row["id"],
        "role": row["role"],
        "role_zh": role_zh(row["role"]),
        "since": row["since"],
        "until": row["until"],
        "current": row["until"] is None,
        "unit_id": row["unit_id"],
        "unit_name": row["unit_name"],
        "note": row["note"],
        "ended_reason": row["ended_reason"],
        "member_id": row["member_id"],
        "member_name": row["member_name"],
        "member_phone": row["member_phone"],
        "org_id": row["org_id"],
        "org_name": row["org_name"],
    }


def _masked(store: GraphStore, actor: Actor, posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    people = [{"id": p["member_id"], "name": p["member_name"], "phone": p["member_phone"]} for p in posts]
    shown = {p["id"]: p for p in mask_personal(store, actor, "Member", people)}
    return [
        {**p, "member_name": shown[p["member_id"]]["name"], "member_phone": shown[p["member_id"]]["phone"]}
        for p in posts
    ]


def _sorted(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order = list(HOLD_ROLES)
    return sorted(
        posts,
        key=lambda p: (
            not p["current"],
            order.index(p["role"]) if p["role"] in order else len(order),
            "" if p["current"] else str(p["until"]),
            str(p["since"] or ""),
            p["member_id"],
        ),
    )


def _org_in_scope(store: GraphStore, actor: Actor, org_id: str, roles: tuple[Role, ...], doing: str) -> None:
    require_role(actor, roles, f"只有社区书记或管理员可以{doing}")
    if store.one(node_stmt("get", "Org"), {"id": org_id}) is None:
        raise NotFound("党组织不存在")
    if not jurisdiction(store, actor).covers(org_id):
        raise Forbidden(f"只能{doing}本辖区党组织的职务")


def list_posts(
    store: GraphStore, actor: Actor, org_id: str, *, include_ended: bool = False
) -> list[dict[str, Any]]:
    """The posts of an org (current ones; with ``include_ended`` the history too)."""
    _org_in_scope(store, actor, org_id, _READERS, "查看")
    rows = store.run(posts_queries.LIST, {"org_id": org_id, "all": include_ended})
    return _masked(store, actor, _sorted([post_view(r) for r in rows]))


def member_posts(store: GraphStore, actor: Actor, member_id: str) -> list[dict[str, Any]]:
    """Every post of one member (current first, then history), as far as the reader may see:
    the member itself and admins all; secretaries and planners those at orgs in their scope."""
    if store.one(node_stmt("get", "Member"), {"id": member_id}) is None:
        raise NotFound("党员不存在")
    own = actor.role is Role.MEMBER and actor.subject_id == member_id
    if not own:
        require_role(actor, _READERS, "只能查看本人的职务")
    scope = jurisdiction(store, actor)
    rows = [post_view(r) for r in store.run(posts_queries.OF_MEMBER, {"member_id": member_id})]
    visible = [p for p in rows if own or scope.covers(p["org_id"])]
    return _masked(store, actor, _sorted(visible))


def get_post(store: GraphStore, actor: Actor, post_id: str) -> dict[str, Any]:
    """One post, to readers of its org."""
    row = _row(store, post_id)
    _org_in_scope(store, actor, row["org_id"], _READERS, "查看")
    return _masked(store, actor, [post_view(row)])[0]


def _row(store: GraphStore, post_id: str) -> Row:
    row = store.one(posts_queries.GET, {"id": post_id})
    if row is None:
        raise NotFound("职务记录不存在")
    return row


def _check_unit(store: GraphStore, role: str, unit_id: str | None) -> None:
    if role in UNIT_ROLES and not unit_id:
        raise Invalid(f"“{role_zh(role)}”须填写来自的驻区单位")
    if role not in UNIT_ROLES and unit_id:
        raise Invalid(f"只有兼职委员需要填写来自的单位,“{role_zh(role)}”不填")
    if unit_id and store.one(node_stmt("get", "Unit"), {"id": unit_id}) is None:
        raise NotFound("来自的驻区单位不存在")


def assign_post(
    store: GraphStore, actor: Actor, draft: PostDraft, *, now: str | None = None
) -> dict[str, Any]:
    """A member takes a post at an org in the actor's jurisdiction; see the module's rules."""
    at = resolve(now)
    _org_in_scope(store, actor, draft.org_id, _WRITERS, "任免")
    if store.one(node_stmt("get", "Member"), {"id": draft.member_id}) is None:
        raise NotFound("党员不存在")
    _check_unit(store, draft.role, draft.unit_id)
    since = draft.since or at[:10]
    current = [post_view(r) for r in store.run(posts_queries.LIST, {"org_id": draft.org_id, "all": False})]
    same = [p for p in current if p["role"] == draft.role]
    if any(p["member_id"] == draft.member_id for p in same):
        raise Conflict(f"该党员已担任本组织的“{role_zh(draft.role)}”", "duplicate_post")
    sole = draft.role in SOLE_ROLES
    if sole and same and not draft.replace:
        raise Conflict(f"本组织已有现任“{role_zh(draft.role)}”,请先办理离任或选择接替", "post_taken")
    replaced = [p["id"] for p in same] if sole and draft.replace else []
    for p in same if replaced else []:
        if p["since"] and p["since"] > since:
            raise Invalid(f"新任的任职日期不能早于现任“{role_zh(draft.role)}”的任职日期 {p['since']}")
    post_id = new_id()
    props = present(
        {"id": post_id, "role": draft.role, "since": since, "unit_id": draft.unit_id, "note": draft.note}
    )
    after = {**props, "org_id": draft.org_id, "member_id": draft.member_id, "replaced": replaced}
    written = store.one(
        posts_queries.ASSIGN,
        {
            "org_id": draft.org_id,
            "member_id": draft.member_id,
            "unit_id": draft.unit_id,
            "role": draft.role,
            "since": since,
            "sole": sole,
            "replace": bool(replaced),
            "replaced_reason": REPLACED_REASON,
            "props": props,
            "audit": audit_record(actor, "post.assign", "Post", post_id, at, before=None, after=after),
        },
    )
    if written is None:
        raise Conflict("职务已被他人同时变更,请刷新后重试", "busy")
    return get_post(store, actor, post_id)


def edit_post(
    store: GraphStore, actor: Actor, post_id: str, edit: PostEdit, *, now: str | None = None
) -> dict[str, Any]:
    """Change a current post's role, start date, unit or note (ended posts are history)."""
    at = resolve(now)
    changes = edit.model_dump(exclude_unset=True)
    if not changes:
        raise Invalid("没有要修改的内容")
    if changes.get("role", "") is None:
        raise Invalid("“职务”不能为空")
    row = _row(store, post_id)
    _org_in_scope(store, actor, row["org_id"], _WRITERS, "任免")
    if row["until"] is not None:
        raise Conflict("该职务已离任,历史记录不能修改", "post_ended")
    before = {k: row[k] for k in ("role", "since", "unit_id", "note")}
    merged = {**before, **changes}
    if merged["since"] is None:
        raise Invalid("“任职日期”不能为空")
    if merged["role"] not in UNIT_ROLES and "unit_id" not in changes:
        merged["unit_id"] = None  # a post that stops being 兼职委员 names no unit
    _check_unit(store, merged["role"], merged["unit_id"])
    written = store.one(
        posts_queries.EDIT,
        {
            "org_id": row["org_id"],
            "id": post_id,
            "sole": merged["role"] in SOLE_ROLES,
            **{f"before_{k}": v for k, v in before.items()},
            **merged,
            "audit": audit_record(
                actor,
                "post.edit",
                "Post",
                post_id,
                at,
                before={**before, "member_id": row["member_id"]},
                after={**merged, "member_id": row["member_id"]},
            ),
        },
    )
    if written is None:
        if merged["role"] != row["role"]:
            raise Conflict(
                f"本组织已有现任“{role_zh(merged['role'])}”,或该党员已担任此职务,不能改为此职务", "post_taken"
            )
        raise Conflict("职务已被他人同时变更,请刷新后重试", "busy")
    return get_post(store, actor, post_id)


def end_post(
    store: GraphStore, actor: Actor, post_id: str, end: PostEnd, *, now: str | None = None
) -> dict[str, Any]:
    """End a current post on a day (default today) with a reason; the post stays as history."""
    at = resolve(now)
    row = _row(store, post_id)
    _org_in_scope(store, actor, row["org_id"], _WRITERS, "任免")
    if row["until"] is not None:
        raise Conflict("该职务已离任", "post_ended")
    until = end.until or at[:10]
    if row["since"] and until < row["since"]:
        raise Invalid(f"离任日期不能早于任职日期 {row['since']}")
    written = store.one(
        posts_queries.END,
        {
            "org_id": row["org_id"],
            "id": post_id,
            "until": until,
            "reason": end.reason,
            "audit": audit_record(
                actor,
                "post.end",
                "Post",
                post_id,
                at,
                before={"member_id": row["member_id"], "role": row["role"], "until": None},
                after={
                    "member_id": row["member_id"],
                    "role": row["role"],
                    "until": until,
                    "reason": end.reason,
                },
            ),
        },
    )
    if written is None:
        raise Conflict("职务已被他人同时变更,请刷新后重试", "busy")
    return get_post(store, actor, post_id)
