"""Candidate arcs: which offerings may serve which needs, found through indexes, not by trying all pairs.

An offering is a candidate for a need when its category fits (same, parent or child), its skills
cover the need's, its availability overlaps the need's window, it has capacity left, and the need's
place lies within its service radius (great-circle distance) or its provider is tied to the need's
community (共建协议, 双报到, same grid/community/street). Offerings are indexed by category and by a
spatial grid per radius class (cells as wide as the class's largest radius, so a need looks at the
3 × 3 cells around it) and by tie key, and the joins run in numpy. Longitudes are not wrapped
at ±180° (a partition does not cross the antimeridian).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from itertools import chain, count, repeat
from operator import attrgetter
from typing import Any, Generic, NamedTuple, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from engine.matching.model import Candidate, GraphTies, NeedSpec, OfferingSpec, ProviderPlace, Window
from engine.matching.scoring import ScoredArcs, ScoreWeights, score_arcs
from graph_schema.taxonomy import CATEGORY_BY_ID, related_categories

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180.0
BASE_CELL_KM = 0.25  # radius classes are BASE_CELL_KM * CLASS_RATIO**k
CLASS_RATIO = math.sqrt(2.0)  # a cell is at most √2 times the radius it serves
_MARGIN = 1.0 + 1e-9  # cells a hair wider than the radius, against rounding
_ROUNDING = 1e-9  # relative margin for rounding when the small-angle haversine decides a pair
_SMALL_ANGLE = 0.05  # radians: below it the small-angle haversine decides (errs < 0.1 %)
DENSE_KEYS = 1 << 23  # joins over smaller key spaces use an offsets table (64 MB at most)

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]

PLACE_NONE, PLACE_STREET, PLACE_COMMUNITY, PLACE_GRID = 0, 1, 2, 3

_ALWAYS: Window = (-math.inf, math.inf)  # the window of a spec without one
_NOWHERE = ProviderPlace()  # the place of a provider without one

Key = TypeVar("Key", bound=Hashable)


def haversine_km(lat1: Floats, lon1: Floats, lat2: Floats, lon2: Floats) -> Floats:
    """Great-circle distance in kilometres between arrays of points given in degrees."""
    a, b = _Points(lat1, lon1), _Points(lat2, lon2)
    every = np.arange(np.asarray(lat1).shape[0], dtype=np.int64)
    return a.distance_km(every, b, every)


class _Points:
    """Points in radians with their latitude cosines, computed once for many distance queries."""

    def __init__(self, lat: Floats, lon: Floats) -> None:
        self.lat = np.asarray(lat, dtype=np.float64)
        self.lon = np.asarray(lon, dtype=np.float64)
        self.phi = np.radians(self.lat)
        self.lam = np.radians(self.lon)
        self.cos = np.cos(self.phi)

    def distance_km(self, i: Ints, other: _Points, j: Ints) -> Floats:
        """Haversine distance between self[i] and other[j], elementwise."""
        h = (
            np.sin((other.phi[j] - self.phi[i]) / 2) ** 2
            + self.cos[i] * other.cos[j] * np.sin((other.lam[j] - self.lam[i]) / 2) ** 2
        )
        return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=np.float64)

    def within_km(self, i: Ints, other: _Points, j: Ints, radius: Floats, span: float) -> Bools:
        """``distance_km(i, other, j) <= radius[j]`` elementwise, the same answers, though only the
        pairs near their circle pay for the sines; ``span`` bounds half of every pair's difference
        of latitude and of longitude (radians). The others are decided by the haversine's
        small-angle form: sin² x <= x² and sin² x >= x² (1 - x²/3), so it errs by less than
        span²/3, and a pair beyond that margin (and the rounding's) of its circle is decided."""
        if span > _SMALL_ANGLE:
            return np.asarray(self.distance_km(i, other, j) <= radius[j])
        half_dphi = (other.phi[j] - self.phi[i]) * 0.5
        half_dlam = (other.lam[j] - self.lam[i]) * 0.5
        small = half_dphi * half_dphi + self.cos[i] * other.cos[j] * (half_dlam * half_dlam)
        limit = np.sin(radius / (2 * EARTH_RADIUS_KM)) ** 2  # a radius is below span·R: sin² rises there
        inside_below = limit * (1 - _ROUNDING)  # small form at most this: inside
        outside_above = limit * (1 + _ROUNDING) / (1 - span**2 / 3 - _ROUNDING)  # beyond this: outside
        inside = small <= inside_below[j]
        unsure = np.flatnonzero((small <= outside_above[j]) & ~inside)
        inside[unsure] = self.distance_km(i[unsure], other, j[unsure]) <= radius[j[unsure]]
        return inside


@dataclass(frozen=True, eq=False)
class ArcFacts:
    """Candidate arcs (need index, offering index into the inputs) and the graph facts scoring reads."""

    need: Ints
    offering: Ints
    provider: Ints  # index into ``providers``
    providers: tuple[str, ...]
    distance_km: Floats  # NaN when a place is unknown
    category_same: Bools
    skill_share: Floats  # share of the offering's skills that the need uses
    agreement: Bools
    registration: Bools
    place: NDArray[np.int8]  # PLACE_NONE … PLACE_GRID, the finest shared area
    history: Ints  # earlier good-rated projects of the provider in the need's community
    load: Ints  # the provider's load so far

    def __len__(self) -> int:
        return int(self.need.shape[0])

    def take(self, idx: Ints) -> ArcFacts:
        """The arcs at ``idx``, in that order."""
        kw = {f.name: getattr(self, f.name) for f in fields(self)}
        return ArcFacts(**{k: (v if k == "providers" else v[idx]) for k, v in kw.items()})


class _Codes(Generic[Key]):
    """Dense integer codes for hashable keys in the order they first appear, -1 for None.

    Whole columns go through C-level ``dict`` and ``map`` calls: a city run codes 25k specs."""

    def __init__(self) -> None:
        self.index: dict[Key, int] = {}

    def codes(self, keys: Sequence[Key | None]) -> Ints:
        """Codes of ``keys``, coding the new ones as they first appear."""
        known = dict.fromkeys(chain(self.index, keys))
        known.pop(None, None)
        if len(known) > len(self.index):
            self.index = dict(zip(cast("Iterable[Key]", known), count()))
        return self.lookup(keys)

    def lookup(self, keys: Sequence[Key | None]) -> Ints:
        """Codes of keys already known, -1 for unknown ones (adds nothing)."""
        code_of = cast("Callable[[Key | None, int], int]", self.index.get)  # None is never a key
        return np.fromiter(map(code_of, keys, repeat(-1)), dtype=np.int64, count=len(keys))


def _positions(lo: Ints, counts: Ints) -> Ints:
    """Every position of the ranges [lo, lo + counts), range after range, all vectorised."""
    starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
    return np.arange(starts.shape[0], dtype=np.int64) + starts


def _join(
    query_keys: Ints, query_values: Ints, entry_keys: Ints, entry_values: Ints, space: int
) -> tuple[Ints, Ints]:
    """Equi-join on keys in [0, space): (query value, entry value) for every pair of equal keys.
    A dense offsets table when the key space is small, binary search otherwise."""
    order = np.argsort(entry_keys, kind="stable")
    if space <= DENSE_KEYS:
        starts = np.zeros(space + 1, dtype=np.int64)
        np.cumsum(np.bincount(entry_keys, minlength=space), out=starts[1:])
        lo, hi = starts[query_keys], starts[query_keys + 1]
    else:
        sorted_keys = entry_keys[order]
        lo = np.searchsorted(sorted_keys, query_keys, side="left").astype(np.int64)
        hi = np.searchsorted(sorted_keys, query_keys, side="right").astype(np.int64)
    counts = hi - lo
    return np.repeat(query_values, counts), entry_values[order][_positions(lo, counts)]


def _column(items: Sequence[object], attr: str) -> list[Any]:
    """One attribute of every item, read by a C-level ``map`` (a city run reads 25k specs)."""
    return list(map(attrgetter(attr), items))


def _floats(values: Sequence[float | None]) -> Floats:
    """The values as floats, NaN for None."""
    return np.array(values, dtype=np.float64).reshape(-1)


def _windows(windows: Sequence[Window | None]) -> tuple[Floats, Floats]:
    """Starts and ends of windows, an absent window spanning all time."""
    bounds = np.fromiter(
        chain.from_iterable([_ALWAYS if w is None else w for w in windows]),
        dtype=np.float64,
        count=2 * len(windows),
    )
    return bounds[0::2], bounds[1::2]


def _popcount(a: NDArray[np.uint64]) -> Ints:
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(a).astype(np.int64)
    as_bytes = a.reshape(*a.shape, 1).view(np.uint8)  # pragma: no cover - numpy < 2
    return np.unpackbits(as_bytes, axis=-1).sum(axis=-1).astype(np.int64)  # pragma: no cover


class _SkillMasks:
    """Skill sets as bit masks (several 64-bit words when there are more than 64 skills)."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.bit = {s: i for i, s in enumerate(sorted(set(vocabulary)))}
        self.words = max(1, (len(self.bit) + 63) // 64)

    def masks(self, sets: Sequence[frozenset[str] | tuple[str, ...]]) -> NDArray[np.uint64]:
        """The mask of every set, one column each; each distinct set is masked once (a city's
        25k specs hold a few hundred distinct sets)."""
        distinct = _Codes[frozenset[str] | tuple[str, ...]]()
        which = distinct.codes(sets)
        rows, cols = [], []
        for j, skills in enumerate(distinct.index):
            for s in skills:
                b = self.bit.get(s)
                if b is not None:
                    rows.append(b)
                    cols.append(j)
        out = np.zeros((self.words, len(distinct.index)), dtype=np.uint64)
        if rows:
            r = np.asarray(rows, dtype=np.int64)
            c = np.asarray(cols, dtype=np.int64)
            np.bitwise_or.at(out, (r // 64, c), np.left_shift(np.uint64(1), (r % 64).astype(np.uint64)))
        return out[:, which]


def _grid_keys(lat: Floats, lon: Floats, dlat: float, dlon: float) -> tuple[Ints, Ints]:
    return np.floor(lat / dlat).astype(np.int64), np.floor(lon / dlon).astype(np.int64)


def _spatial_pairs(
    need_at: _Points,
    q_need: Ints,
    q_cat: Ints,
    off: Ints,
    off_at: _Points,
    off_radius: Floats,
    off_cat: Ints,
    n_cats: int,
) -> tuple[Ints, Ints]:
    """Pairs (need, offering) of related category with the need inside the offering's radius."""
    empty = np.empty(0, dtype=np.int64)
    need_lat, need_lon, off_lat, off_lon = need_at.lat, need_at.lon, off_at.lat, off_at.lon
    keep = ~np.isnan(need_lat[q_need])
    q_need, q_cat = q_need[keep], q_cat[keep]
    if off.size == 0 or q_need.size == 0:
        return empty, empty
    radius = off_radius[off]
    klass = np.ceil(np.log(np.maximum(radius / BASE_CELL_KM, 1.0)) / math.log(CLASS_RATIO) - 1e-9)
    klass = klass.astype(np.int64)
    lat_max = float(max(np.abs(need_lat[q_need]).max(), np.abs(off_lat[off]).max()))
    out_n: list[Ints] = []
    out_o: list[Ints] = []
    qlat, qlon = need_lat[q_need], need_lon[q_need]
    for k in np.unique(klass):
        members = off[klass == k]
        size = max(BASE_CELL_KM * CLASS_RATIO ** int(k), float(off_radius[members].max()))
        dlat = size / KM_PER_DEGREE * _MARGIN
        top = math.radians(min(90.0, lat_max + math.degrees(size / EARTH_RADIUS_KM)))
        ratio = math.sin(size / EARTH_RADIUS_KM) / max(math.cos(top), 1e-300)
        dlon = 360.0 if ratio >= 1.0 else math.degrees(math.asin(ratio)) * _MARGIN
        oy, ox = _grid_keys(off_lat[members], off_lon[members], dlat, dlon)
        qy, qx = _grid_keys(qlat, qlon, dlat, dlon)
        ymin = int(min(oy.min(), qy.min())) - 1
        xmin = int(min(ox.min(), qx.min())) - 1
        ny = int(max(oy.max(), qy.max())) - ymin + 2
        nx = int(max(ox.max(), qx.max())) - xmin + 2
        if n_cats * ny * nx >= 2**62:  # pragma: no cover - a continent at 250 m cells
            raise ValueError("空间索引过大: 请按街道分区匹配")
        entry = (off_cat[members] * ny + (oy - ymin)) * nx + (ox - xmin)
        base = (q_cat * ny + (qy - ymin)) * nx + (qx - xmin)
        queries = np.concatenate([base + dy * nx + dx for dy in (-1, 0, 1) for dx in (-1, 0, 1)])
        need_i, off_i = _join(queries, np.tile(q_need, 9), entry, members, n_cats * ny * nx)
        span = math.radians(max(dlat, dlon))  # a pair's differences are below two cells
        inside = need_at.within_km(need_i, off_at, off_i, off_radius, span)
        out_n.append(need_i[inside])
        out_o.append(off_i[inside])
    return np.concatenate(out_n), np.concatenate(out_o)


class _Level(NamedTuple):
    """One level of the territory (street, community or grid) with needs' and providers' areas
    coded alike, -1 where unknown (a provider's area that no need lies in counts as unknown)."""

    place: int  # PLACE_STREET, PLACE_COMMUNITY or PLACE_GRID
    areas: _Codes[str]
    need: Ints  # per need
    provider: Ints  # per provider


def _levels(needs: Sequence[NeedSpec], provider_ids: Sequence[str], ties: GraphTies) -> list[_Level]:
    """The street, community and grid levels, coarsest first."""
    placed = list(map(ties.places.get, provider_ids, repeat(_NOWHERE)))
    levels = []
    for place, attr in (
        (PLACE_STREET, "street_id"),
        (PLACE_COMMUNITY, "community_id"),
        (PLACE_GRID, "grid_id"),
    ):
        areas = _Codes[str]()
        need = areas.codes(_column(needs, attr))
        levels.append(_Level(place, areas, need, areas.lookup(_column(placed, attr))))
    return levels


def _provider_communities(
    mapping: Mapping[str, frozenset[str]], providers: _Codes[str], communities: _Codes[str]
) -> tuple[Ints, Ints]:
    """(provider, community) codes of the pairs of a provider -> communities mapping, both coded."""
    held = list(mapping.values())
    sizes = np.fromiter(map(len, held), dtype=np.int64, count=len(held))
    provider = np.repeat(providers.lookup(list(mapping)), sizes)
    community = communities.lookup(list(chain.from_iterable(held)))
    known = (provider >= 0) & (community >= 0)
    return provider[known], community[known]


def _placed(level: _Level) -> tuple[Ints, Ints]:
    """(provider, area) codes of the providers placed in some need's area at ``level``."""
    provider = np.flatnonzero(level.provider >= 0).astype(np.int64)
    return provider, level.provider[provider]


def _tie_pairs(
    q_need: Ints,
    q_cat: Ints,
    n_cats: int,
    usable: Ints,
    off_cat: Ints,
    off_prov: Ints,
    tied: Sequence[tuple[_Level, Ints, Ints]],
) -> tuple[Ints, Ints]:
    """Pairs (need, offering) of related category whose provider is tied to the need's area.

    ``tied`` holds per level the (provider, area) codes of the ties; the levels' areas are offset
    into one key space, so one join finds them all."""
    empty = np.empty(0, dtype=np.int64)
    query_keys: list[Ints] = []
    query_at: list[Ints] = []
    tie_provider: list[Ints] = []
    tie_key: list[Ints] = []
    offset = 0
    for level, provider, area in tied:
        need_area = level.need[q_need]
        has = np.flatnonzero(need_area >= 0).astype(np.int64)
        query_keys.append((need_area[has] + offset) * n_cats + q_cat[has])
        query_at.append(has)
        tie_provider.append(provider)
        tie_key.append(area + offset)
        offset += len(level.areas.index)
    codes = _sorted_unique(np.concatenate(tie_provider) * max(offset, 1) + np.concatenate(tie_key))
    if not codes.size or not usable.size:
        return empty, empty
    off, key = _join(off_prov[usable], usable, codes // offset, codes % offset, int(off_prov.max()) + 1)
    query_need = q_need[np.concatenate(query_at)]
    return _join(np.concatenate(query_keys), query_need, key * n_cats + off_cat[off], off, offset * n_cats)


def _pair_codes(a: Ints, b: Ints, width: int) -> Ints:
    return a * width + b


def _sorted_unique(a: Ints) -> Ints:
    """Sorted distinct values (sorting beats numpy's hash-based unique on millions of codes; codes
    in [0, 2³²) sort as 32-bit numbers, twice as fast)."""
    if not a.size:
        return a
    narrow = int(a.min()) >= 0 and int(a.max()) < 2**32
    s = np.sort(a.astype(np.uint32)).astype(np.int64) if narrow else np.sort(a)
    head = np.empty(s.shape[0], dtype=bool)
    head[0] = True
    np.not_equal(s[1:], s[:-1], out=head[1:])
    return s[head]


def _member_of(codes: Ints, table: Ints, space: int) -> Bools:
    """Whether each code (in [0, space), or -1 for none) is in the sorted ``table``: through a
    table of marks when the space is small (a lookup each), by binary search otherwise."""
    if not table.size:
        return np.zeros(codes.shape[0], dtype=bool)
    if space <= DENSE_KEYS:
        marked = np.zeros(space + 1, dtype=bool)  # the last mark stays False: code -1 reads it
        marked[table] = True
        return marked[codes]
    pos = np.clip(np.searchsorted(table, codes), 0, table.shape[0] - 1)
    return np.asarray(table[pos] == codes)


def _related_queries(need_cat: Ints, cats: _Codes[str], off_cat: Ints) -> tuple[Ints, Ints]:
    """(need, category) for every need and every offered category related to its own."""
    offered = np.zeros(len(cats.index), dtype=bool)
    offered[off_cat] = True
    related = [cats.lookup(sorted(related_categories(str(c)))) for c in cats.index]
    related = [rel[(rel >= 0) & offered[rel]] for rel in related]
    sizes = np.fromiter(map(len, related), dtype=np.int64, count=len(related))
    ends = np.cumsum(sizes)
    flat = np.concatenate(related) if related else np.empty(0, dtype=np.int64)
    counts = sizes[need_cat]
    q_need = np.repeat(np.arange(need_cat.shape[0], dtype=np.int64), counts)
    return q_need, flat[_positions(ends[need_cat] - counts, counts)]


def find_arcs(needs: Sequence[NeedSpec], offerings: Sequence[OfferingSpec], ties: GraphTies) -> ArcFacts:
    """All candidate arcs with their facts, sorted by (need index, offering index); never quadratic."""
    n_off = len(offerings)
    need_category: list[str] = _column(needs, "category")
    cats = _Codes[str]()
    off_cat = cats.codes(_column(offerings, "category"))
    need_cat = cats.codes(need_category)
    q_need, q_cat = _related_queries(need_cat, cats, off_cat)
    n_cats = len(cats.index)

    capacity = np.fromiter(map(attrgetter("capacity"), offerings), dtype=np.int64, count=n_off)
    usable = np.flatnonzero(capacity > 0).astype(np.int64)
    need_at = _Points(_floats(_column(needs, "lat")), _floats(_column(needs, "lon")))
    off_at = _Points(_floats(_column(offerings, "lat")), _floats(_column(offerings, "lon")))
    off_radius = np.fromiter(map(attrgetter("radius_km"), offerings), dtype=np.float64, count=n_off)
    reach = usable[~np.isnan(off_at.lat[usable]) & (off_radius[usable] > 0)]
    sn, so = _spatial_pairs(need_at, q_need, q_cat, reach, off_at, off_radius, off_cat, n_cats)

    providers = _Codes[str]()
    off_prov = providers.codes(_column(offerings, "provider_id"))
    provider_ids = tuple(providers.index)
    street, community, grid = _levels(needs, provider_ids, ties)
    agreed = _provider_communities(ties.agreements, providers, community.areas)
    registered = _provider_communities(ties.registrations, providers, community.areas)
    placed = _placed(community)
    tied = [
        (street, *_placed(street)),
        (
            community,
            np.concatenate([placed[0], agreed[0], registered[0]]),
            np.concatenate([placed[1], agreed[1], registered[1]]),
        ),
        (grid, *_placed(grid)),
    ]
    tn, to = _tie_pairs(q_need, q_cat, n_cats, usable, off_cat, off_prov, tied)
    codes = _sorted_unique(np.concatenate([_pair_codes(sn, so, n_off), _pair_codes(tn, to, n_off)]))
    arc_n, arc_o = codes // max(n_off, 1), codes % max(n_off, 1)

    need_skills: list[frozenset[str]] = _column(needs, "skills")
    off_skills: list[frozenset[str]] = _column(offerings, "skills")
    typical = {c: CATEGORY_BY_ID[c].skills if c in CATEGORY_BY_ID else () for c in set(need_category)}
    bits = _SkillMasks(chain(chain.from_iterable(need_skills), chain.from_iterable(typical.values())))
    need_req = bits.masks(need_skills)
    need_use = bits.masks([s or typical[c] for s, c in zip(need_skills, need_category, strict=True)])
    off_mask = bits.masks(off_skills)
    off_nskills = np.fromiter(map(len, off_skills), dtype=np.int64, count=n_off)
    covered = np.all((need_req[:, arc_n] & ~off_mask[:, arc_o]) == 0, axis=0)
    nws, nwe = _windows(_column(needs, "window"))
    ows, owe = _windows(_column(offerings, "window"))
    overlap = (ows[arc_o] <= nwe[arc_n]) & (nws[arc_n] <= owe[arc_o])
    keep = covered & overlap
    arc_n, arc_o = arc_n[keep], arc_o[keep]
    matched = _popcount(need_use[:, arc_n] & off_mask[:, arc_o]).sum(axis=0)
    skill_share = np.where(off_nskills[arc_o] > 0, matched / np.maximum(off_nskills[arc_o], 1), 0.0)

    arc_p = off_prov[arc_o]
    width = max(len(community.areas.index), 1)
    need_comm = community.need[arc_n]
    comm_code = np.where(need_comm >= 0, arc_p * width + need_comm, -1)
    space = len(provider_ids) * width
    agreement = _member_of(comm_code, _sorted_unique(agreed[0] * width + agreed[1]), space)
    registration = _member_of(comm_code, _sorted_unique(registered[0] * width + registered[1]), space)
    history = _history(ties, providers, community.areas, width, comm_code)

    place = np.zeros(arc_n.shape[0], dtype=np.int8)
    for level in (street, community, grid):
        need_area = level.need[arc_n]
        same = (need_area >= 0) & (need_area == level.provider[arc_p])
        place[same] = level.place  # finer levels overwrite coarser ones

    load = np.fromiter(map(ties.load.get, provider_ids, repeat(0)), dtype=np.int64, count=len(provider_ids))
    return ArcFacts(
        need=arc_n,
        offering=arc_o,
        provider=arc_p,
        providers=provider_ids,
        distance_km=need_at.distance_km(arc_n, off_at, arc_o),
        category_same=need_cat[arc_n] == off_cat[arc_o],
        skill_share=skill_share.astype(np.float64),
        agreement=agreement,
        registration=registration,
        place=place,
        history=history,
        load=load[arc_p],
    )


def _history(
    ties: GraphTies, providers: _Codes[str], communities: _Codes[str], width: int, comm_code: Ints
) -> Ints:
    keys: list[int] = []
    values: list[int] = []
    for (p, c), rated in ties.good_projects.items():
        if p in providers.index and c in communities.index and rated > 0:
            keys.append(providers.index[p] * width + communities.index[c])
            values.append(rated)
    if not keys:
        return np.zeros(comm_code.shape[0], dtype=np.int64)
    k = np.asarray(keys, dtype=np.int64)
    v = np.asarray(values, dtype=np.int64)
    order = np.argsort(k)
    k, v = k[order], v[order]
    out = np.zeros(comm_code.shape[0], dtype=np.int64)
    known = np.flatnonzero(_member_of(comm_code, k, len(providers.index) * width))
    out[known] = v[np.searchsorted(k, comm_code[known])]
    return out


def build_arcs(
    needs: Sequence[NeedSpec],
    offerings: Sequence[OfferingSpec],
    ties: GraphTies,
    *,
    weights: ScoreWeights | None = None,
    max_per_need: int | None = None,
) -> ScoredArcs:
    """Candidate arcs found and scored, in columns (the fast path for dispatch runs)."""
    scored = score_arcs(find_arcs(needs, offerings, ties), needs, offerings, weights or ScoreWeights())
    return scored if max_per_need is None else scored.top_per_need(max_per_need)


def generate_candidates(
    needs: Sequence[NeedSpec],
    offerings: Sequence[OfferingSpec],
    ties: GraphTies,
    *,
    max_per_need: int | None = None,
    weights: ScoreWeights | None = None,
) -> list[Candidate]:
    """Every candidate (need, offering) pair with its score, parts and path in words.

    Ordered by need (input order), then score descending, then offering id; ``max_per_need``
    keeps each need's best ones.
    """
    scored = build_arcs(needs, offerings, ties, weights=weights, max_per_need=max_per_need)
    return scored.candidates(order="need_best")
