"""Solvers of the matching engine: exactness against HiGHS and brute force, invariants, stability,
determinism, and the options (urgent first, provider share cap)."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.graph.python import min_cost_flow

from engine.matching import (
    METHODS,
    MatchProblem,
    blocking_pairs,
    build_arcs,
    solve,
    summarize,
    violations,
)
from engine.matching.problem import share_ok
from engine.matching.quality import gini, selected_mask
from engine.matching.synthetic import synthetic_district


@st.composite
def problems(draw: st.DrawFn, max_arcs: int = 10) -> MatchProblem:
    """Small instances: a few needs, offerings and providers, arcs with tied and distinct scores."""
    n_needs = draw(st.integers(1, 4))
    n_off = draw(st.integers(1, 4))
    n_prov = draw(st.integers(1, n_off))
    pairs = [(i, j) for i in range(n_needs) for j in range(n_off)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=min(max_arcs, len(pairs))))
    scores = draw(
        st.lists(st.integers(-2, 40).map(lambda x: x / 4), min_size=len(chosen), max_size=len(chosen))
    )
    return MatchProblem.from_arrays(
        need_ids=[f"n{i}" for i in range(n_needs)],
        demand=draw(st.lists(st.integers(1, 3), min_size=n_needs, max_size=n_needs)),
        urgent=draw(st.lists(st.booleans(), min_size=n_needs, max_size=n_needs)),
        offering_ids=[f"o{j}" for j in range(n_off)],
        offering_provider_ids=[f"p{draw(st.integers(0, n_prov - 1))}" for _ in range(n_off)],
        capacity=draw(st.lists(st.integers(0, 3), min_size=n_off, max_size=n_off)),
        arc_need=[i for i, _ in chosen],
        arc_offering=[j for _, j in chosen],
        score=scores,
        need_pref=draw(st.lists(st.integers(0, 5), min_size=len(chosen), max_size=len(chosen))),
        offer_pref=draw(st.lists(st.integers(0, 5), min_size=len(chosen), max_size=len(chosen))),
    )


def brute_force(
    p: MatchProblem, *, urgent_first: bool = False, max_share: float | None = None
) -> tuple[int, ...]:
    """The best (urgent units, score units) or (score units,) over every feasible subset of arcs."""
    best: tuple[int, ...] = (0, 0) if urgent_first else (0,)
    urgent_arc = p.urgent[p.arc_need]
    for bits in itertools.product((False, True), repeat=p.n_arcs):
        sel = np.asarray(bits, dtype=bool)
        if np.any(np.bincount(p.arc_need[sel], minlength=p.n_needs) > p.demand):
            continue
        if np.any(np.bincount(p.arc_offering[sel], minlength=p.n_offerings) > p.capacity):
            continue
        if np.any(np.bincount(p.groups[0][sel], minlength=len(p.groups[1])) > 1):
            continue
        if max_share is not None and sel.any():
            loads = np.bincount(p.arc_provider[sel])
            if not share_ok(int(loads.max()), int(sel.sum()), max_share):
                continue
        score = int(p.score_units[sel].sum())
        value = (int(urgent_arc[sel].sum()), score) if urgent_first else (score,)
        best = max(best, value)
    return best


def value(p: MatchProblem, method: str, **options: object) -> tuple[int, ...]:
    a = solve(p, method, **options)  # type: ignore[arg-type]
    sel = selected_mask(p, a)
    score = int(p.score_units[sel].sum())
    return (int(p.urgent[p.arc_need][sel].sum()), score) if options.get("urgent_first") else (score,)


@settings(max_examples=150, deadline=None)
@given(problems())
def test_optimal_equals_highs_and_brute_force(p: MatchProblem) -> None:
    expected = brute_force(p)
    assert value(p, "optimal") == expected
    assert value(p, "optimal_lp") == expected


@settings(max_examples=100, deadline=None)
@given(problems())
def test_urgent_first_is_lexicographic(p: MatchProblem) -> None:
    expected = brute_force(p, urgent_first=True)
    assert value(p, "optimal", urgent_first=True) == expected
    assert value(p, "optimal_lp", urgent_first=True) == expected


@settings(max_examples=100, deadline=None)
@given(problems(max_arcs=9), st.sampled_from([0.2, 0.34, 0.5, 0.67]), st.booleans())
def test_share_cap_is_exact(p: MatchProblem, share: float, urgent_first: bool) -> None:
    expected = brute_force(p, urgent_first=urgent_first, max_share=share)
    for method in ("optimal", "optimal_lp"):
        a = solve(p, method, max_share=share, urgent_first=urgent_first)
        assert violations(p, a, max_share=share) == []
        assert value(p, method, max_share=share, urgent_first=urgent_first) == expected


@settings(max_examples=150, deadline=None)
@given(problems(), st.booleans())
def test_every_method_keeps_the_rules_and_none_beats_optimal(p: MatchProblem, urgent_first: bool) -> None:
    best = solve(p, "optimal").objective
    for method in METHODS:
        a = solve(p, method, urgent_first=urgent_first)
        assert violations(p, a) == [], method
        assert all(0 <= pair.arc < p.n_arcs for pair in a.pairs)
        assert a.objective <= best
    assert solve(p, "optimal").objective >= solve(p, "greedy").objective


@settings(max_examples=150, deadline=None)
@given(problems(), st.booleans())
def test_stable_methods_leave_no_blocking_pair(p: MatchProblem, urgent_first: bool) -> None:
    for method in ("stable", "stable_providers"):
        sel = selected_mask(p, solve(p, method, urgent_first=urgent_first))
        assert blocking_pairs(p, sel, urgent_first=urgent_first).size == 0, method


@settings(max_examples=60, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_same_input_in_any_order_gives_the_same_assignment(p: MatchProblem, rnd: random.Random) -> None:
    need_order = list(range(p.n_needs))
    off_order = list(range(p.n_offerings))
    arc_order = list(range(p.n_arcs))
    for order in (need_order, off_order, arc_order):
        rnd.shuffle(order)
    need_pos = {n: i for i, n in enumerate(need_order)}
    off_pos = {o: i for i, o in enumerate(off_order)}
    arcs = np.asarray(arc_order, dtype=np.int64)
    shuffled = MatchProblem.from_arrays(
        [p.need_ids[i] for i in need_order],
        p.demand[need_order],
        p.urgent[need_order],
        [p.offering_ids[j] for j in off_order],
        [p.provider_ids[p.offering_provider[j]] for j in off_order],
        p.capacity[off_order],
        [need_pos[int(n)] for n in p.arc_need[arcs]],
        [off_pos[int(o)] for o in p.arc_offering[arcs]],
        p.score[arcs],
        need_pref=p.need_pref[arcs],
        offer_pref=p.offer_pref[arcs],
    )
    for method in METHODS:
        a, b = solve(p, method), solve(shuffled, method)
        assert a.pairs == b.pairs, method


def one_to_one(arcs: list[tuple[int, int]], score: list[float], **prefs: list[float]) -> MatchProblem:
    """Needs n1, n2 wanting one provider each; offerings o1, o2 of providers p1, p2 serving one each."""
    return MatchProblem.from_arrays(
        need_ids=["n1", "n2"],
        demand=[1, 1],
        urgent=[False, False],
        offering_ids=["o1", "o2"],
        offering_provider_ids=["p1", "p2"],
        capacity=[1, 1],
        arc_need=[n for n, _ in arcs],
        arc_offering=[o for _, o in arcs],
        score=score,
        **prefs,  # type: ignore[arg-type]
    )


def toy_problem() -> MatchProblem:
    """Max-flow-first serves two pairs worth 2; the best is one pair worth 100."""
    return one_to_one([(0, 0), (0, 1), (1, 0)], [100, 1, 1])


def test_bypass_arc_keeps_the_best_score_where_max_flow_first_would_not() -> None:
    p = toy_problem()
    a = solve(p, "optimal")
    assert a.objective == 100
    assert [(x.need_id, x.offering_id) for x in a.pairs] == [("n1", "o1")]
    # The same network without a bypass, solved max-flow-first: what the engine must not do.
    smcf = min_cost_flow.SimpleMinCostFlow()
    src, n1, n2, o1, o2, snk = range(6)
    tails = np.asarray([src, src, n1, n1, n2, o1, o2])
    heads = np.asarray([n1, n2, o1, o2, o1, snk, snk])
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        tails, heads, np.ones(7, np.int64), np.asarray([0, 0, -100, -1, -1, 0, 0])
    )
    smcf.set_node_supply(src, 2)
    smcf.set_node_supply(snk, -2)
    assert smcf.solve_max_flow_with_min_cost() == smcf.OPTIMAL
    flows = smcf.flows(arcs)
    assert -int((flows * np.asarray([0, 0, -100, -1, -1, 0, 0])).sum()) == 2


def test_a_provider_serves_a_need_at_most_once() -> None:
    p = MatchProblem.from_arrays(
        need_ids=["n"],
        demand=[3],
        urgent=[False],
        offering_ids=["o1", "o2", "o3"],
        offering_provider_ids=["unit-a", "unit-a", "unit-b"],
        capacity=[1, 1, 1],
        arc_need=[0, 0, 0],
        arc_offering=[0, 1, 2],
        score=[10, 9, 1],
    )
    for method in METHODS:
        a = solve(p, method)
        assert sorted(x.offering_id for x in a.pairs) == ["o1", "o3"], method


def test_urgent_first_gives_the_scarce_provider_to_the_urgent_need() -> None:
    p = MatchProblem.from_arrays(
        need_ids=["calm", "urgent"],
        demand=[1, 1],
        urgent=[False, True],
        offering_ids=["doctor"],
        offering_provider_ids=["clinic"],
        capacity=[1],
        arc_need=[0, 1],
        arc_offering=[0, 0],
        score=[30, 20],
    )
    assert [x.need_id for x in solve(p).pairs] == ["calm"]
    for method in ("optimal", "optimal_lp", "greedy"):
        assert [x.need_id for x in solve(p, method, urgent_first=True).pairs] == ["urgent"]


def test_share_cap_spreads_the_work() -> None:
    # one popular provider scores best everywhere; a cap of half the pairs brings in the others
    p = MatchProblem.from_arrays(
        need_ids=[f"n{i}" for i in range(4)],
        demand=[1] * 4,
        urgent=[False] * 4,
        offering_ids=["star", "b", "c"],
        offering_provider_ids=["star", "b", "c"],
        capacity=[4, 1, 1],
        arc_need=[0, 1, 2, 3, 0, 1],
        arc_offering=[0, 0, 0, 0, 1, 2],
        score=[10, 10, 10, 10, 2, 2],
    )
    plain = solve(p)
    capped = solve(p, max_share=0.5)
    assert plain.objective == 40 and len(plain.pairs) == 4
    loads = [sum(x.provider_id == "star" for x in capped.pairs), len(capped.pairs)]
    assert loads == [2, 4] and capped.objective == 24
    assert solve(p, "optimal_lp", max_share=0.5).objective == 24


def test_options_are_checked() -> None:
    p = toy_problem()
    with pytest.raises(ValueError):
        solve(p, "simulated_annealing")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        solve(p, "greedy", max_share=0.5)
    with pytest.raises(ValueError):
        solve(p, max_share=0)
    assert solve(p, max_share=1.0).objective == 100


@pytest.mark.parametrize(
    "arcs",
    [[(0, 0), (0, 0)], [(0, 0), (0, 1), (0, 1)], [(1, 0), (0, 1), (1, 0)]],
    ids=["sorted", "sorted-later", "unsorted"],
)
def test_a_repeated_arc_is_refused_in_any_order(arcs: list[tuple[int, int]]) -> None:
    """Arcs already in canonical order skip the sort: a repeat must still be caught there."""
    with pytest.raises(ValueError, match="重复"):
        MatchProblem.from_arrays(
            ["n0", "n1"], [1, 1], [False, False], ["o0", "o1"], ["p0", "p1"], [1, 1],
            [a[0] for a in arcs], [a[1] for a in arcs], [1.0] * len(arcs),
        )  # fmt: skip


def test_compare_greedy_reports_the_gap() -> None:
    # greedy takes the 10 first and strands the other need; optimal serves both for 9 + 8
    p = one_to_one([(0, 0), (0, 1), (1, 0)], [10, 8, 9])
    a = solve(p, compare_greedy=True)
    assert a.objective == 17
    assert a.stats["greedy_objective"] == 10
    assert a.stats["gap_to_greedy"] == pytest.approx(0.7)


@pytest.mark.parametrize("seed", [3, 4])
def test_structured_instance_exact_solvers_agree_and_beat_the_baselines(seed: int) -> None:
    inst = synthetic_district(600, 1200, seed=seed)
    p = MatchProblem.from_scored(build_arcs(inst.needs, inst.offerings, inst.ties))
    assert p.n_arcs > 5000
    runs = {m: solve(p, m) for m in METHODS}
    assert runs["optimal"].objective == runs["optimal_lp"].objective
    for method, a in runs.items():
        assert violations(p, a) == [], method
        assert a.objective <= runs["optimal"].objective
    for method in ("stable", "stable_providers"):
        assert blocking_pairs(p, selected_mask(p, runs[method])).size == 0
    urgent = solve(p, urgent_first=True)
    assert summarize(p, urgent).urgent_units >= summarize(p, runs["optimal"]).urgent_units
    assert urgent.objective <= runs["optimal"].objective


@pytest.mark.parametrize(("seed", "share"), [(1, 0.03), (2, 0.05)])
def test_structured_share_cap_flow_search_equals_milp(seed: int, share: float) -> None:
    inst = synthetic_district(150, 300, seed=seed)
    p = MatchProblem.from_scored(build_arcs(inst.needs, inst.offerings, inst.ties))
    plain = selected_mask(p, solve(p))
    assert not share_ok(int(np.bincount(p.arc_provider[plain]).max()), int(plain.sum()), share)
    for urgent_first in (False, True):
        capped = solve(p, max_share=share, urgent_first=urgent_first)
        assert violations(p, capped, max_share=share) == []
        milp = solve(p, "optimal_lp", max_share=share, urgent_first=urgent_first)
        assert milp.stats["milp"] is True  # the cap made the LP fractional: an honest cross-check
        assert capped.objective == milp.objective
        assert summarize(p, capped).urgent_units == summarize(p, milp).urgent_units


def test_gini() -> None:
    assert gini([3, 3, 3]) == 0
    assert gini([0, 0, 0, 4]) == pytest.approx(0.75)
    assert gini([]) == 0


def test_each_side_gets_its_own_stable_optimum() -> None:
    # n1 likes o1, n2 likes o2; o1 likes n2, o2 likes n1: two stable outcomes, one per proposing side
    p = one_to_one(
        [(0, 0), (0, 1), (1, 0), (1, 1)], [5, 5, 5, 5], need_pref=[2, 1, 1, 2], offer_pref=[1, 2, 2, 1]
    )
    needs_side = solve(p, "stable")
    offers_side = solve(p, "stable_providers")
    assert {(x.need_id, x.offering_id) for x in needs_side.pairs} == {("n1", "o1"), ("n2", "o2")}
    assert {(x.need_id, x.offering_id) for x in offers_side.pairs} == {("n1", "o2"), ("n2", "o1")}
    for a in (needs_side, offers_side):
        assert blocking_pairs(p, selected_mask(p, a)).size == 0
    assert blocking_pairs(p, np.asarray([True, False, False, False])).size > 0
