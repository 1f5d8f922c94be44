"""The Prometheus metrics of a lianjian process, in one registry of its own: the API records its
requests, the store every statement it runs, dispatch its runs, the worker its jobs; ``GET /metrics``
exposes them. Module-level singletons: many apps in one process (the tests) share them and never
register a name twice."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.process_collector import ProcessCollector

P = ParamSpec("P")
R = TypeVar("R")

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # CPU, memory, open files of the process

_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SLOW = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)

HTTP_REQUESTS = Counter(
    "lianjian_http_requests",
    "HTTP requests answered, by method, route template and status class (2xx, 4xx, 5xx)",
    ("method", "route", "status"),
    registry=REGISTRY,
)
HTTP_SECONDS = Histogram(
    "lianjian_http_request_duration_seconds",
    "time from a request's arrival to the end of its answer, by method, route template and status class",
    ("method", "route", "status"),
    buckets=_FAST,
    registry=REGISTRY,
)
STORE_SECONDS = Histogram(
    "lianjian_store_query_duration_seconds",
    "time the graph store took to run one registered statement, by statement name and backend",
    ("statement", "backend"),
    buckets=_FAST,
    registry=REGISTRY,
)
DISPATCH_SECONDS = Histogram(
    "lianjian_dispatch_run_duration_seconds",
    "time of a whole dispatch run (read, score, solve, write), by outcome (ok, error)",
    ("outcome",),
    buckets=_SLOW,
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "lianjian_job_runs",
    "runs of the worker's scheduled jobs, by job and outcome (ok, error)",
    ("job", "outcome"),
    registry=REGISTRY,
)
OUTBOX = Gauge(
    "lianjian_notifications_outbox",
    "notifications awaiting delivery by mail (state=waiting: pending or being sent; state=due: "
    "a worker would take them now), counted when scraped",
    ("state",),
    registry=REGISTRY,
)

_store_children: dict[tuple[str, str], Histogram] = {}
_http_children: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request and record its duration (labelled children looked up once)."""
    key = (method, route, f"{status // 100}xx")
    children = _http_children.get(key)
    if children is None:
        children = _http_children[key] = (HTTP_REQUESTS.labels(*key), HTTP_SECONDS.labels(*key))
    children[0].inc()
    children[1].observe(seconds)


def observe_statement(name: str, backend: str, seconds: float) -> None:
    """Record one statement's run time (the labelled child is looked up once per statement)."""
    child = _store_children.get((name, backend))
    if child is None:
        child = _store_children[(name, backend)] = STORE_SECONDS.labels(name, backend)
    child.observe(seconds)


def timed(histogram: Histogram) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a function so that each call's duration lands in ``histogram`` (labelled by outcome:
    ``ok`` when it returns, ``error`` when it raises)."""

    def wrap(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            started, outcome = time.perf_counter(), "error"
            try:
                result = func(*args, **kwargs)
                outcome = "ok"
                return result
            finally:
                histogram.labels(outcome).observe(time.perf_counter() - started)

        return call

    return wrap


def exposition() -> tuple[bytes, str]:
    """Every metric in Prometheus' text format (0.0.4), and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_PLAIN_0_0_4
