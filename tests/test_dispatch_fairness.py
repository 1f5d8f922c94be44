"""Fairness of a dispatch (issue 14): the figures each run reports match a direct computation, the
spread mode is exact (brute force over its convex cost) and lowers the max load and Gini on a
constructed instance with its score cost reported, and over the API a run takes the mode and its
report and stored run show the figures (both backends); a wrong mode is a 422 that changes nothing."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import httpx
import numpy as np
import pytest
from api_world import ApiWorld, api_fixture  # noqa: F401
from drawn_problems import drawn_problem
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.matching import MatchProblem, solve
from engine.matching.distributed import Options, partitioned_select
from engine.matching.fairness import Spread, fairness_figures
from engine.store.queries import matching as matching_queries


def direct_gini(values: list[int]) -> float:
    """Gini as the mean absolute difference over twice the mean (another formula than the engine's)."""
    n = len(values)
    total = sum(values)
    if n == 0 or total == 0:
        return 0.0
    diff = sum(abs(a - b) for a in values for b in values)
    return diff / (2 * n * total)


@settings(max_examples=120, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["g1", "g2", "g3", None]), st.sampled_from(["c1", "c2", None]), st.booleans()
        ),
        min_size=1,
        max_size=30,
    ),
    st.dictionaries(st.sampled_from([f"p{i}" for i in range(8)]), st.integers(0, 9), max_size=8),
)
def test_fairness_figures_match_a_direct_computation(
    needs: list[tuple[str | None, str | None, bool]], loads: dict[str, int]
) -> None:
    got = fairness_figures([n[0] for n in needs], [n[1] for n in needs], [n[2] for n in needs], loads)
    for index, key in ((0, "grid_coverage"), (1, "community_coverage")):
        total: Counter[str] = Counter()
        hit: Counter[str] = Counter()
        for n in needs:
            if n[index] is not None:
                total[n[index]] += 1  # type: ignore[index]
                hit[n[index]] += n[2]  # type: ignore[index]
        expected = {g: hit[g] / total[g] for g in total}
        assert got[key] == pytest.approx(expected)
        assert got[f"{key}_min"] == (pytest.approx(min(expected.values())) if expected else None)
    carried = [v for v in loads.values() if v > 0]
    assert got["providers"] == len(loads) and got["providers_used"] == len(carried)
    assert got["load_max"] == (max(carried) if carried else 0)
    assert got["load_gini"] == pytest.approx(direct_gini(list(loads.values())), abs=1e-9)


@st.composite
def small_problems(draw: st.DrawFn) -> MatchProblem:
    n_needs, n_off = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    pairs = [(i, j) for i in range(n_needs) for j in range(n_off)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=9))
    return drawn_problem(
        draw,
        n_needs,
        n_off,
        chosen,
        draw(st.lists(st.integers(-2, 48).map(lambda x: x / 4), min_size=len(chosen), max_size=len(chosen))),
    )


def brute_spread(p: MatchProblem, spread: Spread, urgent_first: bool) -> tuple[int, ...]:
    """The best (urgent units,) score less the spread penalties over every feasible set of arcs."""
    best: tuple[int, ...] = (0, 0) if urgent_first else (0,)
    for bits in itertools.product((False, True), repeat=p.n_arcs):
        sel = np.asarray(bits, dtype=bool)
        if np.any(np.bincount(p.arc_need[sel], minlength=p.n_needs) > p.demand):
            continue
        if np.any(np.bincount(p.arc_offering[sel], minlength=p.n_offerings) > p.capacity):
            continue
        if np.any(np.bincount(p.groups[0][sel], minlength=len(p.groups[1])) > 1):
            continue
        loads = np.bincount(p.arc_provider[sel], minlength=len(p.provider_ids))
        penalty = sum(int(spread.penalty_units(np.arange(n)).sum()) for n in loads.tolist())
        net = int(p.score_units[sel].sum()) - penalty
        urgent = int(p.urgent[p.arc_need][sel].sum())
        best = max(best, (urgent, net) if urgent_first else (net,))
    return best


@settings(max_examples=80, deadline=None)
@given(small_problems(), st.sampled_from([(1.0, 3.0), (2.0, 10.0), (5.0, 5.0)]), st.booleans())
def test_spread_mode_is_exact_for_its_convex_cost(
    p: MatchProblem, step_limit: tuple[float, float], urgent_first: bool
) -> None:
    spread = Spread(*step_limit)
    a = solve(p, "optimal", urgent_first=urgent_first, spread=spread)
    sel = np.zeros(p.n_arcs, dtype=bool)
    sel[[x.arc for x in a.pairs]] = True
    penalty = round(float(a.stats["spread_penalty"]) * 4096)
    net = int(p.score_units[sel].sum()) - penalty
    urgent = int(p.urgent[p.arc_need][sel].sum())
    assert ((urgent, net) if urgent_first else (net,)) == brute_spread(p, spread, urgent_first)


def crowded() -> MatchProblem:
    """Six needs; provider P is the best for every one (score 30, capacity 10), three others are
    nearly as good (26, capacity 2 each)."""
    needs = [f"n{i}" for i in range(6)]
    offerings = ["oP", "oA", "oB", "oC"]
    arcs = [(i, j) for i in range(6) for j in range(4)]
    return MatchProblem.from_arrays(
        need_ids=needs,
        demand=[1] * 6,
        urgent=[False] * 6,
        offering_ids=offerings,
        offering_provider_ids=["P", "A", "B", "C"],
        capacity=[10, 2, 2, 2],
        arc_need=[i for i, _ in arcs],
        arc_offering=[j for _, j in arcs],
        score=[30.0 if j == 0 else 26.0 for _, j in arcs],
    )


def figures_of(p: MatchProblem, selected: np.ndarray) -> dict[str, Any]:
    loads = np.bincount(p.arc_provider[selected], minlength=len(p.provider_ids))
    served = np.bincount(p.arc_need[selected], minlength=p.n_needs) > 0
    return fairness_figures(
        ["g"] * p.n_needs, ["c"] * p.n_needs, served, dict(zip(p.provider_ids, loads.tolist(), strict=True))
    )


def test_spread_lowers_max_load_and_gini_at_a_reported_score_cost() -> None:
    p = crowded()
    parts = np.zeros(p.n_needs, dtype=np.int64)
    plain = partitioned_select(p, parts, Options(urgent_first=False))
    spread = partitioned_select(p, parts, Options(urgent_first=False, spread=Spread(2.0, 10.0)))
    before, after = figures_of(p, plain.selected), figures_of(p, spread.selected)
    assert before["load_max"] == 6 and before["load_gini"] == pytest.approx(0.75)
    assert after["load_max"] < before["load_max"]
    assert after["load_gini"] < before["load_gini"]
    assert after["grid_coverage_min"] == before["grid_coverage_min"] == 1.0  # every need still served
    cost = int(p.score_units[plain.selected].sum() - p.score_units[spread.selected].sum()) / 4096
    # P keeps 3 pairs (penalties 0, 2, 4: a 4th would lose 6 > the 4 points the others give up)
    assert after["load_max"] == 3 and cost == pytest.approx(3 * 4.0)


def test_api_run_takes_the_mode_and_reports_fairness(api: ApiWorld) -> None:
    planner = api.client("planner")
    runs_before = len(api.store.run(matching_queries.RUN_LIST, {"org_ids": None, "skip": 0, "limit": 1000}))
    bad = planner.post("/dispatch/runs", json={"fairness_mode": "fairest"})
    assert bad.status_code == 422, bad.text
    assert "fairness_mode" in bad.text
    wrong_method = planner.post("/dispatch/runs", json={"fairness_mode": "spread", "method": "greedy"})
    assert wrong_method.status_code == 422, wrong_method.text
    assert (
        len(api.store.run(matching_queries.RUN_LIST, {"org_ids": None, "skip": 0, "limit": 1000}))
        == runs_before
    )
    # a run solves twice (with and without spread): a patient client on a loaded machine
    patient = httpx.Client(base_url=api.url, headers=planner.headers, timeout=180)
    made = patient.post("/dispatch/runs", json={"fairness_mode": "spread"})
    patient.close()
    assert made.status_code == 201, made.text
    run = made.json()
    fair = run["fairness"]
    assert run["fairness_mode"] == fair["mode"] == "spread"
    assert fair["score_cost"] == pytest.approx(fair["objective_without_spread"] - run["objective"])
    assert fair["score_cost"] >= 0
    assert fair["load_max"] <= fair["load_max_without_spread"]
    # the figures against the proposals themselves
    proposals = planner.get("/dispatch/proposals", params={"run_id": run["id"], "limit": 500}).json()
    assert len(proposals) == run["pairs"] > 0
    by_provider = Counter(p["provider_id"] for p in proposals)
    assert fair["load_max"] == max(by_provider.values())
    assert fair["providers_used"] == len(by_provider)
    assert fair["community_coverage_min"] == pytest.approx(min(fair["community_coverage"].values()))
    assert run["needs_served"] == len({p["need_id"] for p in proposals})
    stored = planner.get(f"/dispatch/runs/{run['id']}")
    assert stored.status_code == 200, stored.text
    kept = stored.json()["fairness"]
    assert kept["mode"] == "spread" and kept["load_gini"] == pytest.approx(fair["load_gini"])
    assert "grid_coverage" not in kept and kept["grid_coverage_min"] == pytest.approx(
        fair["grid_coverage_min"]
    )
