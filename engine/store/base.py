"""The GraphStore interface: the only way the product reads and writes the graph."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from time import perf_counter
from types import TracebackType
from typing import Any, ClassVar

from engine.observability.metrics import observe_statement
from engine.store.registry import Backend, Statement, get
from graph_schema.ddl import IndexSpec

Row = dict[str, Any]


def batches(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    """``rows`` in lists of ``size`` (the last one shorter), each made only when asked for."""
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


@dataclass(frozen=True, slots=True)
class Prepared:
    """A statement with its parameters and, for a backend that writes them into the query text,
    that text (``GraphStore.prepare``)."""

    stmt: Statement
    params: dict[str, Any]
    encoded: str | None = None


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
        return self.run_prepared(self.prepare(statement, params))

    def prepare(self, statement: Statement | str, params: Mapping[str, Any] | None = None) -> Prepared:
        """``statement`` with ``params``, encoded as the backend sends it (FalkorDB writes the
        parameters into the query text), to run later with ``run_prepared``: a pipeline encodes
        the next batch on the caller's thread while the server runs the last."""
        stmt = get(statement if isinstance(statement, str) else statement.name)
        values = dict(params or {})
        return Prepared(stmt, values, self._encode(stmt, values))

    def run_prepared(self, prepared: Prepared) -> list[Row]:
        """Run a prepared statement; rows as dicts."""
        stmt = prepared.stmt
        started = perf_counter()
        try:
            rows = self._execute_encoded(stmt, prepared.params, prepared.encoded)
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
        for batch in batches(rows, batch_size):
            self.run(statement, {**(params or {}), "rows": batch})
            sent += len(batch)
            if on_batch:
                on_batch(len(batch))
        return sent

    @abstractmethod
    def _execute(self, stmt: Statement, params: dict[str, Any]) -> list[Row]:
        """Run one statement on the backend."""

    def _encode(self, stmt: Statement, params: dict[str, Any]) -> str | None:
        """The text the backend sends for ``stmt`` with ``params`` when it writes parameters into
        it (FalkorDB); None when the driver sends them apart (Neo4j)."""
        return None

    def _execute_encoded(self, stmt: Statement, params: dict[str, Any], encoded: str | None) -> list[Row]:
        """Run one statement given what ``_encode`` made of it."""
        return self._execute(stmt, params)

    @abstractmethod
    def ensure_indexes(self, specs: Sequence[IndexSpec]) -> list[bool]:
        """Create each index or constraint that does not exist (what exists is read once, not once
        per spec: applying the schema to a graph that has it costs one or two reads); for each
        spec, True when it was created."""

    def pipeline(self) -> StatementPipeline:
        """Statements run in order on one thread while the caller prepares the next ones."""
        return StatementPipeline(self)

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


class StatementPipeline:
    """Statements run one after another, in the order given, on a thread of their own, so the caller
    prepares (and encodes) the next while the server runs the last (a dispatch builds its proposal
    rows while the previous batch is written). Each statement is atomic as always; after one fails
    the rest are not run, and leaving the ``with`` block waits for all and raises that failure."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-pipeline")
        self._futures: list[Future[list[Row] | None]] = []
        self._stopped = threading.Event()

    def run(self, statement: Statement | str, params: Mapping[str, Any] | None = None) -> None:
        """Queue one statement (its rows are not kept: a pipeline is for writes)."""
        if self._stopped.is_set():
            return
        self._futures.append(self._pool.submit(self._run, self.store.prepare(statement, params)))

    def bulk(
        self,
        statement: Statement | str,
        rows: Iterable[Mapping[str, Any]],
        *,
        batch_size: int = 2000,
        params: Mapping[str, Any] | None = None,
    ) -> int:
        """Queue ``statement`` once per batch of ``rows`` (as ``$rows``), each batch queued as soon
        as it is built; returns the rows queued."""
        sent = 0
        for batch in batches(rows, batch_size):
            self.run(statement, {**(params or {}), "rows": batch})
            sent += len(batch)
        return sent

    def _run(self, prepared: Prepared) -> list[Row] | None:
        if self._stopped.is_set():
            return None
        try:
            return self.store.run_prepared(prepared)
        except BaseException:
            self._stopped.set()
            raise

    def __enter__(self) -> StatementPipeline:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is not None:
            self._stopped.set()  # the caller failed: what it queued and did not see run is dropped
        self._pool.shutdown(wait=True)
        if exc is None:
            for future in self._futures:
                future.result()
