"""The exact solver: the capacitated assignment as one min-cost flow (OR-Tools ``SimpleMinCostFlow``).

Network: hub → need (capacity = demand) → [need-provider group, when a provider has several offerings
for the need: capacity 1, so one provider serves a need at most once] → offering (arc capacity 1, cost
−score × 4096) → [provider node, capacity K, for share caps; with the ``spread`` fairness mode,
parallel arcs of capacity 1 and rising cost, see ``engine.matching.fairness``] → sink. A cost-0
bypass arc hub → sink
lets needs go unserved: ``solve()`` then minimises cost alone (``solve_max_flow_with_min_cost`` would
serve as many needs as possible first and lose score). A lower bound on the pairs is the bypass
capacity; urgent-first is a second, exact phase with the urgent supply fixed at its maximum (one
solve with a large urgent bonus instead was measured 2-3× slower: the cost scaling needs more rounds).
Without share caps or the spread mode, ``solve_flow`` first runs the exact presolve
(``engine.matching.presolve``): arcs every optimum can do without are dropped, arcs some optimum
takes are fixed, and the flow solves what is left (on the city's partitions, ~38% fewer arcs). Its
score costs are then shifted by a node potential, a guess at the dual prices: a need's is the score of
its ``d``-th best provider left, the hubs' the mean of those (an arc u → v costs its potential at u
more and at v less). Every path from a hub to the sink changes by the hub's potential alone and the
supplies are fixed, so the optimum flows are the same; OR-Tools' cost scaling starts nearer to them
(~15% less time on the city's partitions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, Protocol

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

from engine.matching.fairness import Spread
from engine.matching.presolve import Presolved, presolve
from engine.matching.problem import MatchProblem, min_total_for, share_ok

Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]
Costs = Literal["score", "urgent", "throughput"]

HUB, URGENT_HUB, SINK = 0, 1, 2
_NONE = np.empty(0, np.int64)  # no arcs
_NONE.setflags(write=False)
_LIMIT = 2**62


class MatchingError(RuntimeError):
    """A solver failed in a way the input does not explain."""


class Arcs(Protocol):
    """What the figures of a selection read per arc (a MatchProblem, or a FlowModel's arcs)."""

    @property
    def arc_urgent(self) -> Bools:
        """Whether the arc's need is urgent."""
        ...

    @property
    def score_units(self) -> Ints:
        """The arc's score × 4096."""
        ...

    @property
    def arc_provider(self) -> Ints:
        """The arc's provider."""
        ...

    @property
    def n_providers(self) -> int:
        """How many providers there are."""
        ...


@dataclass(frozen=True, eq=False)
class FlowResult:
    """Arcs chosen by one flow solve, with the figures the lexicographic objective compares (counted
    when first read: a partition's solve reads none of them)."""

    selected: Bools
    arcs: Arcs  # what ``selected`` is a mask of
    penalty_units: int = 0  # what the spread mode took off the score (0 without it)

    @cached_property
    def urgent_units(self) -> int:
        """Provider slots given to urgent needs."""
        return int(np.count_nonzero(self.arcs.arc_urgent & self.selected))

    @cached_property
    def score_units(self) -> int:
        """The selection's score × 4096."""
        return int(self.arcs.score_units[self.selected].sum())

    @cached_property
    def total(self) -> int:
        """Pairs selected."""
        return int(np.count_nonzero(self.selected))

    @cached_property
    def max_load(self) -> int:
        """The most pairs one provider carries."""
        loads = np.bincount(self.arcs.arc_provider[self.selected], minlength=self.arcs.n_providers)
        return int(loads.max()) if loads.size else 0

    def value(self, urgent_first: bool) -> tuple[int, ...]:
        """What is maximised: (urgent units, score less the spread penalties) or (that score,)."""
        net = self.score_units - self.penalty_units
        return (self.urgent_units, net) if urgent_first else (net,)


@dataclass(frozen=True, eq=False)
class Network:
    """A flow network as arrays; the candidate arcs are ``cand_start … cand_start + n_cand``."""

    tails: Ints
    heads: Ints
    capacities: Ints
    costs: Ints
    supplies: dict[int, int]
    cand_start: int
    n_cand: int

    def solve(self) -> Ints | int:
        """Flows on the candidate arcs at minimum cost (OR-Tools ``solve()``); when the supplies
        cannot all reach the sink, the most that can (an int: the maximum flow of OR-Tools'
        feasibility check)."""
        smcf = min_cost_flow.SimpleMinCostFlow()
        smcf.add_arcs_with_capacity_and_unit_cost(self.tails, self.heads, self.capacities, self.costs)
        smcf.set_nodes_supplies(
            np.fromiter(self.supplies, dtype=np.int64), np.fromiter(self.supplies.values(), dtype=np.int64)
        )
        status = smcf.solve()
        if status == smcf.INFEASIBLE:
            return int(smcf.maximum_flow())
        if status != smcf.OPTIMAL:
            raise MatchingError(f"最小费用流求解失败: {status}")
        return np.asarray(
            smcf.flows(np.arange(self.cand_start, self.cand_start + self.n_cand, dtype=np.int64))
        )


class FlowModel:
    """The network of one problem, laid out once and solved under several variants."""

    def __init__(
        self,
        problem: MatchProblem,
        *,
        spread: Spread | None = None,
        base_load: Ints | None = None,
        lean: bool = False,
        presolved: Presolved | None = None,
    ) -> None:
        """``spread``: the fairness mode's rising cost per provider pair; ``base_load``: pairs each
        provider already carries in this run (its penalties continue from there). ``lean`` (no
        share caps, no spread): leave out the nodes whose constraint cannot bind, an offering with
        no more arcs than capacity (its arcs go to the sink) and a provider's group for a need of
        demand 1 (the need's own capacity keeps it to one arc). ``presolved``: the lean network of
        what the presolve left (its live arcs, ``arcs``; the demand and capacity left, a need's
        demand at most its providers; needs without live arcs have no node), the network of
        ``reduced(problem, presolved)`` without building that problem, its score costs shifted by
        the presolve's prices (see the module)."""
        p = problem
        self.solves = 0
        self.spread = spread
        self.lean = lean = lean or presolved is not None
        if lean and spread is not None:
            raise ValueError("lean 网络不支持分散派单")
        n_prov = self.n_providers = len(p.provider_ids)
        self.base_load = np.zeros(n_prov, np.int64) if base_load is None else np.asarray(base_load, np.int64)
        if presolved is None:
            self.arcs: Ints | None = None
            group, sizes = p.groups
            group_need = p.arc_need[p.group_first]
            arc_need, arc_offering, units = p.arc_need, p.arc_offering, p.score_units
            demand, capacity, need_kept = p.demand, p.capacity, None
            slots: Ints | None = np.minimum(demand, np.bincount(group_need, minlength=p.n_needs))
            self.need_price: Ints | None = None
        else:
            arcs = self.arcs = np.flatnonzero(presolved.live)
            arc_need, arc_offering = p.arc_need[arcs], p.arc_offering[arcs]
            units = p.score_units[arcs]
            group, group_need = presolved.group[arcs], presolved.group_need
            sizes = np.bincount(group, minlength=group_need.shape[0])
            providers = np.bincount(group_need[sizes > 0], minlength=p.n_needs)
            need_kept = np.flatnonzero(providers)
            demand, slots = np.minimum(presolved.demand, providers), None  # its demand is its slots
            capacity = presolved.capacity
            self.need_price = presolved.price[need_kept]
            self.arc_price = presolved.price[arc_need]
            self.hub_price = int(self.need_price.sum()) // max(need_kept.shape[0], 1)  # the hubs' potential
        n_needs = p.n_needs if need_kept is None else need_kept.shape[0]
        self.need_base = 3
        if need_kept is None:
            need_node = np.arange(self.need_base, self.need_base + n_needs, dtype=np.int64)
        else:  # only needs with live arcs are looked up
            need_node = np.empty(p.n_needs, np.int64)
            need_node[need_kept] = np.arange(self.need_base, self.need_base + n_needs, dtype=np.int64)
        multi = sizes >= 2
        if lean:
            multi &= demand[group_need] >= 2
        group_node = need_node[group_need]  # the node a group's arcs leave from: its need's, or its own
        self.group_tails = group_node[multi]
        group_base = self.need_base + n_needs
        n_multi = self.group_tails.shape[0]
        self.group_heads = np.arange(group_base, group_base + n_multi, dtype=np.int64)
        group_node[multi] = self.group_heads
        self.off_base = group_base + n_multi
        if lean:
            degree = np.bincount(arc_offering, minlength=p.n_offerings)
            off_kept = np.flatnonzero(capacity < degree)
        else:
            off_kept = np.arange(p.n_offerings, dtype=np.int64)
        off_node = np.full(p.n_offerings, SINK, dtype=np.int64)
        off_node[off_kept] = np.arange(self.off_base, self.off_base + off_kept.shape[0], dtype=np.int64)
        self.prov_base = self.off_base + off_kept.shape[0]
        self.n_nodes = self.prov_base + n_prov
        self.demand = demand if need_kept is None else demand[need_kept]  # per need node
        self.urgent = p.urgent if need_kept is None else p.urgent[need_kept]
        self.slots = self.demand if slots is None else slots  # at most its providers
        self.off_capacity = capacity[off_kept]  # per offering node
        self.off_provider = p.offering_provider[off_kept]
        self.cand_tails = group_node[group]
        self.cand_heads = off_node[arc_offering]
        self.score_units = units  # per arc of the model
        self.problem = p
        max_cost = int(np.abs(units).max()) if units.shape[0] else 0
        max_cost *= 1 if self.need_price is None else 2  # the prices are scores of the needs' arcs
        max_cost += spread.limit_units if spread is not None else 0
        supply = int(self.demand.sum())
        if max_cost * (self.n_nodes + 1) >= _LIMIT or max_cost * max(supply, 1) >= _LIMIT:
            raise ValueError("得分过大, 无法用整数费用精确求解")

    def network(
        self, costs: Costs, *, cap: int | None = None, min_total: int = 0, urgent_units: int | None = None
    ) -> Network | None:
        """The arcs and supplies of one variant. ``cap``: pairs per provider; ``min_total``: fewest
        pairs; ``urgent_units``: exact provider slots for urgent needs (the urgent-first second phase).
        None when ``min_total`` exceeds the supply."""
        n_needs = self.demand.shape[0]
        split = urgent_units is not None
        need_hub = self.urgent.astype(np.int64) if split else HUB  # URGENT_HUB is 1, HUB 0
        hub_supply = int(self.demand[~self.urgent].sum()) if split else int(self.demand.sum())
        urgent_supply = int(urgent_units or 0)
        bypass = hub_supply - max(0, min_total - urgent_supply)
        if bypass < 0:
            return None
        via_providers = cap is not None or self.spread is not None
        if via_providers and self.lean:
            raise ValueError("lean 网络不支持占比上限")
        n_groups, n_arcs = self.group_tails.shape[0], self.cand_tails.shape[0]
        n_off = self.off_capacity.shape[0]
        prov_tails, prov_caps, prov_costs = self.provider_arcs(cap, int(self.demand.sum()))
        # blocks: hub → need, need → group, candidates, offering → (provider or sink), provider → sink,
        # and the bypass hub → sink
        a = n_needs
        b = a + n_groups
        c = b + n_arcs
        d = c + n_off
        e = d + prov_tails.shape[0]
        tails, heads, caps = np.empty(e + 1, np.int64), np.empty(e + 1, np.int64), np.ones(e + 1, np.int64)
        cost = np.zeros(e + 1, np.int64)
        tails[:a] = need_hub
        heads[:a] = np.arange(self.need_base, self.need_base + n_needs, dtype=np.int64)
        caps[:a] = self.demand
        tails[a:b] = self.group_tails
        heads[a:b] = self.group_heads
        tails[b:c] = self.cand_tails
        heads[b:c] = self.cand_heads
        tails[c:d] = np.arange(self.off_base, self.off_base + n_off, dtype=np.int64)
        heads[c:d] = self.prov_base + self.off_provider if via_providers else SINK
        caps[c:d] = self.off_capacity
        tails[d:e] = prov_tails
        heads[d:e] = SINK
        caps[d:e] = prov_caps
        tails[e], heads[e], caps[e] = HUB, SINK, bypass
        if costs == "score":
            if self.need_price is None:
                np.negative(self.score_units, out=cost[b:c])
            else:  # shifted by the needs' potentials (the group of a need has the need's)
                np.subtract(self.hub_price, self.need_price, out=cost[:a])
                np.subtract(self.arc_price, self.score_units, out=cost[b:c])
                cost[e] = self.hub_price
            cost[d:e] = prov_costs
        elif costs == "urgent":
            cost[:a] = -self.urgent.astype(np.int64)
        else:
            cost[:a] = -1
        supplies = {HUB: hub_supply, URGENT_HUB: urgent_supply, SINK: -hub_supply - urgent_supply}
        return Network(tails, heads, caps, cost, supplies, b, n_arcs)

    def provider_arcs(self, cap: int | None, supply: int) -> tuple[Ints, Ints, Ints]:
        """Tails, capacities and costs (with the spread penalties) of the provider → sink arcs: one
        of capacity ``cap`` per provider, or with ``spread`` a ladder of capacity-1 arcs of rising
        cost and a last one at the limit (together at most ``cap``); none without either."""
        n_prov = self.n_providers
        if self.spread is None:
            if cap is None:
                return _NONE, _NONE, _NONE
            nodes = np.arange(self.prov_base, self.prov_base + n_prov, dtype=np.int64)
            return nodes, np.full(n_prov, cap, np.int64), np.zeros(n_prov, np.int64)
        levels = self.spread.levels + 1
        k = np.tile(np.arange(levels, dtype=np.int64), n_prov)
        owner = np.repeat(np.arange(n_prov, dtype=np.int64), levels)
        caps = np.where(k < levels - 1, 1, max(supply, 1)).astype(np.int64)
        if cap is not None:
            cum = np.cumsum(caps.reshape(n_prov, levels), axis=1)
            clipped = np.minimum(cum, cap)
            caps = np.diff(clipped, axis=1, prepend=0).reshape(-1)
        costs = self.spread.penalty_units(self.base_load[owner] + k)
        return self.prov_base + owner, caps.astype(np.int64), costs

    def run(
        self, costs: Costs, *, cap: int | None = None, min_total: int = 0, urgent_units: int | None = None
    ) -> FlowResult | None:
        """One min-cost flow of the variant ``network`` describes; None when infeasible."""
        net = self.network(costs, cap=cap, min_total=min_total, urgent_units=urgent_units)
        if net is None:
            return None
        flows = net.solve()
        return None if isinstance(flows, int) else self.result(flows > 0)

    def result(self, selected: Bools) -> FlowResult:
        """A selection of the model's arcs and its figures (the spread penalties counted now)."""
        if self.spread is None:
            return FlowResult(selected, self)
        loads = np.bincount(self.arc_provider[selected], minlength=self.n_providers)
        return FlowResult(selected, self, self.spread.total_units(loads, self.base_load))

    def best(self, urgent_first: bool, *, cap: int | None = None, min_total: int = 0) -> FlowResult | None:
        """The lexicographic optimum under ``cap`` and ``min_total`` (two phases when urgent-first:
        the urgent slots fixed at their maximum, then the score). Without a lower bound the urgent
        slots are first fixed at the cheap ``urgent_bound``: when that is feasible it is the
        maximum; when not, the feasibility check's maximum flow is the hub's supply (all through
        its bypass) and the most slots the urgent needs can get, so no urgent phase is solved."""
        self.solves += 1
        if not (urgent_first and bool(self.urgent.any())):
            return self.run("score", cap=cap, min_total=min_total)
        if min_total == 0:
            net = self.network("score", cap=cap, urgent_units=self.urgent_bound)
            assert net is not None  # without a lower bound the bypass takes the hub's whole supply
            flows = net.solve()
            if not isinstance(flows, int):
                return self.result(flows > 0)
            units = flows - net.supplies[HUB]
        else:
            first = self.run("urgent", cap=cap, min_total=min_total)
            if first is None:
                return None
            units = first.urgent_units
        self.solves += 1
        return self.run("score", cap=cap, min_total=min_total, urgent_units=units)

    @cached_property
    def arc_urgent(self) -> Bools:
        """Per arc of the model, whether its need is urgent."""
        urgent = self.problem.arc_urgent
        return urgent if self.arcs is None else urgent[self.arcs]

    @cached_property
    def arc_provider(self) -> Ints:
        """Per arc of the model, its provider."""
        provider = self.problem.arc_provider
        return provider if self.arcs is None else provider[self.arcs]

    @cached_property
    def urgent_bound(self) -> int:
        """An upper bound on the provider slots urgent needs can get: each urgent need at most its
        demand, and at most one slot per provider with a candidate arc to it."""
        return int(self.slots[self.urgent].sum())


def solve_flow(
    problem: MatchProblem,
    *,
    urgent_first: bool = False,
    spread: Spread | None = None,
    base_load: Ints | None = None,
    exact_presolve: bool = True,
) -> tuple[FlowResult, int]:
    """The exact optimum without share caps, and the number of flow solves. Without the spread
    mode the presolve (``engine.matching.presolve``) first fixes and drops what it can, and the flow
    solves what is left."""
    if spread is None and exact_presolve and problem.n_arcs:
        pre = presolve(problem, urgent_first=urgent_first)
        if pre.removed:
            selected, solves = pre.fixed.copy(), 0
            if pre.live.any():
                model = FlowModel(problem, presolved=pre)
                res = model.best(urgent_first)
                if res is None or model.arcs is None:  # pragma: no cover - the empty flow is feasible
                    raise MatchingError("最小费用流无可行解")
                selected[model.arcs[res.selected]] = True
                solves = model.solves
            return FlowResult(selected, problem), solves
    model = FlowModel(problem, spread=spread, base_load=base_load)
    res = model.best(urgent_first)
    if res is None:  # pragma: no cover - the empty flow is always feasible
        raise MatchingError("最小费用流无可行解")
    return res, model.solves


def solve_flow_share_capped(
    problem: MatchProblem,
    max_share: float,
    *,
    urgent_first: bool = False,
    spread: Spread | None = None,
    base_load: Ints | None = None,
) -> tuple[FlowResult, int]:
    """The exact optimum when no provider may carry more than ``max_share`` of the assigned pairs.

    The ratio x_p ≤ s·Σx is not a flow constraint, but for a fixed cap K it is: pairs per provider ≤ K
    and pairs in total ≥ K/s. The answer is the best over K; R(K) (cap only, nondecreasing in K) and
    P(L) (lower bound only, nonincreasing in L) bound each K, so only the K between two binary searches
    are solved, from the top down, stopping when R(K) cannot beat the best found.
    """
    model = FlowModel(problem, spread=spread, base_load=base_load)
    plain = model.best(urgent_first)
    assert plain is not None
    if share_ok(plain.max_load, plain.total, max_share):
        return plain, model.solves
    most = model.run("throughput")
    assert most is not None
    model.solves += 1
    k_max = math.floor(max_share * most.total * (1 + 1e-9) + 1e-9)
    while k_max >= 1 and not share_ok(k_max, most.total, max_share):
        k_max -= 1  # pragma: no cover - float rounding
    best = model.result(np.zeros(problem.n_arcs, dtype=bool))
    if k_max < 1:
        return best, model.solves
    r_memo: dict[int, FlowResult] = {}
    p_memo: dict[int, FlowResult | None] = {}

    def relaxed(k: int) -> FlowResult:
        if k not in r_memo:
            res = model.best(urgent_first, cap=k)
            assert res is not None
            r_memo[k] = res
        return r_memo[k]

    def bounded(k: int) -> FlowResult | None:
        lower = min_total_for(k, max_share)
        if lower not in p_memo:
            p_memo[lower] = model.best(urgent_first, min_total=lower)
        return p_memo[lower]

    def exact(k: int) -> FlowResult | None:
        r = relaxed(k)
        if share_ok(r.max_load, r.total, max_share):
            return r
        return model.best(urgent_first, cap=k, min_total=min_total_for(k, max_share))

    def above(res: FlowResult | None, bar: FlowResult) -> bool:
        return res is not None and res.value(urgent_first) > bar.value(urgent_first)

    k_seed = min(k_max, max(1, math.floor(max_share * plain.total)))
    seed = exact(k_seed)
    if above(seed, best):
        assert seed is not None
        best = seed
    # R is nondecreasing: when the seed is R(k_seed) itself, no K ≤ k_seed has R(K) > best.
    lo = k_seed + 1 if seed is r_memo[k_seed] else 1
    hi = k_max + 1  # smallest K in [lo, k_max] with R(K) > best (hi = none)
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if above(relaxed(mid), best) else (mid + 1, hi)
    k_low = lo
    lo, hi = 0, k_max  # largest K in [1, k_max] with P(K/s) > best (0 = none)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if above(bounded(mid), best) else (lo, mid - 1)
    for k in range(lo, k_low - 1, -1):
        if not above(relaxed(k), best):
            break
        res = exact(k)
        if above(res, best):
            assert res is not None
            best = res
    return best, model.solves
