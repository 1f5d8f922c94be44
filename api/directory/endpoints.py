"""Directory reads over HTTP: an org, a jurisdiction's org tree and member roll, a unit, a member.
Personal data is masked by the engine for readers not entitled to it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from api.deps import ActorDep, StoreDep
from api.directory.schemas import MemberOut, OrgOut, OrgTreeNode, UnitOut
from engine.services.directory import get_member, get_org, get_unit, list_members, org_tree
from engine.services.records import MAX_LIMIT

router = APIRouter(tags=["directory 组织与人员"])


@router.get("/orgs/{org_id}", response_model=OrgOut, summary="党组织信息")
def org(store: StoreDep, actor: ActorDep, org_id: str) -> dict[str, Any]:
    """An org's public fields, the org leading it and how many it leads."""
    return get_org(store, actor, org_id)


@router.get("/orgs/{org_id}/tree", response_model=list[OrgTreeNode], summary="下属组织架构")
def tree(store: StoreDep, actor: ActorDep, org_id: str) -> list[dict[str, Any]]:
    """The org and every org it leads, with the areas each covers (within one's jurisdiction)."""
    return org_tree(store, actor, org_id)


@router.get("/orgs/{org_id}/members", response_model=list[MemberOut], summary="党员名册")
def roll(
    store: StoreDep,
    actor: ActorDep,
    org_id: str,
    skip: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
) -> list[dict[str, Any]]:
    """Members belonging or reporting to the org or an org it leads (within one's jurisdiction)."""
    return list_members(store, actor, org_id, skip=skip, limit=limit)


@router.get("/units/{unit_id}", response_model=UnitOut, summary="驻区单位信息")
def unit(store: StoreDep, actor: ActorDep, unit_id: str) -> dict[str, Any]:
    """A resident unit with the communities it reports to, its own orgs and active offerings."""
    return get_unit(store, actor, unit_id)


@router.get("/members/{member_id}", response_model=MemberOut, summary="党员信息")
def member(store: StoreDep, actor: ActorDep, member_id: str) -> dict[str, Any]:
    """A member with the orgs it is tied to, to those who may see it."""
    return get_member(store, actor, member_id)
