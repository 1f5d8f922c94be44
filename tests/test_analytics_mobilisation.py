"""Emergency mobilisation 平急结合 on the hand-built street: who to call, in which order, and why."""

from __future__ import annotations

import networkx as nx
import pytest
from test_analytics_world import EAST, world

from engine.analytics.graph import add_entity, add_tie
from engine.analytics.mobilisation import Mobiliser


@pytest.fixture(scope="module")
def mob() -> Mobiliser:
    return Mobiliser.from_graph(world())


def test_only_people_with_the_skill_are_called(mob: Mobiliser) -> None:
    called = mob.find("area-c1", ["急救"])
    assert {c.id for c in called} == {"mem-1", "mem-3"}  # nobody else has 急救
    assert all(c.skills == ("急救",) and c.registered for c in called)
    assert all("具备急救" in c.reason for c in called)


def test_units_are_called_for_the_skills_of_their_active_offerings(mob: Mobiliser) -> None:
    called = mob.find("area-c1", ["医疗"])
    assert {(c.label, c.id) for c in called} == {("Member", "mem-1"), ("Unit", "unit-h")}
    assert [c.id for c in mob.find("area-c1", ["医疗"], kinds=("Unit",))] == ["unit-h"]
    assert mob.find("area-c1", ["维修"]) == []  # 跨区建材公司's 维修 offering is paused


def test_a_place_given_by_coordinates_snaps_to_the_nearest_building(mob: Mobiliser) -> None:
    point, area = mob.locate((30.00221, 104.00221))
    assert area == "area-b2" and point == (30.00221, 104.00221)
    called = {c.id: c for c in mob.find((30.00221, 104.00221), ["巡逻"])}
    assert called["mem-3"].graph_hops == 1  # lives in that very building
    assert called["mem-3"].distance_km < 0.01


def test_the_search_widens_until_enough_are_found(mob: Mobiliser) -> None:
    called = mob.find(EAST, ["急救"], radius_km=1.0, limit=2)
    assert {c.id for c in called} == {"mem-1", "mem-3"}  # both live 4.8 km away in 玉林
    assert all(c.distance_km > 4.5 and not c.registered for c in called)
    assert mob.find(EAST, ["急救"], radius_km=1.0, max_radius_km=2.0) == []


def _with_twins(**second: object) -> nx.MultiDiGraph:
    g = world()
    for mid, props in (("mem-a", {}), ("mem-b", second)):
        base = {"id": mid, "name": "双胞胎", "in_service": True, "skills": ["消防"], "hours_per_month": 10}
        home = str(props.pop("home", "area-b1"))
        add_entity(g, "Member", {**base, **props})
        add_tie(g, "LIVES_IN", mid, home)
    return g


def test_nearer_ranks_first_all_else_equal() -> None:
    called = Mobiliser(_with_twins(home="area-b3")).find("area-b1", ["消防"])
    assert [c.id for c in called] == ["mem-a", "mem-b"]
    assert called[0].distance_km < called[1].distance_km and called[0].graph_hops < called[1].graph_hops


def test_more_available_ranks_first_all_else_equal() -> None:
    called = Mobiliser(_with_twins(hours_per_month=40)).find("area-b1", ["消防"])
    assert [c.id for c in called] == ["mem-b", "mem-a"]
    assert called[0].availability == 1.0 and called[1].availability == 0.25


def test_registered_with_the_community_is_closer_through_the_graph() -> None:
    g = _with_twins(home="area-b3")
    add_tie(g, "REPORTS_TO", "mem-b", "org-c1")
    called = {c.id: c for c in Mobiliser(g).find("area-c1", ["消防"])}
    assert called["mem-b"].registered and called["mem-b"].graph_hops == 2  # member → 社区党委 → 社区
    assert not called["mem-a"].registered and called["mem-a"].graph_hops == 4  # home → 小区 → 网格 → 社区


def test_an_ended_post_no_longer_ties_a_member_to_the_community() -> None:
    g = _with_twins(home="area-b3")
    add_tie(g, "HOLDS", "mem-a", "org-c1", {"role": "grid_worker", "until": "2026-06-30"})
    add_tie(g, "HOLDS", "mem-b", "org-c1", {"role": "grid_worker"})
    called = {c.id: c for c in Mobiliser(g).find("area-c1", ["消防"])}
    assert called["mem-b"].registered and called["mem-b"].graph_hops == 2
    assert not called["mem-a"].registered and called["mem-a"].graph_hops == 4


def test_a_member_matching_more_of_the_skills_ranks_first() -> None:
    called = Mobiliser(_with_twins(skills=["消防", "急救"])).find("area-b1", ["消防", "急救"])
    assert called[0].id == "mem-b" and called[0].skills == ("急救", "消防")


def test_names_can_be_masked_and_unknown_places_are_errors(mob: Mobiliser) -> None:
    assert {c.name for c in mob.find("area-c1", ["急救"], mask_pii=True)} == {"张某", "王某"}
    with pytest.raises(KeyError):
        mob.find("area-nowhere", ["急救"])
