"""Observability on real servers: every answer carries a request id (a sane incoming one echoed, a bad
one replaced), ``lianjian serve`` writes one JSON line per request with that id, ``/metrics`` counts
requests per route, store statements, dispatch runs and the outbox, and ``/health/ready`` answers 503
when the store is down or its schema is old, 200 when it is up and current."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cli_process import cli_env, free_port, running, wait_until
from conftest import LiveServer
from prometheus_client.parser import text_string_to_metric_families
from test_services_world import NOW, build_world

from engine.actors import Actor, Role
from engine.observability.logs import JsonFormatter
from engine.services.accounts import AccountDraft, create_account
from engine.services.dispatch import start_run
from engine.settings import Settings
from engine.store.base import GraphStore
from engine.store.queries import meta as meta_queries
from engine.store.queries.nodes import node_stmt
from graph_schema.domain import SCHEMA_VERSION

GENERATED = re.compile(r"[0-9a-f]{32}")
PASSWORD = "Obs-Secret-2026!x"
PHONE = "13912345678"


def samples(url: str, name: str, **labels: str) -> float:
    """The sum of the samples called ``name`` whose labels include ``labels``, read from /metrics."""
    response = httpx.get(f"{url}/metrics", timeout=10)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    total = 0.0
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


def test_request_ids_metrics_and_readiness(live_server: LiveServer, store: GraphStore) -> None:
    url = live_server.url
    live = httpx.get(f"{url}/health/live", timeout=10)
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    assert GENERATED.fullmatch(live.headers["x-request-id"])

    # A sane incoming id is echoed; a bad one (too short, a space, too long, a newline) is replaced.
    mine = "trace-7f3a-0001:checkout"
    assert httpx.get(f"{url}/health/live", headers={"X-Request-ID": mine}).headers["x-request-id"] == mine
    for bad in ("short", "two words here", "x" * 129, "ok-id-1234\r\nforged: 1"):
        try:
            got = httpx.get(f"{url}/health/live", headers={"X-Request-ID": bad}).headers["x-request-id"]
        except httpx.LocalProtocolError:  # the client refuses to send a header with CR LF itself
            continue
        assert got != bad and GENERATED.fullmatch(got)
    missing = httpx.get(f"{url}/no/such/page", timeout=10)  # errors and 404s carry it too
    assert missing.status_code == 404 and GENERATED.fullmatch(missing.headers["x-request-id"])
    refused = httpx.get(f"{url}/needs/N-none", timeout=10)
    assert refused.status_code == 401 and GENERATED.fullmatch(refused.headers["x-request-id"])

    # Ready: the store answers and its schema is the current version.
    ready = httpx.get(f"{url}/health/ready", timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ready", "backend": store.backend, "schema_version": SCHEMA_VERSION}

    # The request counter of a route template grows by the calls made; unmatched paths are one label.
    counted = {"method": "GET", "route": "/needs/{need_id}", "status": "4xx"}
    before = samples(url, "lianjian_http_requests_total", **counted)
    for i in range(3):
        httpx.get(f"{url}/needs/N-{i}", timeout=10)
    assert samples(url, "lianjian_http_requests_total", **counted) == before + 3
    assert samples(url, "lianjian_http_request_duration_seconds_count", **counted) >= before + 3
    assert samples(url, "lianjian_http_requests_total", route="unmatched", status="4xx") >= 1
    assert samples(url, "lianjian_http_requests_total", route="/no/such/page") == 0
    httpx.request("PROPFIND", f"{url}/no/such/page", timeout=10)  # odd methods share one label
    assert samples(url, "lianjian_http_requests_total", method="PROPFIND") == 0
    assert samples(url, "lianjian_http_requests_total", method="OTHER", route="unmatched") >= 1

    # Store statements are timed by name and backend.
    pings = samples(
        url, "lianjian_store_query_duration_seconds_count", statement="meta.ping", backend=store.backend
    )
    httpx.get(f"{url}/health", timeout=10)
    after = samples(
        url, "lianjian_store_query_duration_seconds_count", statement="meta.ping", backend=store.backend
    )
    assert after == pings + 1

    # A dispatch run shows in the dispatch histogram.
    world = build_world(store)
    runs = samples(url, "lianjian_dispatch_run_duration_seconds_count", outcome="ok")
    start_run(store, world.actor("planner"), "S", now=NOW)
    assert samples(url, "lianjian_dispatch_run_duration_seconds_count", outcome="ok") == runs + 1

    # The outbox's depth is counted at scrape time: due now, waiting for a retry, already sent.
    note = {"account_id": "acc-sec1", "kind": "claim", "title": "t", "created_at": NOW, "attempts": 0}
    store.run(
        node_stmt("bulk_create", "Notification"),
        {
            "rows": [
                {**note, "id": "X-due", "delivery": "pending", "next_attempt_at": NOW},
                {**note, "id": "X-later", "delivery": "pending", "next_attempt_at": "2999-01-01T00:00:00Z"},
                {**note, "id": "X-sent", "delivery": "sent", "next_attempt_at": NOW},
            ]
        },
    )
    assert samples(url, "lianjian_notifications_outbox", state="waiting") == 2
    assert samples(url, "lianjian_notifications_outbox", state="due") == 1

    # An old schema version is not ready, with the reason in Chinese.
    store.run(meta_queries.SCHEMA_VERSION_SET, {"version": SCHEMA_VERSION - 1, "applied_at": NOW})
    old = httpx.get(f"{url}/health/ready", timeout=10)
    assert old.status_code == 503 and old.json()["code"] == "not_ready"
    assert "lianjian schema apply" in old.json()["message"] and "模式版本" in old.json()["message"]
    assert GENERATED.fullmatch(old.headers["x-request-id"])


def test_metrics_can_ask_for_a_token_or_a_network(store: GraphStore) -> None:
    from api.app import create_app

    settings = Settings(metrics_token="scrape-secret-123")
    with LiveServer(create_app(settings, store)) as server:
        assert httpx.get(f"{server.url}/metrics", timeout=10).status_code == 401
        wrong = httpx.get(f"{server.url}/metrics", headers={"Authorization": "Bearer nope"}, timeout=10)
        assert wrong.status_code == 401 and "令牌" in wrong.json()["message"]
        good = httpx.get(f"{server.url}/metrics", headers={"Authorization": "Bearer scrape-secret-123"})
        assert good.status_code == 200 and "lianjian_http_requests_total" in good.text
    with LiveServer(create_app(Settings(metrics_networks=["10.0.0.0/8"]), store)) as server:
        assert httpx.get(f"{server.url}/metrics", timeout=10).status_code == 403  # we come from 127.0.0.1
    with LiveServer(create_app(Settings(metrics_networks=["127.0.0.0/8"]), store)) as server:
        assert httpx.get(f"{server.url}/metrics", timeout=10).status_code == 200


class Lines(logging.Handler):
    """Log lines formatted as the JSON handler writes them, at the moment they are logged."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def json_lines() -> Iterator[Lines]:
    """Every log line of the process while the test runs, as parsed JSON."""
    handler, root = Lines(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def test_readiness_fails_when_the_store_is_down(tmp_path: Path, json_lines: Lines) -> None:
    from api.app import create_app
    from engine.store.embedded import EmbeddedFalkorDB
    from engine.store.falkordb_store import FalkorDBStore
    from engine.store.schema_apply import apply_schema

    server = EmbeddedFalkorDB(tmp_path / "fdb").start()
    try:
        store = FalkorDBStore.open(server.socket_path, "ready")
        apply_schema(store)
        with LiveServer(create_app(Settings(data_dir=tmp_path / "data"), store)) as live:
            assert httpx.get(f"{live.url}/health/ready", timeout=10).status_code == 200
            server.stop()  # the store is gone (not supervised: nobody restarts it)
            down = httpx.get(f"{live.url}/health/ready", timeout=10)
            assert down.status_code == 503, down.text
            assert down.json() == {"code": "not_ready", "message": "图数据库不可用"}
            assert httpx.get(f"{live.url}/health/live", timeout=10).status_code == 200
            old = httpx.get(f"{live.url}/health", headers={"X-Request-ID": "probe-0000-0001"}, timeout=10)
            assert old.status_code == 503 and old.headers["x-request-id"] == "probe-0000-0001"
        store.close()
    finally:
        server.stop()
    # The engine's and the error handler's lines while handling that request carry its id too.
    during = [line for line in json_lines.lines if line.get("request_id") == "probe-0000-0001"]
    assert {line["logger"] for line in during} >= {"api.errors", "lianjian.access"}, during
    access = next(line for line in during if line["logger"] == "lianjian.access")
    assert access["path"] == "/health" and access["status"] == 503 and access["method"] == "GET"


@pytest.mark.slow
def test_serve_writes_one_json_line_per_request(settings_for: Settings) -> None:
    """The real command: every line on stdout and stderr is JSON; each request has one access line
    with the id its answer carried, the route template, status, duration and the signed-in account;
    no password, token or phone number appears."""
    from engine.store.falkordb_store import FalkorDBStore

    assert settings_for.falkordb_socket is not None
    with FalkorDBStore.open(settings_for.falkordb_socket, settings_for.graph) as store:
        from engine.store.schema_apply import apply_schema

        apply_schema(store)
        draft = AccountDraft(id="obs-admin", display_name="运维", role=Role.ADMIN, password=PASSWORD)
        create_account(store, Actor("test", Role.ADMIN), draft)
    port = free_port()
    secret = "observability-test-secret-0123456789-abcdef"
    env = cli_env(settings_for, LIANJIAN_PORT=port, LIANJIAN_SECRET_KEY=secret)  # the default log format
    url = f"http://127.0.0.1:{port}"
    answers: list[httpx.Response] = []
    with running(env, "serve") as server:
        answers.append(
            wait_until(lambda: httpx.get(f"{url}/health/live", timeout=2), server, "server did not answer")
        )
        token = httpx.post(f"{url}/auth/token", data={"username": "obs-admin", "password": PASSWORD})
        assert token.status_code == 200, token.text
        bearer = token.json()["access_token"]
        answers.append(token)
        me = httpx.get(f"{url}/auth/me", headers={"Authorization": f"Bearer {bearer}"}, timeout=10)
        answers.append(me)
        answers.append(httpx.get(f"{url}/needs/{PHONE}", headers={"X-Request-ID": "client-chosen-42"}))
        answers.append(httpx.get(f"{url}/nothing/{PHONE}", timeout=10))
    text = server.stdout + server.stderr
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is JSON
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", str(line["time"])) for line in lines)
    access = [line for line in lines if line["logger"] == "lianjian.access"]
    assert len(access) == len(answers), access  # one line per request, uvicorn's own is off
    for answer, line in zip(answers, access, strict=True):
        assert line["request_id"] == answer.headers["x-request-id"]
        assert line["status"] == answer.status_code and line["method"] == answer.request.method
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert access[3]["request_id"] == "client-chosen-42"
    assert [line["path"] for line in access] == [
        "/health/live", "/auth/token", "/auth/me", "/needs/{need_id}", "unmatched"
    ]  # fmt: skip
    assert access[2]["account"] == "obs-admin" and "account" not in access[0]
    for secret in (PASSWORD, bearer, PHONE):
        assert secret not in text


def test_job_runs_are_counted_by_outcome() -> None:
    from engine.notify.worker import _logged
    from engine.observability.metrics import REGISTRY

    def runs(outcome: str) -> float:
        return (
            REGISTRY.get_sample_value("lianjian_job_runs_total", {"job": "probe", "outcome": outcome}) or 0.0
        )

    def broken() -> None:
        raise RuntimeError("boom")

    ok, error = runs("ok"), runs("error")
    _logged("probe", lambda: {"done": 1})()
    _logged("probe", broken)()  # logged, counted, never raised to the scheduler
    _logged("probe", lambda: {"done": 2})()
    assert (runs("ok"), runs("error")) == (ok + 2, error + 1)


@pytest.mark.slow
def test_worker_logs_json_and_serves_its_metrics(settings_for: Settings) -> None:
    """``lianjian worker`` on its own: JSON lines, and its job runs and the outbox on its metrics port."""
    from engine.store.falkordb_store import FalkorDBStore
    from engine.store.schema_apply import apply_schema

    assert settings_for.falkordb_socket is not None
    with FalkorDBStore.open(settings_for.falkordb_socket, settings_for.graph) as store:
        apply_schema(store)
        note = {"account_id": "a", "kind": "claim", "title": "t", "created_at": NOW, "attempts": 0}
        store.run(
            node_stmt("bulk_create", "Notification"),
            {"rows": [{**note, "id": "W-due", "delivery": "pending", "next_attempt_at": NOW}]},
        )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running(cli_env(settings_for, LIANJIAN_WORKER_METRICS_PORT=port), "worker") as worker:

        def delivered() -> bool:
            return samples(url, "lianjian_job_runs_total", job="deliver", outcome="ok") >= 1

        wait_until(delivered, worker, "the worker's metrics did not show a delivery run", every=0.3)
        assert samples(url, "lianjian_notifications_outbox", state="due") == 1  # no SMTP: it waits
        assert (
            samples(url, "lianjian_store_query_duration_seconds_count", statement="notify.delivery.depth")
            >= 1
        )
    lines = [json.loads(line) for line in (worker.stdout + worker.stderr).splitlines() if line.strip()]
    assert any(line["logger"] == "lianjian.worker" and "started" in str(line["message"]) for line in lines)
