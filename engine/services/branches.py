"""三缘 feature branches 三缘特色支部 (issue 12; DOMAIN.md, 000 塔城, 004 化龙桥): a member joins a
territorial 地缘, occupational 业缘 or interest 趣缘 branch, and leaves it, without any change to its
formal affiliation (BELONGS_TO 隶属关系).

Who: the member itself (self-service, for branches led by a community it belongs or reports to),
or the secretary whose jurisdiction holds the branch (the community leading it), or an
administrator. The roster is read by the branch's secretaries and planners (names and phones
masked as for every reader, engine/privacy.py) and by admins; a member reads the branches it
joined. Each join and leave is one statement with its audit entry.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, NotFound
from engine.services.clock import resolve
from engine.services.inputs import StrictInput, id_field
from engine.services.personal import mask_personal
from engine.services.records import audit_record, check_page
from engine.services.scope import jurisdiction, provider_orgs, require_role, subtree
from engine.store.base import GraphStore, Row
from engine.store.queries import branches as branch_queries
from engine.store.queries.nodes import node_stmt
from graph_schema.domain import ORG_BASES

FEATURE = "feature"
_ORG_ROLES = (Role.ADMIN, Role.SECRETARY, Role.PLANNER)


class JoinRequest(StrictInput):
    """Who joins: the signed-in member by default; a secretary or admin names the member."""

    member_id: str | None = id_field("Member", None, description="参加的党员(党员本人可不填)")


class LeaveRequest(JoinRequest):
    """Who leaves: the signed-in member by default; a secretary or admin names the member."""

    reason: str | None = Field(None, max_length=200, description="退出原因")


def branch_view(row: Row) -> dict[str, Any]:
    """A branch as callers see it: its public fields, the org leading it, how many joined."""
    org = row["org"]
    return {
        **org,
        "basis_zh": ORG_BASES.get(org.get("basis") or "", None),
        "parent_ids": row["parent_ids"],
        "joined": row["joined"],
    }


def _branch(store: GraphStore, org_id: str) -> Row:
    row = store.one(branch_queries.BRANCH, {"id": org_id})
    if row is None:
        raise NotFound("党组织不存在")
    if row["org"]["kind"] != FEATURE:
        raise Conflict("该党组织不是三缘特色支部,不能参加或退出", "not_a_branch")
    return row


def list_branches(store: GraphStore, actor: Actor) -> list[dict[str, Any]]:
    """The feature branches a reader may see: all for admins and members (to choose one to join),
    those of their jurisdiction for secretaries and planners."""
    if actor.role is Role.UNIT or actor.role is Role.GRID_WORKER:
        raise Forbidden("只有党员、社区书记、规划人员或管理员可以查看三缘特色支部")
    scope = jurisdiction(store, actor)
    org_ids = None if actor.role is Role.MEMBER else scope.filter
    return [branch_view(r) for r in store.run(branch_queries.LIST, {"org_ids": org_ids})]


def member_branches(store: GraphStore, actor: Actor, member_id: str) -> list[dict[str, Any]]:
    """The branches a member joined: to the member itself, admins, and org roles whose jurisdiction
    holds the branch."""
    if store.one(node_stmt("get", "Member"), {"id": member_id}) is None:
        raise NotFound("党员不存在")
    own = actor.role is Role.MEMBER and actor.subject_id == member_id
    if not own:
        require_role(actor, _ORG_ROLES, "只能查看本人参加的支部")
    scope = jurisdiction(store, actor)
    rows = store.run(branch_queries.OF_MEMBER, {"member_id": member_id})
    return [
        {**r["org"], "basis_zh": ORG_BASES.get(r["org"].get("basis") or ""), "since": r["since"]}
        for r in rows
        if own or scope.covers(r["org"]["id"])
    ]


def roster(
    store: GraphStore, actor: Actor, org_id: str, *, skip: int = 0, limit: int = 100
) -> list[dict[str, Any]]:
    """The members who joined a branch, with their formal affiliation (names masked by role)."""
    check_page(skip, limit)
    _branch(store, org_id)
    require_role(actor, _ORG_ROLES, "只有社区书记、规划人员或管理员可以查看支部名册")
    if not jurisdiction(store, actor).covers(org_id):
        raise Forbidden("只能查看本辖区支部的名册")
    rows = [dict(r) for r in store.run(branch_queries.ROSTER, {"id": org_id, "skip": skip, "limit": limit})]
    return mask_personal(store, actor, "Member", rows)


def _who(store: GraphStore, actor: Actor, branch: Row, member_id: str | None, doing: str) -> str:
    """The member acting or acted for, after checking that ``actor`` may do it: a member itself,
    for a branch led by a community it is tied to (belongs or reports to an org there)."""
    org_id = branch["org"]["id"]
    if actor.role is Role.MEMBER:
        if member_id not in (None, actor.subject_id):
            raise Forbidden(f"党员只能本人{doing}支部")
        mine = provider_orgs(store, "Member", actor.subject_id or "")
        if not any(mine & subtree(store, p) for p in branch["parent_ids"]):
            raise Forbidden(f"只能{doing}本人所属或报到社区的三缘特色支部")
        return actor.subject_id or ""
    require_role(actor, (Role.ADMIN, Role.SECRETARY), f"只有党员本人、社区书记或管理员可以办理{doing}")
    if not jurisdiction(store, actor).covers(org_id):
        raise Forbidden(f"只能为本辖区的支部办理{doing}")
    if not member_id:
        raise NotFound("请指定党员")
    return member_id


def join_branch(
    store: GraphStore, actor: Actor, org_id: str, request: JoinRequest, *, now: str | None = None
) -> dict[str, Any]:
    """A member joins a 三缘 branch (its affiliation stays as it is); answers the branch."""
    at = resolve(now)
    member_id = _who(store, actor, _branch(store, org_id), request.member_id, "参加")
    if store.one(node_stmt("get", "Member"), {"id": member_id}) is None:
        raise NotFound("党员不存在")
    since = at[:10]
    written = store.one(
        branch_queries.JOIN,
        {
            "org_id": org_id,
            "member_id": member_id,
            "since": since,
            "audit": audit_record(
                actor,
                "branch.join",
                "Member",
                member_id,
                at,
                before=None,
                after={"branch_id": org_id, "since": since},
            ),
        },
    )
    if written is None:
        raise Conflict("该党员已参加这个支部", "already_joined")
    return branch_view(_branch(store, org_id))


def leave_branch(
    store: GraphStore, actor: Actor, org_id: str, request: LeaveRequest, *, now: str | None = None
) -> dict[str, Any]:
    """A member leaves a branch it joined; answers the branch."""
    at = resolve(now)
    member_id = _who(store, actor, _branch(store, org_id), request.member_id, "退出")
    joined = {
        r["org"]["id"]: r["since"] for r in store.run(branch_queries.OF_MEMBER, {"member_id": member_id})
    }
    if org_id not in joined:
        raise Conflict("该党员没有参加这个支部", "not_joined")
    written = store.one(
        branch_queries.LEAVE,
        {
            "org_id": org_id,
            "member_id": member_id,
            "audit": audit_record(
                actor,
                "branch.leave",
                "Member",
                member_id,
                at,
                before={"branch_id": org_id, "since": joined[org_id]},
                after={"branch_id": org_id, "left_on": at[:10], "reason": request.reason},
            ),
        },
    )
    if written is None:
        raise Conflict("该党员没有参加这个支部", "not_joined")
    return branch_view(_branch(store, org_id))
