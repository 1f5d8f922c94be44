"""Notifications 通知 over HTTP: every signed-in account's own inbox, its unread count (the
console's badge) and marking read. Nobody reads another account's notifications."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from api.deps import ActorDep, StoreDep
from api.notifications.schemas import MarkedRead, NotificationOut, UnreadCount
from engine.services.notifications import inbox, mark_all_read, mark_read, unread_count
from engine.services.records import MAX_LIMIT

router = APIRouter(prefix="/notifications", tags=["notifications 通知"])


@router.get("", response_model=list[NotificationOut], summary="我的通知")
def list_(
    store: StoreDep,
    actor: ActorDep,
    unread: bool = Query(False, description="只看未读"),
    skip: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
) -> list[dict[str, Any]]:
    """The signed-in account's notifications, newest first."""
    return inbox(store, actor, unread=unread, skip=skip, limit=limit)


@router.get("/unread-count", response_model=UnreadCount, summary="未读通知数")
def count(store: StoreDep, actor: ActorDep) -> dict[str, int]:
    """How many of the account's notifications are unread."""
    return {"unread": unread_count(store, actor)}


@router.post("/read-all", response_model=MarkedRead, summary="全部标为已读")
def read_all(store: StoreDep, actor: ActorDep) -> dict[str, int]:
    """Mark every unread notification of the account read."""
    return {"marked": mark_all_read(store, actor)}


@router.post("/{notification_id}/read", response_model=NotificationOut, summary="标为已读")
def read(store: StoreDep, actor: ActorDep, notification_id: str) -> dict[str, Any]:
    """Mark one of the account's notifications read; another's answers 404."""
    return mark_read(store, actor, notification_id)
