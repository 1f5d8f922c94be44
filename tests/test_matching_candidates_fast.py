"""The column-wise candidate search (codes, mark tables, one tie join) against slow references on
drawn inputs: every arc and every fact of it, the claimants a partition leaves out, the rounding."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_matching_candidates import reference_km, reference_pairs, reference_place

from engine.matching import (
    GraphTies,
    NeedSpec,
    OfferingSpec,
    ProviderPlace,
    build_arcs,
    find_arcs,
    haversine_km,
)
from engine.matching.candidates import DENSE_KEYS, _Codes, _member_of, _Points, _sorted_unique
from engine.matching.scoring import QUANTUM, QUANTUM_STEPS, quantize
from engine.services.dispatch.reading import Partition
from graph_schema.taxonomy import CATEGORY_BY_ID

CATS = ["elderly", "elderly.meals", "elderly.visits", "health", "health.clinic", "custom"]
SKILLS = ["医疗", "陪伴", "烹饪", "配送", "法律", "外语"]  # 外语 is in no category's typical skills
COMMS = ["c0", "c1", "c2", "c9"]  # c9: some providers' community that no need lies in
CENTER = (30.64, 104.04)
KM = 1 / 111.195  # degrees of latitude per kilometre


@st.composite
def places(draw: st.DrawFn) -> tuple[float | None, float | None]:
    """No place, or one within about 6 km of the centre."""
    if draw(st.booleans()) and draw(st.booleans()):
        return None, None
    dy, dx = draw(st.floats(-6, 6)), draw(st.floats(-6, 6))
    return CENTER[0] + dy * KM, CENTER[1] + dx * KM / math.cos(math.radians(CENTER[0]))


windows = st.none() | st.tuples(st.floats(0, 50), st.floats(0, 30)).map(lambda w: (w[0], w[0] + w[1]))
skill_sets = st.frozensets(st.sampled_from(SKILLS), max_size=3)
communities = st.none() | st.sampled_from(COMMS[:3])


@st.composite
def needs(draw: st.DrawFn, i: int) -> NeedSpec:
    lat, lon = draw(places())
    comm = draw(communities)
    return NeedSpec(
        id=f"n{i}",
        category=draw(st.sampled_from(CATS)),
        skills=draw(st.frozensets(st.sampled_from(SKILLS), max_size=2)),
        lat=lat,
        lon=lon,
        window=draw(windows),
        grid_id=None if comm is None else draw(st.none() | st.just(f"g{comm}")),
        community_id=comm,
        street_id=draw(st.none() | st.sampled_from(["s0", "s1"])),
        urgency=draw(st.sampled_from(["low", "normal", "high", "urgent"])),
    )


@st.composite
def offerings(draw: st.DrawFn, j: int, n_providers: int) -> OfferingSpec:
    lat, lon = draw(places())
    return OfferingSpec(
        id=f"o{j}",
        provider_id=f"p{draw(st.integers(0, n_providers - 1))}",
        category=draw(st.sampled_from(CATS)),
        capacity=draw(st.integers(0, 2)),
        skills=draw(skill_sets),
        lat=lat,
        lon=lon,
        radius_km=draw(st.sampled_from([0.0, 0.4, 1.5, 3.0, 8.0])),
        window=draw(windows),
    )


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[NeedSpec], list[OfferingSpec], GraphTies]:
    """Needs, offerings and ties, the ties also naming providers with no offering and communities
    with no need."""
    n_providers = draw(st.integers(1, 6))
    need_list = [draw(needs(i)) for i in range(draw(st.integers(0, 10)))]
    offer_list = [draw(offerings(j, n_providers)) for j in range(draw(st.integers(0, 14)))]
    provider = st.sampled_from([f"p{k}" for k in range(n_providers + 1)])  # p{n}: offers nothing
    held = st.dictionaries(provider, st.frozensets(st.sampled_from(COMMS), min_size=1, max_size=2))
    placed = st.builds(
        ProviderPlace,
        st.none() | st.sampled_from(["gc0", "gc1", "gc9"]),
        st.none() | st.sampled_from(COMMS),
        st.none() | st.sampled_from(["s0", "s1", "s9"]),
    )
    ties = GraphTies(
        agreements=draw(held),
        registrations=draw(held),
        places=draw(st.dictionaries(provider, placed)),
        good_projects=draw(st.dictionaries(st.tuples(provider, st.sampled_from(COMMS)), st.integers(0, 4))),
        load=draw(st.dictionaries(provider, st.integers(0, 12))),
    )
    return need_list, offer_list, ties


def reference_share(n: NeedSpec, o: OfferingSpec) -> float:
    """Share of the offering's skills that the need uses (its own, else its category's typical ones)."""
    typical = CATEGORY_BY_ID[n.category].skills if n.category in CATEGORY_BY_ID else ()
    used = n.skills or frozenset(typical)
    return len(used & o.skills) / len(o.skills) if o.skills else 0.0


@settings(max_examples=300, deadline=None)
@given(instances())
def test_every_arc_and_fact_equals_the_pairwise_reference(
    instance: tuple[list[NeedSpec], list[OfferingSpec], GraphTies],
) -> None:
    need_list, offer_list, ties = instance
    facts = find_arcs(need_list, offer_list, ties)
    pairs = list(zip(facts.need.tolist(), facts.offering.tolist(), strict=True))
    assert pairs == sorted(set(pairs))  # sorted by (need, offering), each pair once
    found = {(need_list[i].id, offer_list[j].id) for i, j in pairs}
    assert found == reference_pairs(need_list, offer_list, ties)
    for k, (i, j) in enumerate(pairs):
        n, o = need_list[i], offer_list[j]
        p, c = o.provider_id, n.community_id
        assert facts.providers[int(facts.provider[k])] == p
        assert facts.place[k] == reference_place(n, o, ties)
        assert facts.agreement[k] == (c is not None and c in ties.agreements.get(p, ()))
        assert facts.registration[k] == (c is not None and c in ties.registrations.get(p, ()))
        assert facts.history[k] == (0 if c is None else ties.good_projects.get((p, c), 0))
        assert facts.load[k] == ties.load.get(p, 0)
        assert facts.category_same[k] == (n.category == o.category)
        assert facts.skill_share[k] == pytest.approx(reference_share(n, o), abs=1e-12)
        if n.lat is None or o.lat is None:
            assert math.isnan(facts.distance_km[k])
        else:
            assert facts.distance_km[k] == pytest.approx(reference_km(n, o), rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(instances(), st.data())
def test_a_partition_leaves_out_exactly_the_arcs_of_providers_claiming_the_need(
    instance: tuple[list[NeedSpec], list[OfferingSpec], GraphTies], data: st.DataObject
) -> None:
    need_list, offer_list, ties = instance
    some_provider = st.sampled_from(sorted({o.provider_id for o in offer_list} | {"p-none"}))
    claimants = {
        n.id: data.draw(st.frozensets(some_provider, max_size=2), label=f"claimants of {n.id}")
        for n in need_list
    }
    claimants["n-gone"] = frozenset({"p0"})  # a need no longer in the partition
    part = Partition("s0", tuple(need_list), tuple(offer_list), ties, claimants, {}, {})
    every = build_arcs(need_list, offer_list, ties)
    f = every.facts
    allowed = [
        offer_list[j].provider_id not in claimants[need_list[i].id]
        for i, j in zip(f.need.tolist(), f.offering.tolist(), strict=True)
    ]
    expected = every.take(np.flatnonzero(np.asarray(allowed, dtype=bool)).astype(np.int64))
    kept = part.arcs()
    for column in ("need", "offering", "provider"):
        assert getattr(kept.facts, column).tolist() == getattr(expected.facts, column).tolist()
    assert np.array_equal(kept.parts, expected.parts) and np.array_equal(kept.score, expected.score)


@given(
    st.lists(st.none() | st.sampled_from("abcdef"), max_size=20),
    st.lists(st.sampled_from("abcxyz"), max_size=8),
)
def test_codes_follow_first_appearance_and_lookups_add_nothing(
    first: list[str | None], then: list[str]
) -> None:
    table = _Codes[str]()
    codes = table.codes(first)
    order = list(dict.fromkeys(k for k in first if k is not None))
    assert codes.tolist() == [-1 if k is None else order.index(k) for k in first]
    assert table.lookup(then).tolist() == [order.index(k) if k in order else -1 for k in then]
    assert list(table.index) == order
    more = table.codes(then)
    order += [k for k in dict.fromkeys(then) if k not in order]
    assert more.tolist() == [order.index(k) for k in then]


@given(
    st.lists(st.integers(-1, 8), max_size=30),
    st.lists(st.integers(0, 8), max_size=6),
)
def test_both_membership_paths_answer_as_isin(codes: list[int], table: list[int]) -> None:
    c = np.asarray(codes, dtype=np.int64)
    t = np.unique(np.asarray(table, dtype=np.int64))
    expected = np.isin(c, t).tolist()
    assert _member_of(c, t, 9).tolist() == expected  # a table of marks
    assert _member_of(c, t, DENSE_KEYS + 1).tolist() == expected  # binary search


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), max_size=30))
def test_quantize_rounds_to_the_nearest_quantum_and_leaves_its_input(values: list[float]) -> None:
    a = np.asarray(values, dtype=np.float64)
    before = a.copy()
    q = quantize(a)
    assert np.array_equal(a, before)
    steps = q * QUANTUM_STEPS
    assert np.array_equal(steps, np.round(steps))
    assert np.all(np.abs(q - a) <= QUANTUM / 2 + 1e-9 * np.abs(a))


Columns = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@st.composite
def pairs_near_their_circle(draw: st.DrawFn) -> Columns:
    """Needs and offerings a few km apart anywhere up to 80° of latitude, each offering's radius its
    distance to its need nudged by nothing, by one float step, or by up to a millionth."""
    n = draw(st.integers(1, 20))
    lat = draw(st.floats(-80, 80))
    lon = draw(st.floats(-170, 170))
    near = st.floats(-0.1, 0.1)
    need_lat = np.asarray([lat + draw(near) for _ in range(n)])
    need_lon = np.asarray([lon + draw(near) for _ in range(n)])
    off_lat = np.asarray([la + draw(near) for la in need_lat])
    off_lon = np.asarray([lo + draw(near) for lo in need_lon])
    distance = haversine_km(need_lat, need_lon, off_lat, off_lon)
    nudge = st.sampled_from([0.0, 1.0, -1.0]) | st.floats(-1e-6, 1e-6)
    radius = []
    for d in distance.tolist():
        step = draw(nudge)
        r = np.nextafter(d, math.copysign(math.inf, step)) if abs(step) == 1.0 else d * (1 + step)
        radius.append(max(float(r), 1e-12))  # a service radius is positive
    return need_lat, need_lon, off_lat, off_lon, np.asarray(radius)


@settings(max_examples=300, deadline=None)
@given(pairs_near_their_circle())
def test_within_answers_as_the_haversine_does_at_the_circle(drawn: Columns) -> None:
    need_lat, need_lon, off_lat, off_lon, radius = drawn
    needs_at, offs_at = _Points(need_lat, need_lon), _Points(off_lat, off_lon)
    every = np.arange(need_lat.shape[0], dtype=np.int64)
    half = max(np.abs(needs_at.phi - offs_at.phi).max(), np.abs(needs_at.lam - offs_at.lam).max()) / 2
    expected = needs_at.distance_km(every, offs_at, every) <= radius
    assert needs_at.within_km(every, offs_at, every, radius, float(half)).tolist() == expected.tolist()


def test_a_need_exactly_at_the_radius_is_reached_and_one_step_beyond_is_not() -> None:
    need = NeedSpec(id="n", category="health", lat=30.64, lon=104.04)
    at = OfferingSpec(id="o", provider_id="p", category="health", lat=30.652, lon=104.061)
    d = float(
        haversine_km(np.asarray([30.64]), np.asarray([104.04]), np.asarray([30.652]), np.asarray([104.061]))[
            0
        ]
    )
    reached = replace(at, radius_km=d)
    short = replace(at, id="o2", radius_km=float(np.nextafter(d, 0.0)))
    facts = find_arcs([need], [reached, short], GraphTies())
    assert facts.offering.tolist() == [0]


@settings(max_examples=50, deadline=None)
@given(instances(), st.data())
def test_taking_arcs_gives_exactly_those_arcs_in_that_order(
    instance: tuple[list[NeedSpec], list[OfferingSpec], GraphTies], data: st.DataObject
) -> None:
    arcs = build_arcs(*instance)
    n = len(arcs)
    idx = np.asarray(data.draw(st.permutations(range(n)) | st.just(list(range(n)))), dtype=np.int64)
    taken = arcs.take(idx)
    assert taken.score.tolist() == arcs.score[idx].tolist()
    assert taken.parts.tolist() == arcs.parts[idx].tolist()
    assert taken.facts.need.tolist() == arcs.facts.need[idx].tolist()
    assert taken.facts.offering.tolist() == arcs.facts.offering[idx].tolist()


@given(st.lists(st.integers(-(2**40), 2**40) | st.integers(0, 50), max_size=40))
def test_sorted_unique_is_numpy_unique_for_narrow_and_wide_codes(values: list[int]) -> None:
    a = np.asarray(values, dtype=np.int64)
    assert _sorted_unique(a).tolist() == np.unique(a).tolist()
