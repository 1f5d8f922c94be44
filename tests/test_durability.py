"""An acknowledged write survives a crash: SIGKILL the embedded server after a few hundred
single writes, restart it on the same data directory, and find every one of them."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from falkordb import FalkorDB
from schema_examples import example_node

from engine.store import apply_schema
from engine.store.embedded import EmbeddedFalkorDB
from engine.store.falkordb_store import FalkorDBStore

WRITES = 300
GRAPH = "durability"


def _store(server: EmbeddedFalkorDB) -> FalkorDBStore:
    return FalkorDBStore(FalkorDB(unix_socket_path=str(server.socket_path)), GRAPH)


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = EmbeddedFalkorDB(data).start()
    try:
        store = _store(server)
        apply_schema(store)
        written = []
        for n in range(WRITES):
            org = example_node("Org", n)
            assert store.run("node.create.Org", {"props": org}) == [{"id": org["id"]}]
            written.append(org["id"])
        store.close()
        assert server.process is not None
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=30)
    finally:
        server.stop()
    assert not server.alive()

    restarted = EmbeddedFalkorDB(data).start()
    try:
        assert restarted.owned
        store = _store(restarted)
        found = [r["node"]["id"] for r in store.run("node.list.Org", {"skip": 0, "limit": WRITES * 2})]
        assert sorted(found) == sorted(written)
        assert store.run("node.count.Org") == [{"count": WRITES}]
        store.close()
    finally:
        restarted.stop()


def test_a_bulk_load_survives_a_restart_quickly_after_compaction(tmp_path: Path) -> None:
    """After compact() the log holds a snapshot: a restart loads it instead of replaying batches."""
    from engine.demo import generate, graph_counts, load_dataset

    server = EmbeddedFalkorDB(tmp_path / "data").start()
    try:
        store = FalkorDBStore.open(server.socket_path, "g")
        apply_schema(store)
        dataset = generate("tiny", 2026)
        load_dataset(store, dataset)  # compacts at the end
        expected = graph_counts(store)
        store.close()
        aof = sorted(p.name for p in (tmp_path / "data" / "appendonlydir").iterdir())
        assert any(name.endswith(".base.rdb") for name in aof)
        incr = [p for p in (tmp_path / "data" / "appendonlydir").iterdir() if p.name.endswith(".incr.aof")]
        assert all(p.stat().st_size < 4096 for p in incr), "the batches were left in the log"
    finally:
        server.stop()
    again = EmbeddedFalkorDB(tmp_path / "data").start()
    try:
        store = FalkorDBStore.open(again.socket_path, "g")
        assert graph_counts(store) == expected
        store.close()
    finally:
        again.stop()
