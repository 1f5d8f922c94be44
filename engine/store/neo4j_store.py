"""GraphStore on Neo4j 5 (production), through the official driver's ``execute_query``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import neo4j
from neo4j.exceptions import (
    AuthError,
    ConstraintError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from engine.store.base import GraphStore, Row
from engine.store.errors import ConstraintViolation, StatementError, StoreUnavailable
from engine.store.queries import meta as meta_queries
from engine.store.registry import Statement
from graph_schema.ddl import IndexSpec, neo4j_ddl


class Neo4jStore(GraphStore):
    """One database of a Neo4j server or cluster; reads are routed to secondaries."""

    backend = "neo4j"

    def __init__(self, driver: neo4j.Driver, database: str = "neo4j") -> None:
        super().__init__()
        self.driver = driver
        self.database = database

    @classmethod
    def connect(cls, uri: str, user: str, password: str, database: str = "neo4j") -> Neo4jStore:
        """A store over a new driver. The server's notifications are switched off: on a graph that
        lacks a label or relationship type yet, every read would log a warning about it."""
        driver = neo4j.GraphDatabase.driver(uri, auth=(user, password), notifications_min_severity="OFF")
        return cls(driver, database)

    def _execute(self, stmt: Statement, params: dict[str, Any]) -> list[Row]:
        return self._query(stmt.text("neo4j"), params, stmt.mode == "read", stmt.name)

    def _query(self, text: str, params: dict[str, Any], read: bool, name: str) -> list[Row]:
        routing = neo4j.RoutingControl.READ if read else neo4j.RoutingControl.WRITE
        try:
            rows: list[Row] = self.driver.execute_query(
                text,
                params,
                database_=self.database,
                routing_=routing,
                result_transformer_=neo4j.Result.data,
            )
        except ConstraintError as exc:
            raise ConstraintViolation(str(exc)) from exc
        except (ServiceUnavailable, SessionExpired) as exc:
            raise StoreUnavailable(f"Neo4j is not reachable: {exc}") from exc
        except AuthError as exc:
            raise StoreUnavailable(f"Neo4j refused the credentials: {exc}") from exc
        except Neo4jError as exc:  # ClientError, and DatabaseError/TransientError too
            raise StatementError(f"{name}: {exc}") from exc
        except DriverError as exc:  # e.g. ResultFailedError after a deadlock the retries gave up on
            raise StatementError(f"{name}: {exc}") from exc
        return rows

    def ensure_indexes(self, specs: Sequence[IndexSpec]) -> list[bool]:
        existing = {row["name"] for row in self.run(meta_queries.NEO4J_INDEX_NAMES)}
        created = []
        for spec in specs:
            created.append(spec.name not in existing)
            if created[-1]:
                self._query(neo4j_ddl(spec), {}, False, spec.name)  # rendered from the schema, no user data
                existing.add(spec.name)
        return created

    def compact(self) -> None:
        """Nothing to do: Neo4j checkpoints its transaction log itself."""

    def drop_all(self) -> None:
        """Delete every node and relationship; indexes and constraints stay (they are the schema's)."""
        while self.run(meta_queries.DELETE_SOME, {"limit": 10000})[0]["deleted"]:
            pass

    def close(self) -> None:
        self.driver.close()
