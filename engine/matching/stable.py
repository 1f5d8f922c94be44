"""Stable matching for claiming by preference: deferred acceptance with capacities, either side proposing.

Needs rank arcs by ``need_pref`` (the full score), offerings by ``offer_pref`` (the provider's own view:
fit, distance, ties, history; urgent needs first when asked). A need takes at most ``demand`` offerings
and at most one per provider: its choice is the greedy basis of a (truncated partition) matroid, which
is substitutable, so generalised deferred acceptance ends in a stable outcome with no blocking pair.
"""

from __future__ import annotations

import heapq

import numpy as np
from numpy.typing import NDArray

from engine.matching.problem import MatchProblem

Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]


def preference_ranks(problem: MatchProblem, *, urgent_first: bool = False) -> tuple[Ints, Ints]:
    """Strict ranks of every arc: its place in its need's list and in its offering's (0 = first)."""
    p = problem
    by_need = np.lexsort((p.arc_offering, -p.need_pref, p.arc_need))
    offer_key = -p.offer_pref
    urgent_key = -p.urgent[p.arc_need].astype(np.int64) if urgent_first else np.zeros(p.n_arcs, np.int64)
    by_offer = np.lexsort((p.arc_need, offer_key, urgent_key, p.arc_offering))
    return _positions(by_need, p.arc_need), _positions(by_offer, p.arc_offering)


def _positions(order: Ints, owner: Ints) -> Ints:
    """For arcs listed in ``order`` (grouped by owner), each arc's position within its owner's list."""
    owners = owner[order]
    first = np.searchsorted(owners, owners, side="left")
    pos = np.empty(order.shape[0], dtype=np.int64)
    pos[order] = np.arange(order.shape[0], dtype=np.int64) - first
    return pos


def _lists(owner: Ints, rank: Ints, n_owners: int) -> list[list[int]]:
    """Each owner's arcs, best first."""
    order = np.lexsort((rank, owner))
    bounds = np.searchsorted(owner[order], np.arange(n_owners + 1))
    flat = order.tolist()
    return [flat[bounds[i] : bounds[i + 1]] for i in range(n_owners)]


class _Market:
    """The problem's columns as Python lists and its preference ranks, for the proposal loops."""

    def __init__(self, p: MatchProblem, urgent_first: bool) -> None:
        self.need_pos, self.offer_pos = preference_ranks(p, urgent_first=urgent_first)
        self.arc_off: list[int] = p.arc_offering.tolist()
        self.arc_need: list[int] = p.arc_need.tolist()
        self.arc_prov: list[int] = p.arc_provider.tolist()
        self.demand: list[int] = p.demand.tolist()
        self.capacity: list[int] = p.capacity.tolist()


def needs_propose(problem: MatchProblem, *, urgent_first: bool = False) -> Bools:
    """Needs-proposing deferred acceptance: the outcome every need likes best among stable ones."""
    p = problem
    m = _Market(p, urgent_first)
    lists = _lists(p.arc_need, m.need_pos, p.n_needs)
    arc_off, arc_need, arc_prov, demand, capacity = m.arc_off, m.arc_need, m.arc_prov, m.demand, m.capacity
    orank = m.offer_pos.tolist()
    rejected = bytearray(p.n_arcs)
    held = bytearray(p.n_arcs)
    heaps: list[list[tuple[int, int]]] = [[] for _ in range(p.n_offerings)]  # (-rank, arc): worst on top
    start = [0] * p.n_needs
    stack = list(range(p.n_needs - 1, -1, -1))
    while stack:
        n = stack.pop()
        arcs = lists[n]
        while start[n] < len(arcs) and rejected[arcs[start[n]]]:
            start[n] += 1
        chosen: list[int] = []
        providers: set[int] = set()
        for a in arcs[start[n] :]:
            if rejected[a] or arc_prov[a] in providers:
                continue
            providers.add(arc_prov[a])
            chosen.append(a)
            if len(chosen) == demand[n]:
                break
        again = False
        for a in chosen:
            if held[a]:
                continue
            o = arc_off[a]
            heap = heaps[o]
            if len(heap) < capacity[o]:
                heapq.heappush(heap, (-orank[a], a))
                held[a] = 1
            elif heap and -heap[0][0] > orank[a]:
                worst = heapq.heapreplace(heap, (-orank[a], a))[1]
                held[a] = 1
                held[worst] = 0
                rejected[worst] = 1
                stack.append(arc_need[worst])
            else:
                rejected[a] = 1
                again = True
        if again:
            stack.append(n)
    return np.frombuffer(bytes(held), dtype=np.uint8).astype(bool)


def offerings_propose(problem: MatchProblem, *, urgent_first: bool = False) -> Bools:
    """Offerings-proposing deferred acceptance: the outcome every offering likes best among stable ones."""
    p = problem
    m = _Market(p, urgent_first)
    lists = _lists(p.arc_offering, m.offer_pos, p.n_offerings)
    arc_off, arc_need, arc_prov, demand, capacity = m.arc_off, m.arc_need, m.arc_prov, m.demand, m.capacity
    nrank = m.need_pos.tolist()
    held = bytearray(p.n_arcs)
    holding: list[list[int]] = [[] for _ in range(p.n_needs)]
    count = [0] * p.n_offerings  # arcs of the offering held by needs
    nxt = [0] * p.n_offerings  # next arc of its list to propose (a rejected arc is never proposed again)
    stack = list(range(p.n_offerings - 1, -1, -1))
    while stack:
        o = stack.pop()
        arcs = lists[o]
        while count[o] < capacity[o] and nxt[o] < len(arcs):
            a = arcs[nxt[o]]
            nxt[o] += 1
            n = arc_need[a]
            if len(holding[n]) < demand[n] and all(arc_prov[b] != arc_prov[a] for b in holding[n]):
                holding[n].append(a)
                held[a] = 1
                count[o] += 1
                continue
            keep: list[int] = []
            providers: set[int] = set()
            for b in sorted([*holding[n], a], key=nrank.__getitem__):
                if len(keep) < demand[n] and arc_prov[b] not in providers:
                    keep.append(b)
                    providers.add(arc_prov[b])
                    continue
                if b != a:  # displaced: its offering proposes again
                    held[b] = 0
                    count[arc_off[b]] -= 1
                    stack.append(arc_off[b])
            if a in keep:
                held[a] = 1
                count[o] += 1
            holding[n] = keep
    return np.frombuffer(bytes(held), dtype=np.uint8).astype(bool)


def blocking_pairs(problem: MatchProblem, selected: Bools, *, urgent_first: bool = False) -> Ints:
    """Arcs not chosen that both sides would rather have: the need has room (or would swap its worst
    pair, or its pair with the same provider, for it) and the offering has room (or would drop its worst)."""
    p = problem
    need_pos, offer_pos = preference_ranks(p, urgent_first=urgent_first)
    sel = np.asarray(selected, dtype=bool)
    need_count = np.bincount(p.arc_need[sel], minlength=p.n_needs)
    need_worst = np.full(p.n_needs, -1, dtype=np.int64)
    np.maximum.at(need_worst, p.arc_need[sel], need_pos[sel])
    off_count = np.bincount(p.arc_offering[sel], minlength=p.n_offerings)
    off_worst = np.full(p.n_offerings, -1, dtype=np.int64)
    np.maximum.at(off_worst, p.arc_offering[sel], offer_pos[sel])
    group, sizes = p.groups
    group_pos = np.full(sizes.shape[0], -1, dtype=np.int64)
    group_pos[group[sel]] = need_pos[sel]
    same_provider = group_pos[group] >= 0
    room = (need_count[p.arc_need] < p.demand[p.arc_need]) | (need_pos < need_worst[p.arc_need])
    need_wants = np.where(same_provider, need_pos < group_pos[group], room)
    off_wants = (off_count[p.arc_offering] < p.capacity[p.arc_offering]) | (
        offer_pos < off_worst[p.arc_offering]
    )
    return np.flatnonzero(~sel & need_wants & off_wants).astype(np.int64)
