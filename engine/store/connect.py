"""Open the configured store once, at the program's edge, and hand it to the domain code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from engine.settings import Settings
from engine.store.base import GraphStore
from engine.store.embedded import EmbeddedFalkorDB
from engine.store.errors import StoreUnavailable
from engine.store.queries import meta as meta_queries


@contextmanager
def open_store(settings: Settings) -> Iterator[GraphStore]:
    """The store the settings name: Neo4j when configured, else embedded FalkorDB.

    The embedded server is started (or reused) here; the one this call started is supervised
    (restarted whenever it dies, see ``EmbeddedFalkorDB.supervise``) and stopped on exit.
    """
    if settings.resolved_backend == "neo4j":
        from engine.store.neo4j_store import Neo4jStore

        if not settings.neo4j_uri:
            raise StoreUnavailable("LIANJIAN_BACKEND=neo4j but NEO4J_URI is not set")
        with Neo4jStore.connect(
            settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database
        ) as store:
            store.run(meta_queries.PING)
            yield store
        return

    from engine.store.falkordb_store import FalkorDBStore

    server: EmbeddedFalkorDB | None = None
    socket = settings.falkordb_socket
    if socket is None:
        server = EmbeddedFalkorDB(settings.data_dir).start()
        server.supervise()
        socket = server.socket_path
    try:
        with FalkorDBStore.open(socket, settings.graph) as store:
            store.run(meta_queries.PING)
            yield store
    finally:
        if server is not None:
            server.stop()
