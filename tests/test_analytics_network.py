"""Network diagnostics on the hand-built street: bridges, dependence, clusters, suggested partnerships."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest
from test_analytics_world import world

from engine.analytics.graph import add_entity, add_tie
from engine.analytics.index import index_of
from engine.analytics.network import (
    bridges,
    clusters,
    coconstruction_graph,
    community_ties,
    dependence,
    edge_betweenness,
    suggest_partnerships,
)


@pytest.fixture(scope="module")
def g() -> nx.MultiDiGraph:
    return world()


def test_units_and_members_tied_to_both_communities_are_the_bridges(g: nx.MultiDiGraph) -> None:
    found = {b.id: b for b in bridges(g)}
    # 跨区建材公司: located in 玉林, reports to 芳草; 区人民医院: 玉林, served a 芳草 need; 李娜: lives in
    # 芳草, reports to 玉林. Nobody else touches both.
    assert set(found) == {"unit-b", "unit-h", "mem-2"}
    for b in found.values():
        assert b.communities == ("area-c1", "area-c2")
        assert b.betweenness == pytest.approx(1 / 3)  # three interchangeable bridges share every path
    assert "玉林社区（位于）" in found["unit-b"].reason and "芳草社区（双报到）" in found["unit-b"].reason
    ties = community_ties(index_of(g), "mem-2")["mem-2"]
    assert ties == {"area-c1": {"双报到"}, "area-c2": {"居住于", "工作于", "隶属"}}


def test_the_only_way_to_a_third_community_carries_the_most() -> None:
    g = world()
    add_entity(
        g, "Area", {"id": "area-c3", "name": "新村社区", "level": "community", "lat": 30.0, "lon": 104.1}
    )
    add_tie(g, "CONTAINS", "area-s", "area-c3")
    add_entity(
        g, "Org", {"id": "org-c3", "name": "新村社区党委", "level": "community", "kind": "big_council"}
    )
    add_tie(g, "COVERS", "org-c3", "area-c3")
    add_entity(g, "Unit", {"id": "unit-x", "name": "新村物业公司", "type": "private_firm"})
    add_tie(g, "LOCATED_IN", "unit-x", "area-c3")
    add_tie(g, "REPORTS_TO", "unit-x", "org-c2")
    found = bridges(g)
    assert found[0].id == "unit-x"
    # ordered community pairs: 6; unit-x carries 芳草–新村 both ways and 玉林–新村 both ways
    assert found[0].betweenness == pytest.approx(4 / 6)
    assert {b.id: b.betweenness for b in found[1:]} == pytest.approx(
        {"unit-b": 4 / 18, "unit-h": 4 / 18, "mem-2": 4 / 18}
    )


def test_edge_betweenness_with_multiplicities_matches_networkx_on_the_unfolded_graph() -> None:
    rng = random.Random(7)
    for _ in range(3):
        n = 10
        unfolded = nx.Graph()
        unfolded.add_nodes_from(f"c{i}" for i in range(n))
        weights = np.zeros((n, n))
        actors = []
        for a in range(22):
            cs = sorted(rng.sample(range(n), rng.choice([2, 2, 3])))
            unfolded.add_edges_from((f"a{a}", f"c{c}") for c in cs)
            actors.append((f"a{a}", cs))
            for i, x in enumerate(cs):
                for y in cs[i + 1 :]:
                    weights[x, y] += 1
                    weights[y, x] += 1
        communities = [f"c{i}" for i in range(n)]
        reference = nx.betweenness_centrality_subset(unfolded, communities, communities, normalized=False)
        credit = edge_betweenness(weights)
        for actor, cs in actors:
            mine = sum(credit[x, y] / weights[x, y] for i, x in enumerate(cs) for y in cs[i + 1 :])
            assert mine / 2 == pytest.approx(reference[actor])  # networkx counts each unordered pair once


def test_units_many_needs_depend_on(g: nx.MultiDiGraph) -> None:
    found = [(d.unit_id, d.served_needs, d.candidate_needs, d.sole_candidate_needs) for d in dependence(g)]
    # 区人民医院 served 芳草义诊 and fits two open 助老 needs in 玉林 (王芳 could also deliver meals, so
    # only the 探访 need hangs on the hospital alone); 芳邻 is the only one reaching 芳草小区助餐.
    assert found == [("unit-h", 1, 2, 1), ("unit-s", 0, 1, 1)]
    assert "其中 1 项只有它能承接" in dependence(g)[0].reason


def test_clusters_of_the_coconstruction_network(g: nx.MultiDiGraph) -> None:
    h = coconstruction_graph(g)
    assert h["unit-h"]["org-c1"]["weight"] == 3.0  # agreement (2) + 双报到 (1)
    assert h["unit-h"]["org-c2"]["kinds"] == {"服务项目"}
    assert (
        "org-uh" not in h and "org-g1" not in h
    )  # a unit's own org is the unit; a grid branch its community
    found = clusters(g)
    assert [set(c.nodes) for c in found] == [
        {"org-c2", "unit-b", "unit-f1", "unit-s"},
        {"org-c1", "unit-h", "unit-f2"},
    ]
    assert [c.main_community for c in found] == ["area-c2", "area-c1"]
    assert (found[1].orgs, found[1].units) == (1, 2)
    assert found[0].reason.startswith("以芳草社区为中心")
    assert [c.nodes for c in clusters(g)] == [c.nodes for c in found]  # same seed, same answer


def test_a_nearby_unit_whose_offerings_fit_recurring_needs_is_suggested(g: nx.MultiDiGraph) -> None:
    found = suggest_partnerships(g, radius_km=3.0)
    assert [(s.unit_id, s.community_id) for s in found] == [("unit-s", "area-c2")]
    s = found[0]
    assert (s.org_id, s.fitting_needs, s.offerings, s.distance_km) == ("org-c2", 2, ("off-s",), 0.0)
    assert s.categories == ("elderly.daycare", "elderly.meals")
    assert "芳邻公益服务中心距芳草社区 0.0 公里" in s.reason and "尚无共建协议" in s.reason


def test_suggestions_skip_partners_far_units_and_thin_demand(g: nx.MultiDiGraph) -> None:
    wide = {(s.unit_id, s.community_id) for s in suggest_partnerships(g, radius_km=6.0)}
    assert ("unit-h", "area-c2") in wide  # fits 义诊 and 助老 there, only 4.7 km away at this radius
    assert ("unit-h", "area-c1") not in wide  # already has a 共建协议 with 玉林社区党委
    assert ("unit-f1", "area-c2") not in wide  # already has one with 芳草社区党委
    assert suggest_partnerships(g, radius_km=3.0, min_needs=3) == []


def test_an_agreement_with_a_branch_under_the_community_counts() -> None:
    g = world()
    add_entity(
        g, "Agreement", {"id": "agr-3", "title": "芳邻与芳草小区结对", "kind": "pairing", "status": "active"}
    )
    add_tie(g, "PARTY_TO", "org-us", "agr-3", {"role": "party_b"})  # through the unit's own org
    add_tie(g, "PARTY_TO", "org-c2-p", "agr-3", {"role": "party_a"})  # a branch the community leads
    assert suggest_partnerships(g, radius_km=3.0) == []
