"""Candidate generation and scoring: the indexes find exactly what trying every pair finds, the rules
(category, skills, window, capacity, radius or tie) hold, and every score is its parts' exact sum."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from engine.matching import (
    FEATURES,
    Candidate,
    GraphTies,
    MatchProblem,
    NeedSpec,
    OfferingSpec,
    ProviderPlace,
    ScoreWeights,
    build_arcs,
    find_arcs,
    generate_candidates,
    needs_for_provider,
    offerings_for_need,
    solve,
)
from engine.matching.synthetic import synthetic_district
from graph_schema.taxonomy import related_categories

KM = 1 / 111.195  # degrees of latitude per kilometre on the haversine sphere


def reference_km(a: NeedSpec, b: OfferingSpec) -> float:
    """Haversine distance, written out independently of the engine."""
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def reference_place(n: NeedSpec, o: OfferingSpec, ties: GraphTies) -> int:
    place = ties.places.get(o.provider_id, ProviderPlace())
    for level, attr in ((3, "grid_id"), (2, "community_id"), (1, "street_id")):
        mine = getattr(n, attr)
        if mine is not None and mine == getattr(place, attr):
            return level
    return 0


def reference_pairs(
    needs: list[NeedSpec], offerings: list[OfferingSpec], ties: GraphTies
) -> set[tuple[str, str]]:
    """The candidate rule applied to every (need, offering) pair: quadratic, obviously right."""
    out = set()
    for n in needs:
        related = related_categories(n.category)
        for o in offerings:
            if o.capacity <= 0 or o.category not in related or not n.skills <= o.skills:
                continue
            if n.window and o.window and (o.window[0] > n.window[1] or n.window[0] > o.window[1]):
                continue
            p = o.provider_id
            c = n.community_id
            tied = reference_place(n, o, ties) > 0 or (
                c is not None and (c in ties.agreements.get(p, ()) or c in ties.registrations.get(p, ()))
            )
            near = (
                n.lat is not None
                and o.lat is not None
                and o.radius_km > 0
                and reference_km(n, o) <= o.radius_km
            )
            if tied or near:
                out.add((n.id, o.id))
    return out


CATS = ["elderly", "elderly.meals", "elderly.visits", "health", "health.clinic", "legal.consult", "custom"]
SKILLS = ["医疗", "陪伴", "法律", "配送", "烹饪"]


def random_instance(
    rng: random.Random, center: tuple[float, float], n_needs: int, n_off: int
) -> tuple[list[NeedSpec], list[OfferingSpec], GraphTies]:
    """Scattered needs and offerings with every kind of gap: no place, no capacity, no radius, windows."""
    comms = [f"c{i}" for i in range(9)]

    def place() -> tuple[float | None, float | None]:
        if rng.random() < 0.1:
            return None, None
        lat = center[0] + rng.uniform(-8, 8) * KM
        return lat, center[1] + rng.uniform(-8, 8) * KM / max(math.cos(math.radians(lat)), 0.05)

    def window() -> tuple[float, float] | None:
        if rng.random() < 0.4:
            return None
        start = rng.uniform(0, 100)
        return start, start + rng.uniform(0, 30)

    needs = []
    for i in range(n_needs):
        lat, lon = place()
        comm = rng.choice([*comms, None])
        needs.append(
            NeedSpec(
                id=f"n{i}",
                category=rng.choice(CATS),
                skills=frozenset(rng.sample(SKILLS, rng.choice([0, 0, 1, 2]))),
                lat=lat,
                lon=lon,
                window=window(),
                grid_id=rng.choice([f"g{comm}-{k}" for k in range(2)]) if comm else None,
                community_id=comm,
                street_id=f"s{int(comm[1]) // 3}" if comm else None,
                urgency=rng.choice(["low", "normal", "high", "urgent"]),
            )
        )
    offerings: list[OfferingSpec] = []
    places: dict[str, ProviderPlace] = {}
    for j in range(n_off):
        lat, lon = place()
        provider = f"p{rng.randrange(max(1, n_off // 2))}"
        if provider not in places and rng.random() < 0.3:
            comm = rng.choice(comms)
            places[provider] = ProviderPlace(
                rng.choice([f"g{comm}-0", None]), rng.choice([comm, None]), f"s{int(comm[1]) // 3}"
            )
        offerings.append(
            OfferingSpec(
                id=f"o{j}",
                provider_id=provider,
                category=rng.choice(CATS),
                capacity=rng.choice([0, 1, 1, 2, 5]),
                skills=frozenset(rng.sample(SKILLS, rng.choice([0, 1, 2, 3]))),
                lat=lat,
                lon=lon,
                radius_km=rng.choice([0.0, 0.3, 1.0, 2.5, 4.0, 9.0]),
                window=window(),
            )
        )
    providers = sorted({o.provider_id for o in offerings})
    ties = GraphTies(
        agreements={p: frozenset(rng.sample(comms, 1)) for p in providers if rng.random() < 0.2},
        registrations={p: frozenset(rng.sample(comms, 1)) for p in providers if rng.random() < 0.2},
        places=places,
        good_projects={(p, rng.choice(comms)): rng.randint(1, 5) for p in providers if rng.random() < 0.3},
        load={p: rng.randint(0, 12) for p in providers},
    )
    return needs, offerings, ties


@pytest.mark.parametrize("center", [(30.64, 104.04), (59.9, 10.7), (-33.9, -70.6), (78.2, 15.6)])
@pytest.mark.parametrize("seed", range(5))
def test_indexed_candidates_equal_the_quadratic_reference(center: tuple[float, float], seed: int) -> None:
    needs, offerings, ties = random_instance(random.Random(seed), center, 60, 120)
    facts = find_arcs(needs, offerings, ties)
    found = {
        (needs[int(n)].id, offerings[int(o)].id) for n, o in zip(facts.need, facts.offering, strict=True)
    }
    assert len(found) == len(facts)  # no duplicates
    assert found == reference_pairs(needs, offerings, ties)
    tied = (facts.place > 0) | facts.agreement | facts.registration
    assert tied.sum() > 20 and (~tied).sum() > 20  # both the spatial and the tie index are at work
    for k in range(len(facts)):
        n, o = needs[int(facts.need[k])], offerings[int(facts.offering[k])]
        assert facts.place[k] == reference_place(n, o, ties)
        assert facts.agreement[k] == (n.community_id in ties.agreements.get(o.provider_id, ()))
        assert facts.history[k] == ties.good_projects.get((o.provider_id, n.community_id or ""), 0)
        if n.lat is not None and o.lat is not None:
            assert facts.distance_km[k] == pytest.approx(reference_km(n, o), rel=1e-9, abs=1e-9)
        else:
            assert math.isnan(facts.distance_km[k])


def test_synthetic_district_candidates_equal_the_quadratic_reference() -> None:
    inst = synthetic_district(120, 240, seed=7, n_streets=2)
    facts = find_arcs(inst.needs, inst.offerings, inst.ties)
    found = {
        (inst.needs[int(n)].id, inst.offerings[int(o)].id)
        for n, o in zip(facts.need, facts.offering, strict=True)
    }
    assert len(found) > 300
    assert found == reference_pairs(inst.needs, inst.offerings, inst.ties)


def _need(**kw: object) -> NeedSpec:
    base: dict[str, object] = {
        "id": "n",
        "category": "elderly.meals",
        "lat": 30.0,
        "lon": 104.0,
        "community_id": "c1",
        "street_id": "s1",
    }
    return NeedSpec(**{**base, **kw})  # type: ignore[arg-type]


def _offer(km: float, **kw: object) -> OfferingSpec:
    base: dict[str, object] = {
        "id": "o",
        "provider_id": "p",
        "category": "elderly.meals",
        "capacity": 1,
        "lat": 30.0 + km * KM,
        "lon": 104.0,
        "radius_km": 1.0,
    }
    return OfferingSpec(**{**base, **kw})  # type: ignore[arg-type]


def _ids(needs: list[NeedSpec], offerings: list[OfferingSpec], ties: GraphTies | None = None) -> list[str]:
    return [c.offering_id for c in generate_candidates(needs, offerings, ties or GraphTies())]


def test_radius_ties_and_rules() -> None:
    n = _need(skills={"烹饪"}, window=(10.0, 20.0))
    assert _ids([n], [_offer(0.9, skills={"烹饪", "配送"})]) == ["o"]
    assert _ids([n], [_offer(1.1, skills={"烹饪"})]) == []  # beyond the radius, no tie
    far = _offer(6.0, skills={"烹饪"})
    assert _ids([n], [far], GraphTies(agreements={"p": frozenset({"c1"})})) == ["o"]
    assert _ids([n], [far], GraphTies(registrations={"p": frozenset({"c1"})})) == ["o"]
    assert _ids([n], [far], GraphTies(places={"p": ProviderPlace(street_id="s1")})) == ["o"]
    assert _ids([n], [far], GraphTies(places={"p": ProviderPlace(street_id="s2")})) == []
    assert _ids([n], [far], GraphTies(agreements={"p": frozenset({"c2"})})) == []
    assert _ids([n], [_offer(0.5, skills={"配送"})]) == []  # skill not covered
    assert _ids([n], [_offer(0.5, skills={"烹饪"}, capacity=0)]) == []
    assert _ids([n], [_offer(0.5, skills={"烹饪"}, window=(21.0, 30.0))]) == []
    assert _ids([n], [_offer(0.5, skills={"烹饪"}, window=(20.0, 30.0))]) == ["o"]  # touching windows
    assert _ids([n], [_offer(0.5, skills={"烹饪"}, category="elderly")]) == ["o"]  # parent
    assert _ids([n], [_offer(0.5, skills={"烹饪"}, category="elderly.visits")]) == []  # sibling
    assert _ids([_need(category="elderly")], [_offer(0.5)]) == ["o"]  # child
    assert _ids([_need(lat=None, lon=None)], [_offer(0.5)]) == []


def test_path_words_read_like_the_graph() -> None:
    ties = GraphTies(
        agreements={"p": frozenset({"c1"})},
        places={"p": ProviderPlace(community_id="c1", street_id="s1")},
    )
    (c,) = generate_candidates([_need()], [_offer(0.8, radius_km=0.0)], ties)
    assert c.path_words == "同一社区 · 已签共建协议 · 距离 0.8 公里"
    assert c.distance_km == pytest.approx(0.8, rel=1e-6)
    ties = GraphTies(registrations={"p": frozenset({"c1"})}, good_projects={("p", "c1"): 2})
    (c,) = generate_candidates([_need(lat=None, lon=None)], [_offer(0.8)], ties)
    assert c.path_words == "已到本社区双报到 · 在本社区有 2 个好评项目"
    assert "双报到 +6.00" in c.reasons()


def test_each_part_is_its_feature_times_its_weight() -> None:
    w = ScoreWeights()
    near, far = generate_candidates(
        [_need()], [_offer(0.0, id="a", radius_km=9), _offer(2.5, id="b", radius_km=9)], GraphTies()
    )
    assert near.parts["distance"] == w.distance
    assert far.parts["distance"] == pytest.approx(w.distance * (1 - 2.5 / w.distance_scale_km), abs=1e-3)
    loaded = generate_candidates([_need()], [_offer(0.0)], GraphTies(load={"p": 5}))[0]
    assert loaded.parts["load"] == -w.load * 5 / w.load_cap
    urgent = generate_candidates(
        [_need(urgency="urgent", beneficiaries={"disabled"})], [_offer(0.0)], GraphTies()
    )[0]
    assert urgent.parts["urgency"] == w.urgency and urgent.parts["vulnerable"] == w.vulnerable
    assert urgent.score - near.score == pytest.approx(w.urgency + w.vulnerable - w.urgency / 3, abs=1e-3)
    related = generate_candidates([_need()], [_offer(0.0, category="elderly")], GraphTies())[0]
    assert near.parts["category"] - related.parts["category"] == w.category_same - w.category_related


weights = st.builds(
    ScoreWeights,
    **{
        name: st.floats(0, 50, allow_nan=False)
        for name, field in ScoreWeights.model_fields.items()
        if field.annotation is float and name != "distance_scale_km"
    },
    distance_scale_km=st.floats(0.1, 20),
    history_cap=st.integers(1, 5),
    load_cap=st.integers(1, 20),
)


@settings(max_examples=25, deadline=None)
@given(weights, st.integers(0, 3))
def test_parts_sum_exactly_to_the_score(w: ScoreWeights, seed: int) -> None:
    needs, offerings, ties = random_instance(random.Random(seed), (30.6, 104.0), 25, 50)
    cands = generate_candidates(needs, offerings, ties, weights=w)
    assert cands
    for c in cands:
        assert tuple(c.parts) == FEATURES
        assert sum(c.parts.values()) == c.score
        assert math.fsum(c.parts.values()) == c.score


def test_max_per_need_keeps_the_best_in_order() -> None:
    needs, offerings, ties = random_instance(random.Random(11), (30.6, 104.0), 40, 80)
    full = generate_candidates(needs, offerings, ties)
    top = generate_candidates(needs, offerings, ties, max_per_need=3)
    assert [c.need_id for c in full] == sorted((c.need_id for c in full), key=lambda i: int(i[1:]))
    expected: dict[str, list[tuple[float, str]]] = {}
    for c in full:
        expected.setdefault(c.need_id, []).append((-c.score, c.offering_id))
    assert all(v == sorted(v) for v in expected.values())
    assert [(c.need_id, c.offering_id) for c in top] == [
        (n, o) for n, v in expected.items() for _, o in v[:3]
    ]
    with pytest.raises(ValueError):
        generate_candidates(needs, offerings, ties, max_per_need=0)


def test_problem_arcs_keep_their_explanations() -> None:
    needs, offerings, ties = random_instance(random.Random(5), (30.6, 104.0), 40, 80)
    rng = random.Random(1)
    shuffled_needs, shuffled_offerings = needs[:], offerings[:]
    rng.shuffle(shuffled_needs)
    rng.shuffle(shuffled_offerings)
    by_pair = {(c.need_id, c.offering_id): c for c in generate_candidates(needs, offerings, ties)}
    p = MatchProblem.from_scored(build_arcs(shuffled_needs, shuffled_offerings, ties))
    q = MatchProblem.from_scored(build_arcs(needs, offerings, ties))
    assert p.n_arcs == len(by_pair)
    for arc in range(p.n_arcs):
        c = p.candidate(arc)
        assert by_pair[(c.need_id, c.offering_id)] == c
        assert (p.need_ids[p.arc_need[arc]], p.offering_ids[p.arc_offering[arc]]) == (
            c.need_id,
            c.offering_id,
        )
    assert np.array_equal(p.score, q.score) and solve(p).pairs == solve(q).pairs
    by_hand = MatchProblem.from_specs(needs, offerings, by_pair.values())
    assert np.array_equal(by_hand.score, q.score) and solve(by_hand).pairs == solve(q).pairs


def test_specs_and_weights_are_checked() -> None:
    with pytest.raises(ValueError):
        NeedSpec("n", "elderly", demand=0)
    with pytest.raises(ValueError):
        NeedSpec("n", "elderly", lat=30.0)
    with pytest.raises(ValueError):
        NeedSpec("n", "elderly", urgency="soon")
    with pytest.raises(ValueError):
        OfferingSpec("o", "p", "elderly", window=(5.0, 1.0))
    with pytest.raises(ValidationError):
        ScoreWeights(distance=-1)
    with pytest.raises(ValueError):
        MatchProblem.from_arrays(["a", "a"], [1, 1], [False, False], [], [], [], [], [], [])


def test_empty_inputs_give_empty_problems() -> None:
    need = NeedSpec("n", "elderly", lat=1.0, lon=1.0)
    offer = OfferingSpec("o", "p", "elderly", lat=1.0, lon=1.0, radius_km=1)
    for needs, offerings in (([], []), ([need], []), ([], [offer])):
        arcs = build_arcs(needs, offerings, GraphTies())
        assert len(arcs) == 0
        assert solve(MatchProblem.from_scored(arcs)).pairs == ()
    assert len(build_arcs([need], [offer], GraphTies())) == 1


def test_recommendations_are_the_best_candidates_with_reasons() -> None:
    needs, offerings, ties = random_instance(random.Random(8), (30.6, 104.0), 40, 80)
    arcs = build_arcs(needs, offerings, ties)
    full = generate_candidates(needs, offerings, ties)
    need_id = max({c.need_id for c in full}, key=lambda n: sum(c.need_id == n for c in full))
    mine = sorted((c for c in full if c.need_id == need_id), key=lambda c: (-c.score, c.offering_id))
    assert offerings_for_need(arcs, need_id, k=3) == mine[:3]
    provider = max({c.provider_id for c in full}, key=lambda p: sum(c.provider_id == p for c in full))
    best: dict[str, Candidate] = {}
    for c in full:
        if c.provider_id == provider and (c.need_id not in best or c.score > best[c.need_id].score):
            best[c.need_id] = c
    expected = sorted(best.values(), key=lambda c: (-c.score, c.need_id))
    got = needs_for_provider(arcs, provider, k=len(full))
    assert [(c.need_id, c.score) for c in got] == [(c.need_id, c.score) for c in expected]
    assert len(got) >= 2 and all(c.path_words for c in got)
    assert needs_for_provider(arcs, "nobody") == [] and offerings_for_need(arcs, "nothing") == []


@pytest.mark.parametrize("seed", range(4))
def test_restricting_arcs_scored_once_equals_scoring_the_subset(seed: int) -> None:
    """A partition cut from arcs scored over everything (``ScoredArcs.restrict``) has the same
    pairs, scores, parts and words as arcs built on the partition's needs alone; capacities drop
    by what was used elsewhere, never below zero."""
    rng = random.Random(seed)
    needs, offerings, ties = random_instance(rng, (30.64, 104.04), 50, 100)
    whole = build_arcs(needs, offerings, ties)
    chosen = sorted(rng.sample(range(len(needs)), 20))
    used = {o.id: rng.choice([0, 1, 3]) for o in offerings}
    part = whole.restrict(np.asarray(chosen, dtype=np.int64), used)
    direct = build_arcs([needs[i] for i in chosen], offerings, ties)
    as_dict = lambda arcs: {(c.need_id, c.offering_id): c for c in arcs.candidates()}  # noqa: E731
    assert as_dict(part) == as_dict(direct) and len(part) > 0
    assert [n.id for n in part.needs] == [needs[i].id for i in chosen]
    by_id = {o.id: o for o in offerings}
    touched = {c.offering_id for c in part.candidates()}
    assert {o.id for o in part.offerings} == touched
    for o in part.offerings:
        assert o.capacity == max(0, by_id[o.id].capacity - used[o.id])
