"""The exact presolve of the optimal solve (``engine.matching.presolve``) and the vectorised greedy:
the presolved optimum equals the plain one, the rules hold, greedy equals the one-by-one pass."""

from __future__ import annotations

import numpy as np
import pytest
from drawn_problems import drawn_problem
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.matching import MatchProblem, solve, violations
from engine.matching.fairness import Spread
from engine.matching.flow import HUB, URGENT_HUB, FlowModel, solve_flow
from engine.matching.greedy import greedy
from engine.matching.presolve import presolve, reduced
from engine.matching.problem import stable_order


@st.composite
def problems(draw: st.DrawFn, max_needs: int = 10, max_offerings: int = 12) -> MatchProblem:
    """Random instances where the presolve has work: providers with several offerings, urgent
    needs, demand and capacity above 1, few score levels (ties), zero and negative scores."""
    n_needs = draw(st.integers(1, max_needs))
    n_off = draw(st.integers(1, max_offerings))
    density = draw(st.sampled_from([0.2, 0.4, 0.7, 1.0]))
    pairs = [(i, j) for i in range(n_needs) for j in range(n_off)]
    keep = draw(st.lists(st.booleans(), min_size=len(pairs), max_size=len(pairs)))
    bias = draw(st.lists(st.floats(0, 1), min_size=len(pairs), max_size=len(pairs)))
    chosen = [pair for pair, k, b in zip(pairs, keep, bias, strict=True) if k and b < density]
    levels = draw(st.sampled_from([[1, 2], [-1, 0, 1, 2, 3], list(range(-2, 30))]))
    scores = draw(st.lists(st.sampled_from(levels), min_size=len(chosen), max_size=len(chosen)))
    return drawn_problem(draw, n_needs, n_off, chosen, [s / 4 for s in scores], max_demand=4)


def check_rules(p: MatchProblem, selected: np.ndarray) -> None:
    """Demand, capacity and one provider per need hold."""
    assert (np.bincount(p.arc_need[selected], minlength=p.n_needs) <= p.demand).all()
    assert (np.bincount(p.arc_offering[selected], minlength=p.n_offerings) <= p.capacity).all()
    assert (np.bincount(p.groups[0][selected], minlength=p.groups[1].shape[0]) <= 1).all()


@settings(max_examples=300, deadline=None)
@given(problems(), st.booleans())
def test_presolved_optimum_equals_the_plain_one(p: MatchProblem, urgent_first: bool) -> None:
    plain, _ = solve_flow(p, urgent_first=urgent_first, exact_presolve=False)
    fast, _ = solve_flow(p, urgent_first=urgent_first)
    if urgent_first:
        assert fast.urgent_units == plain.urgent_units
    assert fast.score_units == plain.score_units
    check_rules(p, fast.selected)
    assert fast.total == int(fast.selected.sum())
    assert fast.urgent_units == int(p.urgent[p.arc_need][fast.selected].sum())


@settings(max_examples=200, deadline=None)
@given(problems(), st.booleans(), st.integers(1, 4))
def test_every_round_keeps_the_optimum(p: MatchProblem, urgent_first: bool, rounds: int) -> None:
    plain, _ = solve_flow(p, urgent_first=urgent_first, exact_presolve=False)
    pre = presolve(p, urgent_first=urgent_first, rounds=rounds)
    assert not (pre.fixed & pre.live).any()
    check_rules(p, pre.fixed)
    assert (pre.demand == p.demand - np.bincount(p.arc_need[pre.fixed], minlength=p.n_needs)).all()
    assert (
        pre.capacity == p.capacity - np.bincount(p.arc_offering[pre.fixed], minlength=p.n_offerings)
    ).all()
    assert (pre.group == p.groups[0]).all()
    assert (pre.group_need == p.arc_need[p.group_first]).all()
    sub, arcs = reduced(p, pre)
    fresh = MatchProblem(**{f: getattr(sub, f) for f in sub.__dataclass_fields__})
    assert all((a == b).all() for a, b in zip(sub.groups, fresh.groups, strict=True))
    assert (sub.group_first == fresh.group_first).all()
    assert (sub.score_units == fresh.score_units).all()
    rest, _ = solve_flow(sub, urgent_first=urgent_first, exact_presolve=False)
    selected = pre.fixed.copy()
    selected[arcs[rest.selected]] = True
    check_rules(p, selected)
    assert int(p.score_units[selected].sum()) == plain.score_units
    if urgent_first:
        assert int(p.urgent[p.arc_need][selected].sum()) == plain.urgent_units


@settings(max_examples=100, deadline=None)
@given(problems(max_needs=12, max_offerings=16), st.booleans())
def test_solve_through_the_presolve_keeps_the_rules(p: MatchProblem, urgent_first: bool) -> None:
    a = solve(p, "optimal", urgent_first=urgent_first, compare_greedy=True)
    assert violations(p, a) == []
    assert urgent_first or a.objective >= float(a.stats["greedy_objective"])


def greedy_one_by_one(problem: MatchProblem, *, urgent_first: bool = False) -> np.ndarray:
    """The reference: the greedy pass one arc at a time (the implementation before vectorising)."""
    p = problem
    urgent_key = -p.urgent[p.arc_need].astype(np.int64) if urgent_first else np.zeros(p.n_arcs, np.int64)
    order = np.lexsort((np.arange(p.n_arcs), -p.score, urgent_key)).tolist()
    need_left = p.demand.tolist()
    off_left = p.capacity.tolist()
    group = p.groups[0].tolist()
    used_group = [False] * len(p.groups[1])
    chosen = np.zeros(p.n_arcs, bool)
    for a in order:
        n, o, g = int(p.arc_need[a]), int(p.arc_offering[a]), group[a]
        if need_left[n] and off_left[o] and not used_group[g]:
            need_left[n] -= 1
            off_left[o] -= 1
            used_group[g] = True
            chosen[a] = True
    return chosen


@settings(max_examples=300, deadline=None)
@given(problems(max_needs=14, max_offerings=14), st.booleans())
def test_greedy_equals_the_one_by_one_pass(p: MatchProblem, urgent_first: bool) -> None:
    assert (greedy(p, urgent_first=urgent_first) == greedy_one_by_one(p, urgent_first=urgent_first)).all()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 2**62), max_size=60), st.sampled_from([1, 300, 70_000, 2**33, 2**62]))
def test_stable_order_is_a_stable_argsort(values: list[int], scale: int) -> None:
    keys = np.asarray(values, dtype=np.int64) % scale
    assert (stable_order(keys) == np.argsort(keys, kind="stable")).all()


@pytest.mark.parametrize("top", [2**17, 2**47, 2**50])
def test_stable_order_of_many_wide_keys(top: int) -> None:
    """Keys too wide to pack with their position (radix passes, or the plain stable argsort)."""
    keys = np.random.default_rng(top).integers(0, top, 20_000)
    keys[::3] = keys[1::3][: keys[::3].shape[0]]  # ties
    assert (stable_order(keys) == np.argsort(keys, kind="stable")).all()


def test_presolve_solves_uncontested_needs_outright() -> None:
    """Two needs, each with its own offerings (no competition): everything is fixed, the flow has
    nothing left; the worse arcs beyond demand are dropped."""
    p = MatchProblem.from_arrays(
        need_ids=["a", "b"],
        demand=[1, 2],
        urgent=[True, False],
        offering_ids=["w", "x", "y", "z"],
        offering_provider_ids=["p", "q", "r", "r"],
        capacity=[1, 1, 1, 1],
        arc_need=[0, 0, 1, 1],
        arc_offering=[0, 1, 2, 3],
        score=[2.0, 1.0, 3.0, 2.5],
    )
    pre = presolve(p, urgent_first=True)
    assert pre.fixed.tolist() == [True, False, True, False]
    assert not pre.live.any()
    res, solves = solve_flow(p, urgent_first=True)
    assert res.selected.tolist() == [True, False, True, False]
    assert solves == 0


@settings(max_examples=150, deadline=None)
@given(problems(), st.booleans())
def test_lean_network_has_the_same_optimum(p: MatchProblem, urgent_first: bool) -> None:
    """Without the nodes whose constraint cannot bind (uncontested offerings, groups of needs of
    demand 1) the flow finds the same optimum."""
    full = FlowModel(p).best(urgent_first)
    lean = FlowModel(p, lean=True).best(urgent_first)
    assert full is not None and lean is not None
    assert (lean.urgent_units, lean.score_units) == (full.urgent_units, full.score_units) or (
        not urgent_first and lean.score_units == full.score_units
    )
    check_rules(p, lean.selected)
    with pytest.raises(ValueError):
        FlowModel(p, lean=True).network("score", cap=1)
    with pytest.raises(ValueError):
        FlowModel(p, lean=True, spread=Spread())


@settings(max_examples=150, deadline=None)
@given(problems(), st.booleans(), st.integers(0, 3))
def test_presolved_model_is_the_lean_network_of_the_reduced_problem(
    p: MatchProblem, urgent_first: bool, rounds: int
) -> None:
    """``FlowModel(p, presolved=pre)`` lays out, without building it, the lean network of
    ``reduced(p, pre)``: the same arcs, capacities and supplies; the score costs shifted by the
    needs' prices (a node potential: a need's arcs and its groups' arcs up by its price, its arc from
    the hub down by it), so the optimum is the same."""
    pre = presolve(p, urgent_first=urgent_first, rounds=rounds)
    if not pre.live.any():
        return
    model = FlowModel(p, presolved=pre)
    sub, arcs = reduced(p, pre)
    lean = FlowModel(sub, lean=True)
    assert model.arcs is not None and (model.arcs == arcs).all()
    assert model.urgent_bound == lean.urgent_bound
    for urgent_units in (None, lean.urgent_bound):
        ours = model.network("score", urgent_units=urgent_units)
        theirs = lean.network("score", urgent_units=urgent_units)
        assert ours is not None and theirs is not None
        for field in ("tails", "heads", "capacities"):
            assert (getattr(ours, field) == getattr(theirs, field)).all()
        assert ours.supplies == theirs.supplies
        potential = np.zeros(lean.n_nodes, np.int64)
        prices = pre.price[np.unique(p.arc_need[arcs])]
        potential[lean.need_base : lean.need_base + sub.n_needs] = prices
        potential[[HUB, URGENT_HUB]] = int(prices.sum()) // prices.shape[0]
        potential[lean.group_heads] = potential[lean.group_tails]
        shifted = theirs.costs + potential[theirs.tails] - potential[theirs.heads]
        assert (ours.costs == shifted).all()
    res = model.best(urgent_first)
    plain = FlowModel(sub, lean=True).best(urgent_first)
    assert res is not None and plain is not None
    assert res.value(urgent_first) == plain.value(urgent_first)


@pytest.mark.parametrize("cap", [None, 1])
def test_urgent_slots_short_of_the_bound_come_from_the_feasibility_check(cap: int | None) -> None:
    """Two urgent needs of demand 2 share one offering of capacity 1 (and each has one of its own):
    the bound of 4 urgent slots is infeasible, the check's maximum flow finds 3, and the second
    solve takes the best score with 3: b the shared one. With ``cap`` (not binding: one offering
    per provider) the network runs through the provider nodes."""
    p = MatchProblem.from_arrays(
        need_ids=["a", "b", "c"],
        demand=[2, 2, 1],
        urgent=[True, True, False],
        offering_ids=["shared", "own_a", "own_b", "other"],
        offering_provider_ids=["p", "q", "r", "s"],
        capacity=[1, 1, 1, 1],
        arc_need=[0, 0, 1, 1, 2, 2],
        arc_offering=[0, 1, 0, 2, 0, 3],
        score=[1.0, 1.0, 3.0, 1.0, 9.0, 0.5],
    )
    model = FlowModel(p)
    assert model.urgent_bound == 4
    res = model.best(True, cap=cap)
    assert res is not None and model.solves == 2
    assert (res.urgent_units, res.score_units) == (3, int(5.5 * 4096))
    chosen = {(p.pair(int(a)).need_id, p.pair(int(a)).offering_id) for a in np.flatnonzero(res.selected)}
    assert chosen == {("a", "own_a"), ("b", "shared"), ("b", "own_b"), ("c", "other")}
