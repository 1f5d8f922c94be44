"""``lianjian worker``: the delivery loop and the scheduled jobs on APScheduler 3.

Every job is idempotent (a run twice changes nothing more) and audited (expiry: an entry per
need; reminders: an entry per run with its counts), so overlapping or repeated runs are safe;
each job also runs at most one instance at a time in this process.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.actors import SYSTEM
from engine.notify.channels import Channel, SmtpChannel
from engine.notify.delivery import Policy, deliver_due, worker_id
from engine.observability.metrics import JOB_RUNS
from engine.services.agreements import remind_expiring_agreements
from engine.services.audit_chain import record_event, seal
from engine.services.needs import expire_needs
from engine.services.notifications import remind_evaluations, remind_overdue, remind_start_tomorrow
from engine.services.pipl import purge_personal_data
from engine.services.recurrence import extend_series
from engine.settings import Settings
from engine.store.base import GraphStore

log = logging.getLogger("lianjian.worker")


def channel_for(settings: Settings) -> Channel | None:
    """The email channel when an SMTP host is configured, else None (inbox only)."""
    if not settings.smtp_host:
        return None
    return SmtpChannel(settings.smtp_host, settings.smtp_port, settings.smtp_from)


def policy_for(settings: Settings) -> Policy:
    """The delivery policy the settings name."""
    return Policy(
        settings.notify_max_attempts, settings.notify_backoff_seconds, settings.notify_lease_seconds
    )


def jobs(store: GraphStore, settings: Settings, channel: Channel | None) -> dict[str, Callable[[], Any]]:
    """The worker's jobs by name, each a call with no arguments."""
    policy, me = policy_for(settings), worker_id()

    def deliver() -> Any:
        if channel is None:
            return {"leased": 0}
        total: dict[str, int] = {}
        while True:  # drain what is due, one leased batch at a time
            counts = deliver_due(store, channel, policy, worker=me)
            for k, v in counts.items():
                total[k] = total.get(k, 0) + v
            if counts["leased"] < policy.batch:
                return total

    def expire() -> dict[str, int]:
        return {"expired": len(expire_needs(store, SYSTEM))}

    return {
        "deliver": _audited(store, "deliver", deliver),
        "expire_needs": _audited(store, "expire_needs", expire),
        "remind_overdue": lambda: remind_overdue(store),
        "remind_start_tomorrow": lambda: remind_start_tomorrow(store),
        "remind_evaluations": lambda: remind_evaluations(store, days=settings.evaluation_reminder_days),
        # recurring needs: occurrences within the horizon
        "extend_series": _audited(store, "extend_series", lambda: extend_series(store)),
        "remind_agreements": lambda: remind_expiring_agreements(store, days=settings.agreement_warning_days),
        "purge_personal_data": lambda: purge_personal_data(  # PIPL retention of beneficiary details
            store, SYSTEM, retention_days=settings.personal_data_retention_days
        ),
        # the audit's hash chain (its runs are not audited: each entry would ask for the next seal)
        "seal_audit": lambda: {"sealed": seal(store, batch=settings.audit_seal_batch)},
    }


# Counts that mean a job's run changed something; such a run leaves one audit entry with its counts
# (the reminder jobs write their own entry in their statement; a run that changed nothing leaves none).
CHANGES = {
    "deliver": ("sent", "retry", "failed"),
    "expire_needs": ("expired",),
    "extend_series": ("occurrences", "claims", "ended"),
}


def _audited(store: GraphStore, name: str, job: Callable[[], dict[str, int]]) -> Callable[[], dict[str, int]]:
    """``job`` that records its run (``job.<name>``, the counts as ``after``) when it changed something."""

    def run() -> dict[str, int]:
        counts = job()
        if any(counts.get(k) for k in CHANGES[name]):
            record_event(store, SYSTEM, f"job.{name}", "Job", name, counts)
        return counts

    return run


def _logged(name: str, job: Callable[[], Any]) -> Callable[[], None]:
    def run() -> None:
        try:
            log.info("job %s: %s", name, job())
            JOB_RUNS.labels(name, "ok").inc()
        except Exception:  # a failed run is logged and retried at the next tick, never kills the worker
            log.exception("job %s failed", name)
            JOB_RUNS.labels(name, "error").inc()

    return run


def schedule(scheduler: BaseScheduler, store: GraphStore, settings: Settings) -> BaseScheduler:
    """Add the delivery loop (every few seconds) and the jobs (expiry every 10 minutes, reminders
    hourly) to ``scheduler``; each starts at once."""
    every = {"deliver": settings.notify_interval_seconds, "expire_needs": 600.0, "seal_audit": 60.0}
    for name, job in jobs(store, settings, channel_for(settings)).items():
        scheduler.add_job(_logged(name, job), "interval", seconds=every.get(name, 3600.0), id=name,
                          max_instances=1, coalesce=True, next_run_time=_now())  # fmt: skip
    return scheduler


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def run_once(store: GraphStore, settings: Settings) -> dict[str, Any]:
    """Run every job once, in order (``lianjian worker --once``, and cron-style deployments)."""
    return {name: job() for name, job in jobs(store, settings, channel_for(settings)).items()}


@contextlib.contextmanager
def in_background(store: GraphStore, settings: Settings) -> Iterator[BaseScheduler]:
    """The worker's jobs on a background thread of this process (``lianjian serve --worker``), stopped
    when the block ends. Leases and idempotent jobs make a separate worker beside it safe, if idle."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = schedule(BackgroundScheduler(timezone="UTC"), store, settings)
    scheduler.start()
    names = ", ".join(j.id for j in scheduler.get_jobs())
    log.info("worker %s started inside the server: %s", worker_id(), names)
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=True)


def run_forever(store: GraphStore, settings: Settings) -> None:
    """Run the scheduler in this thread until interrupted."""
    scheduler = schedule(BlockingScheduler(timezone="UTC"), store, settings)
    log.info("worker %s started: %s", worker_id(), ", ".join(j.id for j in scheduler.get_jobs()))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
