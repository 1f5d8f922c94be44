"""双报到 managed in place (issue 12): a resident unit (its account) or an in-service member
registers with a community (a pending ``Registration``); the community's secretary (or an admin)
accepts it, which makes the ``REPORTS_TO`` tie, or declines it with a reason. Each step is one
statement with its audit entry and a notification (the community's secretaries on a new
registration, the registrant on the decision). A registration already pending with that community,
or a tie already there, is refused. Org roles list the registrations of their jurisdiction, a unit
or member its own; a member's name is shown in full to admins, the member and the secretaries of
the community it registered with (who must judge it), masked for everyone else.
"""

from __future__ import annotations

from typing import Any

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.privacy import mask_value
from engine.services.agreements import today_of
from engine.services.clock import resolve
from engine.services.inputs import StrictInput, id_field, prop_field
from engine.services.records import audit_record, check_page, new_id, present, public
from engine.services.scope import Scope, jurisdiction, require_role
from engine.store.base import GraphStore, Row
from engine.store.queries import registrations as registration_queries
from engine.store.queries.nodes import node_stmt
from graph_schema.domain import REGISTRATION_STATUSES
from graph_schema.validation import validate_node

KIND_ZH = {"Unit": "驻区单位", "Member": "在职党员"}
_DECIDERS = (Role.ADMIN, Role.SECRETARY)
_READERS = (Role.ADMIN, Role.PLANNER, Role.SECRETARY, Role.UNIT, Role.MEMBER)


class RegistrationDraft(StrictInput):
    """The community a unit or member registers with, and an optional note."""

    org_id: str = id_field("Org", description="报到的社区党组织")
    note: str | None = prop_field("Registration", "note", None, examples=["单位党支部申请到社区报到"])


class DecisionBody(StrictInput):
    """The secretary's word on a registration (required to decline)."""

    reason: str | None = prop_field("Registration", "decision_reason", None, examples=["欢迎报到"])


def _name(row: Row, actor: Actor, scope: Scope | None) -> str | None:
    name = row["registrant_name"]
    if row["registration"]["registrant_kind"] == "Unit" or name is None:
        return name  # a unit's name is public
    if actor.is_admin or (actor.role is Role.MEMBER and actor.subject_id == row["registrant_id"]):
        return str(name)
    if actor.role is Role.SECRETARY and scope is not None and scope.covers(row["org_id"]):
        return str(name)
    return str(mask_value("name", name))


def view(row: Row, actor: Actor, scope: Scope | None) -> dict[str, Any]:
    """A registration as its reader may see it."""
    r = public(row["registration"])
    return {
        **r,
        "status_zh": REGISTRATION_STATUSES.get(r["status"], r["status"]),
        "registrant_kind_zh": KIND_ZH.get(r["registrant_kind"], r["registrant_kind"]),
        "registrant_id": row["registrant_id"],
        "registrant_name": _name(row, actor, scope),
        "org_id": row["org_id"],
        "org_name": row["org_name"],
    }


def _scope(store: GraphStore, actor: Actor) -> Scope | None:
    return jurisdiction(store, actor) if actor.role in (Role.ADMIN, Role.PLANNER, Role.SECRETARY) else None


def _row(store: GraphStore, registration_id: str) -> Row:
    row = store.one(registration_queries.DETAIL, {"id": registration_id})
    if row is None:
        raise NotFound("报到申请不存在", "registration_not_found")
    return row


def submit_registration(
    store: GraphStore, actor: Actor, draft: RegistrationDraft, *, now: str | None = None
) -> dict[str, Any]:
    """The signed-in unit or member registers with a community: a pending registration, and the
    community's secretaries are told."""
    at = resolve(now)
    require_role(actor, (Role.UNIT, Role.MEMBER), "只有驻区单位和党员账号可以申请到社区报到")
    label, registrant_id = actor.provider_label or "", actor.subject_id or ""
    org = store.one(node_stmt("get", "Org"), {"id": draft.org_id})
    if org is None:
        raise NotFound(f"党组织“{draft.org_id}”不存在")
    if org["node"].get("level") != "community":
        raise Invalid(f"只能向社区党组织报到,“{org['node'].get('name')}”不是社区党组织")
    me = store.one(node_stmt("get", label), {"id": registrant_id})
    if me is None:
        raise NotFound("账号对应的单位或党员不存在,请联系管理员")
    registrant_name = str(me["node"].get("name") or "")
    shown = registrant_name if label == "Unit" else f"党员 {mask_value('name', registrant_name)}"
    reg_id = new_id()
    props = present(
        {
            "id": reg_id,
            "registrant_kind": label,
            "note": (draft.note or "").strip() or None,
            "status": "pending",
            "created_at": at,
            "updated_at": at,
        }
    )
    problems = validate_node("Registration", props)
    if problems:
        raise Invalid(problems[0].message)
    written = store.one(
        registration_queries.SUBMIT[label],
        {
            "registrant_id": registrant_id,
            "org_id": draft.org_id,
            "registrant_name": shown,
            "props": props,
            "now": at,
            "audit": audit_record(
                actor,
                "registration.submit",
                "Registration",
                reg_id,
                at,
                before=None,
                after={**props, "registrant_id": registrant_id, "org_id": draft.org_id},
            ),
        },
    )
    if written is None:
        pending = store.run(
            registration_queries.LIST,
            {"org_ids": [draft.org_id], "registrant_id": registrant_id, "status": "pending", "skip": 0,
             "limit": 1},
        )  # fmt: skip
        if pending:
            raise Conflict("已有待审核的报到申请,请等待社区审核", "registration_pending")
        raise Conflict(f"已向{org['node'].get('name')}报到,无需重复申请", "already_reported")
    return get_registration(store, actor, reg_id)


def get_registration(store: GraphStore, actor: Actor, registration_id: str) -> dict[str, Any]:
    """One registration: for org roles of its community's jurisdiction and for its registrant."""
    require_role(actor, _READERS, "无权查看报到申请")
    row = _row(store, registration_id)
    scope = _scope(store, actor)
    if actor.is_provider:
        if row["registrant_id"] != actor.subject_id:
            raise Forbidden("只能查看本单位或本人的报到申请")
    elif scope is None or not scope.covers(row["org_id"]):
        raise Forbidden("只能查看本辖区的报到申请")
    return view(row, actor, scope)


def list_registrations(
    store: GraphStore,
    actor: Actor,
    *,
    org_id: str | None = None,
    status: str | None = None,
    skip: int = 0,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Registrations of the jurisdiction (a unit or member: its own), newest first."""
    require_role(actor, _READERS, "无权查看报到申请")
    check_page(skip, limit)
    if status is not None and status not in REGISTRATION_STATUSES:
        raise Invalid(f"报到申请状态“{status}”不存在")
    scope = _scope(store, actor)
    registrant_id = actor.subject_id if actor.is_provider else None
    org_ids = scope.filter if scope is not None else None
    if org_id is not None:
        if scope is not None and not scope.covers(org_id):
            raise Forbidden("只能查看本辖区的报到申请")
        org_ids = [org_id]
    rows = store.run(
        registration_queries.LIST,
        {"org_ids": org_ids, "registrant_id": registrant_id, "status": status, "skip": skip, "limit": limit},
    )
    return [view(r, actor, scope) for r in rows]


def _decide(
    store: GraphStore, actor: Actor, registration_id: str, accept: bool, reason: str | None, now: str | None
) -> dict[str, Any]:
    at = resolve(now)
    require_role(actor, _DECIDERS, "只有社区书记或管理员可以审核报到申请")
    reason = (reason or "").strip() or None
    if not accept and (reason is None or len(reason) < 2):
        raise Invalid("请填写不予接收的原因(报到方可以看到)")
    row = _row(store, registration_id)
    if not jurisdiction(store, actor).covers(row["org_id"]):
        raise Forbidden("只能审核向本社区提交的报到申请")
    current = row["registration"]["status"]
    if current != "pending":
        raise Conflict(
            f"该报到申请已审核(当前状态:{REGISTRATION_STATUSES.get(current)})", "illegal_transition"
        )
    status = "accepted" if accept else "declined"
    statement = registration_queries.ACCEPT if accept else registration_queries.DECLINE
    written = store.one(
        statement,
        {
            "id": registration_id,
            "reason": reason,
            "now": at,
            "today": today_of(at),
            "actor": actor.account_id,
            "audit": audit_record(
                actor,
                f"registration.{'accept' if accept else 'decline'}",
                "Registration",
                registration_id,
                at,
                before={"status": "pending"},
                after=present(
                    {
                        "status": status,
                        "decision_reason": reason,
                        "org_id": row["org_id"],
                        "registrant_id": row["registrant_id"],
                    }
                ),
            ),
        },
    )
    if written is None:
        raise Conflict("该报到申请刚刚已被审核,请刷新后查看", "illegal_transition")
    return get_registration(store, actor, registration_id)


def accept_registration(
    store: GraphStore,
    actor: Actor,
    registration_id: str,
    reason: str | None = None,
    *,
    now: str | None = None,
) -> dict[str, Any]:
    """Accept a pending registration: the registrant now REPORTS_TO the community."""
    return _decide(store, actor, registration_id, True, reason, now)


def decline_registration(
    store: GraphStore, actor: Actor, registration_id: str, reason: str | None, *, now: str | None = None
) -> dict[str, Any]:
    """Decline a pending registration with a reason the registrant sees."""
    return _decide(store, actor, registration_id, False, reason, now)
