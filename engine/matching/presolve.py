"""An exact presolve for the optimal assignment without share caps or spread: fix the arcs some
optimum takes and drop the arcs some optimum can do without, so the min-cost flow solves less.

An offering is *uncontested* (its arcs *free*) when its capacity is at least its live arcs: no
choice elsewhere can fill it. Per need, its arcs best first, and per (need, provider) only the
provider's best arc counting (its *lead*), with ``d`` the need's demand left:

- fix: a lead that is free and among the need's ``d`` best leads is in some optimum (an optimum
  without it gives the need fewer than ``d`` providers, or one ranked below it: swap it in);
- drop: with ``d`` providers ``u_1 … u_d`` whose best free arcs are known, every other arc of the
  need worth no more than ``u_d`` goes (an optimum using one has at most ``d − 1`` other providers
  at the need, so some ``u`` is unused: swap), and so does every arc of a provider after its best
  free one (swap for that one).

An arc's worth is its score, ranked after urgency when urgent first (an urgent need's slot counts
before any score), so each swap keeps the urgent slots and does not lower the score: the
lexicographic (urgent slots, score) optimum is unchanged. An arc worth nothing (score ≤ 0, not
urgent) goes first. Rounds repeat (at most ``MAX_ROUNDS``): dropping arcs makes more offerings
uncontested. The rules were tried against an offering-side twin (needs whose demand covers their
providers): it removed 1% more arcs on the city for a third more time, so it is not here.

The presolve also prices each need for the flow (``Presolved.price``): the score of its ``d``-th best
live lead, a guess at its dual price that ``engine.matching.flow`` shifts the costs by (an exact
change of node potentials that only speeds OR-Tools up).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from engine.matching.problem import MatchProblem, stable_order

Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]

MAX_ROUNDS = 2  # on the city's partitions a third round saved about what it cost
MIN_FREE = 0.03
"""The share of arcs to uncontested offerings below which the rounds are skipped: they would cost
more than they save (the city's largest partition: 2% free, 6% of its arcs removed, 1.3 ms lost)."""


@dataclass(frozen=True, eq=False)
class Presolved:
    """What the presolve decided: arcs fixed in the answer, arcs left for the solver, and the demand
    and capacity the fixed arcs leave; and the problem's (need, provider) groups, as
    ``problem.groups`` numbers them (the presolve sorts for them anyway)."""

    fixed: Bools
    live: Bools
    demand: Ints
    capacity: Ints
    rounds: int
    group: Ints  # per arc, its group
    group_need: Ints  # per group, its need
    price: Ints  # per need, a guess at its dual price in score units (0 when unknown)

    @property
    def removed(self) -> int:
        """Arcs the solver no longer sees (fixed or dropped)."""
        return int(self.live.shape[0] - np.count_nonzero(self.live))


def presolve(problem: MatchProblem, *, urgent_first: bool, rounds: int = MAX_ROUNDS) -> Presolved:
    """Fixed and dropped arcs, exact for the (urgent slots, score) optimum (see the module); at most
    ``rounds`` rounds. Works on the arcs in need order, best first (the arcs are sorted by need)."""
    p = problem
    n_arcs = p.n_arcs
    units = p.score_units
    top = int(np.abs(units).max()) if n_arcs else 0
    worth = units + p.arc_urgent * (2 * top + 1) if urgent_first else units
    span = 4 * top + 3  # above the range of ``worth``
    live = worth > 0  # an arc worth nothing never helps
    degree = np.bincount(p.arc_offering, weights=live, minlength=p.n_offerings)
    free = (p.capacity >= degree)[p.arc_offering]
    free &= live
    if np.count_nonzero(free) < max(MIN_FREE * n_arcs, 1) or span * (p.n_needs + 1) >= 2**62:
        group, _ = p.groups
        return Presolved(
            np.zeros(n_arcs, bool),
            live,
            p.demand.copy(),
            p.capacity.copy(),
            0,
            group,
            p.arc_need[p.group_first],
            np.zeros(p.n_needs, np.int64),
        )
    order = stable_order(p.arc_need * span + (3 * top + 1 - worth))  # a need's arcs, best first
    state = _State(p, order, live[order])
    done = 0
    while done < rounds:
        done += 1
        if not state.round(free[order] if done == 1 else None):
            break
    live = np.empty(n_arcs, bool)
    live[order] = state.live
    fixed = np.empty(n_arcs, bool)
    fixed[order] = state.fixed
    at, priced = state.last_leads()
    price = np.where(priced, units[order[at]], 0)
    return Presolved(fixed, live, state.demand, state.capacity, done, state.group, state.group_need, price)


def _running(mask: Bools, out: Ints) -> Ints:
    """``out[1:]`` set to the running count of ``mask`` (``out[0]`` stays 0), and returned (a sum of
    its bytes: three times faster than ``np.cumsum`` of booleans)."""
    np.add.accumulate(mask.view(np.int8), dtype=np.int64, out=out[1:])
    return out


class _State:
    """The arcs in need order, best first, with what is live, fixed, and the demand and capacity
    left; and the same arcs by (need, provider) group, best first within a group.

    Within a group the live arcs are always a first run of it: live at first are those worth more
    than nothing, the rules drop a group's arcs from some arc on, and fix its first live arc only
    with the rest of its arcs dropped (they are behind it). So a group's lead is its first arc,
    when live."""

    def __init__(self, p: MatchProblem, order: Ints, live: Bools) -> None:
        self.n_needs, self.n_offerings = p.n_needs, p.n_offerings
        n = live.shape[0]
        self.need = p.arc_need  # the same in need order: the order only permutes within needs
        self.off = p.arc_offering[order]
        self.need_bounds = np.searchsorted(self.need, np.arange(p.n_needs + 1))  # a need's positions
        self.need_first = self.need_bounds[:-1]
        key = p.arc_need * max(len(p.provider_ids), 1) + p.arc_provider[order]  # (need, provider)
        at = self.by_group = stable_order(key)  # positions by group, best first within one
        grouped = key[at]
        head = np.ones(n, bool)
        np.not_equal(grouped[1:], grouped[:-1], out=head[1:])
        self.counts = np.zeros(n + 1, np.int64)  # running counts, after a leading 0
        group_at = _running(head, self.counts)[1:] - 1
        starts = np.flatnonzero(head)
        self.group_start = starts[group_at]  # per position in group order, its group's first
        self.head = np.empty(n, bool)  # per position (need order), whether first of its group
        self.head[at] = head
        self.group = np.empty(n, np.int64)  # per arc (the problem's order), its group
        self.group[order[at]] = group_at
        self.group_need = self.need[at[starts]]
        self.live = live
        self.fixed = np.zeros(n, bool)
        self.demand = p.demand.copy()
        self.capacity = p.capacity.copy()

    def seen_in_group(self, mask: Bools) -> Bools:
        """Per position (need order), whether a position of its group before it is in ``mask``."""
        at = self.by_group
        counts = _running(mask[at], self.counts)
        seen = np.empty_like(mask)
        seen[at] = counts[:-1] > counts[self.group_start]
        return seen

    def filled(self, mask: Bools) -> Bools:
        """Per position, whether the positions of its need before it in ``mask`` reach the need's
        demand left."""
        counts = _running(mask, self.counts)
        return counts[:-1] >= (counts[self.need_first] + self.demand)[self.need]

    def last_leads(self) -> tuple[Ints, Bools]:
        """Per need, the position of the last of its first ``d`` live leads (``d`` its demand left,
        at most its leads), and whether there is one (``d`` ≥ 1)."""
        counts = _running(self.live & self.head, self.counts)
        first = counts[self.need_first]
        taken = np.minimum(self.demand, counts[self.need_bounds[1:]] - first)
        at = np.searchsorted(counts[1:], first + taken)
        return np.minimum(at, self.live.shape[0] - 1), taken > 0

    def round(self, free: Bools | None) -> bool:
        """One round of the rules over the live arcs (``free``: the live arcs to uncontested
        offerings, when known); whether anything changed."""
        live, need, off = self.live, self.need, self.off
        if free is None:
            degree = np.bincount(off, weights=live, minlength=self.n_offerings)
            free = (self.capacity >= degree)[off]
            free &= live
        # a provider's arcs to a need count once: its best live arc leads, its best free arc is
        # its u, and its live arcs after that one can be swapped for it (are behind)
        lead = live & self.head
        behind = self.seen_in_group(free)
        best = free & ~behind
        behind &= live
        # dropped: the need's d u's come before it (a u itself is not), or it is behind
        drop = self.filled(best)
        drop &= live
        drop |= behind
        # fixed: a free lead among the need's d first leads (then it is a u: leads come no later)
        fix = ~self.filled(lead)
        fix &= lead
        fix &= free
        gone = drop | fix
        if not gone.any():
            return False
        live &= ~gone
        if fix.any():
            self.fixed |= fix
            self.capacity -= np.bincount(off[fix], minlength=self.n_offerings)
            self.demand -= np.bincount(need[fix], minlength=self.n_needs)
        return True


def reduced(problem: MatchProblem, pre: Presolved) -> tuple[MatchProblem, Ints]:
    """The problem the solver still has to solve (live arcs, their needs and offerings with the
    demand and capacity left, numbered anew; the providers as they were), and the live arcs'
    positions in ``problem``. Its groups and score units are carried over, not recomputed; a
    need's demand is at most its providers."""
    p = problem
    arcs = np.flatnonzero(pre.live)
    need_at, needs = _renumber(p.arc_need[arcs], p.n_needs)
    off_at, offs = _renumber(p.arc_offering[arcs], p.n_offerings)
    group_at, _ = _renumber(p.groups[0][arcs], p.groups[1].shape[0])
    counts = np.bincount(group_at)
    first = np.full(counts.shape[0], arcs.shape[0], np.int64)
    np.minimum.at(first, group_at, np.arange(arcs.shape[0], dtype=np.int64))
    score = p.score[arcs]
    # a need never gets more providers than it has arcs to: a tighter demand, a smaller flow
    providers = np.bincount(need_at[first], minlength=needs.shape[0])
    sub = MatchProblem(
        need_ids=local_ids(needs.shape[0]),
        demand=np.minimum(pre.demand[needs], providers),
        urgent=p.urgent[needs],
        offering_ids=local_ids(offs.shape[0]),
        capacity=pre.capacity[offs],
        provider_ids=p.provider_ids,  # all of them: only caps and the spread mode use their nodes
        offering_provider=p.offering_provider[offs],
        arc_need=need_at,
        arc_offering=off_at,
        score=score,
        need_pref=score,
        offer_pref=score,
    )
    # what ``sub.groups`` and ``sub.score_units`` would find (the order of the groups, by need then
    # provider, survives the renumbering), without the sort
    sub.__dict__["_group_table"] = (group_at, counts, first)
    sub.__dict__["score_units"] = p.score_units[arcs]
    return sub, arcs


def _renumber(values: Ints, n: int) -> tuple[Ints, Ints]:
    """``values`` (each below ``n``) renumbered 0, 1, … in increasing order, and the values kept."""
    seen = np.zeros(n, bool)
    seen[values] = True
    kept = np.flatnonzero(seen)
    at = np.cumsum(seen) - 1
    return at[values], kept


_NUMBERS: list[str] = []


def local_ids(n: int) -> tuple[str, ...]:
    """The ids "0", "1", … of a problem only the solver sees (made once, sliced after)."""
    if len(_NUMBERS) < n:
        _NUMBERS.extend(map(str, range(len(_NUMBERS), 2 * n)))
    return tuple(_NUMBERS[:n])
