"""Notifications 通知 (issue 11): every account's inbox, and the scheduler's reminder jobs.

Event notifications are written by the events' own statements (an outbox, see
``engine.store.queries.outbox``); here an account reads its inbox, counts the unread and marks
them read, and the scheduled jobs write reminders deduplicated per (kind, object, day, account)
with one AuditEntry per run. Delivery to channels lives in ``engine.notify``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from engine.actors import SYSTEM, Actor
from engine.errors import NotFound
from engine.services.clock import ISO, parse, resolve
from engine.services.records import audit_record, check_page, new_id, public
from engine.store.base import GraphStore
from engine.store.queries import notifications as notifications_queries
from graph_schema.domain import NOTIFICATION_KINDS
from graph_schema.validation import BEIJING

_DELIVERY_FIELDS = ("delivery", "attempts", "next_attempt_at", "lease_until", "lease_owner", "last_error",
                    "sent_at", "job_run", "dedupe")  # fmt: skip

_LINKS = {"Need": "#/needs/{id}", "Project": "#/projects/{id}", "Request": "#/requests/{id}"}
_LINKS |= {"Agreement": "#/agreements", "Registration": "#/registrations"}  # issue 12: their lists
_LINKS |= {"DispatchRun": "#/home"}  # a secretary's home lists the proposals waiting for them


def link_of(label: str | None, entity_id: str | None) -> str | None:
    """The console route of a notification's object (a need, a project, a request)."""
    route = _LINKS.get(label or "")
    return route.format(id=entity_id) if route and entity_id else None


def notification_view(node: dict[str, Any]) -> dict[str, Any]:
    """A notification as its recipient sees it: what, when, read or not, and a link to the object."""
    view = {k: v for k, v in public(node).items() if k not in _DELIVERY_FIELDS}
    view["kind_zh"] = NOTIFICATION_KINDS.get(view.get("kind", ""), "")
    view["read"] = view.get("read_at") is not None
    view["link"] = link_of(view.get("entity_label"), view.get("entity_id"))
    return view


def inbox(
    store: GraphStore, actor: Actor, *, unread: bool = False, skip: int = 0, limit: int = 50
) -> list[dict[str, Any]]:
    """The actor's own notifications, newest first (only the unread ones when ``unread``)."""
    check_page(skip, limit)
    params = {"account_id": actor.account_id, "unread": unread, "skip": skip, "limit": limit}
    return [notification_view(r["notification"]) for r in store.run(notifications_queries.INBOX, params)]


def unread_count(store: GraphStore, actor: Actor) -> int:
    """How many of the actor's notifications are unread (the console's badge)."""
    row = store.one(notifications_queries.UNREAD, {"account_id": actor.account_id})
    return int(row["unread"]) if row else 0


def mark_read(
    store: GraphStore, actor: Actor, notification_id: str, *, now: str | None = None
) -> dict[str, Any]:
    """Mark one of the actor's notifications read; another's answers NotFound (its existence is
    not the actor's business). Not audited: reading one's inbox changes nothing in the domain."""
    params = {"id": notification_id, "account_id": actor.account_id, "now": resolve(now)}
    row = store.one(notifications_queries.READ, params)
    if row is None:
        raise NotFound("通知不存在")
    return notification_view(row["notification"])


def mark_all_read(store: GraphStore, actor: Actor, *, now: str | None = None) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    row = store.one(notifications_queries.READ_ALL, {"account_id": actor.account_id, "now": resolve(now)})
    return int(row["marked"]) if row else 0


# Scheduled reminder jobs ------------------------------------------------------------------------


def _beijing_day(at: str, days: int = 0) -> tuple[str, str, str]:
    """(date, start, end) of the Beijing calendar day ``days`` after ``at``'s, start and end in UTC."""
    local = parse(at).astimezone(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
    day = local + timedelta(days=days)
    start, end = day.astimezone(parse(at).tzinfo), (day + timedelta(days=1)).astimezone(parse(at).tzinfo)
    return day.strftime("%Y-%m-%d"), start.strftime(ISO), end.strftime(ISO)


def _job(store: GraphStore, name: str, action: str, at: str, params: dict[str, Any]) -> dict[str, Any]:
    run = new_id()
    audit = audit_record(SYSTEM, action, "Job", name, at, before=None, after=None)
    row = store.one(name, {**params, "now": at, "run": run, "audit": audit})
    assert row is not None  # an aggregate always answers one row
    return {
        "job": action,
        "matched": int(row["matched"]),
        "created": int(row["created"]),
        "audit_id": audit["id"],
    }


def remind_start_tomorrow(store: GraphStore, *, now: str | None = None) -> dict[str, Any]:
    """The day-before reminder: providers claiming a need whose window starts tomorrow (Beijing)."""
    at = resolve(now)
    day, start, end = _beijing_day(at, 1)
    return _job(store, "job.remind.start_tomorrow", "job.remind_start_tomorrow", at,
                {"day": day, "from": start, "to": end})  # fmt: skip


def remind_overdue(store: GraphStore, *, now: str | None = None) -> dict[str, Any]:
    """Remind providers of projects still in progress past their need's window, once a day."""
    at = resolve(now)
    return _job(store, "job.remind.overdue", "job.remind_overdue", at, {"day": _beijing_day(at)[0]})


def remind_evaluations(store: GraphStore, *, days: int, now: str | None = None) -> dict[str, Any]:
    """Remind secretaries of projects completed ``days`` ago or more whose provider is unrated."""
    at = resolve(now)
    cutoff = (parse(at) - timedelta(days=days)).strftime(ISO)
    return _job(store, "job.remind.evaluation", "job.remind_evaluation", at,
                {"day": _beijing_day(at)[0], "cutoff": cutoff})  # fmt: skip
