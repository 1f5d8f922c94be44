"""Shared fixtures: a real embedded FalkorDB server for the session, a fresh graph per test, and a
real Neo4j 5 as the second backend: the one ``NEO4J_URI`` names, else one the suite starts itself
from Maven Central (``engine/store/neo4j_local.py``). ``LIANJIAN_TEST_BACKENDS=falkordb`` runs the
suite on FalkorDB alone (a quick local run; ``make test`` and CI run both).

Neo4j Community has one user database, so every Neo4j store of the suite is that database, emptied
before and after use: at most one may be open at a time (``make_store`` checks it)."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
import uuid
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.settings import Settings
from engine.store import GraphStore, apply_schema
from engine.store.embedded import EmbeddedFalkorDB

# Statement name -> times run, over every store the tests used (see test_statement_coverage).
EXECUTED: Counter[str] = Counter()
# Lines a test wants shown at the end of the run, even without -s (see pytest_terminal_summary).
SUMMARY: list[str] = []

_SHARE_KEY = pytest.StashKey[Path]()  # the controller's folder of the workers' counts

BACKENDS = [
    b.strip() for b in os.environ.get("LIANJIAN_TEST_BACKENDS", "falkordb,neo4j").split(",") if b.strip()
]
_NEO4J: dict[str, object] = {}  # "uri": the Bolt address in use, "server": the LocalNeo4j we started
_NEO4J_OPEN: list[GraphStore] = []  # the Neo4j store in use (one database: one user at a time)


@pytest.fixture(scope="session")
def falkordb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedFalkorDB]:
    """One embedded FalkorDB server for the whole session; tests isolate by graph name."""
    server = EmbeddedFalkorDB(tmp_path_factory.mktemp("falkordb")).start()
    yield server
    server.stop()


def _falkordb_store(server: EmbeddedFalkorDB) -> GraphStore:
    from falkordb import FalkorDB

    from engine.store.falkordb_store import FalkorDBStore

    return FalkorDBStore(FalkorDB(unix_socket_path=str(server.socket_path)), f"test_{uuid.uuid4().hex[:12]}")


def neo4j_uri() -> str:
    """The Bolt address of the suite's Neo4j: ``NEO4J_URI``'s, else a local one started now (once)."""
    if "uri" not in _NEO4J:
        if os.environ.get("NEO4J_URI"):
            _NEO4J["uri"] = os.environ["NEO4J_URI"]
        else:
            from engine.store.neo4j_local import LocalNeo4j

            server = LocalNeo4j().start()
            _NEO4J.update(uri=server.uri, server=server)
    return str(_NEO4J["uri"])


def _neo4j_store() -> GraphStore:
    from engine.store.neo4j_store import Neo4jStore

    if _NEO4J_OPEN:
        raise RuntimeError("a second Neo4j store was opened while one is in use (one database: see conftest)")
    s = Settings()
    store = Neo4jStore.connect(neo4j_uri(), s.neo4j_user, s.neo4j_password, s.neo4j_database)
    _NEO4J_OPEN.append(store)
    return store


def make_store(backend: str, server: EmbeddedFalkorDB) -> GraphStore:
    """An empty store on ``backend`` (a fresh FalkorDB graph, or the emptied Neo4j database)."""
    store = _falkordb_store(server) if backend == "falkordb" else _neo4j_store()
    store.drop_all()
    return store


def release_store(store: GraphStore) -> None:
    """Count what ``store`` ran, empty it and close it (a Neo4j store frees the database)."""
    EXECUTED.update(store.executed)
    try:
        store.drop_all()
    finally:
        store.close()
        if store in _NEO4J_OPEN:
            _NEO4J_OPEN.remove(store)


@pytest.fixture(scope="session", autouse=True)
def _stop_local_neo4j() -> Iterator[None]:
    """Stop the Neo4j the suite started, if it started one."""
    yield
    server = _NEO4J.get("server")
    if server is not None:
        server.stop()  # type: ignore[attr-defined]


@pytest.fixture(params=BACKENDS)
def empty_store(request: pytest.FixtureRequest, falkordb_server: EmbeddedFalkorDB) -> Iterator[GraphStore]:
    """An empty graph without indexes or constraints, on each configured backend."""
    store = make_store(request.param, falkordb_server)
    yield store
    release_store(store)


@pytest.fixture
def store(empty_store: GraphStore) -> GraphStore:
    """An empty graph with the schema applied, on each configured backend."""
    apply_schema(empty_store)
    return empty_store


@pytest.fixture
def settings_for(falkordb_server: EmbeddedFalkorDB, tmp_path: Path) -> Settings:
    """Settings that point a program at the session's server and a fresh graph."""
    return Settings(
        data_dir=tmp_path / "data",
        falkordb_socket=falkordb_server.socket_path,
        graph=f"test_{uuid.uuid4().hex[:12]}",
        backend="falkordb",
    )


# `make test` runs the suite on pytest-xdist workers, each with its own FalkorDB and Neo4j. Each worker
# writes what it ran (and its SUMMARY lines) to a file in a folder the controller names; the controller
# checks statement coverage over all of them once every worker is done (see test_statement_coverage).
_SHARE = "lianjian_share_dir"


def _workerinput(config: pytest.Config) -> dict[str, Any] | None:
    """This process's xdist worker input, or None in the controller or a run without workers."""
    return getattr(config, "workerinput", None)


class _XdistController:
    """Registered in the xdist controller only: gives every worker the folder for its counts."""

    def __init__(self, share: Path) -> None:
        self.share = share

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[_SHARE] = str(self.share)


def pytest_configure(config: pytest.Config) -> None:
    if _workerinput(config) is not None or not config.getoption("numprocesses", default=None):
        return
    if os.environ.get("NEO4J_URI") and "neo4j" in BACKENDS:
        raise pytest.UsageError(
            "NEO4J_URI names one database, which workers cannot share: run pytest with -n 0 "
            "(make test TEST_WORKERS=0)"
        )
    share = Path(tempfile.mkdtemp(prefix="lianjian-workers-"))
    config.stash[_SHARE_KEY] = share
    config.pluginmanager.register(_XdistController(share), "lianjian-xdist-controller")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A worker leaves its counts for the controller; the controller checks coverage over them all."""
    from test_statement_coverage import check_coverage, partial_run_reason

    worker = _workerinput(session.config)
    if worker is not None:
        if _SHARE in worker:
            counts = EXECUTED + GraphStore.executed_in_process
            data = {"executed": dict(counts), "summary": SUMMARY, "partial": partial_run_reason(session)}
            Path(worker[_SHARE], f"{worker['workerid']}.json").write_text(json.dumps(data))
        return
    share = session.config.stash.get(_SHARE_KEY, None)
    if share is None:
        return
    parts = [json.loads(f.read_text()) for f in sorted(share.glob("*.json"))]
    shutil.rmtree(share, ignore_errors=True)
    for part in parts:
        SUMMARY.extend(part["summary"])
    reasons = [part["partial"] for part in parts if part["partial"]]
    if not parts or reasons or session.exitstatus == pytest.ExitCode.INTERRUPTED:
        SUMMARY.append(f"Statement coverage: not checked ({reasons[0] if reasons else 'no worker counts'})")
        return
    ran: Counter[str] = Counter()
    for part in parts:
        ran.update(part["executed"])
    never = check_coverage(ran)
    if never:
        SUMMARY.append(f"{len(never)} registered statements never ran on any worker:")
        SUMMARY.extend(f"  {name}" for name in never)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# Each test file's share of a whole run (seconds, from a run's JUnit report: tests/durations.py). The
# longest files go first, so xdist's loadfile scheduler hands them out early and the workers finish
# together; a file not listed counts as the median. Only the order changes, never what runs.
DURATIONS = Path(__file__).with_name("durations.json")


def _file_weights() -> dict[str, float]:
    try:
        return {str(k): float(v) for k, v in json.loads(DURATIONS.read_text()).items()}
    except (OSError, ValueError, AttributeError):
        return {}


# What runs on FalkorDB only unless LIANJIAN_TEST_FULL=1, to keep the suite inside CI's 30 minutes (two
# thirds of its time is Neo4j's): the console's browser tests (the page is the same over either
# backend; every API call it makes runs on both in the API suites), and three in four rows of the
# permission matrix (each row judges Python rules over statements the other suites run on Neo4j; a
# fixed quarter of the rows, chosen by a hash of the row, still runs on Neo4j).
FULL_RUN = "LIANJIAN_TEST_FULL"


def trimmed(item: pytest.Item) -> bool:
    """Whether ``item`` is left out of a run that is not full (see above)."""
    if os.environ.get(FULL_RUN) or "[neo4j" not in item.nodeid:
        return False
    if Path(item.nodeid.split("::")[0]).name.startswith("test_console"):
        return True
    if getattr(item, "originalname", "") == "test_permission_matrix":
        return zlib.crc32(item.nodeid.encode()) % 4 != 0
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Longest test files first (each file's tests in their own order); statement coverage last;
    the trimmed tests deselected (see FULL_RUN)."""
    left_out = [item for item in items if trimmed(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not trimmed(item)]
    weights = _file_weights()
    default = statistics.median(weights.values()) if weights else 0.0
    first_seen: dict[str, int] = {}
    for index, item in enumerate(items):
        first_seen.setdefault(item.nodeid.split("::")[0], index)

    def key(pair: tuple[int, pytest.Item]) -> tuple[bool, float, int, int]:
        index, item = pair
        name = item.nodeid.split("::")[0]
        last = "test_statement_coverage" in name
        return (last, -weights.get(Path(name).name, default), first_seen[name], index)

    items[:] = [item for _, item in sorted(enumerate(items), key=key)]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show the SUMMARY lines tests left (statement counts and the like) after the results."""
    if SUMMARY:
        terminalreporter.section("lianjian")
        for line in SUMMARY:
            terminalreporter.write_line(line)


class LiveServer:
    """A real uvicorn server running the app in a background thread, on a free loopback port."""

    def __init__(self, app: object) -> None:
        import socket
        import threading

        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture
def live_server(store: GraphStore) -> Iterator[LiveServer]:
    """The API on a real uvicorn server over the test's store."""
    from api.app import create_app

    with LiveServer(create_app(Settings(), store)) as server:
        yield server
