"""Delivering due notifications to a channel: lease, check the sent-log, send, mark sent.

Killing a worker at any point loses nothing: a leased notification whose worker died is leased
again once its lease expires. Before sending, the channel's sent-log (``DeliveryLog``, keyed by
the idempotency key) is checked, and the key enters it in the same statement that marks the
notification sent, so a notification marked sent is never sent again. What remains is the
instant between the medium accepting a message and that statement: a crash there resends it
once, under the same key (an email's Message-ID), which the receiver can recognise
(docs/notifications.md).
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from engine.notify.channels import Channel, DeliveryError, Message, Undeliverable
from engine.services.clock import ISO, parse, resolve, shift
from engine.store.base import GraphStore
from engine.store.queries import notifications as notifications_queries
from graph_schema.domain import NOTIFICATION_KINDS

log = logging.getLogger("lianjian.notify")


def worker_id() -> str:
    """This process's name in leases: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def idempotency_key(notification_id: str, channel: str) -> str:
    """The key a channel sends under: the notification id plus the channel's name."""
    return f"{notification_id}.{channel}"


@dataclass
class Policy:
    """Retries and leases: attempts before failing, first back-off (doubling), lease length."""

    max_attempts: int = 5
    backoff_seconds: float = 30.0
    lease_seconds: float = 60.0
    batch: int = 20
    counts: dict[str, int] = field(default_factory=dict)

    def next_attempt(self, at: str, attempts: int) -> str:
        """When to try again after ``attempts`` failed ones: back-off × 2^(attempts-1)."""
        delay = self.backoff_seconds * 2 ** max(attempts - 1, 0)
        return (parse(at) + timedelta(seconds=delay)).strftime(ISO)


def _body(note: dict[str, Any], name: str) -> str:
    kind = NOTIFICATION_KINDS.get(note.get("kind", ""), "通知")
    return f"{name or ''}您好:\n\n【{kind}】{note['title']}\n\n请登录联建工作台查看。\n"


def deliver_due(
    store: GraphStore, channel: Channel, policy: Policy, *, worker: str | None = None, now: str | None = None
) -> dict[str, int]:
    """Deliver one batch of due notifications through ``channel``; returns counts per outcome."""
    me = worker or worker_id()
    at = resolve(now)
    rows = store.run(
        notifications_queries.LEASE,
        {
            "now": at,
            "limit": policy.batch,
            "worker": me,
            "lease_until": shift(at, policy.lease_seconds / 3600),
        },
    )
    counts = {"leased": len(rows), "sent": 0, "already_sent": 0, "retry": 0, "failed": 0}
    for row in rows:
        note = row["notification"]
        key = idempotency_key(note["id"], channel.name)
        outcome = _deliver_one(store, channel, policy, me, note, key, row)
        counts[outcome] += 1
    return counts


def _deliver_one(
    store: GraphStore, channel: Channel, policy: Policy, me: str, note: dict[str, Any], key: str, row: Any
) -> str:
    sent = {"id": note["id"], "key": key, "channel": channel.name, "worker": me}
    if store.one(notifications_queries.LOGGED, {"key": key}) is not None:  # accepted before a crash
        store.one(notifications_queries.SENT, {**sent, "now": resolve(None)})
        return "already_sent"
    attempts = int(note.get("attempts") or 1)
    try:
        if attempts > policy.max_attempts:
            raise Undeliverable(f"已尝试 {attempts - 1} 次")
        message = Message(
            key, channel.address(row), row.get("name") or "", note["title"], _body(note, row["name"])
        )
        channel.send(message)
    except (DeliveryError, Undeliverable) as exc:
        final = isinstance(exc, Undeliverable)
        now = resolve(None)
        params = {"id": note["id"], "worker": me, "error": str(exc)[:500],
                  "max_attempts": 0 if final else policy.max_attempts,
                  "next_attempt_at": policy.next_attempt(now, attempts)}  # fmt: skip
        result = store.one(notifications_queries.RETRY, params)
        log.warning("通知 %s 投递失败(第 %s 次):%s", note["id"], attempts, exc)
        return "failed" if result is None or result["delivery"] == "failed" else "retry"
    store.one(notifications_queries.SENT, {**sent, "now": resolve(None)})
    return "sent"
