"""The worker's queue depth, counted when the metrics are scraped (one cheap read)."""

from __future__ import annotations

from engine.observability.metrics import OUTBOX
from engine.services.clock import utc_now
from engine.store.base import GraphStore
from engine.store.queries import notifications as queries


def record_outbox_depth(store: GraphStore) -> dict[str, int]:
    """Set the outbox gauge from ``store``: notifications waiting for delivery and those due now."""
    row = store.one(queries.DEPTH, {"now": utc_now()}) or {}
    depth = {"waiting": int(row.get("waiting") or 0), "due": int(row.get("due") or 0)}
    for state, count in depth.items():
        OUTBOX.labels(state).set(count)
    return depth
