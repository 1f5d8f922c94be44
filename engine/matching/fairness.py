"""Fairness of a dispatch: who gets a proposal, and how the work spreads over providers.

Figures (``fairness_figures``): the share of needs with at least one proposal per grid and per
community (and the lowest of them), and the load per provider (pairs carried): maximum, mean and Gini.

Steering (``Spread``): the ``spread`` mode makes a provider's later pairs of a run worth less: its
k-th pair (k = 1, 2, …) loses ``step × (k − 1)`` points, at most ``limit``. The loss grows with the
load, so it is a convex cost, and the min-cost flow stays exact with it: the provider node reaches the
sink through parallel arcs of capacity 1 and rising cost (the cheaper ones fill first), and one last
arc at ``limit``. The proposals keep their own scores; what the spreading costs in total score is
reported beside it (the run's ``fairness.score_cost``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from engine.matching.quality import gini
from engine.matching.scoring import QUANTUM_STEPS

Ints = NDArray[np.int64]
FairnessMode = Literal["none", "spread"]
FAIRNESS_MODES: tuple[FairnessMode, ...] = get_args(FairnessMode)


@dataclass(frozen=True)
class Spread:
    """A provider's k-th pair of a run loses ``step × (k − 1)`` points, at most ``limit`` points."""

    step: float = 2.0
    limit: float = 10.0

    def __post_init__(self) -> None:
        if not (self.step > 0 and self.limit >= 0 and math.isfinite(self.step) and math.isfinite(self.limit)):
            raise ValueError("分散派单的递减分值须为正数")

    @property
    def step_units(self) -> int:
        """``step`` in score units (1/4096 point)."""
        return max(1, round(self.step * QUANTUM_STEPS))

    @property
    def limit_units(self) -> int:
        """``limit`` in score units."""
        return round(self.limit * QUANTUM_STEPS)

    @property
    def levels(self) -> int:
        """How many pairs of a provider have a penalty below ``limit`` (the first has none)."""
        return max(1, math.ceil(self.limit_units / self.step_units))

    def penalty_units(self, k: ArrayLike) -> Ints:
        """Penalty of a provider's pair number ``k`` (0-based: the first pair is k = 0)."""
        kk = np.asarray(k, dtype=np.int64)
        return np.minimum(kk * self.step_units, self.limit_units).astype(np.int64)

    def total_units(self, loads: ArrayLike, base: ArrayLike | None = None) -> int:
        """Sum of the penalties of providers carrying ``loads`` pairs after ``base`` earlier ones."""
        ld = np.asarray(loads, dtype=np.int64).reshape(-1)
        b = np.zeros_like(ld) if base is None else np.asarray(base, dtype=np.int64).reshape(-1)
        total = 0
        for lo, n in zip(b.tolist(), ld.tolist(), strict=True):
            if n > 0:
                total += int(self.penalty_units(np.arange(lo, lo + n)).sum())
        return total


def coverage(groups: Sequence[str | None], served: ArrayLike) -> dict[str, float]:
    """Per group (grid or community id) the share of its needs with at least one proposal; needs
    without a group are left out."""
    flags = np.asarray(served, dtype=bool).reshape(-1)
    total: dict[str, int] = {}
    hit: dict[str, int] = {}
    for g, f in zip(groups, flags.tolist(), strict=True):
        if g is None:
            continue
        total[g] = total.get(g, 0) + 1
        hit[g] = hit.get(g, 0) + int(f)
    return {g: hit[g] / total[g] for g in sorted(total)}


def fairness_figures(
    need_grid: Sequence[str | None],
    need_community: Sequence[str | None],
    served: ArrayLike,
    loads: Mapping[str, int],
) -> dict[str, Any]:
    """The figures of one run: coverage per grid and community (with the lowest and mean share),
    and the providers' load: ``loads`` holds every provider that had a candidate (0 when it got no
    pair), so the Gini counts the providers left idle; max and mean are over those that got any."""
    grids = coverage(need_grid, served)
    communities = coverage(need_community, served)
    every = np.asarray(list(loads.values()), dtype=np.float64)
    carried = every[every > 0]

    def low(shares: dict[str, float]) -> float | None:
        return min(shares.values()) if shares else None

    def mean(shares: dict[str, float]) -> float | None:
        return float(np.mean(list(shares.values()))) if shares else None

    return {
        "grid_coverage": grids,
        "community_coverage": communities,
        "grid_coverage_min": low(grids),
        "grid_coverage_mean": mean(grids),
        "community_coverage_min": low(communities),
        "community_coverage_mean": mean(communities),
        "providers": int(every.size),
        "providers_used": int(carried.size),
        "load_max": int(carried.max()) if carried.size else 0,
        "load_mean": float(carried.mean()) if carried.size else 0.0,
        "load_gini": gini(every),
    }
