"""Plain data handed to and returned by the matching engine: needs, offerings, graph ties, pairs.

The service reads these from the store; everything in ``engine.matching`` works on them alone.
Times are epoch seconds (floats) made by the caller; places are WGS-84 latitude/longitude.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

URGENCY_LEVELS: Mapping[str, int] = {"low": 0, "normal": 1, "high": 2, "urgent": 3}
"""Urgency codes of ``graph_schema.domain.URGENCIES`` and their order."""

URGENT = frozenset({"high", "urgent"})
"""Urgency codes that count as urgent for ``urgent_first`` and the reports."""

FEATURE_NAMES: Mapping[str, str] = {
    "category": "类别相符",
    "skills": "技能匹配",
    "distance": "距离近",
    "agreement": "共建协议",
    "registration": "双报到",
    "place": "同网格/社区/街道",
    "history": "好评记录",
    "urgency": "紧急程度",
    "vulnerable": "困难群体",
    "load": "已承接任务",
}
"""The score's named parts, in order, with the words a secretary reads."""

FEATURES: tuple[str, ...] = tuple(FEATURE_NAMES)

ProviderKind = Literal["unit", "member"]
Window = tuple[float, float]


def _frozen(value: Iterable[str]) -> frozenset[str]:
    return value if isinstance(value, frozenset) else frozenset(value)


def place_problem(lat: object, lon: object) -> str | None:
    """What is wrong with a (latitude, longitude) pair, in words; None when it is usable: both
    absent, or both finite numbers within -90..90 and -180..180."""
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        return "位置只有纬度,缺少经度" if lon is None else "位置只有经度,缺少纬度"
    if (
        isinstance(lat, bool)
        or isinstance(lon, bool)
        or not isinstance(lat, int | float)
        or not isinstance(lon, int | float)
    ):
        return "经纬度应为数字"
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also refuses NaN
        return "经纬度超出范围(纬度 -90 到 90,经度 -180 到 180)"
    return None


def _check_place(lat: float | None, lon: float | None, kind: str, item_id: str) -> None:
    """ValueError naming the item when its place is unusable (the words are built only then: a
    city's dispatch builds 25k specs)."""
    if lat is None and lon is None:
        return
    problem = place_problem(lat, lon)
    if problem is not None:
        raise ValueError(f"{kind} {item_id}: {problem}")


def _check_window(window: Window | None, kind: str, item_id: str) -> None:
    if window is not None and window[0] > window[1]:
        raise ValueError(f"{kind} {item_id}: 开始时间晚于结束时间")


@dataclass(frozen=True, slots=True)
class NeedSpec:
    """One open need 需求 as the matcher sees it: what, how many providers, where, when, for whom."""

    id: str
    category: str
    demand: int = 1  # providers wanted (people_wanted)
    urgency: str = "normal"
    skills: frozenset[str] = frozenset()
    lat: float | None = None
    lon: float | None = None
    window: Window | None = None  # (start, end) epoch seconds; None = any time
    grid_id: str | None = None
    community_id: str | None = None
    street_id: str | None = None
    beneficiaries: frozenset[str] = frozenset()
    beneficiary_count: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "skills", _frozen(self.skills))
        object.__setattr__(self, "beneficiaries", _frozen(self.beneficiaries))
        if self.demand < 1:
            raise ValueError(f"需求 {self.id}: 所需人数至少为 1")
        if self.urgency not in URGENCY_LEVELS:
            raise ValueError(f"需求 {self.id}: 未知的紧急程度 {self.urgency}")
        _check_place(self.lat, self.lon, "需求", self.id)
        _check_window(self.window, "需求", self.id)

    @property
    def urgent(self) -> bool:
        """True for the urgency levels in ``URGENT`` (紧急, 特急)."""
        return self.urgency in URGENT


@dataclass(frozen=True, slots=True)
class OfferingSpec:
    """One offering 资源 of a unit or member with the capacity it has left in the period."""

    id: str
    provider_id: str
    category: str
    capacity: int = 1  # needs it can still serve; 0 = exhausted
    provider_kind: ProviderKind = "unit"
    skills: frozenset[str] = frozenset()
    lat: float | None = None
    lon: float | None = None
    radius_km: float = 0.0  # 0 = reached only through graph ties
    window: Window | None = None  # availability (start, end) epoch seconds; None = always

    def __post_init__(self) -> None:
        object.__setattr__(self, "skills", _frozen(self.skills))
        if self.capacity < 0:
            raise ValueError(f"资源 {self.id}: 剩余容量不能为负")
        if self.radius_km < 0:
            raise ValueError(f"资源 {self.id}: 服务半径不能为负")
        _check_place(self.lat, self.lon, "资源", self.id)
        _check_window(self.window, "资源", self.id)


@dataclass(frozen=True, slots=True)
class ProviderPlace:
    """Where a provider sits in the territory: its grid, community and street (any may be unknown)."""

    grid_id: str | None = None
    community_id: str | None = None
    street_id: str | None = None


@dataclass(frozen=True)
class GraphTies:
    """Graph facts linking providers to communities, read by the service and handed in as data."""

    agreements: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """provider id -> community ids it holds an active 共建协议 with"""
    registrations: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """provider id -> community ids it has reported to (双报到)"""
    places: Mapping[str, ProviderPlace] = field(default_factory=dict)
    """provider id -> its grid/community/street"""
    good_projects: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """(provider id, community id) -> earlier projects there rated good"""
    load: Mapping[str, int] = field(default_factory=dict)
    """provider id -> projects it carries so far in the period"""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible (need, offering) pair with its score, the score's named parts and the path in words."""

    need_id: str
    offering_id: str
    provider_id: str
    score: float
    parts: Mapping[str, float]  # feature -> points; the values sum exactly to ``score``
    path_words: str  # e.g. “同一社区 · 已签共建协议 · 距离 0.8 公里”
    distance_km: float | None = None

    def reasons(self) -> str:
        """The score's non-zero parts in words a secretary reads, e.g. “类别相符 +10.00 · 距离近 +7.50”."""
        return " · ".join(f"{FEATURE_NAMES.get(k, k)} {v:+.2f}" for k, v in self.parts.items() if v != 0)


@dataclass(frozen=True, slots=True)
class Pair:
    """One assigned (need, offering) pair; ``arc`` indexes the problem's candidate arcs."""

    need_id: str
    offering_id: str
    provider_id: str
    score: float
    arc: int


@dataclass(frozen=True)
class Assignment:
    """A solver's answer: the pairs, their total score, providers per need, and how it was found."""

    pairs: tuple[Pair, ...]
    objective: float
    served: Mapping[str, int]  # need id -> providers assigned (needs with none are absent)
    method: str
    stats: Mapping[str, float | int | str | bool] = field(default_factory=dict)

    @property
    def arcs(self) -> frozenset[int]:
        """The problem arc indices chosen."""
        return frozenset(p.arc for p in self.pairs)
