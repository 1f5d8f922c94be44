"""The product on Neo4j as an operator runs it: ``LIANJIAN_BACKEND=neo4j`` with ``NEO4J_URI`` set,
``lianjian schema apply``, ``lianjian demo --serve``, then the API and a demo account on it.
(The console over Neo4j is driven in the browser by the console tests, parametrised by backend.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cli_process import cli_env, free_port, run, running, wait_until
from conftest import BACKENDS, make_store, neo4j_uri, release_store

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


def neo4j_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a lianjian process on the suite's Neo4j."""
    return cli_env(LIANJIAN_BACKEND="neo4j", NEO4J_URI=neo4j_uri(), LIANJIAN_DATA_DIR=tmp_path / "data")


@pytest.mark.slow
def test_schema_apply_demo_and_serve_on_neo4j(neo4j_db: GraphStore, tmp_path: Path) -> None:
    env = neo4j_env(tmp_path)
    first = run(env, "schema", "apply")
    assert first.returncode == 0, first.stderr
    again = run(env, "schema", "apply")
    assert again.returncode == 0 and " 0 created" in again.stdout, again.stdout + again.stderr
    constraints = {r["name"] for r in neo4j_db.run("meta.neo4j_index_names")}
    assert len(constraints) >= 20  # one per label at least, on the Neo4j server itself

    port = free_port()
    with running(
        env | {"LIANJIAN_PORT": str(port)}, "demo", "--size", "tiny", "--serve", stop_timeout=60
    ) as serve:
        url = f"http://127.0.0.1:{port}"
        health = wait_until(
            lambda: httpx.get(f"{url}/health", timeout=2),
            serve,
            "the demo server did not answer",
            timeout=240,
            every=0.5,
        )
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
