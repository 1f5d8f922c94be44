"""How good and how valid an assignment is: the figures planners compare, and the rules it must keep."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from engine.matching.model import Assignment
from engine.matching.problem import MatchProblem, share_ok

Bools = NDArray[np.bool_]


def gini(values: ArrayLike) -> float:
    """Gini coefficient of non-negative values: 0 = all equal, towards 1 = one takes everything."""
    v = np.sort(np.asarray(values, dtype=np.float64).reshape(-1))
    if v.size == 0 or v.sum() == 0:
        return 0.0
    n = v.size
    ranks = np.arange(1, n + 1, dtype=np.float64)
    return float((2 * (ranks * v).sum()) / (n * v.sum()) - (n + 1) / n)


@dataclass(frozen=True)
class Quality:
    """The figures of one assignment (loads counted over providers that have any candidate arc)."""

    method: str
    objective: float
    pairs: int
    needs_served: int  # at least one provider
    needs_fully_served: int
    urgent_needs_served: int
    urgent_units: int  # provider slots filled for urgent needs
    mean_distance_km: float | None
    provider_gini: float


def selected_mask(problem: MatchProblem, assignment: Assignment) -> Bools:
    """The assignment's arcs as a boolean mask over the problem's arcs."""
    mask = np.zeros(problem.n_arcs, dtype=bool)
    mask[[p.arc for p in assignment.pairs]] = True
    return mask


def summarize(problem: MatchProblem, assignment: Assignment) -> Quality:
    """Total score, needs and urgent needs served, mean distance and the spread of load (Gini)."""
    p = problem
    sel = selected_mask(p, assignment)
    served = np.bincount(p.arc_need[sel], minlength=p.n_needs)
    loads = np.bincount(p.arc_provider[sel], minlength=len(p.provider_ids))
    active = np.bincount(p.arc_provider, minlength=len(p.provider_ids)) > 0
    mean_d: float | None = None
    if p.details is not None and sel.any():
        d = p.details.facts.distance_km[sel]
        d = d[~np.isnan(d)]
        mean_d = float(d.mean()) if d.size else None
    return Quality(
        method=assignment.method,
        objective=assignment.objective,
        pairs=int(sel.sum()),
        needs_served=int((served > 0).sum()),
        needs_fully_served=int((served >= p.demand).sum()),
        urgent_needs_served=int(((served > 0) & p.urgent).sum()),
        urgent_units=int(served[p.urgent].sum()),
        mean_distance_km=mean_d,
        provider_gini=gini(loads[active]),
    )


def violations(problem: MatchProblem, assignment: Assignment, *, max_share: float | None = None) -> list[str]:
    """Every rule the assignment breaks (empty when valid): arcs, demands, capacities, one provider
    per need, the share cap, the objective."""
    p = problem
    out: list[str] = []
    arcs = [pair.arc for pair in assignment.pairs]
    if len(set(arcs)) != len(arcs):
        out.append("同一候选边被分配多次")
    for pair in assignment.pairs:
        if not 0 <= pair.arc < p.n_arcs or p.pair(pair.arc) != pair:
            out.append(f"配对不在候选之中: {pair.need_id} → {pair.offering_id}")
    if out:
        return out
    sel = selected_mask(p, assignment)
    served = np.bincount(p.arc_need[sel], minlength=p.n_needs)
    out += [f"需求 {p.need_ids[i]} 超出所需人数" for i in np.flatnonzero(served > p.demand)]
    used = np.bincount(p.arc_offering[sel], minlength=p.n_offerings)
    out += [f"资源 {p.offering_ids[j]} 超出容量" for j in np.flatnonzero(used > p.capacity)]
    if np.any(np.bincount(p.groups[0][sel], minlength=len(p.groups[1])) > 1):
        out.append("同一提供方重复服务同一需求")
    if max_share is not None and sel.any():
        loads = np.bincount(p.arc_provider[sel], minlength=len(p.provider_ids))
        if not share_ok(int(loads.max()), int(sel.sum()), max_share):
            out.append("单个提供方占比超过上限")
    if not math.isclose(assignment.objective, float(p.score[sel].sum()), rel_tol=1e-12, abs_tol=1e-9):
        out.append("目标值与配对得分之和不符")
    if dict(assignment.served) != {p.need_ids[i]: int(served[i]) for i in np.flatnonzero(served)}:
        out.append("各需求服务人数与配对不符")
    return out
