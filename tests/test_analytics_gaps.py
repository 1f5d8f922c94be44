"""Gaps on the hand-built street: demand and supply by category × community, unserved needs, trends."""

from __future__ import annotations

import math

import networkx as nx
import pytest
from test_analytics_world import EAST, WEST, world

from engine.analytics.gaps import monthly_trends, needs_without_provider, supply_demand
from engine.analytics.graph import add_entity, add_tie


@pytest.fixture(scope="module")
def g() -> nx.MultiDiGraph:
    return world()


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine written out here, independently of the code under test."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_demand_and_supply_by_category_family_and_community(g: nx.MultiDiGraph) -> None:
    rows = {
        (r.area_name, r.category): (r.needs, r.needs_unmet, r.offerings, r.offerings_idle)
        for r in supply_demand(g)
    }
    assert rows == {
        # 玉林: two open 助老 needs; the hospital's 医护助老 and 王芳's 邻里送餐, both never used
        ("玉林社区", "elderly"): (2, 2, 2, 2),
        # the hospital's 义诊 served a project (SERVES.offering_id), its 健康讲座 did not
        ("玉林社区", "health"): (0, 0, 2, 1),
        ("玉林社区", "legal"): (0, 0, 1, 1),
        ("芳草社区", "health"): (1, 0, 0, 0),
        # one open, one claimed need; the 芳邻 offering is in use through an active claim
        ("芳草社区", "elderly"): (2, 1, 1, 0),
        ("芳草社区", "legal"): (2, 2, 0, 0),  # one expired, one open, no supply at all
    }
    first = supply_demand(g)[0]
    assert (first.area_name, first.category_name, first.balance) == ("芳草社区", "法律服务", -2)


def test_supply_demand_by_street_and_exact_category(g: nx.MultiDiGraph) -> None:
    rows = {(r.area_name, r.category): r.needs for r in supply_demand(g, level="street", family=False)}
    assert rows[("青石街道", "elderly.meals")] == 2 and rows[("青石街道", "legal.consult")] == 2
    assert ("青石街道", "elderly") in rows  # offerings registered under the top category itself
    with pytest.raises(ValueError):
        supply_demand(g, level="planet")


def test_a_withdrawn_claim_leaves_the_offering_idle() -> None:
    g = world()
    g.nodes["clm-1"]["status"] = "withdrawn"
    rows = {(r.area_name, r.category): r.offerings_idle for r in supply_demand(g)}
    assert rows[("芳草社区", "elderly")] == 1


def test_needs_with_no_provider_within_the_radius(g: nx.MultiDiGraph) -> None:
    found = needs_without_provider(g, radius_km=3.0)
    assert [n.need_id for n in found] == ["need-7"]  # the only 法律 offering is 4.8 km away in 玉林
    gap = found[0]
    assert gap.nearest_offering == "off-l"
    assert gap.nearest_km == pytest.approx(_km(EAST, WEST), abs=1e-3)
    assert (gap.community, gap.street) == ("芳草社区", "青石街道")
    assert "3 公里内没有" in gap.reason and "4.8 公里" in gap.reason
    assert needs_without_provider(g, radius_km=5.0) == []
    assert [n.need_id for n in needs_without_provider(g, radius_km=3.0, statuses=("open", "expired"))] == [
        "need-4",
        "need-7",
    ]


def test_a_need_whose_category_nobody_offers_says_so() -> None:
    g = world()
    add_entity(
        g,
        "Need",
        {
            "id": "need-9",
            "title": "管道疏通",
            "category": "repair.plumbing",
            "status": "open",
            "lat": 30.0,
            "lon": 104.0,
        },
    )
    add_tie(g, "LOCATED_IN", "need-9", "area-b1")
    gap = {n.need_id: n for n in needs_without_provider(g)}["need-9"]
    assert gap.nearest_km is None and "全域没有可用" in gap.reason  # the only 维修 offering is paused


def test_needs_posted_and_completed_per_month(g: nx.MultiDiGraph) -> None:
    months = [(m.month, m.posted, m.completed) for m in monthly_trends(g)]
    assert months == [("2026-08", 1, 0), ("2026-09", 2, 1), ("2026-10", 3, 0), ("2026-11", 1, 0)]


def test_months_without_activity_are_listed_and_done_needs_without_project_count() -> None:
    g = world()
    g.nodes["need-7"]["created_at"] = "2027-01-03T01:00:00Z"
    g.nodes["need-4"]["status"] = "completed"
    g.nodes["need-4"]["updated_at"] = "2026-12-15T01:00:00Z"
    months = {m.month: (m.posted, m.completed) for m in monthly_trends(g)}
    assert months["2026-11"] == (0, 0) and months["2026-12"] == (0, 1) and months["2027-01"] == (1, 0)
    assert list(months) == sorted(months) and len(months) == 6
