"""Recommendations with reasons: the best offerings for a need, the best needs for a provider."""

from __future__ import annotations

import numpy as np

from engine.matching.model import Candidate
from engine.matching.scoring import ScoredArcs


def _best(arcs: ScoredArcs, mask: np.ndarray, k: int, one_per: np.ndarray | None = None) -> list[Candidate]:
    """The ``k`` best-scoring arcs under ``mask`` (ties by need, then offering id), at most one per
    value of ``one_per``."""
    idx = np.flatnonzero(mask)
    if one_per is not None and idx.size:
        order = np.lexsort((-arcs.score[idx], one_per[idx]))
        first = np.concatenate([[True], np.diff(one_per[idx][order]) != 0])
        idx = idx[order[first]]
    cands = [arcs.candidate(int(i)) for i in idx]
    cands.sort(key=lambda c: (-c.score, c.need_id, c.offering_id))
    return cands[:k]


def offerings_for_need(arcs: ScoredArcs, need_id: str, k: int = 10) -> list[Candidate]:
    """A need's ``k`` best candidate offerings, best first, each with its parts and path in words."""
    positions = [i for i, n in enumerate(arcs.needs) if n.id == need_id]
    return _best(arcs, np.isin(arcs.facts.need, positions), k)


def needs_for_provider(arcs: ScoredArcs, provider_id: str, k: int = 10) -> list[Candidate]:
    """The ``k`` needs a unit or member fits best (through its best offering for each), best first."""
    if provider_id not in arcs.facts.providers:
        return []
    mask = arcs.facts.provider == arcs.facts.providers.index(provider_id)
    return _best(arcs, mask, k, one_per=arcs.facts.need)
