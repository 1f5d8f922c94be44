"""One entry point for all matching methods: ``solve(problem, method, …) -> Assignment``."""

from __future__ import annotations

import time
from typing import Literal, get_args

import numpy as np
from numpy.typing import NDArray

from engine.matching.fairness import Spread
from engine.matching.flow import solve_flow, solve_flow_share_capped
from engine.matching.greedy import greedy
from engine.matching.lp import solve_lp
from engine.matching.model import Assignment
from engine.matching.problem import MatchProblem
from engine.matching.scoring import QUANTUM_STEPS
from engine.matching.stable import needs_propose, offerings_propose

Method = Literal["optimal", "optimal_lp", "stable", "stable_providers", "greedy"]
METHODS: tuple[Method, ...] = get_args(Method)
EXACT_METHODS = ("optimal", "optimal_lp")
Stats = dict[str, float | int | str | bool]


MIN_SHARE = 0.001
"""The smallest ``max_share`` taken: below one pair in a thousand a cap rules out every pair of any
partition this product meets, and ratios near the float minimum overflow the bounds."""


def assignment_of(
    problem: MatchProblem, selected: NDArray[np.bool_], method: str, stats: Stats
) -> Assignment:
    """The Assignment of a boolean selection of the problem's arcs."""
    arcs = np.flatnonzero(selected)
    served = np.bincount(problem.arc_need[arcs], minlength=problem.n_needs)
    return Assignment(
        pairs=tuple(problem.pair(int(a)) for a in arcs),
        objective=int(problem.score_units[arcs].sum()) / QUANTUM_STEPS,
        served={problem.need_ids[i]: int(served[i]) for i in np.flatnonzero(served)},
        method=method,
        stats=stats,
    )


def _select(
    problem: MatchProblem,
    method: str,
    urgent_first: bool,
    max_share: float | None,
    spread: Spread | None = None,
    base_load: NDArray[np.int64] | None = None,
) -> tuple[NDArray[np.bool_], Stats]:
    if method == "optimal":
        if max_share is None:
            res, solves = solve_flow(problem, urgent_first=urgent_first, spread=spread, base_load=base_load)
        else:
            res, solves = solve_flow_share_capped(
                problem, max_share, urgent_first=urgent_first, spread=spread, base_load=base_load
            )
        stats: Stats = {"solver": "ortools.SimpleMinCostFlow", "flow_solves": solves}
        if spread is not None:
            stats["spread_penalty"] = res.penalty_units / QUANTUM_STEPS
        return res.selected, stats
    if method == "optimal_lp":
        selected, info = solve_lp(problem, urgent_first=urgent_first, max_share=max_share)
        return selected, {"solver": "scipy.highs.milp" if info["milp"] else "scipy.highs.linprog", **info}
    if method == "stable":
        return needs_propose(problem, urgent_first=urgent_first), {"solver": "deferred_acceptance.needs"}
    if method == "stable_providers":
        return offerings_propose(problem, urgent_first=urgent_first), {
            "solver": "deferred_acceptance.offerings"
        }
    return greedy(problem, urgent_first=urgent_first), {"solver": "greedy.by_score"}


def check_options(method: str, max_share: float | None, spread: Spread | None) -> float | None:
    """ValueError on options the method refuses; the share cap to apply (None for 1)."""
    if method not in METHODS:
        raise ValueError(f"未知的匹配方法: {method}")
    if spread is not None and method != "optimal":
        raise ValueError("分散派单(spread)仅适用于 optimal")
    if max_share is not None:
        if not MIN_SHARE <= max_share <= 1:
            raise ValueError(f"占比上限须在 {MIN_SHARE:g} 到 1 之间")
        if method not in EXACT_METHODS:
            raise ValueError("占比上限仅适用于 optimal 与 optimal_lp")
        if max_share == 1:
            max_share = None
    return max_share


def select(
    problem: MatchProblem,
    method: Method = "optimal",
    *,
    urgent_first: bool = False,
    max_share: float | None = None,
    spread: Spread | None = None,
    base_load: NDArray[np.int64] | None = None,
) -> tuple[NDArray[np.bool_], Stats]:
    """The arcs ``solve`` would choose, as a mask, and the solver's figures (no Pair objects: what a
    dispatch worker sends back). ``base_load``: pairs per provider already carried in the run (the
    spread penalties continue from there)."""
    max_share = check_options(method, max_share, spread)
    started = time.perf_counter()
    selected, stats = _select(problem, method, urgent_first, max_share, spread, base_load)
    return selected, {**stats, "seconds": time.perf_counter() - started, "arcs": problem.n_arcs}


def solve(
    problem: MatchProblem,
    method: Method = "optimal",
    *,
    urgent_first: bool = False,
    max_share: float | None = None,
    compare_greedy: bool = False,
    spread: Spread | None = None,
) -> Assignment:
    """Assign offerings to needs.

    ``optimal`` (OR-Tools min-cost flow) and ``optimal_lp`` (HiGHS) maximise the total score exactly;
    ``stable``/``stable_providers`` run deferred acceptance with needs/offerings proposing; ``greedy``
    takes the best-scoring pairs first. ``urgent_first``: first as many provider slots for urgent needs
    as possible, then score (for the stable methods: offerings rank urgent needs first).
    ``max_share``: no provider carries more than this share of the assigned pairs (exact methods only;
    a ratio, so on a tiny partition it can rule out every pair: one pair of one is a 100% share).
    ``compare_greedy`` adds the greedy objective and the relative gap to ``stats``.
    ``spread`` (optimal only): a provider's later pairs are worth less (``engine.matching.fairness``);
    the objective stays the sum of the pairs' own scores, the penalties are in ``stats``.
    """
    selected, stats = select(problem, method, urgent_first=urgent_first, max_share=max_share, spread=spread)
    if compare_greedy:
        units = int(problem.score_units[selected].sum())
        base = int(problem.score_units[greedy(problem, urgent_first=urgent_first)].sum())
        stats["greedy_objective"] = base / QUANTUM_STEPS
        stats["gap_to_greedy"] = (units - base) / abs(base) if base else 0.0
    return assignment_of(problem, selected, method, stats)
