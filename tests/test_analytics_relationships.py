"""Relationships on the hand-built street: neighbourhoods, paths in words, councils, a unit's ties."""

from __future__ import annotations

import networkx as nx
import pytest
from test_analytics_world import world

from engine.analytics.graph import add_entity, add_tie
from engine.analytics.relationships import (
    council_composition,
    describe_path,
    neighbourhood,
    neighbourhood_graph,
    paths_between,
    unit_ties,
)


@pytest.fixture(scope="module")
def g() -> nx.MultiDiGraph:
    return world()


def test_one_hop_neighbourhood_is_exactly_the_direct_ties(g: nx.MultiDiGraph) -> None:
    hood = neighbourhood(g, "unit-h", hops=1)
    direct = set(g.successors("unit-h")) | set(g.predecessors("unit-h"))
    assert {n.node.id for n in hood.nodes if n.hops == 1} == direct
    assert hood.centre.name == "区人民医院" and not hood.truncated
    ends = direct | {"unit-h"}
    assert hood.ties and all(t.start in ends and t.end in ends for t in hood.ties)
    assert {t.title for t in hood.ties if t.type == "REPORTS_TO"} == {"双报到"}


def test_neighbourhood_follows_only_the_chosen_relationship_types(g: nx.MultiDiGraph) -> None:
    sub = neighbourhood_graph(g, "org-s", hops=5, rel_types=["LEADS"])
    assert set(sub.nodes) == {
        "org-s",
        "org-c1",
        "org-g1",
        "org-p1",
        "org-b1",
        "org-c2",
        "org-c2-g",
        "org-c2-p",
        "org-c2-b3",
    }
    assert sub.graph["hops"]["org-b1"] == 4
    assert {d["type"] for _, _, d in sub.edges(data=True)} == {"LEADS"}


def test_neighbourhood_stops_at_the_node_limit_and_says_so(g: nx.MultiDiGraph) -> None:
    hood = neighbourhood(g, "org-c1", hops=3, max_nodes=5)
    assert len(hood.nodes) == 5 and hood.truncated


def test_neighbourhood_of_an_unknown_node_is_an_error(g: nx.MultiDiGraph) -> None:
    with pytest.raises(KeyError):
        neighbourhood(g, "nobody")


def test_path_through_an_agreement_reads_as_in_the_seeds(g: nx.MultiDiGraph) -> None:
    paths = paths_between(g, "unit-h", "org-g1", rel_types=["PARTY_TO", "LEADS"])
    assert [p.text for p in paths] == ["区人民医院 —共建协议→ 玉林社区党委 —领导→ 第三网格党支部"]
    assert paths[0].length == 3  # unit → agreement → community org → grid branch
    assert [s.to.id for s in paths[0].steps] == ["org-c1", "org-g1"]


def test_all_shortest_paths_are_found_and_none_longer(g: nx.MultiDiGraph) -> None:
    paths = paths_between(g, "unit-h", "org-g1")
    assert {p.length for p in paths} == {2}
    assert {p.steps[0].to.id for p in paths} == {"org-c1", "area-g1"}  # 双报到 then 领导; 位于 then 覆盖
    texts = {p.text for p in paths}
    assert "区人民医院 —双报到→ 玉林社区党委 —领导→ 第三网格党支部" in texts
    assert "区人民医院 —位于→ 第三网格 ←覆盖— 第三网格党支部" in texts
    assert len(paths) == len(list(nx.all_shortest_paths(g.to_undirected(as_view=True), "unit-h", "org-g1")))


def test_path_of_known_length_matches_networkx_and_respects_max_hops(g: nx.MultiDiGraph) -> None:
    undirected = g.to_undirected(as_view=True)
    expected = nx.shortest_path_length(undirected, "mem-3", "org-c2")
    assert expected == 4
    paths = paths_between(g, "mem-3", "org-c2", limit=50)
    assert {p.length for p in paths} == {4}
    assert sorted(tuple([p.start.id, *(s.to.id for s in p.steps)]) for p in paths) == sorted(
        tuple(p) for p in nx.all_shortest_paths(undirected, "mem-3", "org-c2")
    )
    assert paths_between(g, "mem-3", "org-c2", max_hops=3) == []


def test_paths_honour_the_limit_and_mask_names(g: nx.MultiDiGraph) -> None:
    paths = paths_between(g, "mem-3", "org-c2", limit=1, mask_pii=True)
    assert len(paths) == 1 and paths[0].text.startswith("王某 ")


def test_reversed_relationships_point_back_in_words() -> None:
    g = world()
    path = describe_path(g, ["org-g1", "org-c1"])
    assert path.text == "第三网格党支部 ←领导— 玉林社区党委"
    assert not path.steps[0].forward


def test_unconnected_entities_have_no_path() -> None:
    g = world()
    add_entity(g, "Unit", {"id": "unit-alone", "name": "孤立单位", "type": "agency"})
    assert paths_between(g, "unit-alone", "org-s") == []


def test_council_composition_lists_part_time_members_and_their_units(g: nx.MultiDiGraph) -> None:
    council = council_composition(g, "org-c1")
    assert [s.member.id for s in council.part_time] == ["mem-1", "mem-5"]
    assert [[u.name for u in s.units] for s in council.part_time] == [["区人民医院"], ["跨区建材公司"]]
    assert council.units == {"unit-h": 1, "unit-b": 1}
    assert council.unit_types == {"医院": 1, "国有企业": 1}
    assert {s.role for s in council.seats} == {"part_time_member", "grid_worker"}
    assert "兼职委员 2 名" in council.text and "来自 2 家驻区单位" in council.text


def test_council_of_an_unknown_org_is_an_error(g: nx.MultiDiGraph) -> None:
    with pytest.raises(KeyError):
        council_composition(g, "unit-h")


def test_every_tie_of_a_unit(g: nx.MultiDiGraph) -> None:
    ties = unit_ties(g, "unit-h")
    assert [o.id for o in ties.embedded_orgs] == ["org-uh"]
    assert [o.id for o in ties.reports_to] == ["org-c1"]
    assert [(a.agreement.id, a.kind_zh, [p.id for p in a.parties]) for a in ties.agreements] == [
        ("agr-1", "共建协议", ["org-c1"])
    ]
    assert [(p.project.id, p.need.id if p.need else None, p.hours) for p in ties.projects] == [
        ("prj-1", "need-3", 6.0)
    ]
    assert [m.id for m in ties.workers] == ["mem-1"]
    assert [o.id for o in ties.offerings] == ["off-h1", "off-h2", "off-h3"]
    assert ties.area is not None and ties.area.id == "area-g1"


def test_a_unit_without_ties_says_what_it_lacks() -> None:
    g = world()
    add_entity(g, "Unit", {"id": "unit-new", "name": "新来公司", "type": "private_firm"})
    add_tie(g, "LOCATED_IN", "unit-new", "area-g2")
    ties = unit_ties(g, "unit-new")
    assert (ties.agreements, ties.projects, ties.workers, ties.embedded_orgs) == ([], [], [], [])
    assert "尚未建立单位党组织" in ties.text and "尚未双报到" in ties.text
