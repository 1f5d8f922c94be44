"""Matching benchmark: candidate generation, scoring and every solver on district-shaped instances.

Prints times, each solve's ratio to OR-Tools' bare min-cost flow on the same network (the baseline,
measured in the same run), networkx ``network_simplex`` on small instances, and quality against greedy:
total score, urgent needs served, needs served, mean distance, Gini of provider load.

    .venv/bin/python bench/matching_solvers.py            # 50,000 needs × 100,000 offerings, ~2M pairs
    .venv/bin/python bench/matching_solvers.py --lp-big      # HiGHS on the 2M pairs as well
    .venv/bin/python bench/matching_solvers.py --needs 5000 --offerings 10000
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import TypeVar

import networkx as nx
import numpy as np

from engine.matching import MatchProblem, build_arcs, find_arcs, solve, summarize, violations
from engine.matching.flow import FlowModel, Network
from engine.matching.model import Assignment
from engine.matching.scoring import ScoreWeights, score_arcs
from engine.matching.synthetic import synthetic_district

T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Result and wall seconds of one call."""
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def bare_ortools(net: Network) -> tuple[int, float]:
    """The baseline: OR-Tools on the network arrays alone (add arcs, supplies, solve); cost and seconds."""
    flows, seconds = timed(net.solve)
    assert flows is not None
    cand = slice(net.cand_start, net.cand_start + net.n_cand)
    return int((flows * net.costs[cand]).sum()), seconds


def networkx_simplex(net: Network) -> tuple[int, float]:
    """The same network solved by networkx ``network_simplex``; cost and seconds (graph building excluded)."""
    g = nx.MultiDiGraph()
    for node, supply in net.supplies.items():
        g.add_node(node, demand=-supply)
    for k, (t, h, c, w) in enumerate(zip(net.tails, net.heads, net.capacities, net.costs, strict=True)):
        g.add_edge(int(t), int(h), key=k, capacity=int(c), weight=int(w))
    (cost, _), seconds = timed(lambda: nx.network_simplex(g))
    return int(cost), seconds


def quality_rows(problem: MatchProblem, runs: dict[str, Assignment]) -> None:
    """One line per method: the figures planners compare, relative to greedy."""
    base = summarize(problem, runs["greedy"])
    best = runs["optimal"].objective
    print(
        f"  {'method':<22}{'score':>13}{'of opt':>8}{'vs greedy':>10}{'urgent':>8}"
        f"{'urg.units':>10}{'served':>8}{'full':>8}{'km':>7}{'gini':>7}"
    )
    for name, a in runs.items():
        q = summarize(problem, a)
        assert violations(problem, a) == [], name
        km = f"{q.mean_distance_km:.2f}" if q.mean_distance_km is not None else "-"
        print(
            f"  {name:<22}{q.objective:>13,.1f}{q.objective / best:>8.2%}"
            f"{q.objective / base.objective - 1:>+10.2%}"
            f"{q.urgent_needs_served:>8}{q.urgent_units:>10}{q.needs_served:>8}{q.needs_fully_served:>8}"
            f"{km:>7}{q.provider_gini:>7.3f}"
        )
    print(
        f"  needs {problem.n_needs:,} (urgent {int(problem.urgent.sum()):,}), provider slots wanted "
        f"{int(problem.demand.sum()):,}, offerings {problem.n_offerings:,}, "
        f"capacity {int(problem.capacity.sum()):,}"
    )


def big(n_needs: int, n_offerings: int, reach: float, with_lp: bool, seed: int) -> None:
    print(f"\n== district-shaped instance: {n_needs:,} needs × {n_offerings:,} offerings (seed {seed})")
    inst, t_gen = timed(lambda: synthetic_district(n_needs, n_offerings, seed=seed, reach=reach))
    facts, t_find = timed(lambda: find_arcs(inst.needs, inst.offerings, inst.ties))
    scored, t_score = timed(lambda: score_arcs(facts, inst.needs, inst.offerings, ScoreWeights()))
    problem, t_problem = timed(lambda: MatchProblem.from_scored(scored))
    print(f"  synthetic data       {t_gen:7.2f} s (not part of a run)")
    per_need = problem.n_arcs / n_needs
    print(f"  candidate generation {t_find:7.2f} s  {problem.n_arcs:,} pairs ({per_need:.1f} per need)")
    print(f"  scoring              {t_score:7.2f} s")
    print(f"  problem (canonical)  {t_problem:7.2f} s")

    net = FlowModel(problem).network("score")
    assert net is not None
    base_cost, t_base = bare_ortools(net)
    print(f"\n  baseline: OR-Tools SimpleMinCostFlow on the same network, bare   {t_base:7.2f} s")
    runs: dict[str, Assignment] = {}
    methods = ["optimal", *(["optimal_lp"] if with_lp else []), "greedy", "stable", "stable_providers"]
    for method in methods:
        a, t = timed(lambda m=method: solve(problem, m))  # type: ignore[misc]
        runs[method] = a
        print(f"  solve {method:<20} {t:7.2f} s   ratio to OR-Tools {t / t_base:5.2f}×   {a.objective:,.2f}")
    assert round(-base_cost / 4096, 6) == round(runs["optimal"].objective, 6)
    if "optimal_lp" in runs:
        print(f"  optimal == optimal_lp: {runs['optimal'].objective == runs['optimal_lp'].objective}")
    a, t = timed(lambda: solve(problem, urgent_first=True))
    runs["optimal urgent_first"] = a
    flows = a.stats["flow_solves"]
    print(
        f"  solve optimal urgent_first  {t:7.2f} s   ratio to OR-Tools {t / t_base:5.2f}×   ({flows} flows)"
    )
    print("\n  quality (greedy = first come, first served by score):")
    quality_rows(problem, runs)


def city(seed: int) -> None:
    print("\n== city-sized dispatch, 10,000 needs × 20,000 offerings: candidates + scores + solve")
    inst = synthetic_district(10_000, 20_000, seed=seed, reach=0.8)
    arcs, t_arcs = timed(lambda: build_arcs(inst.needs, inst.offerings, inst.ties))
    problem, t_problem = timed(lambda: MatchProblem.from_scored(arcs))
    a, t_solve = timed(lambda: solve(problem, urgent_first=True, compare_greedy=True))
    print(
        f"  {problem.n_arcs:,} pairs: candidates+scores {t_arcs:.2f} s, problem {t_problem:.2f} s, "
        f"solve (urgent first) {t_solve:.2f} s; total {t_arcs + t_problem + t_solve:.2f} s; "
        f"gap to greedy {a.stats['gap_to_greedy']:+.2%}"
    )
    runs = {"optimal": solve(problem), "greedy": solve(problem, "greedy"), "optimal urgent_first": a}
    lp, t_lp = timed(lambda: solve(problem, "optimal_lp"))
    plain_seconds = float(runs["optimal"].stats["seconds"])
    print(
        f"  optimal {plain_seconds:.2f} s; optimal_lp (HiGHS) {t_lp:.2f} s = {t_lp / plain_seconds:.1f}×, "
        f"same objective: {lp.objective == runs['optimal'].objective}"
    )
    loads = np.bincount(problem.arc_provider[[p.arc for p in runs["optimal"].pairs]])
    top = loads.max() / loads.sum()
    share = round(0.5 * top, 5)
    capped, t = timed(lambda: solve(problem, max_share=share))
    assert violations(problem, capped, max_share=share) == []
    runs[f"optimal share≤{share:.3%}"] = capped
    print(
        f"  max_share={share:.3%} (half the top provider's {top:.3%}): {t:.2f} s, "
        f"{capped.stats['flow_solves']} flows, {t / plain_seconds:.1f}× one plain solve"
    )
    quality_rows(problem, runs)


def small(pairs_wanted: list[int], seed: int) -> None:
    print("\n== networkx network_simplex vs OR-Tools on the same (small) networks")
    for target in pairs_wanted:
        n_needs = max(50, target // 40)
        for _ in range(4):  # one street: pairs grow with the square of its size
            inst = synthetic_district(n_needs, 2 * n_needs, seed=seed, reach=0.8, n_streets=1)
            problem = MatchProblem.from_scored(build_arcs(inst.needs, inst.offerings, inst.ties))
            if abs(problem.n_arcs - target) < 0.1 * target:
                break
            n_needs = int(n_needs * (target / max(problem.n_arcs, 1)) ** 0.5)
        net = FlowModel(problem).network("score")
        assert net is not None
        c_or, t_or = bare_ortools(net)
        c_nx, t_nx = networkx_simplex(net)
        assert c_or == c_nx, (c_or, c_nx)
        print(
            f"  {problem.n_arcs:>7,} pairs: OR-Tools {t_or:6.3f} s, networkx {t_nx:7.2f} s, "
            f"ratio {t_nx / t_or:6.0f}×, same optimum: {c_or == c_nx}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--needs", type=int, default=50_000)
    ap.add_argument("--offerings", type=int, default=100_000)
    ap.add_argument("--reach", type=float, default=0.8, help="scales service radii (0.8 ≈ 40 pairs per need)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lp-big", action="store_true", help="HiGHS on the big instance too (1-2.5 min more)")
    ap.add_argument("--small", type=int, nargs="*", default=[10_000, 20_000], help="pair counts for networkx")
    args = ap.parse_args()
    print(f"load average at start {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    small(args.small, args.seed)
    city(args.seed)
    big(args.needs, args.offerings, args.reach, args.lp_big, args.seed)


if __name__ == "__main__":
    main()
