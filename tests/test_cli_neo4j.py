"""The product on Neo4j as an operator runs it: ``LIANJIAN_BACKEND=neo4j`` with ``NEO4J_URI`` set,
``lianjian schema apply``, ``lianjian demo --serve``, then the API and a demo account on it.
(The console over Neo4j is driven in the browser by the console tests, parametrised by backend.)"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import BACKENDS, make_store, neo4j_uri, release_store
from test_cli import LIANJIAN

from engine.demo import generate
from engine.demo.accounts import DEMO_PASSWORD
from engine.store.base import GraphStore
from engine.store.embedded import EmbeddedFalkorDB

pytestmark = pytest.mark.skipif("neo4j" not in BACKENDS, reason="Neo4j is not among the test backends")


@pytest.fixture
def neo4j_db(falkordb_server: EmbeddedFalkorDB) -> Iterator[GraphStore]:
    """The suite's Neo4j database, emptied and held by this test while the command uses it."""
    store = make_store("neo4j", falkordb_server)
    yield store
    release_store(store)


def neo4j_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a lianjian process on the suite's Neo4j."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIANJIAN_", "NEO4J_"))}
    return {
        **env,
        "LIANJIAN_BACKEND": "neo4j",
        "NEO4J_URI": neo4j_uri(),
        "LIANJIAN_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "200",
        **extra,
    }


def lianjian(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``lianjian args`` to its end."""
    return subprocess.run([LIANJIAN, *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_schema_apply_demo_and_serve_on_neo4j(neo4j_db: GraphStore, tmp_path: Path) -> None:
    env = neo4j_env(tmp_path)
    first = lianjian(env, "schema", "apply")
    assert first.returncode == 0, first.stderr
    again = lianjian(env, "schema", "apply")
    assert again.returncode == 0 and " 0 created" in again.stdout, again.stdout + again.stderr
    constraints = {r["name"] for r in neo4j_db.run("meta.neo4j_index_names")}
    assert len(constraints) >= 20  # one per label at least, on the Neo4j server itself

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    serve = subprocess.Popen(
        [LIANJIAN, "demo", "--size", "tiny", "--serve"],
        env={**env, "LIANJIAN_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 240
        while True:
            try:
                health = httpx.get(f"{url}/health", timeout=2)
                break
            except httpx.TransportError:
                assert serve.poll() is None, serve.stdout.read() if serve.stdout else ""
                assert time.monotonic() < deadline, "the demo server did not answer"
                time.sleep(0.5)
        assert health.status_code == 200

        members = generate("tiny", 2026).counts()["Member"]
        counted = {r["label"]: r["count"] for r in neo4j_db.run("meta.count_by_label")}
        assert counted["Member"] == members  # the demo went into Neo4j, not somewhere else

        token = httpx.post(f"{url}/auth/token", data={"username": "secretary", "password": DEMO_PASSWORD})
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        needs = httpx.get(f"{url}/needs", headers=headers, timeout=30)
        assert needs.status_code == 200 and needs.json(), needs.text
        assert httpx.get(f"{url}/", timeout=10, follow_redirects=True).status_code == 200  # the console
    finally:
        serve.terminate()
        serve.wait(timeout=60)
