"""A data directory written by schema version 1 (issue 13, point 5) is brought to the current schema by
``lianjian schema apply`` and then serves the current API.

The fixture ``tests/fixtures/v1_datadir.tar.gz`` is the embedded store of an older commit's tiny demo
(made by ``tests/fixtures/make_v1_datadir.sh``): work logs without a status, SERVES and Project hours
without ``hours_logged``. On FalkorDB the real directory is unpacked, migrated by the real CLI and
served by ``lianjian serve``; on Neo4j the same graph (``v1_graph.json.gz``, raw rows) is replayed into
the database and migrated by ``apply_schema``, the function behind the command."""

from __future__ import annotations

import gzip
import json
import tarfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_process import cli_env, free_port, run, running, wait_until
from conftest import LiveServer
from test_api_loop import need_body

from engine.demo.accounts import DEMO_PASSWORD
from engine.settings import Settings
from engine.store.base import GraphStore
from engine.store.falkordb_store import FalkorDBStore
from engine.store.queries.nodes import node_stmt, rel_stmt
from engine.store.schema_apply import apply_schema, current_version
from graph_schema.domain import SCHEMA_VERSION

FIXTURES = Path(__file__).with_name("fixtures")
GRAPH = "lianjian"
DONE = ("completed", "evaluated")


@pytest.fixture(scope="module")
def v1() -> dict[str, Any]:
    """The version-1 graph as raw rows (nodes by label; relationships with their ends)."""
    with gzip.open(FIXTURES / "v1_graph.json.gz", "rt", encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def of(v1: dict[str, Any], label: str) -> list[dict[str, Any]]:
    return [n["props"] for n in v1["nodes"] if n["label"] == label]


def replay(store: GraphStore, v1: dict[str, Any]) -> None:
    """Write the version-1 graph into ``store`` as it was (the generic bulk statements, no schema)."""
    nodes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node in v1["nodes"]:
        nodes[node["label"]].append(node["props"])
    for label, rows in nodes.items():
        store.run(node_stmt("bulk_create", label), {"rows": rows})
    rels: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in v1["rels"]:
        rels[(r["type"], r["start_label"], r["end_label"])].append(
            {"start": r["start"], "end": r["end"], "props": r["props"]}
        )
    for (rel, start, end), rows in rels.items():
        store.run(rel_stmt("bulk_create", rel, start, end), {"rows": rows})


def check_migrated(store: GraphStore, v1: dict[str, Any]) -> None:
    """What version 2 means, read from the migrated graph and checked against the old rows."""
    assert current_version(store) == SCHEMA_VERSION
    old_logs, old_projects = of(v1, "WorkLog"), {p["id"]: p for p in of(v1, "Project")}
    assert old_logs and all("status" not in w for w in old_logs)  # the fixture needs migrating
    assert all("hours_logged" not in p for p in old_projects.values())
    log_project = {r["start"]: r["end"] for r in v1["rels"] if r["type"] == "ON"}
    for w in old_logs:
        row = store.one(node_stmt("get", "WorkLog"), {"id": w["id"]})
        assert row is not None
        done = old_projects[log_project[w["id"]]]["status"] in DONE
        assert row["node"]["status"] == ("confirmed" if done else "pending"), w
    for p in old_projects.values():
        row = store.one(node_stmt("get", "Project"), {"id": p["id"]})
        assert row is not None
        hours = p.get("hours_total") or 0.0
        confirmed = hours if p["status"] in DONE else 0.0
        assert (row["node"]["hours_total"], row["node"]["hours_logged"]) == (confirmed, hours), p


def use_current_api(url: str, v1: dict[str, Any]) -> None:
    """Sign in with the old data's demo accounts and use today's API: needs, a project's hours, a new need."""

    def client(username: str) -> httpx.Client:
        token = httpx.post(f"{url}/auth/token", data={"username": username, "password": DEMO_PASSWORD})
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        return httpx.Client(base_url=url, headers=headers, timeout=30)

    with client("secretary") as secretary, client("admin") as admin:
        needs = secretary.get("/needs", params={"limit": 500})
        assert needs.status_code == 200, needs.text
        old_needs = {n["id"] for n in of(v1, "Need")}
        assert needs.json() and {n["id"] for n in needs.json()} <= old_needs

        running = [p for p in of(v1, "Project") if p["status"] == "in_progress" and p.get("hours_total")]
        assert running
        detail = admin.get(f"/projects/{running[0]['id']}")
        assert detail.status_code == 200, detail.text
        body = detail.json()
        assert (body["hours_total"], body["hours_logged"]) == (0.0, running[0]["hours_total"])
        assert body["work_logs"] and {w["status"] for w in body["work_logs"]} == {"pending"}

        org = secretary.get("/auth/me").json()["scope_org_id"]
        posted = secretary.post("/needs", json=need_body(org, title="迁移后发布的需求"))
        assert posted.status_code == 201, posted.text
        assert posted.json()["id"] in {n["id"] for n in secretary.get("/needs", params={"limit": 500}).json()}


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """``lianjian serve`` in ``env``; yields its URL once its health answers 200."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running(env | {"LIANJIAN_PORT": str(port)}, "serve") as server:

        def healthy() -> bool:
            return httpx.get(f"{url}/health", timeout=2).status_code == 200

        wait_until(healthy, server, "lianjian serve did not answer", timeout=90)
        yield url


def test_a_version_1_data_directory_is_migrated_by_the_cli_and_serves_the_current_api(
    v1: dict[str, Any], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    with tarfile.open(FIXTURES / "v1_datadir.tar.gz") as tar:
        tar.extractall(data, filter="data")
    env = cli_env(LIANJIAN_DATA_DIR=data, LIANJIAN_GRAPH=GRAPH)

    applied = run(env, "schema", "apply")
    assert applied.returncode == 0, applied.stderr
    assert f"schema version {SCHEMA_VERSION}" in applied.stdout and "migrations run: [2" in applied.stdout

    from engine.store.embedded import EmbeddedFalkorDB, socket_path_for

    with serving(env) as url:
        with FalkorDBStore.open(socket_path_for(data), GRAPH) as store:  # the served store
            check_migrated(store, v1)
        use_current_api(url, v1)
    # stopped with SIGTERM (as a service manager stops it), serve stopped the store it started
    assert EmbeddedFalkorDB(data).state() == "down"


def test_the_version_1_graph_replayed_into_neo4j_is_migrated_and_serves_the_current_api(
    empty_store: GraphStore, v1: dict[str, Any]
) -> None:
    if empty_store.backend != "neo4j":
        pytest.skip("FalkorDB: the real data directory above")
    from api.app import create_app

    replay(empty_store, v1)
    assert current_version(empty_store) == 1
    report = apply_schema(empty_store)
    assert report.version_before == 1 and report.migrations == list(range(2, SCHEMA_VERSION + 1))
    check_migrated(empty_store, v1)
    with LiveServer(create_app(Settings(), empty_store)) as server:
        use_current_api(server.url, v1)
