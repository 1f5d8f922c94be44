"""Scores: a transparent weighted sum of named features, each arc carrying its parts and path in words.

Every part is rounded to a multiple of ``QUANTUM`` (1/4096), so the parts of a score add up to it
exactly in any order, and the solvers' integer costs (score × 4096) represent it without error.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel, ConfigDict, Field

from engine.matching.model import FEATURES, URGENCY_LEVELS, Candidate, NeedSpec, OfferingSpec
from graph_schema.domain import VULNERABLE_BENEFICIARIES

if TYPE_CHECKING:
    from engine.matching.candidates import ArcFacts

QUANTUM_STEPS = 4096
QUANTUM = 1.0 / QUANTUM_STEPS

PROVIDER_VIEW: tuple[str, ...] = (
    "category",
    "skills",
    "distance",
    "agreement",
    "registration",
    "place",
    "history",
)
"""The parts a provider ranks needs by when it claims by preference (``stable`` methods)."""

_PLACE_WORDS = {3: "同一网格", 2: "同一社区", 1: "同一街道"}
_MAX_URGENCY = max(URGENCY_LEVELS.values())

Floats = NDArray[np.float64]


class ScoreWeights(BaseModel):
    """Points per feature; the settings layer fills these from the environment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category_same: float = Field(10.0, ge=0, description="offering in the need's own category")
    category_related: float = Field(6.0, ge=0, description="offering in the parent or a child category")
    skills: float = Field(6.0, ge=0, description="times the share of the offering's skills the need uses")
    distance: float = Field(
        10.0, ge=0, description="at distance 0, falling linearly to 0 at distance_scale_km"
    )
    distance_scale_km: float = Field(5.0, gt=0, description="distance at which the distance part reaches 0")
    agreement: float = Field(8.0, ge=0, description="provider holds a 共建协议 with the need's community")
    registration: float = Field(6.0, ge=0, description="provider reported to the need's community (双报到)")
    same_grid: float = Field(6.0, ge=0, description="provider in the need's grid")
    same_community: float = Field(4.0, ge=0, description="provider in the need's community")
    same_street: float = Field(2.0, ge=0, description="provider in the need's street")
    history: float = Field(6.0, ge=0, description="at history_cap good-rated projects in the community")
    history_cap: int = Field(3, ge=1, description="good-rated projects that earn the full history part")
    urgency: float = Field(12.0, ge=0, description="for 特急, in proportion for lower urgencies")
    vulnerable: float = Field(6.0, ge=0, description="need serves 独居老人, 残疾人, 困难家庭 or 儿童")
    load: float = Field(5.0, ge=0, description="subtracted at load_cap projects carried so far")
    load_cap: int = Field(10, ge=1, description="load at which the full load penalty applies")


def quantize(values: ArrayLike) -> Floats:
    """Round to the nearest multiple of ``QUANTUM`` (exactly representable, exactly summable)."""
    out = np.multiply(np.asarray(values, dtype=np.float64), QUANTUM_STEPS)
    np.rint(out, out=out)
    out /= QUANTUM_STEPS
    return out


def _vulnerable(needs: Sequence[NeedSpec]) -> NDArray[np.bool_]:
    """Whether each need serves a vulnerable group (decided once per distinct set of groups)."""
    groups = list(map(attrgetter("beneficiaries"), needs))
    serves = {g: not g.isdisjoint(VULNERABLE_BENEFICIARIES) for g in set(groups)}
    return np.fromiter(map(serves.__getitem__, groups), dtype=bool, count=len(groups))


def _flag(flags: NDArray[np.bool_]) -> NDArray[np.uint8]:
    """Flags as 0/1 indexes into a two-entry table (a view, no copy)."""
    return np.asarray(flags, dtype=bool).view(np.uint8)


def score_arcs(
    facts: ArcFacts, needs: Sequence[NeedSpec], offerings: Sequence[OfferingSpec], weights: ScoreWeights
) -> ScoredArcs:
    """The parts and total score of every arc, vectorised; parts in ``FEATURES`` order.

    The parts are computed as one row per feature (contiguous, so the sums run at memory speed)
    and handed out as one row per arc; a part that takes a few values (per flag, level or need)
    is quantized once per value and looked up."""
    w = weights
    n = len(facts)
    col = {f: i for i, f in enumerate(FEATURES)}
    no_yes = np.asarray([False, True])
    rows = np.zeros((len(FEATURES), n), dtype=np.float64)
    category = quantize(np.asarray([w.category_related, w.category_same]))
    rows[col["category"]] = category[_flag(facts.category_same)]
    rows[col["skills"]] = quantize(w.skills * facts.skill_share)
    d = facts.distance_km
    closeness = np.clip(1.0 - np.nan_to_num(d, nan=math.inf) / w.distance_scale_km, 0.0, 1.0)
    rows[col["distance"]] = quantize(w.distance * closeness)
    rows[col["agreement"]] = quantize(w.agreement * no_yes)[_flag(facts.agreement)]
    rows[col["registration"]] = quantize(w.registration * no_yes)[_flag(facts.registration)]
    place_points = np.asarray([0.0, w.same_street, w.same_community, w.same_grid])
    rows[col["place"]] = quantize(place_points)[facts.place]
    history = w.history * np.arange(w.history_cap + 1) / w.history_cap  # history is never negative
    rows[col["history"]] = quantize(history)[np.minimum(facts.history, w.history_cap)]
    urgency = map(URGENCY_LEVELS.__getitem__, map(attrgetter("urgency"), needs))
    level = np.fromiter(urgency, dtype=np.float64, count=len(needs))
    rows[col["urgency"]] = quantize(w.urgency * level / _MAX_URGENCY)[facts.need]
    rows[col["vulnerable"]] = quantize(w.vulnerable * _vulnerable(needs))[facts.need]
    rows[col["load"]] = quantize(-w.load * np.minimum(facts.load, w.load_cap) / w.load_cap)
    score = np.zeros(n, dtype=np.float64)
    for j in range(len(FEATURES)):
        score += rows[j]
    provider_view = np.zeros(n, dtype=np.float64)
    for f in PROVIDER_VIEW:
        provider_view += rows[col[f]]
    parts = np.ascontiguousarray(rows.T)
    return ScoredArcs(facts, parts, score, provider_view, tuple(needs), tuple(offerings))


_PARTS_TEMPLATE = "{" + ", ".join(f"{json.dumps(name, ensure_ascii=False)}: %r" for name in FEATURES) + "}"


@dataclass(frozen=True, eq=False)
class ScoredArcs:
    """Candidate arcs with their facts, parts (one column per feature), score and provider-side score."""

    facts: ArcFacts
    parts: NDArray[np.float64]
    score: Floats
    provider_view: Floats  # sum of the PROVIDER_VIEW parts
    needs: tuple[NeedSpec, ...]
    offerings: tuple[OfferingSpec, ...]

    def __len__(self) -> int:
        return int(self.score.shape[0])

    def take(self, idx: NDArray[np.int64]) -> ScoredArcs:
        """The arcs at ``idx``, in that order: these very arcs when ``idx`` is every arc in order
        (a problem built from arcs already in its canonical order takes them so; nothing writes
        into the columns)."""
        if idx.shape[0] == len(self) and np.array_equal(idx, np.arange(len(self))):
            return self
        return ScoredArcs(
            self.facts.take(idx),
            self.parts[idx],
            self.score[idx],
            self.provider_view[idx],
            self.needs,
            self.offerings,
        )

    def restrict(self, needs: NDArray[np.int64], used: Mapping[str, int] | None = None) -> ScoredArcs:
        """The arcs of the needs at indexes ``needs``, over just those needs and the offerings their
        arcs reach (re-indexed), each offering's capacity less ``used`` (id -> needs promised
        elsewhere, never below 0): one partition of a problem scored once."""
        keep = np.zeros(len(self.needs), dtype=bool)
        keep[needs] = True
        idx = np.flatnonzero(keep[self.facts.need]).astype(np.int64)
        facts = self.facts.take(idx)
        offs = np.unique(facts.offering)
        need_map = np.full(len(self.needs), -1, dtype=np.int64)
        need_map[needs] = np.arange(len(needs), dtype=np.int64)
        off_map = np.full(len(self.offerings), -1, dtype=np.int64)
        off_map[offs] = np.arange(len(offs), dtype=np.int64)
        taken = used or {}
        offerings = tuple(
            replace(o, capacity=max(0, o.capacity - taken[o.id])) if taken.get(o.id) else o
            for o in (self.offerings[int(j)] for j in offs)
        )
        return ScoredArcs(
            replace(facts, need=need_map[facts.need], offering=off_map[facts.offering]),
            self.parts[idx],
            self.score[idx],
            self.provider_view[idx],
            tuple(self.needs[int(i)] for i in needs),
            offerings,
        )

    def _offering_rank(self) -> NDArray[np.int64]:
        ids = np.asarray([o.id for o in self.offerings], dtype=object)
        rank = np.empty(len(ids), dtype=np.int64)
        rank[np.argsort(ids, kind="stable")] = np.arange(len(ids), dtype=np.int64)
        return rank

    def _need_best_order(self) -> NDArray[np.int64]:
        off_rank = self._offering_rank()[self.facts.offering]
        return np.lexsort((off_rank, -self.score, self.facts.need)).astype(np.int64)

    def top_per_need(self, k: int) -> ScoredArcs:
        """Each need's ``k`` best arcs (score, then offering id), kept in (need, offering) order."""
        if k < 1:
            raise ValueError("max_per_need 至少为 1")
        order = self._need_best_order()
        needs = self.facts.need[order]
        first = np.searchsorted(needs, needs, side="left")
        keep = order[np.arange(order.shape[0]) - first < k]
        return self.take(np.sort(keep))

    def path_words(self, i: int) -> str:
        """The graph path linking provider and need, e.g. “同一社区 · 已签共建协议 · 距离 0.8 公里”."""
        f = self.facts
        words = []
        if f.place[i]:
            words.append(_PLACE_WORDS[int(f.place[i])])
        if f.agreement[i]:
            words.append("已签共建协议")
        if f.registration[i]:
            words.append("已到本社区双报到")
        if f.history[i]:
            words.append(f"在本社区有 {int(f.history[i])} 个好评项目")
        d = float(f.distance_km[i])
        if not math.isnan(d):
            words.append(f"距离 {d:.1f} 公里")
        return " · ".join(words) if words else "类别相符"

    def parts_json(self, arcs: Sequence[int]) -> list[str]:
        """The named parts of some arcs as JSON objects (``json.dumps`` of ``candidate(i).parts``),
        written from one template: a proposal stores them, and a city run writes 15k."""
        parts = self.parts[np.asarray(arcs, dtype=np.int64)] if len(arcs) else np.empty((0, len(FEATURES)))
        if not np.isfinite(parts).all():  # JSON has no NaN: the encoder's own form for those
            return [
                json.dumps(dict(zip(FEATURES, row, strict=True)), ensure_ascii=False)
                for row in parts.tolist()
            ]
        return [_PARTS_TEMPLATE % tuple(row) for row in parts.tolist()]

    def candidate(self, i: int) -> Candidate:
        """Arc ``i`` as a Candidate with parts and words."""
        f = self.facts
        d = float(f.distance_km[i])
        return Candidate(
            need_id=self.needs[int(f.need[i])].id,
            offering_id=self.offerings[int(f.offering[i])].id,
            provider_id=f.providers[int(f.provider[i])],
            score=float(self.score[i]),
            parts={name: float(v) for name, v in zip(FEATURES, self.parts[i].tolist(), strict=True)},
            path_words=self.path_words(i),
            distance_km=None if math.isnan(d) else d,
        )

    def candidates(self, order: Literal["need_best", "arcs"] = "arcs") -> list[Candidate]:
        """All arcs as Candidates, in arc order or by need then best score first."""
        idx = self._need_best_order() if order == "need_best" else range(len(self))
        return [self.candidate(int(i)) for i in idx]
