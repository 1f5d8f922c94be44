"""Agreements 共建协议 / 双向服务协议 managed in place (issue 12).

A community's or street's secretary (or an admin) signs an agreement between its org (甲方) and a
resident unit (乙方) with terms, a start and an end date and each side's obligations; renews it to a
later end date (each renewal kept in its history ``renewals`` as ``续签日期:原到期日→新到期日``);
terminates it with a reason. Org roles read the agreements of their jurisdiction, a unit its own
(read-only). An agreement in force that ends within ``warning_days`` (setting
``agreement_warning_days``, default 30) is marked 即将到期 in lists, and the scheduled job
``remind_expiring_agreements`` warns the secretaries and the unit's account once per end date.
Days are Beijing calendar days.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

from pydantic import model_validator

from engine.actors import SYSTEM, Actor, Role
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.services.clock import parse, resolve
from engine.services.inputs import SchemaInput, StrictInput, id_field, prop_field
from engine.services.records import audit_record, check_page, new_id, present, public
from engine.services.scope import jurisdiction, require_role
from engine.store.base import GraphStore, Row
from engine.store.queries import agreements as agreement_queries
from engine.store.queries.nodes import node_stmt
from graph_schema.domain import AGREEMENT_KINDS, AGREEMENT_STATUSES, ORG_LEVELS
from graph_schema.validation import BEIJING, LIST_SEPARATORS, validate_node

WARNING_DAYS = 30
PARTY_LEVELS = ("community", "street")  # the org side of an agreement: a 社区党委 or a 街道党工委
MAX_OBLIGATIONS = 30
OBLIGATION_LENGTH = 200
_WRITERS = (Role.ADMIN, Role.SECRETARY)
_READERS = (Role.ADMIN, Role.PLANNER, Role.SECRETARY, Role.UNIT)
_NOT_WRITER = "只有社区(街道)书记或管理员可以签订、续签和终止共建协议"


def today_of(now: str) -> str:
    """The Beijing calendar date of ``now`` (``YYYY-MM-DD``)."""
    return parse(now).astimezone(BEIJING).date().isoformat()


def _obligations(items: list[str], side: str) -> list[str]:
    cleaned = [x.strip() for x in items if x and x.strip()]
    if not cleaned:
        raise ValueError(f"请至少列出一条{side}义务")
    if len(cleaned) > MAX_OBLIGATIONS:
        raise ValueError(f"{side}义务最多 {MAX_OBLIGATIONS} 条")
    for x in cleaned:
        if len(x) > OBLIGATION_LENGTH:
            raise ValueError(f"{side}义务每条最多 {OBLIGATION_LENGTH} 个字")
        if any(sep in x for sep in LIST_SEPARATORS):
            raise ValueError(f"{side}义务的一条中不能含有分隔符({' '.join(LIST_SEPARATORS)}),请分成多条")
    return cleaned


class AgreementDraft(SchemaInput):
    """A new agreement: the parties, title, kind, terms, dates and both sides' obligations."""

    schema_label: ClassVar[str] = "Agreement"

    org_id: str = id_field("Org", description="甲方:社区党委或街道党工委")
    unit_id: str = id_field("Unit", description="乙方:驻区单位")
    title: str = prop_field("Agreement", "title", min_length=2, examples=["共建协议(2027年度)"])
    kind: str = prop_field("Agreement", "kind", "co_construction")
    terms: str | None = prop_field("Agreement", "terms", None)
    signed_on: str | None = prop_field("Agreement", "signed_on", None)
    valid_from: str = prop_field("Agreement", "valid_from", examples=["2027-01-01"])
    valid_to: str = prop_field("Agreement", "valid_to", examples=["2027-12-31"])
    obligations_a: list[str] = prop_field("Agreement", "obligations_a", examples=[["提供活动场地"]])
    obligations_b: list[str] = prop_field("Agreement", "obligations_b", examples=[["每月组织一次志愿服务"]])

    @model_validator(mode="after")
    def _rules(self) -> AgreementDraft:
        if self.valid_to <= self.valid_from:
            raise ValueError("“到期日期”必须晚于“生效日期”")
        self.obligations_a = _obligations(self.obligations_a, "甲方(社区/街道)")
        self.obligations_b = _obligations(self.obligations_b, "乙方(驻区单位)")
        return self


class RenewBody(SchemaInput):
    """The new end date of a renewal (later than the current one)."""

    schema_label: ClassVar[str] = "Agreement"

    valid_to: str = prop_field("Agreement", "valid_to", examples=["2028-12-31"])


class TerminateBody(StrictInput):
    """Why the agreement ends early."""

    reason: str = prop_field("Agreement", "termination_reason", min_length=2, examples=["单位搬迁出辖区"])


def renewal_entry(on: str, old: str | None, new: str) -> str:
    """One history entry: ``续签日期:原到期日→新到期日``."""
    return f"{on}:{old or '—'}→{new}"


def parse_renewal(entry: str) -> dict[str, str | None]:
    """A history entry as ``{renewed_on, previous_valid_to, valid_to}``."""
    on, _, rest = entry.partition(":")
    old, _, new = rest.partition("→")
    return {"renewed_on": on, "previous_valid_to": None if old in ("", "—") else old, "valid_to": new}


def view(row: Row, *, today: str, warning_days: int = WARNING_DAYS) -> dict[str, Any]:
    """An agreement as lists show it: its parties, status words, days left and the 即将到期 mark."""
    a = public(row["agreement"])
    days_left = None
    if a.get("valid_to"):
        days_left = (date.fromisoformat(a["valid_to"]) - date.fromisoformat(today)).days
    in_force = a["status"] == "active"
    expiring = in_force and days_left is not None and 0 <= days_left <= warning_days
    lapsed = in_force and days_left is not None and days_left < 0
    status_zh = AGREEMENT_STATUSES.get(a["status"], a["status"])
    return {
        **a,
        "obligations_a": a.get("obligations_a") or [],
        "obligations_b": a.get("obligations_b") or [],
        "renewals": a.get("renewals") or [],
        "history": [parse_renewal(x) for x in a.get("renewals") or []],
        "kind_zh": AGREEMENT_KINDS.get(a["kind"], a["kind"]),
        "status_zh": "已到期" if lapsed else ("即将到期" if expiring else status_zh),
        "org_id": row["org_id"],
        "org_name": row["org_name"],
        "unit_id": row["unit_id"],
        "unit_name": row["unit_name"],
        "days_left": days_left,
        "expiring": expiring,
        "lapsed": lapsed,
    }


def _node(store: GraphStore, label: str, node_id: str) -> dict[str, Any] | None:
    row = store.one(node_stmt("get", label), {"id": node_id})
    return dict(row["node"]) if row else None


def create_agreement(
    store: GraphStore, actor: Actor, draft: AgreementDraft, *, now: str | None = None
) -> dict[str, Any]:
    """Sign an agreement between an org of the actor's jurisdiction and a unit; one statement
    writes the agreement, both parties and the audit entry."""
    at = resolve(now)
    require_role(actor, _WRITERS, _NOT_WRITER)
    if not jurisdiction(store, actor).covers(draft.org_id):
        raise Forbidden("只能以本社区(街道)党组织的名义签订协议")
    org = _node(store, "Org", draft.org_id)
    if org is None:
        raise NotFound(f"党组织“{draft.org_id}”不存在")
    if org.get("level") not in PARTY_LEVELS:
        level = ORG_LEVELS.get(org.get("level", ""), "其他组织")
        raise Invalid(f"协议的甲方应为社区党委或街道党工委,“{org['name']}”是{level}")
    if _node(store, "Unit", draft.unit_id) is None:
        raise NotFound(f"驻区单位“{draft.unit_id}”不存在", "unit_not_found")
    agreement_id = new_id()
    props = present(
        {
            **draft.props(),
            "id": agreement_id,
            "signed_on": draft.signed_on or today_of(at),
            "status": "active",
            "created_at": at,
            "updated_at": at,
        }
    )
    problems = validate_node("Agreement", props)
    if problems:
        raise Invalid(problems[0].message)
    written = store.one(
        agreement_queries.CREATE,
        {
            "org_id": draft.org_id,
            "unit_id": draft.unit_id,
            "props": props,
            "audit": audit_record(
                actor,
                "agreement.create",
                "Agreement",
                agreement_id,
                at,
                before=None,
                after={**props, "org_id": draft.org_id, "unit_id": draft.unit_id},
            ),
        },
    )
    if written is None:
        raise NotFound("协议的甲方或乙方已不存在")
    return get_agreement(store, actor, agreement_id, now=at)


def _row(store: GraphStore, agreement_id: str) -> Row:
    row = store.one(agreement_queries.DETAIL, {"id": agreement_id})
    if row is None:
        raise NotFound("协议不存在", "agreement_not_found")
    return row


def _may_read(store: GraphStore, actor: Actor, row: Row) -> bool:
    if actor.is_admin:
        return True
    if actor.role is Role.UNIT:
        return row["unit_id"] == actor.subject_id
    if actor.role in (Role.PLANNER, Role.SECRETARY):
        return jurisdiction(store, actor).covers(row["org_id"])
    return False


def get_agreement(
    store: GraphStore,
    actor: Actor,
    agreement_id: str,
    *,
    warning_days: int = WARNING_DAYS,
    now: str | None = None,
) -> dict[str, Any]:
    """One agreement, for org roles of its org's jurisdiction and for its unit."""
    require_role(actor, _READERS, "无权查看共建协议")
    row = _row(store, agreement_id)
    if not _may_read(store, actor, row):
        raise Forbidden("只能查看本辖区(或本单位)的共建协议")
    return view(row, today=today_of(resolve(now)), warning_days=warning_days)


def list_agreements(
    store: GraphStore,
    actor: Actor,
    *,
    org_id: str | None = None,
    unit_id: str | None = None,
    status: str | None = None,
    expiring_only: bool = False,
    warning_days: int = WARNING_DAYS,
    skip: int = 0,
    limit: int = 50,
    now: str | None = None,
) -> list[dict[str, Any]]:
    """Agreements of the actor's jurisdiction (a unit: its own), soonest end first; each marked
    即将到期 when in force and ending within ``warning_days``."""
    require_role(actor, _READERS, "无权查看共建协议")
    check_page(skip, limit)
    if status is not None and status not in AGREEMENT_STATUSES:
        raise Invalid(f"协议状态“{status}”不存在")
    org_ids: list[str] | None
    if actor.role is Role.UNIT:
        if unit_id is not None and unit_id != actor.subject_id:
            raise Forbidden("驻区单位只能查看本单位的共建协议")
        unit_id, org_ids = actor.subject_id, None
        if org_id is not None:
            org_ids = [org_id]
    else:
        scope = jurisdiction(store, actor)
        org_ids = scope.filter
        if org_id is not None:
            if not scope.covers(org_id):
                raise Forbidden("只能查看本辖区的共建协议")
            org_ids = [org_id]
    rows = store.run(
        agreement_queries.LIST,
        {"org_ids": org_ids, "unit_id": unit_id, "status": status, "skip": skip, "limit": limit},
    )
    today = today_of(resolve(now))
    items = [view(r, today=today, warning_days=warning_days) for r in rows]
    return [i for i in items if i["expiring"]] if expiring_only else items


def _writable(store: GraphStore, actor: Actor, agreement_id: str) -> Row:
    require_role(actor, _WRITERS, _NOT_WRITER)
    row = _row(store, agreement_id)
    if not jurisdiction(store, actor).covers(row["org_id"]):
        raise Forbidden("只能续签或终止本辖区的共建协议")
    if row["agreement"]["status"] == "terminated":
        raise Conflict("该协议已终止,不能再续签或终止;请签订新协议", "agreement_terminated")
    return row


def renew_agreement(
    store: GraphStore, actor: Actor, agreement_id: str, body: RenewBody, *, now: str | None = None
) -> dict[str, Any]:
    """Renew to a later end date; the old end date stays in the history and the audit."""
    at = resolve(now)
    row = _writable(store, actor, agreement_id)
    old = row["agreement"].get("valid_to")
    today = today_of(at)
    if old is not None and body.valid_to <= old:
        raise Invalid(f"新的到期日期必须晚于原到期日期({old})")
    if body.valid_to <= today:
        raise Invalid("新的到期日期必须晚于今天")
    entry = renewal_entry(today, old, body.valid_to)
    written = store.one(
        agreement_queries.RENEW,
        {
            "id": agreement_id,
            "before_valid_to": old,
            "valid_to": body.valid_to,
            "entry": entry,
            "now": at,
            "audit": audit_record(
                actor,
                "agreement.renew",
                "Agreement",
                agreement_id,
                at,
                before={"valid_to": old, "status": row["agreement"]["status"]},
                after={"valid_to": body.valid_to, "status": "active", "renewal": entry},
            ),
        },
    )
    if written is None:
        raise Conflict("协议刚刚被他人续签或终止,请刷新后重试", "stale")
    return get_agreement(store, actor, agreement_id, now=at)


def terminate_agreement(
    store: GraphStore, actor: Actor, agreement_id: str, body: TerminateBody, *, now: str | None = None
) -> dict[str, Any]:
    """End an agreement early with a reason."""
    at = resolve(now)
    reason = body.reason.strip()
    if len(reason) < 2:
        raise Invalid("请填写终止原因")
    row = _writable(store, actor, agreement_id)
    written = store.one(
        agreement_queries.TERMINATE,
        {
            "id": agreement_id,
            "today": today_of(at),
            "reason": reason,
            "now": at,
            "audit": audit_record(
                actor,
                "agreement.terminate",
                "Agreement",
                agreement_id,
                at,
                before={"status": row["agreement"]["status"]},
                after={"status": "terminated", "termination_reason": reason},
            ),
        },
    )
    if written is None:
        raise Conflict("该协议已终止", "agreement_terminated")
    return get_agreement(store, actor, agreement_id, now=at)


def remind_expiring_agreements(
    store: GraphStore, *, days: int = WARNING_DAYS, now: str | None = None
) -> dict[str, Any]:
    """The scheduled warning: agreements in force ending within ``days`` (Beijing dates) notify
    their org's secretaries, the leading org's, and the unit's account; once per end date."""
    at = resolve(now)
    today = today_of(at)
    horizon = (date.fromisoformat(today) + timedelta(days=days)).isoformat()
    run = new_id()
    audit = audit_record(SYSTEM, "job.remind_agreement_expiring", "Job", agreement_queries.EXPIRING.name, at,
                         before=None, after=None)  # fmt: skip
    row = store.one(
        agreement_queries.EXPIRING,
        {"today": today, "horizon": horizon, "now": at, "run": run, "audit": audit},
    )
    assert row is not None  # an aggregate always answers one row
    return {
        "job": "job.remind_agreement_expiring",
        "matched": int(row["matched"]),
        "created": int(row["created"]),
        "audit_id": audit["id"],
    }
