"""Benchmark: the audit sealer's lookup of unsealed entries as the trail grows.

The API seals the audit trail after every second of writes (``engine.services.audit_chain.seal``),
and each round first reads the oldest unsealed entries. They are found by the label ``Unsealed``
(schema version 3); the baseline, measured in the same run on the same graph, is the lookup the
sealer made before, ``WHERE a.seq IS NULL`` over every ``AuditEntry`` (no index serves a missing
property), registered here only. For each trail size the graph holds that many sealed entries and
20 fresh unsealed ones written by ``record_event``, as a live API's graph does.

Run:  .venv/bin/python bench/audit_seal.py [--backend falkordb|neo4j] [--sizes 10000,100000,300000]
Target: the lookup's time does not grow with the sealed trail (flat within noise), where the
baseline's grows linearly.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stores import add_backend_options, await_indexes, fresh_server  # noqa: E402
from engine.actors import SYSTEM  # noqa: E402
from engine.services.audit_chain import record_event  # noqa: E402
from engine.store.base import GraphStore  # noqa: E402
from engine.store.queries import audit_chain as chain_queries  # noqa: E402
from engine.store.queries.nodes import node_stmt  # noqa: E402
from engine.store.registry import Statement, cypher  # noqa: E402
from engine.store.schema_apply import apply_schema  # noqa: E402

BY_SCAN = cypher(
    "bench.audit.unsealed_by_scan",
    "read",
    """
    MATCH (a:AuditEntry)
    WHERE a.seq IS NULL
    WITH a ORDER BY a.at, a.id LIMIT $limit
    RETURN a {.*} AS entry
    """,
    "the sealer's lookup before schema version 3 (the baseline)",
)
UNSEALED = 20
REPEAT = 7


def grow_trail(store: GraphStore, start: int, stop: int) -> None:
    """Sealed entries ``start`` … ``stop - 1`` (seq, hashes set, no Unsealed label)."""
    rows = (
        {"id": f"sealed-{i:07d}", "at": "2026-01-01T00:00:00Z", "actor": "acc-bench", "role": "admin",
         "action": "need.post", "entity_label": "Need", "entity_id": f"N{i}", "seq": i + 1,
         "prev_hash": "0" * 64, "hash": f"{i:064x}"}
        for i in range(start, stop)
    )  # fmt: skip
    store.bulk(node_stmt("bulk_create", "AuditEntry"), rows, batch_size=5000)


def best_seconds(store: GraphStore, statement: Statement) -> float:
    """The best of ``REPEAT`` lookups of the oldest 500 unsealed entries, in seconds."""
    best = float("inf")
    for _ in range(REPEAT):
        started = time.perf_counter()
        rows = store.run(statement, {"limit": 500})
        best = min(best, time.perf_counter() - started)
        assert len(rows) == UNSEALED, len(rows)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_backend_options(parser)
    parser.add_argument("--sizes", default="10000,100000,300000", help="sealed entries in the trail")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory() as work, fresh_server(args.backend, Path(work)) as server:
        store = server.open_store()
        apply_schema(store)
        await_indexes(server)
        for i in range(UNSEALED):
            record_event(store, SYSTEM, "bench.event", "Bench", f"e{i}", {"i": i})
        print(f"{args.backend}: the oldest {UNSEALED} unsealed entries read as the sealed trail grows")
        print(f"{'sealed':>9} {'label (s)':>10} {'scan (s)':>10} {'scan/label':>10}")
        grown = 0
        for size in sizes:
            grow_trail(store, grown, size)
            grown = size
            label = best_seconds(store, chain_queries.UNSEALED)
            scan = best_seconds(store, BY_SCAN)
            print(f"{size:>9,} {label:>10.4f} {scan:>10.4f} {scan / label:>9.1f}×")
        store.close()


if __name__ == "__main__":
    main()
