"""The matching problem in canonical columns: needs, offerings, providers and scored candidate arcs.

Needs, offerings and providers are sorted by id and arcs by (need, offering), so the same input in any
order gives the same arrays, and the solvers (deterministic on the same arrays) the same assignment.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

from engine.matching.model import Candidate, NeedSpec, OfferingSpec, Pair
from engine.matching.scoring import QUANTUM_STEPS, ScoredArcs, quantize

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]

SHARE_TOLERANCE = 1e-9


def share_ok(max_load: int, total: int, max_share: float) -> bool:
    """Whether a provider load of ``max_load`` out of ``total`` pairs respects ``max_share``."""
    return max_load <= max_share * total * (1 + SHARE_TOLERANCE) + SHARE_TOLERANCE


def min_total_for(cap: int, max_share: float) -> int:
    """Fewest pairs in total for which a provider may carry ``cap`` of them under ``max_share``."""
    return max(0, math.ceil(cap / max_share / (1 + SHARE_TOLERANCE) - SHARE_TOLERANCE))


def stable_order(keys: Ints) -> Ints:
    """``np.argsort(keys, kind="stable")`` for non-negative keys: one radix pass when the keys fit in
    16 bits, else one sort of ``key · 2^b + position`` (unique, so any sort is stable; numpy's SIMD
    sort of 32- or 64-bit integers is two to three times faster than radix passes), else radix passes
    of 16 bits."""
    n = keys.shape[0]
    top = int(keys.max()) if n else 0
    if top < 2**16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    shift = max(n - 1, 1).bit_length()
    if top < 2 ** (32 - shift):  # the same in 32 bits: twice as many keys per SIMD step
        small = keys.astype(np.uint32)
        small <<= shift
        small |= np.arange(n, dtype=np.uint32)
        small.sort()
        small &= (1 << shift) - 1
        return small.astype(np.int64)
    if top < 2 ** (62 - shift):
        packed = np.left_shift(keys, shift, dtype=np.int64)
        packed |= np.arange(n, dtype=np.int64)
        packed.sort()
        packed &= (1 << shift) - 1
        return packed
    if top >= 2**48:
        return np.argsort(keys, kind="stable")
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    shift = 16
    while top >> shift:
        digit = ((keys[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
    return order


def _rank(ids: Sequence[str], what: str) -> tuple[tuple[str, ...], Ints]:
    """Sorted ids and, for each input position, its position in the sorted order."""
    arr = np.asarray(list(ids), dtype=object)
    order = np.argsort(arr, kind="stable") if arr.size else np.empty(0, dtype=np.int64)
    sorted_ids = tuple(str(x) for x in arr[order])
    if len(set(sorted_ids)) != len(sorted_ids):
        raise ValueError(f"{what}编号重复")
    rank = np.empty(arr.shape[0], dtype=np.int64)
    rank[order] = np.arange(arr.shape[0], dtype=np.int64)
    return sorted_ids, rank


def _strictly_ascending(need: Ints, offering: Ints) -> bool:
    """Whether the (need, offering) pairs are in strictly ascending order (sorted, no repeats)."""
    if need.shape[0] < 2:
        return True
    dn = np.diff(need)
    return bool(((dn > 0) | ((dn == 0) & (np.diff(offering) > 0))).all())


def _ints(values: ArrayLike) -> Ints:
    return np.asarray(values, dtype=np.int64).reshape(-1)


def _spec_columns(
    needs: Sequence[NeedSpec], offerings: Sequence[OfferingSpec]
) -> tuple[list[str], list[int], list[bool], list[str], list[str], list[int]]:
    """The need and offering columns ``MatchProblem.from_arrays`` takes first."""
    return (
        [n.id for n in needs],
        [n.demand for n in needs],
        [n.urgent for n in needs],
        [o.id for o in offerings],
        [o.provider_id for o in offerings],
        [o.capacity for o in offerings],
    )


@dataclass(frozen=True, eq=False)
class MatchProblem:
    """A capacitated assignment instance: need i wants ``demand[i]`` providers, offering j serves at most
    ``capacity[j]`` needs, one provider serves a need at most once, arcs carry scores.

    Build it with ``from_arrays``, ``from_scored`` or ``from_specs``; the fields are canonical.
    """

    need_ids: tuple[str, ...]
    demand: Ints
    urgent: Bools
    offering_ids: tuple[str, ...]
    capacity: Ints
    provider_ids: tuple[str, ...]
    offering_provider: Ints  # offering -> provider index
    arc_need: Ints
    arc_offering: Ints
    score: Floats  # multiples of 1/4096
    need_pref: Floats  # how a need ranks its arcs (higher first), for the stable methods
    offer_pref: Floats  # how an offering ranks its arcs
    details: ScoredArcs | None = None  # parts and facts per arc, in this problem's arc order

    @classmethod
    def from_arrays(
        cls,
        need_ids: Sequence[str],
        demand: ArrayLike,
        urgent: ArrayLike,
        offering_ids: Sequence[str],
        offering_provider_ids: Sequence[str],
        capacity: ArrayLike,
        arc_need: ArrayLike,
        arc_offering: ArrayLike,
        score: ArrayLike,
        *,
        need_pref: ArrayLike | None = None,
        offer_pref: ArrayLike | None = None,
        details: ScoredArcs | None = None,
    ) -> MatchProblem:
        """Validate and canonicalise; ``arc_need``/``arc_offering`` index the given id sequences."""
        nids, need_rank = _rank(need_ids, "需求")
        oids, off_rank = _rank(offering_ids, "资源")
        n_needs, n_off = len(nids), len(oids)
        dem, cap = _ints(demand), _ints(capacity)
        urg = np.asarray(urgent, dtype=bool).reshape(-1)
        if dem.shape[0] != n_needs or urg.shape[0] != n_needs:
            raise ValueError("demand/urgent 与需求数不一致")
        if cap.shape[0] != n_off or len(offering_provider_ids) != n_off:
            raise ValueError("capacity/提供方 与资源数不一致")
        if n_needs and dem.min() < 1:
            raise ValueError("所需人数至少为 1")
        if n_off and cap.min() < 0:
            raise ValueError("剩余容量不能为负")
        an, ao = _ints(arc_need), _ints(arc_offering)
        sc = np.asarray(score, dtype=np.float64).reshape(-1)
        if not (an.shape == ao.shape == sc.shape):
            raise ValueError("候选边数组长度不一致")
        if an.size and (an.min() < 0 or an.max() >= n_needs or ao.min() < 0 or ao.max() >= n_off):
            raise ValueError("候选边指向不存在的需求或资源")
        if not np.all(np.isfinite(sc)):
            raise ValueError("得分须为有限数")
        new_n, new_o = need_rank[an], off_rank[ao]
        if _strictly_ascending(new_n, new_o):  # already canonical (a run's scored arcs are): no sort
            order = np.arange(an.shape[0], dtype=np.int64)
        else:
            order = np.lexsort((new_o, new_n)).astype(np.int64)
            new_n, new_o = new_n[order], new_o[order]
            if an.size > 1 and np.any((np.diff(new_n) == 0) & (np.diff(new_o) == 0)):
                raise ValueError("同一需求与资源的候选边重复")
        inv_n = np.argsort(need_rank)
        inv_o = np.argsort(off_rank)
        prov_in = (
            np.asarray(list(offering_provider_ids), dtype=object)[inv_o] if n_off else np.empty(0, object)
        )
        pids = tuple(sorted({str(p) for p in prov_in}))
        prov_index = {p: i for i, p in enumerate(pids)}
        quantized = quantize(sc[order])
        return cls(
            need_ids=nids,
            demand=dem[inv_n],
            urgent=urg[inv_n],
            offering_ids=oids,
            capacity=cap[inv_o],
            provider_ids=pids,
            offering_provider=np.fromiter((prov_index[str(p)] for p in prov_in), dtype=np.int64, count=n_off),
            arc_need=new_n,
            arc_offering=new_o,
            score=quantized,
            need_pref=quantized if need_pref is None else np.asarray(need_pref, dtype=np.float64)[order],
            offer_pref=quantized if offer_pref is None else np.asarray(offer_pref, dtype=np.float64)[order],
            details=None if details is None else details.take(order),
        )

    @classmethod
    def from_scored(cls, scored: ScoredArcs) -> MatchProblem:
        """From scored candidate arcs: needs rank by the full score, providers by their own view."""
        needs, offerings, f = scored.needs, scored.offerings, scored.facts
        return cls.from_arrays(
            *_spec_columns(needs, offerings),
            f.need,
            f.offering,
            scored.score,
            need_pref=scored.score,
            offer_pref=scored.provider_view,
            details=scored,
        )

    @classmethod
    def from_specs(
        cls, needs: Sequence[NeedSpec], offerings: Sequence[OfferingSpec], candidates: Iterable[Candidate]
    ) -> MatchProblem:
        """From specs and a list of candidates (e.g. one edited by hand); no parts kept."""
        need_index = {n.id: i for i, n in enumerate(needs)}
        off_index = {o.id: i for i, o in enumerate(offerings)}
        cands = list(candidates)
        return cls.from_arrays(
            *_spec_columns(needs, offerings),
            [need_index[c.need_id] for c in cands],
            [off_index[c.offering_id] for c in cands],
            [c.score for c in cands],
        )

    @property
    def n_needs(self) -> int:
        """Number of needs."""
        return len(self.need_ids)

    @property
    def n_offerings(self) -> int:
        """Number of offerings."""
        return len(self.offering_ids)

    @property
    def n_arcs(self) -> int:
        """Number of candidate arcs."""
        return int(self.arc_need.shape[0])

    @property
    def n_providers(self) -> int:
        """Number of providers."""
        return len(self.provider_ids)

    @cached_property
    def arc_provider(self) -> Ints:
        """Provider index of every arc."""
        return self.offering_provider[self.arc_offering]

    @cached_property
    def arc_urgent(self) -> Bools:
        """Whether the need of every arc is urgent."""
        return self.urgent[self.arc_need]

    @cached_property
    def score_units(self) -> Ints:
        """Scores as exact integers (score × 4096)."""
        return np.rint(self.score * QUANTUM_STEPS).astype(np.int64)

    @cached_property
    def _group_table(self) -> tuple[Ints, Ints, Ints]:
        """``np.unique(key, return_index, return_inverse, return_counts)`` of the (need, provider)
        keys, spelled out (a quarter faster on a street's arcs, which every optimal solve pays)."""
        key = self.arc_need * max(len(self.provider_ids), 1) + self.arc_provider
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        head = np.ones(key.shape[0], dtype=bool)
        np.not_equal(ordered[1:], ordered[:-1], out=head[1:])
        starts = np.flatnonzero(head)
        inverse = np.empty(key.shape[0], dtype=np.int64)
        inverse[order] = np.cumsum(head) - 1
        counts = np.diff(starts, append=key.shape[0]).astype(np.int64)
        return inverse, counts, order[starts].astype(np.int64)

    @property
    def groups(self) -> tuple[Ints, Ints]:
        """(need, provider) groups, ordered by need then provider: a group index per arc, and the
        size of each group."""
        return self._group_table[:2]

    @property
    def group_first(self) -> Ints:
        """The first arc of each (need, provider) group."""
        return self._group_table[2]

    def pair(self, arc: int) -> Pair:
        """Arc ``arc`` as an assigned Pair."""
        o = int(self.arc_offering[arc])
        return Pair(
            need_id=self.need_ids[int(self.arc_need[arc])],
            offering_id=self.offering_ids[o],
            provider_id=self.provider_ids[int(self.offering_provider[o])],
            score=float(self.score[arc]),
            arc=arc,
        )

    def candidate(self, arc: int) -> Candidate:
        """Arc ``arc`` with its parts and path in words (only the total when built without details)."""
        if self.details is not None:
            return self.details.candidate(arc)
        p = self.pair(arc)
        return Candidate(p.need_id, p.offering_id, p.provider_id, p.score, {"score": p.score}, "")
