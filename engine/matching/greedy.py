"""The baseline: first come, first served by score, as today's claiming platforms amount to."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from engine.matching.problem import MatchProblem

Bools = NDArray[np.bool_]


def greedy(problem: MatchProblem, *, urgent_first: bool = False) -> Bools:
    """Take arcs best score first (urgent needs' arcs first when asked) while need, offering and
    the one-provider-per-need rule allow; ties in canonical (need, offering) order."""
    p = problem
    urgent_key = -p.urgent[p.arc_need].astype(np.int64) if urgent_first else np.zeros(p.n_arcs, np.int64)
    order = np.lexsort((np.arange(p.n_arcs), -p.score, urgent_key)).tolist()
    need_left = p.demand.tolist()
    off_left = p.capacity.tolist()
    arc_need = p.arc_need.tolist()
    arc_off = p.arc_offering.tolist()
    group = p.groups[0].tolist()
    used_group = bytearray(len(p.groups[1]))
    chosen = bytearray(p.n_arcs)
    for a in order:
        n, o, g = arc_need[a], arc_off[a], group[a]
        if need_left[n] and off_left[o] and not used_group[g]:
            need_left[n] -= 1
            off_left[o] -= 1
            used_group[g] = 1
            chosen[a] = 1
    return np.frombuffer(bytes(chosen), dtype=np.uint8).astype(bool)
