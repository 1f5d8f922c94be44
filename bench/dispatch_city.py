"""Benchmark: dispatch 派单 on the ``city`` demo end to end (read, candidates + scores, solve, write
proposals) through ``engine.services.dispatch.start_run``, one street partition at a time.

Loads the city demo (60 streets, 10,000 needs, 20,000 offerings) into a fresh embedded store, then
runs every street sequentially as an admin and prints each phase's time, the slowest partitions,
and the whole city; then the same runs again on 2 threads (partitions in parallel; each run
supersedes the previous run's pending proposals). Baseline in the same run: OR-Tools' bare
min-cost flow on each partition's network (``bench/matching_solvers.py``'s baseline), so the solve
time is also printed as a ratio to it.

Run:  .venv/bin/python bench/dispatch_city.py [--size city] [--seed 2026] [--now 2026-11-02T00:00:00Z]
Target: the whole city under 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from falkordb import FalkorDB

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.actors import Actor, Role  # noqa: E402
from engine.demo import generate, load_dataset  # noqa: E402
from engine.matching import MatchProblem  # noqa: E402
from engine.matching.flow import FlowModel  # noqa: E402
from engine.services.dispatch import read_partition, start_run  # noqa: E402
from engine.store.embedded import EmbeddedFalkorDB  # noqa: E402
from engine.store.falkordb_store import FalkorDBStore  # noqa: E402
from engine.store.schema_apply import apply_schema  # noqa: E402

GRAPH = "bench"
TARGET_SECONDS = 10.0
PHASES = ("read", "candidates", "solve", "write")
ADMIN = Actor("bench", Role.ADMIN)


def run_all(socket: str, streets: list[str], now: str, workers: int) -> tuple[list[dict[str, Any]], float]:
    """One run per street on ``workers`` threads (a store client each); the runs and wall seconds."""

    def one(street: str) -> dict[str, Any]:
        store = FalkorDBStore(FalkorDB(unix_socket_path=socket), GRAPH)
        try:
            return start_run(store, ADMIN, street, now=now)
        finally:
            store.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = list(pool.map(one, streets))
    return runs, time.perf_counter() - started


def bare_solve_seconds(store: FalkorDBStore, streets: list[str], now: str) -> float:
    """OR-Tools' bare min-cost flow (score costs, one solve) summed over the partitions."""
    total = 0.0
    for street in streets:
        problem = MatchProblem.from_scored(read_partition(store, street, now).arcs())
        if not problem.n_arcs:
            continue
        net = FlowModel(problem).network("score")
        assert net is not None
        started = time.perf_counter()
        net.solve()
        total += time.perf_counter() - started
    return total


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="city")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--now", default="2026-11-02T00:00:00Z", help="the run's clock (demo dates are fixed)"
    )
    args = parser.parse_args()
    ds = generate(args.size, args.seed)
    streets = sorted(o["id"] for o in ds.nodes["Org"] if o["level"] == "street")
    with tempfile.TemporaryDirectory(prefix="lj-dispatch-") as tmp, EmbeddedFalkorDB(Path(tmp)) as server:
        socket = str(server.socket_path)
        store = FalkorDBStore(FalkorDB(unix_socket_path=socket), GRAPH)
        apply_schema(store)
        started = time.perf_counter()
        load_dataset(store, ds)
        print(
            f"{args.size}: {len(streets)} streets, {len(ds.nodes['Need']):,} needs, "
            f"{len(ds.nodes['Offering']):,} offerings loaded in {time.perf_counter() - started:.1f} s"
        )

        runs, wall = run_all(socket, streets, args.now, workers=1)
        phases = {p: sum(r["seconds"][p] for r in runs) for p in PHASES}
        print("\n== sequential, one street partition after another")
        print("  " + "  ".join(f"{p} {phases[p]:6.2f} s" for p in PHASES) + f"   wall {wall:6.2f} s")
        total = {k: sum(r[k] for r in runs) for k in ("needs_total", "needs_served", "urgent_served")}
        total |= {k: sum(r[k] for r in runs) for k in ("urgent_total", "pairs", "candidates")}
        print(
            f"  needs {total['needs_total']:,}, served {total['needs_served']:,}, "
            f"urgent {total['urgent_served']:,}/{total['urgent_total']:,}, "
            f"proposals {total['pairs']:,}, candidate pairs {total['candidates']:,}"
        )
        objective = sum(r["objective"] for r in runs)
        greedy = sum(r["greedy_objective"] for r in runs)
        print(
            f"  total score {objective:,.1f} vs greedy {greedy:,.1f} ({(objective - greedy) / greedy:+.2%})"
        )
        slow = sorted(runs, key=lambda r: -sum(r["seconds"].values()))[:3]
        for r in slow:
            print(
                f"  slowest {r['street_id']}: {sum(r['seconds'].values()):.2f} s, {r['needs_total']} needs, "
                f"{r['offerings']} offerings, {r['candidates']:,} pairs"
            )
        per = [sum(r["seconds"].values()) for r in runs]
        ideal = max(max(per), sum(per) / 2)
        print(f"  ideal on 2 cores (longest partition or half the sum): {ideal:.2f} s")

        bare = bare_solve_seconds(store, streets, args.now)
        print(
            f"\n  solve {phases['solve']:.2f} s (urgent first, with the greedy comparison) vs OR-Tools bare "
            f"{bare:.2f} s: {phases['solve'] / bare if bare else float('nan'):.1f}×"
        )

        _, wall2 = run_all(socket, streets, args.now, workers=2)
        print(
            f"\n== 2 threads, partitions in parallel: wall {wall2:.2f} s ({wall / wall2:.2f}× the sequential)"
        )
        best = min(wall, wall2)
        verdict = "meets" if best < TARGET_SECONDS else "misses"
        print(f"\n  whole city {best:.2f} s: {verdict} the {TARGET_SECONDS:.0f} s target")
        store.close()


if __name__ == "__main__":
    main()
