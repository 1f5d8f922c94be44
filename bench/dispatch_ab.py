"""Benchmark: the whole-city dispatch of two source trees, A/B on one store in the same run.

Loads the ``city`` demo into a fresh embedded FalkorDB once, then runs ``start_run`` over the whole
city with each tree's code in turn (a child process per run with that tree first on ``sys.path``;
rounds alternate which tree goes first), each after one warm-up run. A tree is a checkout of the
repository, e.g. the previous commit: ``git worktree add /tmp/lj-prev HEAD~1``.

Besides the wall and phase times (noisy on a shared machine) it prints what noise touches less:
the client process's CPU seconds, the server's own execution time of the reads and of the writes
(FalkorDB's ``Query internal execution time``), the statements sent and the result cells parsed,
and the total score (both trees must agree when only speed changed).

Run:  .venv/bin/python bench/dispatch_ab.py --old /tmp/lj-prev [--new .] [--rounds 2] [--size city]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-02T00:00:00Z"
GRAPH = "bench"


def child(tree: str, socket: str, top: str) -> None:
    """One warm-up and one measured run with ``tree``'s code; its figures as one JSON line."""
    sys.path.insert(0, tree)
    from falkordb import FalkorDB

    from engine.actors import Actor, Role
    from engine.services.dispatch import start_run
    from engine.store.falkordb_store import FalkorDBStore

    server: defaultdict[str, float] = defaultdict(float)
    counts: Counter[str] = Counter()
    command = FalkorDBStore._command

    def counted(self: FalkorDBStore, kind: str, query: str) -> list[Any]:
        reply = command(self, kind, query)
        found = re.search(r"execution time: ([\d.]+)", str(reply[-1]))
        side = "read" if kind == "GRAPH.RO_QUERY" else "write"
        server[side] += float(found.group(1)) / 1000 if found else 0.0
        counts[f"{side}_statements"] += 1
        if len(reply) > 1:
            counts["cells"] += sum(len(row) for row in reply[1])
        return reply

    FalkorDBStore._command = counted  # type: ignore[method-assign,assignment]
    store = FalkorDBStore(FalkorDB(unix_socket_path=socket), GRAPH)
    admin = Actor("bench", Role.ADMIN)
    start_run(store, admin, top, now=NOW)
    server.clear()
    counts.clear()
    cpu, wall = time.process_time(), time.perf_counter()
    run = start_run(store, admin, top, now=NOW)
    figures = {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "server_read": server["read"],
        "server_write": server["write"],
        **counts,
        **run["seconds"],
        "objective": run["objective"],
        "pairs": run["pairs"],
    }
    print(json.dumps(figures))


def measure(tree: Path, socket: str, top: str) -> dict[str, Any]:
    """The figures of one child run with ``tree``'s code."""
    args = [sys.executable, __file__, "--child", str(tree), "--socket", socket, "--top", top]
    out = subprocess.run(args, check=True, capture_output=True, text=True, cwd=tree).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--old", help="the baseline tree (e.g. a worktree of the previous commit)")
    parser.add_argument("--new", default=str(ROOT), help="the tree measured against it")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--size", default="city")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--socket", help=argparse.SUPPRESS)
    parser.add_argument("--top", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.socket, args.top)
        return
    if not args.old:
        parser.error("--old is required")
    sys.path.insert(0, str(ROOT))
    from bench.dispatch_city import load_city
    from bench.stores import fresh_server

    trees = {"old": Path(args.old).resolve(), "new": Path(args.new).resolve()}
    runs: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
    with tempfile.TemporaryDirectory(prefix="lj-ab-") as tmp, fresh_server("falkordb", Path(tmp)) as server:
        with server.open_store() as store:
            top, _ = load_city(store, args.size, args.seed)
        for r in range(args.rounds):
            for name in ("old", "new") if r % 2 == 0 else ("new", "old"):
                figures = measure(trees[name], server.address, top)
                runs[name].append(figures)
                print(f"  round {r + 1} {name}: " + ", ".join(f"{k} {v:,.2f}" for k, v in figures.items()))
    keys = ("wall", "cpu", "server_read", "server_write", "read", "candidates", "solve", "write")
    print("\n  median of the rounds   old        new      new/old")
    for key in keys:
        old, new = (statistics.median(f[key] for f in runs[n]) for n in ("old", "new"))
        print(f"  {key:14s} {old:10.2f} s {new:10.2f} s {new / old if old else float('nan'):8.2f}")
    for key in ("read_statements", "write_statements", "cells", "objective", "pairs"):
        old, new = runs["old"][-1][key], runs["new"][-1][key]
        print(f"  {key:14s} {old:12,.1f} {new:12,.1f}")
    same = {f["objective"] for f in runs["old"] + runs["new"]}
    print(f"\n  total score {'the same in every run' if len(same) == 1 else 'DIFFERS'}: {sorted(same)}")


if __name__ == "__main__":
    main()
