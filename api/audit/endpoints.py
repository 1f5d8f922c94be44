"""Audit 审计: administrators read the trail every write leaves (who, when, what, before/after)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from api.audit.schemas import AuditEntryOut
from api.deps import ActorDep, StoreDep
from engine.services.audit import list_audit
from engine.services.records import MAX_LIMIT

router = APIRouter(prefix="/audit", tags=["audit 审计"])


@router.get("", response_model=list[AuditEntryOut], summary="操作日志(管理员)")
def list_(
    store: StoreDep,
    actor: ActorDep,
    entity_id: str | None = Query(None, description="只看该对象的操作"),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
) -> list[dict[str, Any]]:
    """The newest audit entries, of one entity or of all."""
    return list_audit(store, actor, entity_id=entity_id, limit=limit)
