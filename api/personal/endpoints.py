"""Personal data under PIPL over HTTP: a member or unit downloads its own data, an administrator
anonymises a member or a request's contact, a planner reveals emergency callees' phones with a
reason (break-glass). Rules and audit are the engine's (engine.services.pipl)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import ActorDep, StoreDep
from api.personal.schemas import (
    AnonymiseBody,
    Anonymised,
    PersonalData,
    RequestAnonymised,
    RevealBody,
    Revealed,
)
from engine.services.pipl import anonymise_member, anonymise_request, own_data, reveal_phones

router = APIRouter(tags=["personal 个人信息保护"])


@router.get("/me/personal-data", response_model=PersonalData, summary="下载本人(本单位)的全部个人信息")
def download(store: StoreDep, actor: ActorDep) -> dict[str, Any]:
    """Everything the graph holds about the signed-in member or unit, unmasked, as JSON (audited)."""
    return own_data(store, actor)


@router.post(
    "/members/{member_id}/anonymise", response_model=Anonymised, summary="匿名化党员个人信息(管理员)"
)
def anonymise(store: StoreDep, actor: ActorDep, member_id: str, body: AnonymiseBody) -> dict[str, Any]:
    """Replace a member's name, remove its phone, disable its accounts; its history stays. Idempotent."""
    return anonymise_member(store, actor, member_id, body.reason)


@router.post(
    "/intake/requests/{code}/anonymise",
    response_model=RequestAnonymised,
    summary="删除诉求联系人信息(管理员)",
)
def anonymise_contact(store: StoreDep, actor: ActorDep, code: str, body: AnonymiseBody) -> dict[str, Any]:
    """Remove a request's contact and address on the resident's request; its content stays. Idempotent."""
    return anonymise_request(store, actor, code, body.reason)


@router.post(
    "/analytics/orgs/{org_id}/mobilisation/reveal",
    response_model=list[Revealed],
    summary="应急动员:说明理由后查看联系电话(组织部门、管理员)",
)
def reveal(store: StoreDep, actor: ActorDep, org_id: str, body: RevealBody) -> list[dict[str, Any]]:
    """The full phones of callees of the org's scope, for a stated reason; audited, never the phones."""
    return reveal_phones(store, actor, org_id, body.people, body.reason)
