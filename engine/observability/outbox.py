"""The worker's queue depth, counted when the metrics are scraped (one cheap read), and the metrics
endpoint of a worker that runs on its own (``lianjian worker``)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.metrics_core import Metric

from engine.observability.metrics import OUTBOX, REGISTRY
from engine.services.clock import utc_now
from engine.store.base import GraphStore
from engine.store.errors import StoreError
from engine.store.queries import notifications as queries

log = logging.getLogger(__name__)


def record_outbox_depth(store: GraphStore) -> dict[str, int]:
    """Set the outbox gauge from ``store``: notifications waiting for delivery and those due now."""
    row = store.one(queries.DEPTH, {"now": utc_now()}) or {}
    depth = {"waiting": int(row.get("waiting") or 0), "due": int(row.get("due") or 0)}
    for state, count in depth.items():
        OUTBOX.labels(state).set(count)
    return depth


class _CountedOnScrape(CollectorRegistry):
    """The process's registry, with the outbox counted first at each scrape."""

    def __init__(self, store: GraphStore) -> None:
        super().__init__()
        self.store = store

    def collect(self) -> Iterable[Metric]:
        try:
            record_outbox_depth(self.store)
        except StoreError as exc:  # the rest still answers
            log.warning("outbox depth not counted: %s", exc)
        return REGISTRY.collect()


def serve_worker_metrics(store: GraphStore, host: str, port: int) -> None:
    """Serve the metrics at ``http://host:port/metrics`` from a background thread (no token: bind it to
    a private address)."""
    start_http_server(port, addr=host, registry=_CountedOnScrape(store))
    log.info("worker metrics on http://%s:%d/metrics", host, port)
