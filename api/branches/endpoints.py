"""三缘 feature branches over HTTP: list them, read a roster, join and leave (the member itself, or
the branch's community secretary, or an admin), and the branches a member joined."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.branches.schemas import BranchOut, JoinedBranch, RosterEntry
from api.deps import ActorDep, StoreDep
from engine.services.branches import (
    JoinRequest,
    LeaveRequest,
    join_branch,
    leave_branch,
    list_branches,
    member_branches,
    roster,
)
from engine.services.records import MAX_LIMIT

router = APIRouter(prefix="/branches", tags=["branches 三缘特色支部"])


@router.get("", response_model=list[BranchOut], summary="三缘特色支部")
def branches(store: StoreDep, actor: ActorDep) -> list[dict[str, Any]]:
    """Feature branches: all of them for members (to choose one) and admins, those in scope for
    secretaries and planners."""
    return list_branches(store, actor)


@router.get("/of-member/{member_id}", response_model=list[JoinedBranch], summary="党员参加的支部")
def of_member(store: StoreDep, actor: ActorDep, member_id: str) -> list[dict[str, Any]]:
    """The branches a member joined (the member itself, admins, org roles in scope)."""
    return member_branches(store, actor, member_id)


@router.get("/{org_id}/members", response_model=list[RosterEntry], summary="支部名册")
def members(
    store: StoreDep,
    actor: ActorDep,
    org_id: str,
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> list[dict[str, Any]]:
    """Who joined the branch, with their formal affiliation (names masked by role)."""
    return roster(store, actor, org_id, skip=skip, limit=limit)


@router.post("/{org_id}/join", response_model=BranchOut, summary="参加支部")
def join(store: StoreDep, actor: ActorDep, org_id: str, body: JoinRequest) -> dict[str, Any]:
    """A member joins (itself, or named by the branch's secretary or an admin)."""
    return join_branch(store, actor, org_id, body)


@router.post("/{org_id}/leave", response_model=BranchOut, summary="退出支部")
def leave(store: StoreDep, actor: ActorDep, org_id: str, body: LeaveRequest) -> dict[str, Any]:
    """A member leaves (itself, or named by the branch's secretary or an admin)."""
    return leave_branch(store, actor, org_id, body)
