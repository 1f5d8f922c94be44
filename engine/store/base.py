"""The GraphStore interface: the only way the product reads and writes the graph."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from time import perf_counter
from typing import Any, ClassVar

from engine.observability.metrics import observe_statement
from engine.store.registry import Backend, Statement, get
from graph_schema.ddl import IndexSpec

Row = dict[str, Any]


class GraphStore(ABC):
    """Runs registered statements by name on one backend.

    Every call is one statement and so one transaction on either backend: all of it
    happens or none of it does. The store never builds Cypher from user data; values
    travel only as parameters.
    """

    backend: ClassVar[Backend]
    # Statement name -> times run by every store of this process (stores the tests open
    # themselves included), for the statement-coverage test.
    executed_in_process: ClassVar[Counter[str]] = Counter()

    def __init__(self) -> None:
        self.executed: Counter[str] = Counter()  # statement name -> times run, for coverage tests

    def run(self, statement: Statement | str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run ``statement`` (a registered constant, or its name) with ``params``; rows as dicts.
        A constant is looked up by its name too: the registry stays the one source of every text."""
        stmt = get(statement if isinstance(statement, str) else statement.name)
        started = perf_counter()
        try:
            rows = self._execute(stmt, dict(params or {}))
        finally:
            observe_statement(stmt.name, self.backend, perf_counter() - started)
        self.executed[stmt.name] += 1
        GraphStore.executed_in_process[stmt.name] += 1
        return rows

    def one(self, statement: Statement | str, params: Mapping[str, Any] | None = None) -> Row | None:
        """The first row of ``run``, or None when there is none."""
        rows = self.run(statement, params)
        return rows[0] if rows else None

    def bulk(
        self,
        statement: Statement | str,
        rows: Iterable[Mapping[str, Any]],
        *,
        batch_size: int = 2000,
        params: Mapping[str, Any] | None = None,
        on_batch: Callable[[int], None] | None = None,
    ) -> int:
        """Run ``statement`` once per batch of ``rows`` (as ``$rows``); returns the rows sent.

        Each batch is atomic on its own; a caller that needs all-or-nothing over many
        batches validates first and compensates on failure (see the importer).
        """
        sent = 0
        batch: list[Mapping[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                self.run(statement, {**(params or {}), "rows": batch})
                sent += len(batch)
                if on_batch:
                    on_batch(len(batch))
                batch = []
        if batch:
            self.run(statement, {**(params or {}), "rows": batch})
            sent += len(batch)
            if on_batch:
                on_batch(len(batch))
        return sent

    @abstractmethod
    def _execute(self, stmt: Statement, params: dict[str, Any]) -> list[Row]:
        """Run one statement on the backend."""

    @abstractmethod
    def ensure_indexes(self, specs: Sequence[IndexSpec]) -> list[bool]:
        """Create each index or constraint that does not exist (what exists is read once, not once
        per spec: applying the schema to a graph that has it costs one or two reads); for each
        spec, True when it was created."""

    def ensure_index(self, spec: IndexSpec) -> bool:
        """Create the index or constraint unless it exists; True when it was created."""
        return self.ensure_indexes([spec])[0]

    @abstractmethod
    def compact(self) -> None:
        """Make a bulk load cheap to recover after a restart (after imports and demo loads)."""

    @abstractmethod
    def drop_all(self) -> None:
        """Delete every node, relationship and index of this graph (tests, demo reloads)."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection (the process that owns a server stops it elsewhere)."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
