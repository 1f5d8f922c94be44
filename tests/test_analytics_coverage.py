"""Coverage on the hand-built street: uncovered areas, 两新 party-org share, 双报到 of in-service members."""

from __future__ import annotations

import networkx as nx
import pytest
from test_analytics_world import world

from engine.analytics.coverage import (
    ShareRow,
    in_service_reporting_share,
    two_new_org_share,
    uncovered_areas,
    unit_reporting_share,
)
from engine.analytics.graph import add_entity, add_tie


@pytest.fixture(scope="module")
def g() -> nx.MultiDiGraph:
    return world()


def _by_community(rows: list[ShareRow]) -> dict[str, tuple[int, int]]:
    return {r.area_name: (r.share.hits, r.share.total) for r in rows}


def test_a_building_without_a_group_and_a_compound_nobody_covers(g: nx.MultiDiGraph) -> None:
    gaps = uncovered_areas(g)
    assert [a.area_id for a in gaps.uncovered["building"]] == ["area-b2"]
    assert [a.area_id for a in gaps.uncovered["compound"]] == ["area-p3"]
    assert gaps.uncovered["grid"] == []
    b2 = gaps.uncovered["building"][0]
    assert (b2.name, b2.street, b2.community) == ("玉林小区2栋", "青石街道", "玉林社区")
    buildings = gaps.shares["building"]
    assert (buildings.overall.hits, buildings.overall.total) == (2, 3)
    assert _by_community(buildings.by_community) == {"玉林社区": (1, 2), "芳草社区": (1, 1)}
    assert _by_community(buildings.by_street) == {"青石街道": (2, 3)}


def test_coverage_of_an_ancestor_does_not_cover_a_building() -> None:
    g = world()
    add_tie(g, "COVERS", "org-c1", "area-p1")  # the community committee covers the whole compound …
    assert [a.area_id for a in uncovered_areas(g).uncovered["building"]] == ["area-b2"]  # … not building 2
    g2 = world()
    add_tie(g2, "COVERS", "org-p1", "area-b2")  # the compound branch covers building 2 directly
    assert uncovered_areas(g2).uncovered["building"] == []


def test_two_new_share_is_two_thirds(g: nx.MultiDiGraph) -> None:
    report = two_new_org_share(g)
    assert (report.overall.hits, report.overall.total) == (2, 3)
    assert report.overall.rate == pytest.approx(2 / 3)
    assert report.misses == ["unit-f2"]  # 云帆物流公司 has no party org of its own
    assert _by_community(report.by_community) == {"玉林社区": (0, 1), "芳草社区": (2, 2)}


def test_two_new_share_counts_only_private_firms_and_social_organisations() -> None:
    g = world()
    add_entity(g, "Unit", {"id": "unit-school", "name": "青石小学", "type": "school"})
    add_tie(g, "LOCATED_IN", "unit-school", "area-g1")
    add_entity(g, "Unit", {"id": "unit-new", "name": "新开公司", "type": "private_firm"})
    add_tie(g, "LOCATED_IN", "unit-new", "area-g1")
    report = two_new_org_share(g)
    assert (report.overall.hits, report.overall.total) == (2, 4)
    assert report.misses == ["unit-f2", "unit-new"]


def test_in_service_members_reporting_where_they_live(g: nx.MultiDiGraph) -> None:
    report = in_service_reporting_share(g)
    # 张伟 lives in 玉林 and reports to 玉林社区党委; 赵强 lives in 芳草小区 and reports to its branch;
    # 李娜 lives in 芳草 but reports to 玉林. 王芳 and 陈静 are not in service.
    assert (report.overall.hits, report.overall.total) == (2, 3)
    assert report.misses == ["mem-2"]
    assert _by_community(report.by_community) == {"玉林社区": (1, 1), "芳草社区": (1, 2)}
    assert report.unplaced == 0


@pytest.mark.parametrize(
    ("org", "hit"), [("org-c2", True), ("org-c2-b3", True), ("org-s", False), ("org-g1", False)]
)
def test_reporting_counts_orgs_of_the_home_community_not_the_street(org: str, hit: bool) -> None:
    g = world()
    add_tie(g, "REPORTS_TO", "mem-2", org)
    assert ("mem-2" not in in_service_reporting_share(g).misses) is hit


def test_a_member_with_no_known_home_counts_as_a_miss() -> None:
    g = world()
    add_entity(g, "Member", {"id": "mem-9", "name": "无名", "in_service": True})
    add_tie(g, "REPORTS_TO", "mem-9", "org-c1")
    report = in_service_reporting_share(g)
    assert (report.overall.hits, report.overall.total, report.unplaced) == (2, 4, 1)
    assert "mem-9" in report.misses


def test_units_reporting_to_their_own_community(g: nx.MultiDiGraph) -> None:
    report = unit_reporting_share(g)
    # In 玉林's grid: the hospital and 云帆物流 report to 玉林社区党委, 跨区建材 reports to 芳草 (a miss);
    # in 芳草's grid: 青石科技 and 芳邻公益 report to 芳草社区党委 (issue 12: units' 双报到 rate).
    assert (report.overall.hits, report.overall.total) == (4, 5)
    assert report.misses == ["unit-b"]
    assert _by_community(report.by_community) == {"玉林社区": (2, 3), "芳草社区": (2, 2)}


def test_a_unit_placed_outside_the_projection_is_not_counted() -> None:
    g = world()
    add_entity(g, "Unit", {"id": "unit-9", "name": "无址公司", "type": "private_firm"})
    add_tie(g, "REPORTS_TO", "unit-9", "org-c1")
    report = unit_reporting_share(g)
    assert (report.overall.hits, report.overall.total) == (4, 5) and "unit-9" not in report.misses
    placed = world()  # (the index of a graph is made once: a new graph for the changed ties)
    add_entity(placed, "Unit", {"id": "unit-9", "name": "无址公司", "type": "private_firm"})
    add_tie(placed, "REPORTS_TO", "unit-9", "org-c1")
    add_tie(placed, "LOCATED_IN", "unit-9", "area-g1")
    share = unit_reporting_share(placed).overall
    assert (share.hits, share.total) == (5, 6)
