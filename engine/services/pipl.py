"""Personal data under the Personal Information Protection Law (issue 13 point 6).

- A member or unit downloads everything the graph holds about itself (PIPL Art. 45), unmasked for
  itself, audited as ``personal_data.export``.
- An administrator anonymises a member on request (Art. 47): name replaced by ``已匿名-<hash>``, phone
  removed, its accounts disabled and their sessions ended; claims, projects, hours, points and
  evaluations are kept. A request's (诉求) contact can be removed the same way.
- Break-glass: a planner sees an emergency callee's full phone only by stating a reason, audited.
- Retention: closed needs' addresses and the contacts of the requests that became them are removed
  ``personal_data_retention_days`` after the need last changed (the worker's ``purge_personal_data``).

Audit entries written before an anonymisation may carry the person's name or phone in their
before/after JSON. They are kept as they are: they may be sealed in the audit hash chain, whose
verification a rewrite would break, and the audit log is read by administrators only. Entries
written here never hold a person's name or phone.
"""

from __future__ import annotations

import hashlib
from typing import Any

from engine.actors import Actor, Role
from engine.errors import Forbidden, Invalid, NotFound
from engine.services.analytics import CACHE, org_graph, require_entity
from engine.services.clock import resolve, shift
from engine.services.personal import mask_personal
from engine.services.records import audit_record, public
from engine.services.scope import require_role
from engine.store.base import GraphStore
from engine.store.queries import intake as intake_queries
from engine.store.queries import pipl as pipl_queries
from graph_schema.domain import PROVIDERS

ANONYMISED_PREFIX = "已匿名-"
CLOSED_NEED_STATUSES = ("completed", "evaluated", "cancelled", "expired")
REASON_MIN, REASON_MAX = 4, 500
PURGE_BATCH = 500
SECRET_ACCOUNT_PROPS = ("password_hash", "totp_secret", "totp_pending")


def reason_text(reason: str) -> str:
    """A stated reason, trimmed; Invalid when too short or too long to be one."""
    text = (reason or "").strip()
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise Invalid(f"请填写理由({REASON_MIN} 到 {REASON_MAX} 个字)", "reason_required")
    return text


def anonymised_name(member_id: str) -> str:
    """The name an anonymised member is shown by: the prefix and 8 hex digits of its id's hash
    (the same every time, so anonymising twice changes nothing)."""
    return ANONYMISED_PREFIX + hashlib.sha256(member_id.encode()).hexdigest()[:8]


def own_data(store: GraphStore, actor: Actor, *, now: str | None = None) -> dict[str, Any]:
    """Everything the graph holds about the signed-in member or unit, unmasked: its record, what lies
    one relationship from it (memberships, offerings, claims, projects served and hours, work logs,
    evaluations, points, sign-ups, registrations, pledges), its accounts and their notifications,
    and the requests whose contact phone is its own. Other people it is tied to (its unit, a unit's
    members) are masked as usual. Audited as ``personal_data.export``."""
    label = actor.provider_label
    if label is None or actor.subject_id is None:
        raise Forbidden("只有党员和驻区单位可以下载本人(本单位)的个人信息")
    row = store.one(pipl_queries.PERSON[label], {"id": actor.subject_id})
    if row is None:
        raise NotFound("找不到您的党员或单位记录")
    accounts = store.run(pipl_queries.PERSON_ACCOUNTS, {"id": actor.subject_id})
    person = public(row["person"])
    phone = person.get("phone" if label == "Member" else "contact_phone")
    requests = store.run(pipl_queries.PERSON_REQUESTS, {"phone": phone}) if phone else []
    related: dict[str, list[dict[str, Any]]] = {}
    for item in [*row["outgoing"], *row["incoming"]]:
        related.setdefault(item["label"], []).append(
            {
                "relationship": item["relationship"],
                "direction": item["direction"],
                "relationship_props": public(item["relationship_props"]),
                **public(item["node"]),
            }
        )
    for other, items in related.items():  # other people (a member's unit, a unit's members) stay masked
        if other in PROVIDERS:
            related[other] = mask_personal(store, actor, other, items)
    for items in related.values():
        items.sort(key=lambda x: (x["relationship"], str(x.get("id", ""))))
    at = resolve(now)
    audit = audit_record(
        actor,
        "personal_data.export",
        label,
        actor.subject_id,
        at,
        before=None,
        after={"parts": sorted(related), "accounts": len(accounts), "requests": len(requests)},
    )
    store.one(pipl_queries.EXPORTED, {"audit": audit})
    return {
        "exported_at": at,
        "label": label,
        "person": person,
        "related": related,
        "claimed_needs": sorted(row["claimed_needs"], key=lambda x: x["claim_id"]),
        "accounts": [
            {
                **{k: v for k, v in r["account"].items() if k not in SECRET_ACCOUNT_PROPS},
                "notifications": [public(n) for n in r["notifications"]],
            }
            for r in accounts
        ],
        "requests": [public(r["request"]) for r in requests],
    }


def anonymise_member(
    store: GraphStore, actor: Actor, member_id: str, reason: str, *, now: str | None = None
) -> dict[str, Any]:
    """Anonymise a member on request (administrators only): its name replaced, phone removed, its
    accounts disabled with their sessions ended, its history kept; audited with the reason and
    without the old values. Anonymising an anonymised member changes nothing (``changed`` false)."""
    require_role(actor, (Role.ADMIN,), "只有管理员可以匿名化个人信息")
    why = reason_text(reason)
    name = anonymised_name(member_id)
    at = resolve(now)
    audit = audit_record(
        actor,
        "personal_data.anonymise",
        "Member",
        member_id,
        at,
        before=None,
        after={"name": name, "phone": None, "reason": why, "accounts": "disabled"},
    )
    params = {"id": member_id, "name": name, "prefix": ANONYMISED_PREFIX, "now": at, "audit": audit}
    row = store.one(pipl_queries.ANONYMISE_MEMBER, params)
    if row is None:
        current = store.one(pipl_queries.PERSON["Member"], {"id": member_id})
        if current is None:
            raise NotFound(f"党员“{member_id}”不存在")
        return {
            "id": member_id,
            "name": current["person"].get("name"),
            "changed": False,
            "accounts_disabled": 0,
        }
    CACHE.invalidate(store)  # analytics answers must not show the old name from a snapshot
    return {"id": member_id, "name": name, "changed": True, "accounts_disabled": int(row["disabled"])}


def anonymise_request(
    store: GraphStore, actor: Actor, request_id: str, reason: str, *, now: str | None = None
) -> dict[str, Any]:
    """Remove a request's (诉求) contact and address on the resident's request (administrators
    only), its content and history kept; audited with the reason. Idempotent (``changed``)."""
    require_role(actor, (Role.ADMIN,), "只有管理员可以匿名化个人信息")
    why = reason_text(reason)
    at = resolve(now)
    audit = audit_record(
        actor,
        "personal_data.anonymise",
        "Request",
        request_id,
        at,
        before=None,
        after={"contact": None, "reason": why},
    )
    row = store.one(pipl_queries.ANONYMISE_REQUEST, {"id": request_id, "now": at, "audit": audit})
    if row is None and not store.one(intake_queries.DETAIL, {"id": request_id}):
        raise NotFound(f"诉求“{request_id}”不存在")
    return {"id": request_id, "changed": row is not None}


def purge_personal_data(
    store: GraphStore, actor: Actor, *, retention_days: int, now: str | None = None, batch: int = PURGE_BATCH
) -> dict[str, int]:
    """Remove closed needs' addresses and their requests' contacts, and closed requests' contacts,
    once unchanged for ``retention_days`` (a scheduled job, admin or ``SYSTEM``): one statement and
    one audit entry with the counts per batch; a second run finds nothing. Returns the counts."""
    require_role(actor, (Role.ADMIN,), "只有管理员或系统可以清理过期个人信息")
    at = resolve(now)
    cutoff = shift(at, -24.0 * retention_days)
    total = {"needs": 0, "requests": 0}
    for statement in (pipl_queries.PURGE_NEEDS, pipl_queries.PURGE_REQUESTS):
        while True:
            label = "Need" if statement is pipl_queries.PURGE_NEEDS else "Request"
            before = {"retention_days": retention_days, "cutoff": cutoff}
            audit = audit_record(actor, "personal_data.purge", label, "-", at, before=before, after=None)
            params = {"closed": list(CLOSED_NEED_STATUSES), "cutoff": cutoff, "limit": batch, "audit": audit}
            row = store.one(statement, params)
            if row is None:
                break
            total["needs"] += int(row["needs"])
            total["requests"] += int(row["requests"])
            if max(int(row["needs"]), int(row["requests"])) < batch:
                break
    return total


REVEAL_MAX = 20


def reveal_phones(
    store: GraphStore,
    actor: Actor,
    org_id: str,
    people: list[str],
    reason: str,
    *,
    now: str | None = None,
) -> list[dict[str, Any]]:
    """Break-glass in an emergency: the full phones of mobilisation callees (members, or units'
    contacts) of an org's scope, for a planner or administrator who states a reason. The reveal is
    audited as ``personal_data.reveal`` (who, whom, why) in the statement that reads the phones; the
    audit entry never holds a phone. Each person's own accounts are told who looked and why (PIPL:
    they may know how their data is used)."""
    require_role(actor, (Role.ADMIN, Role.PLANNER), "只有管理员和组织部门可以查看应急联系电话")
    why = reason_text(reason)
    wanted = sorted(set(people))
    if not 1 <= len(wanted) <= REVEAL_MAX:
        raise Invalid(f"请选择 1 到 {REVEAL_MAX} 位要联系的人", "people")
    graph = org_graph(store, actor, org_id)
    for person in wanted:
        require_entity(actor, graph, person)
        if graph.nodes[person].get("label") not in ("Member", "Unit"):
            raise NotFound("只能查看党员或驻区单位联系人的电话")
    at = resolve(now)
    audit = audit_record(
        actor,
        "personal_data.reveal",
        "Org",
        org_id,
        at,
        before=None,
        after={"people": wanted, "reason": why},
    )
    viewer = actor.display_name or actor.account_id
    params = {"ids": wanted, "audit": audit, "viewer": viewer, "reason": why}
    rows = store.run(pipl_queries.REVEAL, params)
    return sorted(({"id": r["id"], "phone": r["phone"]} for r in rows), key=lambda r: r["id"])
