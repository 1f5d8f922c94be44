"""A dispatch over many street partitions, solved on an executor: serially in this process, or fanned
out to the workers of a Dask cluster (``dask.distributed``: a ``LocalCluster`` of processes, or a real
cluster by address). Pure: no store, only the matching arrays.

1. **Capacity split.** An offering whose candidates lie in one partition keeps its capacity there; one
   serving several partitions (a district-level unit) has its capacity split up front by demand share:
   each partition gets ``capacity × (demand of its needs with an arc to it) / (all such demand)``, the
   remainders going to the largest fractions (ties to the first partition). So the partitions are
   independent and no offering can be promised past its capacity.
2. **Partitions.** Each partition's arrays (demand, capacity share, arcs, scores — numbers only, no ids
   and no store handle) go to a worker, packed into a few balanced batches; the worker solves them with
   the chosen method and sends back the chosen arcs' positions.
3. **Reconciliation**, on the caller. (a) One exact solve over the arcs the partitions chose plus each
   need's ``top`` best arcs (15 by default), with the offerings' true capacities: the split is undone
   where another partition makes better use of a shared offering; it contains the partitions' answer,
   so it is never worse, and it is a fifth to a quarter of the arcs. (b) A residual solve offers what
   is still unused to the needs still short of providers, without a (need, provider) pair already
   chosen. Both are skipped under a share cap (the cap is per partition). The reconciliation is split
   into the connected components of its arcs (needs, offerings and their providers), which are
   independent, so solving them apart on the executor is exact (a province's districts).
   Measured on generated districts (75% of the arcs lead to offerings serving several streets): the
   split alone loses 1-3.5% of the total score against one global optimal solve; with (a) at top 15,
   0.02-0.03%, in about a third of the global solve's time.

The serial and the Dask executor run the same steps on the same arrays, so they give the same
assignment. The loss against one global optimal solve is measured by ``bench/dispatch_province.py``.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray

from engine.matching.fairness import Spread
from engine.matching.problem import MatchProblem, stable_order
from engine.matching.solve import Method, Stats, check_options, select

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
T = TypeVar("T")
R = TypeVar("R")
_NUMBERS: list[str] = []  # "0", "1", …: the local ids of a partition's problem, made once


class Executor(Protocol):
    """Runs one function over a list of items, somewhere; results in the items' order."""

    name: str

    @property
    def workers(self) -> int:
        """How many workers run the items."""
        ...

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """``[fn(x) for x in items]``, however it is spread."""
        ...


class SerialExecutor:
    """Everything in this process, one item after another (the default)."""

    name = "serial"

    @property
    def workers(self) -> int:
        """One: this process."""
        return 1

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """``[fn(x) for x in items]``."""
        return [fn(x) for x in items]


class DaskExecutor:
    """The workers of a ``dask.distributed`` client (a LocalCluster or a real cluster)."""

    name = "dask"

    def __init__(self, client: Any) -> None:
        self.client = client

    @property
    def workers(self) -> int:
        """The workers the scheduler knows now."""
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """Each item a task (not cached: two runs over equal arrays are two runs)."""
        if not items:
            return []
        futures = self.client.map(fn, list(items), pure=False)
        return list(self.client.gather(futures))

    def close(self) -> None:
        """Close the client (and the LocalCluster it started, if any)."""
        cluster = getattr(self.client, "cluster", None)
        self.client.close()
        if cluster is not None:
            cluster.close()


def dask_available() -> bool:
    """Whether ``dask.distributed`` is installed here (found, not imported: importing it takes
    0.7 s, which a serial run would pay for nothing)."""
    return importlib.util.find_spec("distributed") is not None


def dask_executor(
    address: str | None = None, *, workers: int = 2, processes: bool = True, threads_per_worker: int = 1
) -> DaskExecutor:
    """A client of the cluster at ``address``, or of a new LocalCluster of ``workers`` workers
    (processes by default; ``processes=False`` runs them as threads of this process, for tests)."""
    from distributed import Client, LocalCluster

    if address:
        return DaskExecutor(Client(address, set_as_default=False))
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=threads_per_worker,
        processes=processes,
        dashboard_address=":0",  # a free port: never fight another cluster for 8787
        silence_logs=40,
    )
    return DaskExecutor(Client(cluster, set_as_default=False))


@dataclass(frozen=True)
class PartArrays:
    """What a worker receives of one partition: numbers only, in the global problem's order."""

    key: int
    demand: Ints
    urgent: Bools
    capacity: Ints
    offering_provider: Ints  # local provider index per offering
    n_providers: int
    arc_need: Ints
    arc_offering: Ints
    score: Floats
    need_pref: Floats
    offer_pref: Floats
    base_load: Ints | None = None  # pairs each provider already carries in the run

    @property
    def n_arcs(self) -> int:
        """Candidate arcs of the partition."""
        return int(self.arc_need.shape[0])

    def problem(self) -> MatchProblem:
        """The partition as a MatchProblem (already canonical: a sorted subset of one; ids are the
        local positions, which the worker never shows anyone)."""

        def ids(n: int) -> tuple[str, ...]:
            if len(_NUMBERS) < n:
                _NUMBERS.extend(map(str, range(len(_NUMBERS), 2 * n)))
            return tuple(_NUMBERS[:n])

        return MatchProblem(
            need_ids=ids(self.demand.shape[0]),
            demand=self.demand,
            urgent=self.urgent,
            offering_ids=ids(self.capacity.shape[0]),
            capacity=self.capacity,
            provider_ids=ids(self.n_providers),
            offering_provider=self.offering_provider,
            arc_need=self.arc_need,
            arc_offering=self.arc_offering,
            score=self.score,
            need_pref=self.need_pref,
            offer_pref=self.offer_pref,
        )


@dataclass(frozen=True)
class Options:
    """How every partition is solved."""

    method: Method = "optimal"
    urgent_first: bool = True
    max_share: float | None = None
    spread: Spread | None = None
    top: int = 15  # each need's best arcs offered to the reconciliation solve (0: none, just the residual)


def solve_part(part: PartArrays, options: Options) -> tuple[Ints, Stats]:
    """The positions of the partition's chosen arcs and the solver's figures (runs on a worker)."""
    selected, stats = select(
        part.problem(),
        options.method,
        urgent_first=options.urgent_first,
        max_share=options.max_share,
        spread=options.spread,
        base_load=part.base_load,
    )
    return np.flatnonzero(selected), stats


def solve_batch(batch: list[PartArrays], options: Options) -> list[tuple[Ints, Stats]]:
    """``solve_part`` over a batch of partitions (one task of a worker)."""
    return [solve_part(part, options) for part in batch]


@dataclass
class PartitionedResult:
    """The chosen arcs of the global problem, and how the run went."""

    selected: Bools
    stats: dict[str, Any] = field(default_factory=dict)


def split_capacity(problem: MatchProblem, arc_part: Ints) -> tuple[Ints, Ints, Ints]:
    """(partition, offering, capacity share) of every partition an offering has arcs in: its whole
    capacity where it has one partition, else split by the demand of each partition's needs with an
    arc to it (largest remainders; ties to the lower partition). The shares of an offering sum to
    its capacity."""
    return _split(problem, arc_part)[:3]


def _split(problem: MatchProblem, arc_part: Ints) -> tuple[Ints, Ints, Ints, Ints]:
    """``split_capacity``'s entries, sorted by (partition, offering), and each arc's entry."""
    p = problem
    n_off = max(p.n_offerings, 1)
    key = arc_part * n_off + p.arc_offering
    order = stable_order(key)
    ordered = key[order]
    head = np.ones(key.shape[0], dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=head[1:])
    uniq = ordered[head]
    inverse = np.empty(key.shape[0], dtype=np.int64)
    inverse[order] = np.cumsum(head) - 1
    weight = np.bincount(inverse, weights=p.demand[p.arc_need], minlength=uniq.shape[0])
    e_part, e_off = uniq // n_off, uniq % n_off
    total = np.bincount(e_off, weights=weight, minlength=p.n_offerings)
    cap = p.capacity[e_off]
    quota = cap * weight / total[e_off]
    base = np.floor(quota + 1e-9).astype(np.int64)
    left = p.capacity - np.bincount(e_off, weights=base, minlength=p.n_offerings).astype(np.int64)
    extra = np.zeros(uniq.shape[0], dtype=np.int64)
    # the remainders: only offerings with capacity left over after the floors need ranking
    pending = np.flatnonzero(left[e_off] > 0)
    frac = quota[pending] - base[pending]
    # by offering, then largest fraction, then partition (the entries come by partition): two
    # stable sorts, the last by offering
    order = pending[np.argsort(-frac, kind="stable")]
    order = order[stable_order(e_off[order])]
    sorted_off = e_off[order]
    first = np.ones(order.shape[0], dtype=bool)
    np.not_equal(sorted_off[1:], sorted_off[:-1], out=first[1:])
    pos = np.arange(order.shape[0])
    rank = pos - np.maximum.accumulate(np.where(first, pos, 0))
    extra[order] = (rank < left[sorted_off]).astype(np.int64)
    return e_part.astype(np.int64), e_off.astype(np.int64), base + extra, inverse


def _part(
    p: MatchProblem,
    key: int,
    arcs: Ints,
    demand: Ints,
    capacity: Ints,
    base_load: Ints | None = None,
) -> PartArrays:
    """The arrays of the arcs ``arcs`` (sorted positions in ``p``) with the given demand per need
    and capacity per offering of ``p``."""
    needs, arc_need = np.unique(p.arc_need[arcs], return_inverse=True)
    offs, arc_off = np.unique(p.arc_offering[arcs], return_inverse=True)
    provs, off_prov = np.unique(p.offering_provider[offs], return_inverse=True)
    return PartArrays(
        key=key,
        demand=demand[needs],
        urgent=p.urgent[needs],
        capacity=capacity[offs],
        offering_provider=off_prov.reshape(-1).astype(np.int64),
        n_providers=int(provs.shape[0]),
        arc_need=arc_need.reshape(-1).astype(np.int64),
        arc_offering=arc_off.reshape(-1).astype(np.int64),
        score=p.score[arcs],
        need_pref=p.need_pref[arcs],
        offer_pref=p.offer_pref[arcs],
        base_load=None if base_load is None else base_load[provs],
    )


def partition_arrays(problem: MatchProblem, need_part: Ints) -> tuple[list[PartArrays], list[Ints]]:
    """Each partition's arrays with its capacity shares, and the global arc positions of its arcs
    (arcs whose share is 0 are left out: the partition cannot use them)."""
    p = problem
    arc_part = np.asarray(need_part, dtype=np.int64)[p.arc_need]
    e_part, e_off, share, entry = _split(p, arc_part)
    usable = share[entry] > 0
    cap_of = np.zeros(p.n_offerings, dtype=np.int64)
    order = stable_order(arc_part)
    order = order[usable[order]]
    bounds = np.flatnonzero(np.diff(arc_part[order])) + 1
    parts, positions = [], []
    entry_bounds = np.searchsorted(e_part, np.arange(int(e_part.max()) + 2 if e_part.size else 0))
    for arcs in np.split(order, bounds) if order.size else []:
        key = int(arc_part[arcs[0]])
        mine = slice(int(entry_bounds[key]), int(entry_bounds[key + 1]))
        cap_of[e_off[mine]] = share[mine]
        parts.append(_part(p, key, arcs, p.demand, cap_of))
        positions.append(arcs)
    return parts, positions


def balanced_batches(parts: Sequence[PartArrays], n_batches: int) -> list[list[int]]:
    """Part indexes in ``n_batches`` batches of about equal arcs (largest first into the lightest)."""
    n = max(1, min(n_batches, len(parts)))
    bins: list[list[int]] = [[] for _ in range(n)]
    load = [0] * n
    for i in sorted(range(len(parts)), key=lambda i: (-parts[i].n_arcs, i)):
        j = load.index(min(load))
        bins[j].append(i)
        load[j] += parts[i].n_arcs + 1
    return [sorted(b) for b in bins if b]


def partitioned_select(
    problem: MatchProblem,
    need_part: Ints,
    options: Options | None = None,
    executor: Executor | None = None,
    *,
    reconcile: bool = True,
) -> PartitionedResult:
    """The arcs of ``problem`` chosen partition by partition (``need_part``: a partition number per
    need) on ``executor``, then the residual pass; figures in ``stats`` (seconds per phase, parts,
    batches, the residual's arcs and pairs)."""
    opts = options or Options()
    check_options(opts.method, opts.max_share, opts.spread)
    ex = executor or SerialExecutor()
    p = problem
    stats: dict[str, Any] = {"executor": ex.name, "workers": ex.workers}
    mark = time.perf_counter()
    parts, positions = partition_arrays(p, need_part)
    batches = balanced_batches(parts, 4 * ex.workers if ex.name != "serial" else len(parts))
    stats["split"] = time.perf_counter() - mark
    mark = time.perf_counter()
    answers = ex.map(partial(solve_batch, options=opts), [[parts[i] for i in b] for b in batches])
    stats["solve"] = time.perf_counter() - mark
    selected = np.zeros(p.n_arcs, dtype=bool)
    solver_seconds = 0.0
    for batch, results in zip(batches, answers, strict=True):
        for i, (chosen, part_stats) in zip(batch, results, strict=True):
            selected[positions[i][chosen]] = True
            solver_seconds += float(part_stats.get("seconds", 0.0))
    stats |= {"parts": len(parts), "batches": len(batches), "solver_seconds": solver_seconds}
    mark = time.perf_counter()
    residual_pairs = residual_arcs = reconcile_arcs = 0
    if reconcile and opts.max_share is None and len(parts) > 1:
        offered = np.flatnonzero(selected | (best_arcs_rank(p) < opts.top)).astype(np.int64)
        reconcile_arcs = int(offered.shape[0])
        pieces = components(p, offered)
        stats["reconcile_parts"] = len(pieces)
        whole = [_part(p, -2, arcs, p.demand, p.capacity) for arcs in pieces]
        groups = balanced_batches(whole, 4 * ex.workers if ex.name != "serial" else len(whole))
        done = ex.map(partial(solve_batch, options=opts), [[whole[i] for i in g] for g in groups])
        selected[:] = False
        for group, results in zip(groups, done, strict=True):
            for i, (chosen, _) in zip(group, results, strict=True):
                selected[pieces[i][chosen]] = True
        part, arcs = residual(p, selected)
        residual_arcs = part.n_arcs
        if residual_arcs:
            chosen, _ = solve_part(part, opts)
            selected[arcs[chosen]] = True
            residual_pairs = int(chosen.shape[0])
    stats |= {
        "reconcile": time.perf_counter() - mark,
        "reconcile_arcs": reconcile_arcs,
        "residual_arcs": residual_arcs,
        "residual_pairs": residual_pairs,
    }
    return PartitionedResult(selected, stats)


def components(problem: MatchProblem, arcs: Ints) -> list[Ints]:
    """The arcs ``arcs`` grouped by connected component of needs, offerings and their providers
    (a provider joins its offerings: its share cap or spread ladder couples them): independent
    problems, so solving each alone is exact. Sorted positions, components in order of their
    first arc."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    p = problem
    if arcs.size == 0:
        return []
    n_nodes = p.n_needs + p.n_offerings + len(p.provider_ids)
    off_node = p.n_needs + np.arange(p.n_offerings, dtype=np.int64)
    prov_node = p.n_needs + p.n_offerings + p.offering_provider
    rows = np.concatenate([p.arc_need[arcs], off_node])
    cols = np.concatenate([p.n_needs + p.arc_offering[arcs], prov_node])
    graph = coo_matrix((np.ones(rows.shape[0], dtype=np.int8), (rows, cols)), shape=(n_nodes, n_nodes))
    _, label = connected_components(graph, directed=False)
    arc_label = label[p.arc_need[arcs]]
    order = np.argsort(arc_label, kind="stable")
    bounds = np.flatnonzero(np.diff(arc_label[order])) + 1
    pieces = [arcs[np.sort(chunk)] for chunk in np.split(order, bounds)]
    return sorted(pieces, key=lambda a: int(a[0]))


def best_arcs_rank(problem: MatchProblem) -> Ints:
    """Per arc its rank among its need's arcs by score (0 = the need's best; ties by position)."""
    p = problem
    units = p.score_units
    top = int(units.max()) if p.n_arcs else 0
    span = top - (int(units.min()) if p.n_arcs else 0) + 1
    order = stable_order(p.arc_need * span + (top - units))
    need = p.arc_need[order]
    first = np.ones(p.n_arcs, dtype=bool)
    np.not_equal(need[1:], need[:-1], out=first[1:])
    pos = np.arange(p.n_arcs, dtype=np.int64)
    rank = np.empty(p.n_arcs, dtype=np.int64)
    rank[order] = pos - np.maximum.accumulate(np.where(first, pos, 0))
    return rank


def residual(problem: MatchProblem, selected: Bools) -> tuple[PartArrays, Ints]:
    """The residual problem after ``selected``: needs still short of providers, offerings with
    capacity left, without a (need, provider) pair already chosen; and its arcs' global positions.
    Each provider's load so far is its ``base_load`` (the spread penalties continue from there)."""
    p = problem
    served = np.bincount(p.arc_need[selected], minlength=p.n_needs)
    used = np.bincount(p.arc_offering[selected], minlength=p.n_offerings)
    group, sizes = p.groups
    taken = np.bincount(group[selected], minlength=sizes.shape[0]) > 0
    demand_left = p.demand - served
    cap_left = p.capacity - used
    keep = (~selected) & (demand_left[p.arc_need] > 0) & (cap_left[p.arc_offering] > 0) & ~taken[group]
    arcs = np.flatnonzero(keep).astype(np.int64)
    loads = np.bincount(p.arc_provider[selected], minlength=len(p.provider_ids)).astype(np.int64)
    return _part(p, -1, arcs, demand_left, cap_left, loads), arcs
