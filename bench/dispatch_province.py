"""Benchmark: dispatch 派单 over a generated province (issue 14), on the matching arrays only.

A province of ``--districts`` districts (default 20) of 30 streets, 5,000 needs and 10,000 offerings
each (``engine.matching.synthetic``; ``--distinct`` different districts are generated and repeated
with their own ids, since generating 100,000 needs spec by spec takes minutes): at the full size 600
streets, 100,000 needs and 200,000 offerings, with their scored candidate arcs. Three sizes (a
quarter, half and all of the districts; ``--sizes``) are each solved:

* once globally (one exact min-cost flow over every arc: the baseline the loss is measured against),
* partitioned by street (``engine.matching.distributed.partitioned_select``, urgent first, as a
  dispatch run does) serially in this process,
* the same on a Dask LocalCluster of 1 and of 2 worker processes (checked equal to the serial run),

printing per-phase times (split, partitions, reconciliation), the speed-up over the serial run and
over the global solve, the peak RSS of this process and of the workers, the loss in total score and
urgent units against the global solve, and how the time grows with size (the exponent between sizes).

Run:  .venv/bin/python bench/dispatch_province.py [--districts 20] [--sizes 0.25,0.5,1]
          [--distinct 4] [--seed 2026] [--no-global]
Targets: loss against the global solve ≤ 0.1%; the run under ~10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import math
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.matching import MatchProblem, build_arcs  # noqa: E402
from engine.matching.distributed import (  # noqa: E402
    DaskExecutor,
    Executor,
    Options,
    PartitionedResult,
    SerialExecutor,
    dask_executor,
    partitioned_select,
)
from engine.matching.scoring import QUANTUM_STEPS  # noqa: E402
from engine.matching.solve import select  # noqa: E402
from engine.matching.synthetic import synthetic_district  # noqa: E402

STREETS_PER_DISTRICT = 30
NEEDS_PER_DISTRICT = 5000
OFFERINGS_PER_DISTRICT = 10000
TARGET_LOSS = 0.001


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass(frozen=True)
class District:
    """One generated district's arrays: needs, offerings and scored arcs (indexes into them)."""

    need_ids: list[str]
    demand: np.ndarray
    urgent: np.ndarray
    street: np.ndarray  # street number 0..29 per need
    offering_ids: list[str]
    provider_ids: list[str]
    capacity: np.ndarray
    arc_need: np.ndarray
    arc_offering: np.ndarray
    score: np.ndarray


def district(seed: int) -> District:
    """A generated district and its scored candidate arcs."""
    inst = synthetic_district(
        NEEDS_PER_DISTRICT, OFFERINGS_PER_DISTRICT, seed=seed, n_streets=STREETS_PER_DISTRICT
    )
    arcs = build_arcs(inst.needs, inst.offerings, inst.ties)
    streets = sorted({str(n.street_id) for n in inst.needs})
    return District(
        need_ids=[n.id for n in inst.needs],
        demand=np.asarray([n.demand for n in inst.needs], dtype=np.int64),
        urgent=np.asarray([n.urgency == "urgent" for n in inst.needs], dtype=bool),
        street=np.asarray([streets.index(str(n.street_id)) for n in inst.needs], dtype=np.int64),
        offering_ids=[o.id for o in inst.offerings],
        provider_ids=[o.provider_id for o in inst.offerings],
        capacity=np.asarray([o.capacity for o in inst.offerings], dtype=np.int64),
        arc_need=np.asarray(arcs.facts.need, dtype=np.int64),
        arc_offering=np.asarray(arcs.facts.offering, dtype=np.int64),
        score=np.asarray(arcs.score),
    )


def province(bases: list[District], n_districts: int) -> tuple[MatchProblem, np.ndarray]:
    """``n_districts`` districts (the bases in turn, each copy with its own ids and streets) as one
    problem, and the street partition of each need."""
    need_ids: list[str] = []
    offering_ids: list[str] = []
    provider_ids: list[str] = []
    cols: dict[str, list[np.ndarray]] = {
        k: [] for k in ("demand", "urgent", "street", "capacity", "arc_need", "arc_offering", "score")
    }
    n_needs = n_off = 0
    for d in range(n_districts):
        b = bases[d % len(bases)]
        prefix = f"d{d:03d}-"
        need_ids += [prefix + x for x in b.need_ids]
        offering_ids += [prefix + x for x in b.offering_ids]
        provider_ids += [prefix + x for x in b.provider_ids]
        cols["demand"].append(b.demand)
        cols["urgent"].append(b.urgent)
        cols["street"].append(b.street + d * STREETS_PER_DISTRICT)
        cols["capacity"].append(b.capacity)
        cols["arc_need"].append(b.arc_need + n_needs)
        cols["arc_offering"].append(b.arc_offering + n_off)
        cols["score"].append(b.score)
        n_needs += len(b.need_ids)
        n_off += len(b.offering_ids)
    c = {k: np.concatenate(v) for k, v in cols.items()}
    problem = MatchProblem.from_arrays(
        need_ids,
        c["demand"],
        c["urgent"],
        offering_ids,
        provider_ids,
        c["capacity"],
        c["arc_need"],
        c["arc_offering"],
        c["score"],
    )
    street_of = dict(zip(need_ids, c["street"].tolist(), strict=True))
    return problem, np.asarray([street_of[n] for n in problem.need_ids], dtype=np.int64)


def figures(p: MatchProblem, selected: np.ndarray) -> tuple[float, int]:
    """(total score, urgent units) of a selection."""
    return int(p.score_units[selected].sum()) / QUANTUM_STEPS, int(p.urgent[p.arc_need][selected].sum())


def worker_rss(executor: Executor) -> str:
    """Peak RSS of the Dask workers, in MB."""
    if not isinstance(executor, DaskExecutor):
        return "-"
    found = executor.client.run(peak_rss_mb)
    return "/".join(f"{v:.0f}" for v in found.values())


def timed_run(p: MatchProblem, parts: np.ndarray, executor: Executor) -> tuple[PartitionedResult, float]:
    started = time.perf_counter()
    result = partitioned_select(p, parts, Options(urgent_first=True), executor)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--districts", type=int, default=20, help="districts at full size (30 streets each)")
    parser.add_argument("--sizes", default="0.25,0.5,1", help="fractions of the districts to solve")
    parser.add_argument("--distinct", type=int, default=4, help="different districts generated")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-global", action="store_true", help="skip the global solve (no loss figure)")
    args = parser.parse_args()
    started = time.perf_counter()
    bases = [district(args.seed + i) for i in range(args.distinct)]
    print(
        f"generated {args.distinct} distinct districts ({STREETS_PER_DISTRICT} streets, "
        f"{NEEDS_PER_DISTRICT:,} needs, {OFFERINGS_PER_DISTRICT:,} offerings each) with their arcs in "
        f"{time.perf_counter() - started:.1f} s; peak RSS {peak_rss_mb():.0f} MB"
    )
    mark = time.perf_counter()
    logging.getLogger("distributed").setLevel(logging.WARNING)
    clusters: dict[int, DaskExecutor] = {w: dask_executor(workers=w) for w in (1, 2)}
    print(f"Dask LocalClusters of 1 and 2 worker processes started in {time.perf_counter() - mark:.1f} s")
    growth: list[tuple[int, float, float, float]] = []  # (arcs, global, serial, 2 workers)
    try:
        for fraction in (float(x) for x in args.sizes.split(",")):
            n = max(1, round(args.districts * fraction))
            mark = time.perf_counter()
            p, parts = province(bases, n)
            print(
                f"\n== {n * STREETS_PER_DISTRICT} streets, {p.n_needs:,} needs, {p.n_offerings:,} offerings, "
                f"{p.n_arcs:,} candidate arcs (built in {time.perf_counter() - mark:.1f} s; "
                f"peak RSS {peak_rss_mb():.0f} MB)"
            )
            global_seconds = math.nan
            best: tuple[float, int] | None = None
            if not args.no_global:
                mark = time.perf_counter()
                chosen, _ = select(p, "optimal", urgent_first=True)
                global_seconds = time.perf_counter() - mark
                best = figures(p, chosen)
                print(
                    f"  global optimal solve      {global_seconds:7.2f} s   score {best[0]:,.1f}, "
                    f"urgent units {best[1]:,}   peak RSS {peak_rss_mb():.0f} MB"
                )
            runs: dict[str, tuple[PartitionedResult, float]] = {}
            for name, ex in (
                ("serial", SerialExecutor()),
                ("dask 1 worker", clusters[1]),
                ("dask 2 workers", clusters[2]),
            ):
                result, wall = timed_run(p, parts, ex)
                runs[name] = (result, wall)
                s = result.stats
                score, urgent = figures(p, result.selected)
                loss = (
                    ""
                    if best is None
                    else (f"  loss {(best[0] - score) / best[0]:.4%} score, {best[1] - urgent} urgent units")
                )
                print(
                    f"  {name:<15} wall {wall:7.2f} s = split {s['split']:.2f} + partitions {s['solve']:.2f} "
                    f"(solver {s['solver_seconds']:.2f}, {s['parts']} parts in {s['batches']} batches) + "
                    f"reconcile {s['reconcile']:.2f} ({s['reconcile_arcs']:,} arcs in "
                    f"{s.get('reconcile_parts', 1)} components, residual "
                    f"{s['residual_pairs']} pairs)\n"
                    f"  {'':<15} score {score:,.1f}, urgent units {urgent:,}{loss}; "
                    f"peak RSS {peak_rss_mb():.0f} MB, workers {worker_rss(ex)} MB"
                )
            serial_wall = runs["serial"][1]
            for name in ("dask 1 worker", "dask 2 workers"):
                same = np.array_equal(runs[name][0].selected, runs["serial"][0].selected)
                print(
                    f"  {name}: speed-up {serial_wall / runs[name][1]:.2f}× over serial, "
                    f"{global_seconds / runs[name][1]:.2f}× over the global solve; equals serial: {same}"
                )
                assert same, "the distributed run must equal the serial run"
            print(f"  serial partitioned: {global_seconds / serial_wall:.2f}× faster than the global solve")
            growth.append((p.n_arcs, global_seconds, serial_wall, runs["dask 2 workers"][1]))
    finally:
        for ex in clusters.values():
            ex.close()
    print("\n== growth with size (time ∝ arcs^k between consecutive sizes)")
    for (a0, g0, s0, d0), (a1, g1, s1, d1) in itertools.pairwise(growth):
        r = math.log(a1 / a0)
        print(
            f"  {a0:,} → {a1:,} arcs: global k={math.log(g1 / g0) / r:.2f}, "
            f"serial k={math.log(s1 / s0) / r:.2f}, 2 workers k={math.log(d1 / d0) / r:.2f}"
        )
    print(f"\ntotal {time.perf_counter() - started:.0f} s; peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
