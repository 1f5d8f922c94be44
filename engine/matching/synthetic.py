"""Synthetic matching instances shaped like real districts, for benchmarks and tests.

Uniform random scores show nothing (greedy reaches 99.9% of the optimum), so the instances carry
the structure of a 城区: streets of communities and grids; old compounds 老旧小区 where urgent needs
and vulnerable residents cluster; few units with wide reach, many capacity and agreements, some of
them popular (good-rated history, load); many members with small radius and capacity; scarce skills
(医疗, 心理疏导, 法律 …) and categories where supply lags demand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from engine.matching.model import GraphTies, NeedSpec, OfferingSpec, ProviderPlace
from graph_schema.taxonomy import BASE_BY_ID as CATEGORY_BY_ID  # the first 55 entries: instances as measured
from graph_schema.taxonomy import BASE_CATEGORIES as CATEGORIES

T = TypeVar("T")
CENTER = (30.64, 104.04)  # 成都武侯
DAY = 86400.0
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
SCARCE_SKILLS = ("医疗", "护理", "心理疏导", "法律", "调解", "急救", "水电", "家电维修")

# Relative demand and supply by top category: supply lags in health, psych, legal and repair.
DEMAND = {
    "elderly": 9, "health": 6, "children": 5, "repair": 4, "property": 3, "legal": 3, "psych": 2,
    "employment": 2, "environment": 3, "culture": 2, "safety": 2, "new_employment": 1, "venue": 1,
    "emergency": 1,
}  # fmt: skip
SUPPLY = {
    "elderly": 7, "health": 2, "children": 4, "repair": 2, "property": 2, "legal": 1, "psych": 1,
    "employment": 3, "environment": 6, "culture": 7, "safety": 3, "new_employment": 1, "venue": 3,
    "emergency": 1,
}  # fmt: skip


LEAVES: dict[str, list[str]] = {
    t: [c.id for c in CATEGORIES if c.parent == t] for t in (c.id for c in CATEGORIES if c.parent is None)
}


@dataclass(frozen=True)
class Instance:
    """Needs, offerings and ties of one synthetic partition."""

    needs: list[NeedSpec]
    offerings: list[OfferingSpec]
    ties: GraphTies


@dataclass(frozen=True)
class _Areas:
    street: np.ndarray  # community -> street index
    lat: np.ndarray  # grid centres
    lon: np.ndarray
    grid_community: np.ndarray
    old: np.ndarray  # community is an old compound
    comm_lat: np.ndarray
    comm_lon: np.ndarray


def _km_to_deg(lat: float) -> tuple[float, float]:
    return 1 / 111.195, 1 / (111.195 * math.cos(math.radians(lat)))


def _areas(rng: np.random.Generator, n_streets: int) -> _Areas:
    side = math.ceil(math.sqrt(n_streets))
    dlat, dlon = _km_to_deg(CENTER[0])
    sx = (np.arange(n_streets) % side - side / 2) * 3.0 + rng.normal(0, 0.3, n_streets)
    sy = (np.arange(n_streets) // side - side / 2) * 3.0 + rng.normal(0, 0.3, n_streets)
    per_street, per_comm = 8, 5
    street = np.repeat(np.arange(n_streets), per_street)
    cx = sx[street] + rng.uniform(-1.2, 1.2, street.size)
    cy = sy[street] + rng.uniform(-1.2, 1.2, street.size)
    grid_community = np.repeat(np.arange(street.size), per_comm)
    gx = cx[grid_community] + rng.uniform(-0.35, 0.35, grid_community.size)
    gy = cy[grid_community] + rng.uniform(-0.35, 0.35, grid_community.size)
    return _Areas(
        street=street,
        lat=CENTER[0] + gy * dlat,
        lon=CENTER[1] + gx * dlon,
        grid_community=grid_community,
        old=rng.random(street.size) < 0.25,
        comm_lat=CENTER[0] + cy * dlat,
        comm_lon=CENTER[1] + cx * dlon,
    )


def _category_pick(rng: np.random.Generator, weights: dict[str, int], n: int, leaf_share: float) -> list[str]:
    """Categories: a top category by weight, then one of its leaves (or the top one itself)."""
    tops = list(weights)
    p = np.asarray([weights[t] for t in tops], dtype=float)
    chosen = rng.choice(len(tops), size=n, p=p / p.sum())
    out = []
    picks = rng.random(n)
    for i, use_leaf, u in zip(
        chosen.tolist(), (rng.random(n) < leaf_share).tolist(), picks.tolist(), strict=True
    ):
        top = tops[i]
        out.append(LEAVES[top][int(u * len(LEAVES[top]))] if use_leaf else top)
    return out


def _window(
    rng: np.random.Generator, open_share: float, min_days: float, max_days: float
) -> tuple[float, float] | None:
    if rng.random() < open_share:
        return None
    start = START + rng.uniform(0, 30) * DAY
    return start, start + rng.uniform(min_days, max_days) * DAY


def _draw(rng: np.random.Generator, values: Sequence[T], p: list[float], n: int) -> list[T]:
    """``n`` draws from ``values`` with probabilities ``p``, vectorised."""
    return [values[k] for k in rng.choice(len(values), size=n, p=p).tolist()]


def _needs(rng: np.random.Generator, areas: _Areas, n: int) -> list[NeedSpec]:
    weight = np.where(areas.old[areas.grid_community], 2.5, 1.0)
    grids = rng.choice(areas.lat.size, size=n, p=weight / weight.sum()).tolist()
    dlat, dlon = _km_to_deg(CENTER[0])
    cats = _category_pick(rng, DEMAND, n, leaf_share=1.0)
    levels = ["urgent", "high", "normal", "low"]
    urgency = {
        True: _draw(rng, levels, [0.2, 0.25, 0.4, 0.15], n),
        False: _draw(rng, levels, [0.03, 0.07, 0.6, 0.3], n),
    }
    n_skills = _draw(rng, [0, 1, 2], [0.3, 0.55, 0.15], n)
    demand = _draw(rng, [1, 2, 3], [0.75, 0.18, 0.07], n)
    jitter = rng.normal(0, 0.15, size=(n, 2))
    coin = rng.random((n, 3))
    start = START + rng.uniform(0, 30, n) * DAY
    length = rng.uniform(1, 14, n) * DAY
    out = []
    for i, g in enumerate(grids):
        comm = int(areas.grid_community[g])
        old = bool(areas.old[comm])
        typical = CATEGORY_BY_ID[cats[i]].skills
        skills = frozenset(rng.permutation(len(typical))[: n_skills[i]].tolist())
        vulnerable = (
            ("elderly_alone", "disabled", "low_income") if old else ("children", "elderly", "residents")
        )
        out.append(
            NeedSpec(
                id=f"need-{i:06d}",
                category=cats[i],
                demand=demand[i],
                urgency=urgency[old][i],
                skills=frozenset(typical[k] for k in skills),
                lat=float(areas.lat[g] + jitter[i, 0] * dlat),
                lon=float(areas.lon[g] + jitter[i, 1] * dlon),
                window=(float(start[i]), float(start[i] + length[i])),
                grid_id=f"g{g}",
                community_id=f"c{comm}",
                street_id=f"s{areas.street[comm]}",
                beneficiaries=frozenset(
                    b for b, c in zip(vulnerable, coin[i], strict=True) if c < (0.45 if old else 0.2)
                ),
                beneficiary_count=1 + i % 39,
            )
        )
    return out


def _skills(rng: np.random.Generator, category: str, scarce_share: float) -> frozenset[str]:
    typical = [
        s for s in CATEGORY_BY_ID[category].skills if s not in SCARCE_SKILLS or rng.random() < scarce_share
    ]
    extra = [str(rng.choice(SCARCE_SKILLS))] if rng.random() < scarce_share / 2 else []
    return frozenset(typical + extra)


def synthetic_district(
    n_needs: int, n_offerings: int, *, seed: int = 0, n_streets: int | None = None, reach: float = 1.0
) -> Instance:
    """A partition of ``n_needs`` needs and about ``n_offerings`` offerings; ``reach`` scales radii."""
    rng = np.random.default_rng(seed)
    areas = _areas(rng, n_streets or max(1, round(n_needs / 500)))
    needs = _needs(rng, areas, n_needs)
    n_comm = areas.street.size
    dlat, dlon = _km_to_deg(CENTER[0])
    offerings: list[OfferingSpec] = []
    agreements: dict[str, frozenset[str]] = {}
    registrations: dict[str, frozenset[str]] = {}
    places: dict[str, ProviderPlace] = {}
    good: dict[tuple[str, str], int] = {}
    load: dict[str, int] = {}
    unit_offerings = int(n_offerings * 0.35)
    popularity = rng.zipf(1.8, size=max(1, unit_offerings // 5))
    u = 0
    while len(offerings) < unit_offerings:
        pid, comm = f"unit-{u:05d}", int(rng.integers(n_comm))
        pop = int(min(popularity[u % popularity.size], 30))
        near = np.argsort(
            (areas.comm_lat - areas.comm_lat[comm]) ** 2 + (areas.comm_lon - areas.comm_lon[comm]) ** 2
        )
        partners = near[: int(rng.integers(2, 7))]
        agreements[pid] = frozenset(f"c{c}" for c in partners)
        places[pid] = ProviderPlace(None, f"c{comm}", f"s{areas.street[comm]}")
        for c in partners[: 1 + pop // 3]:
            good[(pid, f"c{c}")] = int(min(pop, 6))
        load[pid] = int(min(2 * pop, 20))
        lat = float(areas.comm_lat[comm] + rng.normal(0, 0.2) * dlat)
        lon = float(areas.comm_lon[comm] + rng.normal(0, 0.2) * dlon)
        for j, cat in enumerate(_category_pick(rng, SUPPLY, int(rng.integers(3, 9)), leaf_share=0.6)):
            offerings.append(
                OfferingSpec(
                    id=f"off-u{u:05d}-{j}",
                    provider_id=pid,
                    category=cat,
                    capacity=int(rng.integers(1, 4)) + pop // 4,
                    provider_kind="unit",
                    skills=_skills(rng, cat, 0.5),
                    lat=lat,
                    lon=lon,
                    radius_km=float(rng.uniform(1.5, 4.0) * reach),
                    window=_window(rng, 0.7, 20, 60),
                )
            )
        u += 1
    m = 0
    while len(offerings) < n_offerings:
        pid, g = f"member-{m:06d}", int(rng.integers(areas.lat.size))
        comm = int(areas.grid_community[g])
        if rng.random() < 0.6:
            registrations[pid] = frozenset({f"c{comm}"})
        places[pid] = ProviderPlace(f"g{g}", f"c{comm}", f"s{areas.street[comm]}")
        for j, cat in enumerate(
            _category_pick(rng, SUPPLY, int(rng.choice([1, 2], p=[0.7, 0.3])), leaf_share=1.0)
        ):
            offerings.append(
                OfferingSpec(
                    id=f"off-m{m:06d}-{j}",
                    provider_id=pid,
                    category=cat,
                    capacity=1,
                    provider_kind="member",
                    skills=_skills(rng, cat, 0.15),
                    lat=float(areas.lat[g] + rng.normal(0, 0.2) * dlat),
                    lon=float(areas.lon[g] + rng.normal(0, 0.2) * dlon),
                    radius_km=float(rng.uniform(0.5, 1.5) * reach),
                    window=_window(rng, 0.6, 10, 40),
                )
            )
        m += 1
    ties = GraphTies(
        agreements=agreements, registrations=registrations, places=places, good_projects=good, load=load
    )
    return Instance(needs, offerings, ties)
