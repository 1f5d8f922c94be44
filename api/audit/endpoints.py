"""Audit 审计: administrators read the trail every write leaves (who, when, what, before/after),
filter it, and verify its hash chain."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from api.audit.schemas import AuditEntryOut, ChainReportOut
from api.deps import ActorDep, StoreDep
from engine.services.audit import list_audit, verify_audit
from engine.services.records import MAX_LIMIT

router = APIRouter(prefix="/audit", tags=["audit 审计"])


@router.get("", response_model=list[AuditEntryOut], summary="操作日志(管理员)")
def list_(
    store: StoreDep,
    actor: ActorDep,
    entity_id: str | None = Query(None, description="只看该对象的操作", max_length=64),
    entity_label: str | None = Query(None, description="只看该类对象(如 Need、Import)", max_length=64),
    actor_id: str | None = Query(None, alias="actor", description="只看该账号的操作", max_length=64),
    action: str | None = Query(
        None, description="只看该操作(如 need.cancel;need 表示 need.* 全部)", max_length=64
    ),
    since: str | None = Query(None, description="起始时间(ISO 8601,含;无时区按北京时间)", max_length=40),
    until: str | None = Query(None, description="截止时间(ISO 8601,含;无时区按北京时间)", max_length=40),
    skip: int = Query(0, ge=0, description="跳过的条数"),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
) -> list[dict[str, Any]]:
    """The newest audit entries, all or filtered by entity, actor, action and time range."""
    return list_audit(
        store,
        actor,
        entity_id=entity_id,
        entity_label=entity_label,
        who=actor_id,
        action=action,
        since=since,
        until=until,
        skip=skip,
        limit=limit,
    )


@router.get("/verify", response_model=ChainReportOut, summary="核验操作日志哈希链(管理员)")
def verify_(store: StoreDep, actor: ActorDep) -> dict[str, Any]:
    """Walk the hash chain of the audit trail and name the first broken link, if any."""
    return verify_audit(store, actor).as_dict()
