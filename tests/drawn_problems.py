"""Hypothesis support shared by the matching tests: a random MatchProblem around chosen arcs."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from engine.matching import MatchProblem


def drawn_problem(
    draw: st.DrawFn,
    n_needs: int,
    n_off: int,
    arcs: Sequence[tuple[int, int]],
    scores: Sequence[float],
    *,
    max_demand: int = 3,
) -> MatchProblem:
    """The problem of ``arcs`` (need, offering) with ``scores``; demands (1 to ``max_demand``),
    urgency, capacities (0 to 4) and the offerings' providers (several offerings each) drawn."""
    n_prov = draw(st.integers(1, n_off))
    return MatchProblem.from_arrays(
        need_ids=[f"n{i}" for i in range(n_needs)],
        demand=draw(st.lists(st.integers(1, max_demand), min_size=n_needs, max_size=n_needs)),
        urgent=draw(st.lists(st.booleans(), min_size=n_needs, max_size=n_needs)),
        offering_ids=[f"o{j}" for j in range(n_off)],
        offering_provider_ids=[f"p{draw(st.integers(0, n_prov - 1))}" for _ in range(n_off)],
        capacity=draw(st.lists(st.integers(0, 4), min_size=n_off, max_size=n_off)),
        arc_need=[i for i, _ in arcs],
        arc_offering=[j for _, j in arcs],
        score=list(scores),
    )
