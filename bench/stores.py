"""The store a benchmark runs the product on: ``--backend falkordb`` (default) or ``neo4j``, each a
fresh server in a temporary directory, started and stopped here.

falkordb: an ``EmbeddedFalkorDB`` (the product's own embedded server) and ``FalkorDBStore``
clients over its unix socket. neo4j: a ``LocalNeo4j`` (Neo4j 5 Community from Maven Central,
auth disabled) and ``Neo4jStore`` clients, each with its own official driver, as
``engine.store.connect.open_store`` opens them.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.store.base import GraphStore  # noqa: E402

BACKENDS = ("falkordb", "neo4j")
GRAPH = "bench"  # the FalkorDB graph's name (Neo4j Community has one user database, "neo4j")
NEO4J_AUTH = ("neo4j", "neo4j")  # the local server has auth disabled; the driver wants some


def add_backend_options(parser: argparse.ArgumentParser) -> None:
    """``--backend`` and ``--neo4j-heap`` on a benchmark's command line."""
    parser.add_argument("--backend", choices=BACKENDS, default="falkordb", help="the store to run on")
    parser.add_argument(
        "--neo4j-heap", default="3g", help="JVM heap of each local Neo4j (the city needs about 3g)"
    )


def quiet_neo4j_notifications() -> None:
    """Keep the driver's per-query notifications (unknown label/property on an empty graph,
    planner hints) off the benchmark's output; the driver still receives them."""
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)


@dataclass(frozen=True, slots=True)
class Server:
    """A running store server: where it answers, and new product store clients on it."""

    backend: str
    address: str  # FalkorDB: the unix socket path; Neo4j: the Bolt URI

    def open_store(self) -> GraphStore:
        """A new product store client on this server (the caller closes it)."""
        if self.backend == "neo4j":
            import neo4j

            from engine.store.neo4j_store import Neo4jStore

            return Neo4jStore(neo4j.GraphDatabase.driver(self.address, auth=NEO4J_AUTH))
        from falkordb import FalkorDB

        from engine.store.falkordb_store import FalkorDBStore

        return FalkorDBStore(FalkorDB(unix_socket_path=self.address), GRAPH)


@contextmanager
def fresh_server(backend: str, work_dir: Path, *, neo4j_heap: str = "3g") -> Iterator[Server]:
    """A fresh, empty server of ``backend`` with its data under ``work_dir``; stopped on exit."""
    if backend == "neo4j":
        from engine.store.neo4j_local import LocalNeo4j

        quiet_neo4j_notifications()
        with LocalNeo4j(work_dir / "neo4j", heap=neo4j_heap) as neo:
            assert neo.uri is not None
            yield Server(backend, neo.uri)
        return
    from engine.store.embedded import EmbeddedFalkorDB

    with EmbeddedFalkorDB(work_dir) as falkor:
        yield Server(backend, str(falkor.socket_path))


def await_indexes(server: Server) -> None:
    """Wait until every index of a Neo4j server is online (FalkorDB builds them synchronously),
    so that no timed write runs against an index still populating."""
    if server.backend != "neo4j":
        return
    import neo4j

    with neo4j.GraphDatabase.driver(server.address, auth=NEO4J_AUTH) as driver:
        driver.execute_query("CALL db.awaitIndexes(600)")
