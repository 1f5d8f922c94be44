"""The mutable state of one generation run: the seeded random source, the rows, and small helpers."""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Iterable
from datetime import timedelta
from itertools import accumulate
from typing import Any, Generic, TypeVar

from engine.demo.dataset import NODE_LABELS, DemoDataset, RelKey
from engine.demo.sizes import REFERENCE

T = TypeVar("T")

KM_PER_DEG_LAT = 111.0
KM_PER_DEG_LON = 111.0 * math.cos(math.radians(25.04))


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integer shares proportional to ``weights`` (largest remainder, stable)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    shares = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (shares[i] - raw[i], i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


class Weighted(Generic[T]):
    """A fixed table of (value, weight) to draw from many times (cumulative weights built once)."""

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        table = list(pairs)
        self.values = [v for v, _ in table]
        self.cum = list(accumulate(w for _, w in table))

    def draw(self, rng: random.Random) -> T:
        """One value, with probability proportional to its weight."""
        return self.values[bisect(self.cum, rng.random() * self.cum[-1])]


class Builder:
    """Collects nodes and relationships in creation order, with one ``random.Random`` for all draws."""

    def __init__(self, size: str, seed: int) -> None:
        self.rng = random.Random(seed)
        self.dataset = DemoDataset(size, seed, {label: [] for label in NODE_LABELS}, {})
        self._dates: dict[int, str] = {}

    def add(self, label: str, props: dict[str, Any]) -> dict[str, Any]:
        """Append a node (without None values) and return the stored dict, still open to updates."""
        node = {k: v for k, v in props.items() if v is not None}
        self.dataset.nodes[label].append(node)
        return node

    def link(
        self, rel: str, start: tuple[str, str], end: tuple[str, str], props: dict[str, Any] | None = None
    ) -> None:
        """Append a relationship from ``start`` to ``end``, each given as (label, id)."""
        key: RelKey = (rel, start[0], end[0])
        rows = self.dataset.rels.get(key)
        if rows is None:
            rows = self.dataset.rels[key] = []
        rows.append({"start": start[1], "end": end[1], "props": props or {}})

    def near(self, point: tuple[float, float], km: float) -> tuple[float, float]:
        """A point uniformly inside a disc of ``km`` around ``point``, rounded to about 0.1 m."""
        r = km * math.sqrt(self.rng.random())
        a = self.rng.random() * 2 * math.pi
        return (
            round(point[0] + r * math.cos(a) / KM_PER_DEG_LAT, 6),
            round(point[1] + r * math.sin(a) / KM_PER_DEG_LON, 6),
        )

    def date(self, offset_days: int) -> str:
        """The ISO date ``offset_days`` after the reference date (negative: before)."""
        text = self._dates.get(offset_days)
        if text is None:
            text = self._dates[offset_days] = (REFERENCE + timedelta(days=offset_days)).date().isoformat()
        return text

    def moment(self, offset_days: int, hour: int = 1) -> str:
        """An ISO-8601 UTC date-time on that day at ``hour`` o'clock UTC (01:00Z is 09:00 in 昆明)."""
        return f"{self.date(offset_days)}T{hour:02d}:00:00Z"

    def stamps(self, offset_days: int) -> dict[str, str]:
        """``created_at`` and ``updated_at`` for a record created that day."""
        at = self.moment(offset_days)
        return {"created_at": at, "updated_at": at}
