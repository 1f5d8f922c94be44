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
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from engine.matching.model import Candidate, GraphTies, NeedSpec, OfferingSpec, ProviderPlace
from engine.matching.scoring import ScoredArcs, ScoreWeights, score_arcs
from graph_schema.taxonomy import CATEGORY_BY_ID, related_categories

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180.0
BASE_CELL_KM = 0.25  # radius classes are BASE_CELL_KM * CLASS_RATIO**k
CLASS_RATIO = math.sqrt(2.0)  # a cell is at most √2 times the radius it serves
_MARGIN = 1.0 + 1e-9  # cells a hair wider than the radius, against rounding
DENSE_KEYS = 1 << 23  # joins over smaller key spaces use an offsets table (64 MB at most)

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]

PLACE_NONE, PLACE_STREET, PLACE_COMMUNITY, PLACE_GRID = 0, 1, 2, 3


def haversine_km(lat1: Floats, lon1: Floats, lat2: Floats, lon2: Floats) -> Floats:
    """Great-circle distance in kilometres between arrays of points given in degrees."""
    a, b = _Points(lat1, lon1), _Points(lat2, lon2)
    every = np.arange(np.asarray(lat1).shape[0], dtype=np.int64)
    return a.distance_km(every, b, every)


class _Points:
    """Points in radians with their latitude cosines, computed once for many distance queries."""

    def __init__(self, lat: Floats, lon: Floats) -> None:
        self.phi = np.radians(np.asarray(lat, dtype=np.float64))
        self.lam = np.radians(np.asarray(lon, dtype=np.float64))
        self.cos = np.cos(self.phi)

    def distance_km(self, i: Ints, other: _Points, j: Ints) -> Floats:
        """Haversine distance between self[i] and other[j], elementwise."""
        h = (
            np.sin((other.phi[j] - self.phi[i]) / 2) ** 2
            + self.cos[i] * other.cos[j] * np.sin((other.lam[j] - self.lam[i]) / 2) ** 2
        )
        return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=np.float64)


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


class _Codes:
    """Dense integer codes for hashable keys, -1 for None."""

    def __init__(self) -> None:
        self.index: dict[Hashable, int] = {}

    def code(self, key: Hashable | None) -> int:
        if key is None:
            return -1
        return self.index.setdefault(key, len(self.index))

    def codes(self, keys: Iterable[Hashable | None]) -> Ints:
        return np.fromiter((self.code(k) for k in keys), dtype=np.int64)

    def lookup(self, keys: Iterable[Hashable | None]) -> Ints:
        """Codes of keys already known, -1 for unknown ones (adds nothing)."""
        get = self.index.get
        return np.fromiter((-1 if k is None else get(k, -1) for k in keys), dtype=np.int64)


def _expand(lo: Ints, hi: Ints) -> tuple[Ints, Ints]:
    """For ranges [lo, hi): (which range, position) for every position, all vectorised."""
    counts = hi - lo
    which = np.repeat(np.arange(lo.shape[0], dtype=np.int64), counts)
    starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
    return which, np.arange(which.shape[0], dtype=np.int64) + starts


def _join(query_keys: Ints, entry_keys: Ints, space: int) -> tuple[Ints, Ints]:
    """Equi-join on keys in [0, space): (query position, entry position) for every equal pair.
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
    q, pos = _expand(lo, hi)
    return q, order[pos]


def _opt_floats(values: Iterable[float | None]) -> Floats:
    return np.fromiter((math.nan if v is None else v for v in values), dtype=np.float64)


def _windows(specs: Sequence[NeedSpec] | Sequence[OfferingSpec]) -> tuple[Floats, Floats]:
    start = np.fromiter((-math.inf if s.window is None else s.window[0] for s in specs), dtype=np.float64)
    end = np.fromiter((math.inf if s.window is None else s.window[1] for s in specs), dtype=np.float64)
    return start, end


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
        out = np.zeros((self.words, len(sets)), dtype=np.uint64)
        rows, cols = [], []
        for j, skills in enumerate(sets):
            for s in skills:
                b = self.bit.get(s)
                if b is not None:
                    rows.append(b)
                    cols.append(j)
        if rows:
            r = np.asarray(rows, dtype=np.int64)
            c = np.asarray(cols, dtype=np.int64)
            np.bitwise_or.at(out, (r // 64, c), np.left_shift(np.uint64(1), (r % 64).astype(np.uint64)))
        return out


def _grid_keys(lat: Floats, lon: Floats, dlat: float, dlon: float) -> tuple[Ints, Ints]:
    return np.floor(lat / dlat).astype(np.int64), np.floor(lon / dlon).astype(np.int64)


def _spatial_pairs(
    need_lat: Floats,
    need_lon: Floats,
    q_need: Ints,
    q_cat: Ints,
    off: Ints,
    off_lat: Floats,
    off_lon: Floats,
    off_radius: Floats,
    off_cat: Ints,
    n_cats: int,
) -> tuple[Ints, Ints]:
    """Pairs (need, offering) of related category with the need inside the offering's radius."""
    empty = np.empty(0, dtype=np.int64)
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
    need_pts, off_pts = _Points(need_lat, need_lon), _Points(off_lat, off_lon)
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
        qi, ei = _join(queries, entry, n_cats * ny * nx)
        need_i = q_need[qi % q_need.shape[0]]
        off_i = members[ei]
        near = np.abs(need_lat[need_i] - off_lat[off_i]) * KM_PER_DEGREE <= off_radius[off_i] * _MARGIN
        need_i, off_i = need_i[near], off_i[near]
        inside = need_pts.distance_km(need_i, off_pts, off_i) <= off_radius[off_i]
        out_n.append(need_i[inside])
        out_o.append(off_i[inside])
    return np.concatenate(out_n), np.concatenate(out_o)


def _provider_tie_keys(provider: str, ties: GraphTies) -> set[tuple[str, str]]:
    """The tie keys through which a provider reaches needs: ('c', community), ('s', street), ('g', grid)."""
    place = ties.places.get(provider, ProviderPlace())
    communities = set(ties.agreements.get(provider, ())) | set(ties.registrations.get(provider, ()))
    if place.community_id is not None:
        communities.add(place.community_id)
    keys = {("c", c) for c in communities}
    if place.street_id is not None:
        keys.add(("s", place.street_id))
    if place.grid_id is not None:
        keys.add(("g", place.grid_id))
    return keys


def _tie_pairs(
    needs: Sequence[NeedSpec],
    offerings: Sequence[OfferingSpec],
    usable: Ints,
    q_need: Ints,
    q_cat: Ints,
    off_cat: Ints,
    n_cats: int,
    ties: GraphTies,
) -> tuple[Ints, Ints]:
    """Pairs (need, offering) of related category whose provider is tied to the need's area."""
    keys = _Codes()
    for kind, attr in (("c", "community_id"), ("s", "street_id"), ("g", "grid_id")):
        for n in needs:
            value = getattr(n, attr)
            if value is not None:
                keys.code((kind, value))
    per_provider: dict[str, list[int]] = {}
    entry_key: list[int] = []
    entry_off: list[int] = []
    for o in usable.tolist():
        pid = offerings[o].provider_id
        codes = per_provider.get(pid)
        if codes is None:
            codes = [c for c in keys.lookup(_provider_tie_keys(pid, ties)).tolist() if c >= 0]
            per_provider[pid] = codes
        entry_key.extend(codes)
        entry_off.extend([o] * len(codes))
    if not entry_key:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    e_off = np.asarray(entry_off, dtype=np.int64)
    entries = np.asarray(entry_key, dtype=np.int64) * n_cats + off_cat[e_off]
    out_n: list[Ints] = []
    out_o: list[Ints] = []
    for kind, attr in (("c", "community_id"), ("s", "street_id"), ("g", "grid_id")):
        need_key = keys.lookup((kind, getattr(n, attr)) for n in needs)
        qk = need_key[q_need]
        has = qk >= 0
        qi, ei = _join(qk[has] * n_cats + q_cat[has], entries, len(keys.index) * n_cats)
        out_n.append(q_need[has][qi])
        out_o.append(e_off[ei])
    return np.concatenate(out_n), np.concatenate(out_o)


def _pair_codes(a: Ints, b: Ints, width: int) -> Ints:
    return a * width + b


def _sorted_unique(a: Ints) -> Ints:
    """Sorted distinct values (sorting beats numpy's hash-based unique on millions of codes)."""
    s = np.sort(a)
    return s[np.concatenate([[True], s[1:] != s[:-1]])] if s.size else s


def _member_of(codes: Ints, table: Ints) -> Bools:
    """Whether each code is in the sorted ``table``."""
    if not table.size:
        return np.zeros(codes.shape[0], dtype=bool)
    pos = np.clip(np.searchsorted(table, codes), 0, table.shape[0] - 1)
    return np.asarray(table[pos] == codes)


def _provider_community_codes(
    mapping: Mapping[str, Iterable[str]], providers: _Codes, communities: _Codes, width: int
) -> Ints:
    out = [
        providers.index[p] * width + communities.index[c]
        for p, comms in mapping.items()
        if p in providers.index
        for c in comms
        if c in communities.index
    ]
    return _sorted_unique(np.asarray(out, dtype=np.int64))


def _area_codes(
    needs: Sequence[NeedSpec], providers: Sequence[str], ties: GraphTies, attr: str
) -> tuple[Ints, Ints]:
    """Codes of needs' and providers' areas at one level (grid/community/street), -1 when unknown."""
    table = _Codes()
    need_codes = table.codes(getattr(n, attr) for n in needs)
    places = ties.places
    prov_codes = table.lookup(getattr(places.get(p, ProviderPlace()), attr) for p in providers)
    return need_codes, prov_codes


def find_arcs(needs: Sequence[NeedSpec], offerings: Sequence[OfferingSpec], ties: GraphTies) -> ArcFacts:
    """All candidate arcs with their facts, sorted by (need index, offering index); never quadratic."""
    n_needs, n_off = len(needs), len(offerings)
    cats = _Codes()
    off_cat = cats.codes(o.category for o in offerings)
    need_cat = cats.codes(n.category for n in needs)
    offered = set(off_cat.tolist())
    related: list[Ints] = []
    for cat_id in list(cats.index):
        rel = cats.lookup(sorted(related_categories(str(cat_id))))
        related.append(np.asarray([c for c in rel.tolist() if c in offered], dtype=np.int64))
    counts = np.asarray([related[c].shape[0] for c in need_cat.tolist()], dtype=np.int64)
    q_need = np.repeat(np.arange(n_needs, dtype=np.int64), counts)
    q_cat = (
        np.concatenate([related[c] for c in need_cat.tolist()]) if n_needs else np.empty(0, dtype=np.int64)
    )

    capacity = np.fromiter((o.capacity for o in offerings), dtype=np.int64, count=n_off)
    usable = np.flatnonzero(capacity > 0).astype(np.int64)
    need_lat = _opt_floats(n.lat for n in needs)
    need_lon = _opt_floats(n.lon for n in needs)
    off_lat = _opt_floats(o.lat for o in offerings)
    off_lon = _opt_floats(o.lon for o in offerings)
    off_radius = np.fromiter((o.radius_km for o in offerings), dtype=np.float64, count=n_off)
    reach = usable[~np.isnan(off_lat[usable]) & (off_radius[usable] > 0)]
    n_cats = len(cats.index)
    sn, so = _spatial_pairs(
        need_lat, need_lon, q_need, q_cat, reach, off_lat, off_lon, off_radius, off_cat, n_cats
    )
    tn, to = _tie_pairs(needs, offerings, usable, q_need, q_cat, off_cat, n_cats, ties)
    codes = _sorted_unique(np.concatenate([_pair_codes(sn, so, n_off), _pair_codes(tn, to, n_off)]))
    arc_n, arc_o = codes // max(n_off, 1), codes % max(n_off, 1)

    vocabulary = {s for n in needs for s in n.skills}
    typical = {
        c: CATEGORY_BY_ID[c].skills if c in CATEGORY_BY_ID else () for c in {n.category for n in needs}
    }
    vocabulary.update(s for sk in typical.values() for s in sk)
    bits = _SkillMasks(vocabulary)
    need_req = bits.masks([n.skills for n in needs])
    need_use = bits.masks([n.skills or typical[n.category] for n in needs])
    off_mask = bits.masks([o.skills for o in offerings])
    off_nskills = np.fromiter((len(o.skills) for o in offerings), dtype=np.int64, count=n_off)
    covered = np.all((need_req[:, arc_n] & ~off_mask[:, arc_o]) == 0, axis=0)
    nws, nwe = _windows(needs)
    ows, owe = _windows(offerings)
    overlap = (ows[arc_o] <= nwe[arc_n]) & (nws[arc_n] <= owe[arc_o])
    keep = covered & overlap
    arc_n, arc_o = arc_n[keep], arc_o[keep]
    matched = _popcount(need_use[:, arc_n] & off_mask[:, arc_o]).sum(axis=0)
    skill_share = np.where(off_nskills[arc_o] > 0, matched / np.maximum(off_nskills[arc_o], 1), 0.0)

    providers = _Codes()
    off_prov = providers.codes(o.provider_id for o in offerings)
    provider_ids = tuple(str(p) for p in providers.index)
    arc_p = off_prov[arc_o]
    communities = _Codes()
    need_comm = communities.codes(n.community_id for n in needs)
    width = max(len(communities.index), 1)
    comm_code = np.where(need_comm[arc_n] >= 0, arc_p * width + need_comm[arc_n], -1)
    agreement = _member_of(
        comm_code, _provider_community_codes(ties.agreements, providers, communities, width)
    )
    registration = _member_of(
        comm_code, _provider_community_codes(ties.registrations, providers, communities, width)
    )
    history = _history(ties, providers, communities, width, comm_code)

    place = np.zeros(arc_n.shape[0], dtype=np.int8)
    for level, attr in (
        (PLACE_STREET, "street_id"),
        (PLACE_COMMUNITY, "community_id"),
        (PLACE_GRID, "grid_id"),
    ):
        need_area, prov_area = _area_codes(needs, provider_ids, ties, attr)
        same = (need_area[arc_n] >= 0) & (need_area[arc_n] == prov_area[arc_p])
        place[same] = level  # finer levels overwrite coarser ones

    load = np.fromiter((ties.load.get(p, 0) for p in provider_ids), dtype=np.int64, count=len(provider_ids))
    distance = haversine_km(need_lat[arc_n], need_lon[arc_n], off_lat[arc_o], off_lon[arc_o])
    return ArcFacts(
        need=arc_n,
        offering=arc_o,
        provider=arc_p,
        providers=provider_ids,
        distance_km=distance,
        category_same=need_cat[arc_n] == off_cat[arc_o],
        skill_share=skill_share.astype(np.float64),
        agreement=agreement,
        registration=registration,
        place=place,
        history=history,
        load=load[arc_p],
    )


def _history(ties: GraphTies, providers: _Codes, communities: _Codes, width: int, comm_code: Ints) -> Ints:
    keys: list[int] = []
    values: list[int] = []
    for (p, c), count in ties.good_projects.items():
        if p in providers.index and c in communities.index and count > 0:
            keys.append(providers.index[p] * width + communities.index[c])
            values.append(count)
    if not keys:
        return np.zeros(comm_code.shape[0], dtype=np.int64)
    k = np.asarray(keys, dtype=np.int64)
    v = np.asarray(values, dtype=np.int64)
    order = np.argsort(k)
    k, v = k[order], v[order]
    pos = np.clip(np.searchsorted(k, comm_code), 0, k.shape[0] - 1)
    return np.where((comm_code >= 0) & (k[pos] == comm_code), v[pos], 0).astype(np.int64)


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
