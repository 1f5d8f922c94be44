"""Fit when claiming (issue 12, point 8): a provider's self-claim must use an offering whose
category and skills fit the need, the same rule the matching uses for its candidates (category the
same, its parent or a child; the offering has every skill the need asks for). A misfit is refused
with the reason in Chinese, unless the need's secretary allows 跨类认领 for the need or for its org
(or an org leading it): then the claim is accepted and carries the reason as its warning.

``misfit`` is pure; the setters are single audited statements.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, NotFound
from engine.services.clock import resolve
from engine.services.records import audit_record
from engine.services.scope import jurisdiction, require_role
from engine.store.base import GraphStore
from engine.store.queries import fit as fit_queries
from graph_schema.taxonomy import CATEGORY_BY_ID, related_categories

_SETTERS = (Role.ADMIN, Role.SECRETARY)


def category_title(code: str) -> str:
    """A category as secretaries read it: 「助老服务/助餐送餐」 (the code itself when unknown)."""
    cat = CATEGORY_BY_ID.get(code)
    if cat is None:
        return code
    parent = CATEGORY_BY_ID.get(cat.parent) if cat.parent else None
    return f"{parent.name}/{cat.name}" if parent else cat.name


def misfit(
    need_category: str,
    need_skills: Iterable[str] | None,
    offering_category: str,
    offering_skills: Iterable[str] | None,
) -> str | None:
    """Why an offering does not fit a need (in Chinese), or None when it fits."""
    reasons = []
    if offering_category not in related_categories(need_category):
        reasons.append(
            f"该资源类别「{category_title(offering_category)}」与需求类别「{category_title(need_category)}」不符"
        )
    have = set(offering_skills or ())
    missing = [s for s in dict.fromkeys(need_skills or ()) if s not in have]
    if missing:
        reasons.append(f"该资源未登记需求所需的技能「{'、'.join(missing)}」")
    return ";".join(reasons) or None


def check_self_claim(store: GraphStore, actor: Actor, need_id: str, offering_id: str) -> str | None:
    """Before a provider's own claim: refuse a claim of a need the provider itself asked for, and a
    misfit that is not allowed (Conflict ``misfit``); return the warning of an allowed misfit.
    Returns None when the need or offering is missing (the claim itself says so)."""
    row = store.one(fit_queries.FIT, {"need_id": need_id, "offering_id": offering_id})
    if row is None:
        return None
    if actor.provider_label == "Unit" and row["requester_id"] == actor.subject_id:
        raise Forbidden("不能认领本单位提出的需求;该需求由社区一方承接", "own_need")
    reason = misfit(
        row["need_category"], row["need_skills"], row["offering_category"], row["offering_skills"]
    )
    if reason is None:
        return None
    if not row["allowed"]:
        raise Conflict(f"{reason},不能认领。如确需跨类认领,请联系社区书记开启“允许跨类认领”", "misfit")
    return f"跨类认领:{reason}"


def _toggle(store: GraphStore, actor: Actor, org_id: str) -> None:
    require_role(actor, _SETTERS, "只有社区书记或管理员可以设置是否允许跨类认领")
    if not jurisdiction(store, actor).covers(org_id):
        raise Forbidden("只能设置本社区及下属网格、楼栋的认领规则")


def set_need_cross_category(
    store: GraphStore, actor: Actor, need_id: str, allow: bool, *, now: str | None = None
) -> dict[str, Any]:
    """Allow (or stop allowing) claims of one need with offerings that do not fit it."""
    at = resolve(now)
    row = store.one(fit_queries.NEED_ORG, {"id": need_id})
    if row is None:
        raise NotFound("需求不存在")
    _toggle(store, actor, row["org_id"])
    audit = audit_record(
        actor,
        "need.cross_category",
        "Need",
        need_id,
        at,
        before={"allow_cross_category": row["allow"]},
        after={"allow_cross_category": allow},
    )
    written = store.one(fit_queries.SET_NEED, {"id": need_id, "allow": allow, "now": at, "audit": audit})
    if written is None:
        raise NotFound("需求不存在")
    return {"need_id": need_id, "allow_cross_category": bool(written["allow"])}


def set_org_cross_category(
    store: GraphStore, actor: Actor, org_id: str, allow: bool, *, now: str | None = None
) -> dict[str, Any]:
    """Allow (or stop allowing) cross-category claims of every need of an org and the orgs it leads."""
    at = resolve(now)
    _toggle(store, actor, org_id)
    audit = audit_record(
        actor, "org.cross_category", "Org", org_id, at, before=None, after={"allow_cross_category": allow}
    )
    written = store.one(fit_queries.SET_ORG, {"id": org_id, "allow": allow, "now": at, "audit": audit})
    if written is None:
        raise NotFound("党组织不存在")
    return {"org_id": org_id, "allow_cross_category": bool(written["allow"])}
