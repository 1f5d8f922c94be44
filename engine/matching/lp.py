"""The independent exact solver: the same assignment as a linear programme solved by HiGHS (scipy).

Rows: need (≤ demand), offering (≤ capacity), need-provider group (≤ 1). Needs, groups and offerings
form two laminar families, so the matrix is totally unimodular and the LP's vertex optimum integral:
it is rounded and checked. A share cap (x_p ≤ s·T, T = Σx) breaks that; a fractional optimum then
goes to HiGHS's MILP (fine for a street partition, slow for millions of pairs).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from engine.matching.flow import MatchingError
from engine.matching.problem import MatchProblem

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
INTEGRAL_TOLERANCE = 1e-6


class _Rows:
    """A sparse constraint matrix built block by block: rows of (columns, coefficients) ≤ bound."""

    def __init__(self, n_cols: int) -> None:
        self.n_cols = n_cols
        self.rows: list[NDArray[np.int64]] = []
        self.cols: list[NDArray[np.int64]] = []
        self.vals: list[Floats] = []
        self.bounds: list[Floats] = []
        self.n_rows = 0

    def add(self, row: NDArray[np.int64], col: NDArray[np.int64], val: Floats, bound: Floats) -> None:
        self.rows.append(row + self.n_rows)
        self.cols.append(col)
        self.vals.append(val)
        self.bounds.append(bound)
        self.n_rows += int(bound.shape[0])

    def matrix(self) -> tuple[sparse.csr_array, Floats]:
        if not self.rows:
            return sparse.csr_array((0, self.n_cols)), np.empty(0)
        coo = sparse.coo_array(
            (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))),
            shape=(self.n_rows, self.n_cols),
        )
        return coo.tocsr(), np.concatenate(self.bounds)


def _optimize(
    c: Floats, a_ub: sparse.csr_array, b_ub: Floats, a_eq: sparse.csr_array | None, lb: Floats, ub: Floats
) -> tuple[Floats, bool]:
    """Minimise c·x; the LP optimum when it is integral, else the MILP's. Returns (x, milp used)."""
    eq = {} if a_eq is None else {"A_eq": a_eq, "b_eq": np.zeros(a_eq.shape[0])}
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=np.column_stack([lb, ub]), method="highs", **eq)
    if res.status != 0:
        raise MatchingError(f"线性规划求解失败: {res.message}")
    x = np.asarray(res.x, dtype=np.float64)
    if np.max(np.abs(x - np.rint(x)), initial=0.0) <= INTEGRAL_TOLERANCE:
        return np.rint(x), False
    constraints = [LinearConstraint(a_ub, -np.inf, b_ub)]
    if a_eq is not None:
        constraints.append(LinearConstraint(a_eq, 0.0, 0.0))
    res = milp(c, integrality=np.ones_like(c), bounds=Bounds(lb, ub), constraints=constraints)
    if res.status != 0 or res.x is None:
        raise MatchingError(f"整数规划求解失败: {res.message}")
    return np.rint(np.asarray(res.x, dtype=np.float64)), True


def solve_lp(
    problem: MatchProblem, *, urgent_first: bool = False, max_share: float | None = None
) -> tuple[Bools, dict[str, bool | int]]:
    """The chosen arcs of an optimum found by HiGHS, and whether the MILP was needed."""
    p = problem
    n = p.n_arcs
    if n == 0:
        return np.zeros(0, dtype=bool), {"milp": False, "lp_rows": 0}
    share = max_share is not None and max_share < 1
    n_cols = n + (1 if share else 0)
    arcs = np.arange(n, dtype=np.int64)
    ones = np.ones(n)
    rows = _Rows(n_cols)
    rows.add(p.arc_need, arcs, ones, p.demand.astype(np.float64))
    rows.add(p.arc_offering, arcs, ones, p.capacity.astype(np.float64))
    group, sizes = p.groups
    multi = sizes >= 2
    group_row = np.cumsum(multi) - 1
    in_multi = multi[group]
    rows.add(group_row[group[in_multi]], arcs[in_multi], ones[in_multi], np.ones(int(multi.sum())))
    a_eq = None
    if share:
        assert max_share is not None
        n_prov = len(p.provider_ids)
        prov = np.arange(n_prov, dtype=np.int64)
        rows.add(
            np.concatenate([p.arc_provider, prov]),
            np.concatenate([arcs, np.full(n_prov, n, dtype=np.int64)]),
            np.concatenate([ones, np.full(n_prov, -max_share)]),
            np.zeros(n_prov),
        )
        eq_vals = np.concatenate([-ones, [1.0]])
        a_eq = sparse.csr_array(
            (eq_vals, (np.zeros(n + 1, dtype=np.int64), np.arange(n + 1))), shape=(1, n + 1)
        )
    lb = np.zeros(n_cols)
    ub = np.concatenate([ones, [np.inf]]) if share else ones
    used_milp = False
    urgent_arc = p.urgent[p.arc_need].astype(np.float64)
    if urgent_first and urgent_arc.any():
        a_ub, b_ub = rows.matrix()
        x, used = _optimize(-np.concatenate([urgent_arc, np.zeros(n_cols - n)]), a_ub, b_ub, a_eq, lb, ub)
        used_milp |= used
        urgent_units = float(np.rint(urgent_arc @ x[:n]))
        rows.add(np.zeros(n, dtype=np.int64), arcs, -urgent_arc, np.asarray([-urgent_units]))
    a_ub, b_ub = rows.matrix()
    x, used = _optimize(-np.concatenate([p.score, np.zeros(n_cols - n)]), a_ub, b_ub, a_eq, lb, ub)
    used_milp |= used
    return x[:n] > 0.5, {"milp": used_milp, "lp_rows": int(a_ub.shape[0])}
