"""The baseline: first come, first served by score, as today's claiming platforms amount to."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from engine.matching.problem import MatchProblem, stable_order

Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]


def greedy(problem: MatchProblem, *, urgent_first: bool = False) -> Bools:
    """Take arcs best score first (urgent needs' arcs first when asked) while need, offering and
    the one-provider-per-need rule allow; ties in canonical (need, offering) order.

    Vectorised in rounds, each taking at once every undecided arc the one-by-one pass must take:
    one among the first (demand left) undecided arcs of its need in the pass's order, the first
    (capacity left) of its offering and the first of its (need, provider); then dropping the arcs
    whose need, offering or provider is used up. What an arc finds when the pass reaches it does not
    change by taking those arcs early, so this is the one-by-one answer (and the first undecided arc
    is always taken).
    """
    p = problem
    n = p.n_arcs
    chosen = np.zeros(n, bool)
    if n == 0:
        return chosen
    units = p.score_units
    worst = int(units.max()) - units  # 0 for the best score
    if urgent_first:
        worst = worst + (~p.urgent[p.arc_need]) * (int(worst.max()) + 1)
    order = stable_order(worst)  # position in the pass -> arc
    group, sizes = p.groups
    # per constraint (need, offering, (need, provider)): what each position uses, the positions
    # grouped by it in pass order (for the last, only providers with several offerings for the
    # need: a lone arc of a provider never meets it taken), and what is left of it
    owners = [p.arc_need[order], p.arc_offering[order], group[order]]
    left = [p.demand.copy(), p.capacity.copy(), np.ones(sizes.shape[0], np.int64)]
    multi = sizes[owners[2]] > 1
    runs = [stable_order(owners[0]), stable_order(owners[1])]
    runs.append(np.flatnonzero(multi)[stable_order(owners[2][multi])])
    target = (2 + multi).astype(np.int8)  # the votes a position needs to be taken
    alive = left[1][owners[1]] > 0
    votes = np.zeros(n, np.int8)  # per position, how many of its constraints let it be taken
    held = [k[r] for r, k in zip(runs, owners, strict=True)]  # each run's keys, kept alongside
    while True:
        keep = [alive[r] for r in runs]
        runs = [r[m] for r, m in zip(runs, keep, strict=True)]
        held = [h[m] for h, m in zip(held, keep, strict=True)]
        live = runs[0]
        if live.shape[0] == 0:
            break
        for r, h, lim in zip(runs, held, left, strict=True):
            votes[r] += _rank_in_run(h) < lim[h]
        take = live[votes[live] == target[live]]
        votes[live] = 0
        chosen[order[take]] = True
        alive[take] = False
        for k, lim in zip(owners, left, strict=True):
            lim -= np.bincount(k[take], minlength=lim.shape[0])
        for r, h, lim in zip(runs, held, left, strict=True):
            alive[r[lim[h] <= 0]] = False
    return chosen


def _rank_in_run(keys: Ints) -> Ints:
    """Per position of grouped ``keys``, how many earlier positions have the same key."""
    head = np.ones(keys.shape[0], bool)
    np.not_equal(keys[1:], keys[:-1], out=head[1:])
    pos = np.arange(keys.shape[0])
    return pos - np.maximum.accumulate(np.where(head, pos, 0))
