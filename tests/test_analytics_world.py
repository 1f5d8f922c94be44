"""A small hand-built street whose analytics answers are known, and its projection through a real store.

青石街道 has two communities 4.8 km apart. 玉林社区 (west): 第三网格 → 玉林小区 → 1栋 (a 楼栋党小组)
and 2栋 (no group). 芳草社区 (east): 芳草网格 → 芳草小区 → 3栋, and 新建小区 that no org covers.
区人民医院 signed a 共建协议 with 玉林社区党委; 跨区建材公司 sits in 玉林 but reports (双报到) to 芳草;
李娜 lives in 芳草 and reports to 玉林: those two are the only actors joining the communities.
Other test modules import ``world`` from here (tests/ is on sys.path, like conftest and schema_examples).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

from engine.analytics.graph import add_entity, add_tie
from engine.services.analytics_projection import ProjectionCache, project, scope_ids
from engine.store.base import GraphStore
from engine.store.queries.analytics import PROJECTED_LABELS, projected_props
from engine.store.queries.nodes import node_stmt, rel_stmt
from graph_schema.validation import validate_node, validate_relationship

WEST, EAST = (30.0, 104.0), (30.0, 104.05)  # 0.05° of longitude at 30°N: 4.81 km


def _area(
    g: nx.MultiDiGraph, aid: str, name: str, level: str, point: tuple[float, float], parent: str | None
) -> None:
    add_entity(g, "Area", {"id": aid, "name": name, "level": level, "lat": point[0], "lon": point[1]})
    if parent:
        add_tie(g, "CONTAINS", parent, aid)


def _org(g: nx.MultiDiGraph, oid: str, name: str, level: str, covers: str | None, leader: str | None) -> None:
    kind = "big_council" if level in ("street", "community") else "standard"
    add_entity(g, "Org", {"id": oid, "name": name, "level": level, "kind": kind})
    if covers:
        add_tie(g, "COVERS", oid, covers)
    if leader:
        add_tie(g, "LEADS", leader, oid)


def _unit(g: nx.MultiDiGraph, uid: str, name: str, kind: str, area: str, point: tuple[float, float]) -> None:
    add_entity(g, "Unit", {"id": uid, "name": name, "type": kind, "lat": point[0], "lon": point[1]})
    add_tie(g, "LOCATED_IN", uid, area)


def _member(g: nx.MultiDiGraph, mid: str, name: str, home: str, **props: Any) -> None:
    add_entity(g, "Member", {"id": mid, "name": name, **props})
    add_tie(g, "LIVES_IN", mid, home)


def _need(
    g: nx.MultiDiGraph, nid: str, title: str, category: str, status: str, org: str, area: str, created: str
) -> None:
    point = EAST if org.startswith("org-c2") else WEST
    add_entity(
        g,
        "Need",
        {
            "id": nid,
            "title": title,
            "category": category,
            "people_wanted": 1,
            "urgency": "normal",
            "window_start": "2026-12-01T01:00:00Z",
            "window_end": "2026-12-31T01:00:00Z",
            "status": status,
            "lat": point[0],
            "lon": point[1],
            "created_at": created,
            "updated_at": created,
        },
    )
    add_tie(g, "POSTED_BY", nid, org)
    add_tie(g, "LOCATED_IN", nid, area)


def _offering(
    g: nx.MultiDiGraph, oid: str, provider: str, title: str, category: str, radius: float, **props: Any
) -> None:
    add_entity(
        g,
        "Offering",
        {
            "id": oid,
            "title": title,
            "kind": "service",
            "category": category,
            "capacity": props.pop("capacity", 2),
            "period": "month",
            "status": props.pop("status", "active"),
            "radius_km": radius,
            **props,
        },
    )
    add_tie(g, "OFFERS", provider, oid)


def world() -> nx.MultiDiGraph:
    """The hand-built street (see the module docstring); every node is valid for the schema."""
    g = nx.MultiDiGraph()
    add_entity(g, "Category", {"id": "elderly", "name": "助老服务", "level": 1})
    add_entity(g, "Category", {"id": "elderly.meals", "name": "助餐送餐", "level": 2})
    add_tie(g, "PART_OF", "elderly.meals", "elderly")
    _area(g, "area-s", "青石街道", "street", WEST, None)
    _area(g, "area-c1", "玉林社区", "community", WEST, "area-s")
    _area(g, "area-g1", "第三网格", "grid", (30.001, 104.001), "area-c1")
    _area(g, "area-p1", "玉林小区", "compound", (30.002, 104.002), "area-g1")
    _area(g, "area-b1", "玉林小区1栋", "building", (30.0021, 104.0021), "area-p1")
    _area(g, "area-b2", "玉林小区2栋", "building", (30.0022, 104.0022), "area-p1")
    _area(g, "area-c2", "芳草社区", "community", EAST, "area-s")
    _area(g, "area-g2", "芳草网格", "grid", (30.001, 104.051), "area-c2")
    _area(g, "area-p2", "芳草小区", "compound", (30.002, 104.052), "area-g2")
    _area(g, "area-b3", "芳草小区3栋", "building", (30.0021, 104.0521), "area-p2")
    _area(g, "area-p3", "新建小区", "compound", (30.003, 104.053), "area-g2")
    _org(g, "org-s", "青石街道党工委", "street", "area-s", None)
    _org(g, "org-c1", "玉林社区党委", "community", "area-c1", "org-s")
    _org(g, "org-g1", "第三网格党支部", "grid", "area-g1", "org-c1")
    _org(g, "org-p1", "玉林小区党支部", "compound", "area-p1", "org-g1")
    _org(g, "org-b1", "玉林小区1栋党小组", "building", "area-b1", "org-p1")
    _org(g, "org-c2", "芳草社区党委", "community", "area-c2", "org-s")
    _org(g, "org-c2-g", "芳草网格党支部", "grid", "area-g2", "org-c2")
    _org(g, "org-c2-p", "芳草小区党支部", "compound", "area-p2", "org-c2-g")
    _org(g, "org-c2-b3", "芳草小区3栋党小组", "building", "area-b3", "org-c2-p")

    _unit(g, "unit-h", "区人民医院", "hospital", "area-g1", (30.001, 104.001))
    _unit(g, "unit-b", "跨区建材公司", "state_firm", "area-g1", (30.0015, 104.0015))
    _unit(g, "unit-f2", "云帆物流公司", "private_firm", "area-g1", WEST)
    _unit(g, "unit-f1", "青石科技公司", "private_firm", "area-g2", (30.001, 104.051))
    _unit(g, "unit-s", "芳邻公益服务中心", "social_org", "area-g2", EAST)
    for unit, org, name in (
        ("unit-h", "org-uh", "区人民医院党委"),
        ("unit-f1", "org-uf1", "青石科技公司党支部"),
        ("unit-s", "org-us", "芳邻公益服务中心党支部"),
    ):
        add_entity(g, "Org", {"id": org, "name": name, "level": "unit", "kind": "unit_org"})
        add_tie(g, "EMBEDDED_IN", org, unit)
    add_tie(g, "REPORTS_TO", "unit-h", "org-c1", {"since": "2024-03-01"})
    add_tie(g, "REPORTS_TO", "unit-f2", "org-c1", {"since": "2024-03-01"})
    add_tie(g, "REPORTS_TO", "unit-b", "org-c2", {"since": "2024-05-01"})
    add_tie(g, "REPORTS_TO", "unit-f1", "org-c2", {"since": "2024-05-01"})
    add_tie(g, "REPORTS_TO", "unit-s", "org-c2", {"since": "2024-05-01"})
    for aid, title, parties in (
        ("agr-1", "区人民医院与玉林社区共建协议", ("unit-h", "org-c1")),
        ("agr-2", "青石科技公司与芳草社区共建协议", ("unit-f1", "org-c2")),
    ):
        add_entity(g, "Agreement", {"id": aid, "title": title, "kind": "co_construction", "status": "active"})
        add_tie(g, "PARTY_TO", parties[0], aid, {"role": "party_b"})
        add_tie(g, "PARTY_TO", parties[1], aid, {"role": "party_a"})

    _member(g, "mem-1", "张伟", "area-b1", in_service=True, skills=["医疗", "急救"], hours_per_month=10)
    add_tie(g, "WORKS_AT", "mem-1", "unit-h")
    add_tie(g, "BELONGS_TO", "mem-1", "org-uh")
    add_tie(g, "REPORTS_TO", "mem-1", "org-c1", {"since": "2025-01-01"})
    add_tie(g, "HOLDS", "mem-1", "org-c1", {"role": "part_time_member"})
    _member(g, "mem-2", "李娜", "area-b3", in_service=True, skills=["法律"], hours_per_month=4)
    add_tie(g, "WORKS_AT", "mem-2", "unit-f1")
    add_tie(g, "BELONGS_TO", "mem-2", "org-uf1")
    add_tie(g, "REPORTS_TO", "mem-2", "org-c1", {"since": "2025-01-01"})
    _member(g, "mem-3", "王芳", "area-b2", in_service=False, skills=["巡逻", "急救"], hours_per_month=20)
    add_tie(g, "BELONGS_TO", "mem-3", "org-g1")
    add_tie(g, "HOLDS", "mem-3", "org-g1", {"role": "secretary"})
    _member(g, "mem-4", "赵强", "area-p2", in_service=True, skills=["心理疏导"], hours_per_month=0)
    add_tie(g, "WORKS_AT", "mem-4", "unit-s")
    add_tie(g, "BELONGS_TO", "mem-4", "org-us")
    add_tie(g, "REPORTS_TO", "mem-4", "org-c2-p", {"since": "2025-02-01"})
    _member(g, "mem-5", "陈静", "area-b1", in_service=False, skills=["协调"], hours_per_month=6)
    add_tie(g, "WORKS_AT", "mem-5", "unit-b")
    add_tie(g, "BELONGS_TO", "mem-5", "org-c1")
    add_tie(g, "HOLDS", "mem-5", "org-c1", {"role": "part_time_member"})
    add_tie(g, "HOLDS", "mem-5", "org-c1", {"role": "grid_worker"})

    _need(g, "need-1", "独居老人助餐", "elderly.meals", "open", "org-g1", "area-p1", "2026-09-05T01:00:00Z")
    _need(g, "need-2", "独居老人探访", "elderly.visits", "open", "org-c1", "area-c1", "2026-09-20T01:00:00Z")
    _need(g, "need-3", "芳草义诊", "health.clinic", "completed", "org-c2", "area-c2", "2026-08-10T01:00:00Z")
    _need(
        g, "need-4", "法律咨询进社区", "legal.consult", "expired", "org-c2", "area-c2", "2026-10-01T01:00:00Z"
    )
    _need(g, "need-5", "芳草小区助餐", "elderly.meals", "open", "org-c2-p", "area-p2", "2026-10-15T01:00:00Z")
    _need(g, "need-6", "日间照料", "elderly.daycare", "claimed", "org-c2", "area-c2", "2026-10-20T01:00:00Z")
    _need(g, "need-7", "劳动纠纷咨询", "legal.consult", "open", "org-c2", "area-c2", "2026-11-02T01:00:00Z")

    _offering(g, "off-h1", "unit-h", "义诊服务", "health.clinic", 5.0, skills=["医疗"], capacity=4)
    _offering(g, "off-h2", "unit-h", "健康讲座", "health.lecture", 5.0)
    _offering(g, "off-h3", "unit-h", "医护助老", "elderly", 2.0, skills=["护理"])
    _offering(g, "off-s", "unit-s", "长者助餐", "elderly", 3.0, skills=["烹饪"])
    _offering(g, "off-l", "unit-f2", "法律顾问", "legal.consult", 3.0, skills=["法律"])
    _offering(g, "off-m3", "mem-3", "邻里送餐", "elderly.meals", 1.0)
    _offering(g, "off-old", "unit-b", "已暂停的维修", "repair.plumbing", 5.0, status="paused")

    add_entity(
        g,
        "Project",
        {
            "id": "prj-1",
            "title": "芳草义诊项目",
            "status": "completed",
            "completed_at": "2026-09-02T08:00:00Z",
        },
    )
    add_tie(g, "FULFILLS", "prj-1", "need-3")
    add_tie(g, "SERVES", "unit-h", "prj-1", {"offering_id": "off-h1", "hours": 6.0})
    add_entity(g, "Claim", {"id": "clm-1", "status": "active", "via": "self", "offering_id": "off-s"})
    add_tie(g, "MAKES", "unit-s", "clm-1")
    add_tie(g, "FOR", "clm-1", "need-6")
    add_tie(g, "USES", "clm-1", "off-s")
    return g


def load(store: GraphStore, graph: nx.MultiDiGraph) -> None:
    """Write ``graph`` into ``store`` through the generic bulk statements, label by label and pair by pair."""
    by_label: dict[str, list[dict[str, Any]]] = {}
    for _node, data in graph.nodes(data=True):
        by_label.setdefault(data["label"], []).append({k: v for k, v in data.items() if k != "label"})
    for label, rows in by_label.items():
        store.bulk(node_stmt("bulk_create", label), rows)
    by_pair: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for u, v, data in graph.edges(data=True):
        key = (data["type"], graph.nodes[u]["label"], graph.nodes[v]["label"])
        props = {k: x for k, x in data.items() if k != "type"}
        by_pair.setdefault(key, []).append({"start": u, "end": v, "props": props})
    for (rel_type, start, end), rows in by_pair.items():
        store.bulk(rel_stmt("bulk_create", rel_type, start, end), rows)


def _edges(graph: nx.MultiDiGraph) -> Counter[tuple[str, str, str, tuple[tuple[str, Any], ...]]]:
    return Counter(
        (u, v, d["type"], tuple(sorted((k, x) for k, x in d.items() if k != "type")))
        for u, v, d in graph.edges(data=True)
    )


def test_the_world_is_valid_for_the_schema() -> None:
    g = world()
    problems = {
        n: validate_node(d["label"], {k: v for k, v in d.items() if k != "label"})
        for n, d in g.nodes(data=True)
    }
    assert {n: p for n, p in problems.items() if p} == {}
    rel_problems = [
        (u, v, p)
        for u, v, d in g.edges(data=True)
        for p in validate_relationship(
            d["type"], g.nodes[u]["label"], g.nodes[v]["label"], {k: x for k, x in d.items() if k != "type"}
        )
    ]
    assert rel_problems == []
    assert {d["label"] for _, d in g.nodes(data=True)} == set(PROJECTED_LABELS)


def test_projection_of_the_whole_store_gives_back_the_hand_built_graph(store: GraphStore) -> None:
    built = world()
    load(store, built)
    projected = project(
        store, batch_size=3
    )  # pages of 3 nodes and batches of 3 ids: every page boundary is used

    assert set(projected.nodes) == set(built.nodes)
    for node, data in built.nodes(data=True):
        assert projected.nodes[node] == data, node
    assert _edges(projected) == _edges(built)
    stats = projected.graph["stats"]
    assert (stats.nodes, stats.edges) == (built.number_of_nodes(), built.number_of_edges())
    assert stats.statements > len(PROJECTED_LABELS) and stats.store_seconds > 0


def test_projection_reads_no_contact_details_or_long_texts(store: GraphStore) -> None:
    built = world()
    built.nodes["mem-1"]["phone"] = "13800000000"
    built.nodes["need-1"]["description"] = "长的说明文字"
    load(store, built)
    projected = project(store)
    assert "phone" not in projected.nodes["mem-1"] and "description" not in projected.nodes["need-1"]
    assert "phone" not in projected_props("Member") and "name" in projected_props("Member")


def test_scoped_projection_of_a_community_holds_its_subtree_and_what_lies_there(store: GraphStore) -> None:
    load(store, world())
    ids = scope_ids(store, "org-c1", batch_size=2)
    assert ids["Org"] == {
        "org-c1",
        "org-g1",
        "org-p1",
        "org-b1",
        "org-uh",
    }  # the subtree and a unit's own org
    assert ids["Area"] == {"area-c1", "area-g1", "area-p1", "area-b1", "area-b2"}
    assert ids["Unit"] == {"unit-h", "unit-b", "unit-f2"}
    assert ids["Member"] == {"mem-1", "mem-2", "mem-3", "mem-5"}  # 李娜 reports here though she lives in 芳草
    assert ids["Need"] == {"need-1", "need-2"}
    assert ids["Offering"] == {"off-h1", "off-h2", "off-h3", "off-l", "off-m3", "off-old"}
    assert ids["Agreement"] == {"agr-1"} and ids["Project"] == set() and ids["Claim"] == set()

    g = project(store, org_id="org-c1")
    assert set(g.nodes) == set().union(*ids.values())
    assert g.graph["scope_org_id"] == "org-c1"
    # 跨区建材公司 reports to 芳草社区党委, which is out of scope: the tie is dropped, the unit kept.
    assert sorted(d["type"] for _, _, d in g.out_edges("unit-b", data=True)) == ["LOCATED_IN", "OFFERS"]


def test_scoped_projection_of_the_street_is_the_whole_street(store: GraphStore) -> None:
    built = world()
    load(store, built)
    g = project(store, org_id="org-s", batch_size=4)
    assert set(g.nodes) == set(built.nodes)
    assert _edges(g) == _edges(built)


def test_projection_cache_keeps_one_graph_per_store_and_scope(store: GraphStore) -> None:
    load(store, world())
    cache = ProjectionCache(max_age_s=None)
    whole = cache.graph(store)
    assert cache.graph(store) is whole
    scoped = cache.graph(store, "org-c1")
    assert scoped is not whole and scoped.number_of_nodes() < whole.number_of_nodes()
    made: list[int] = []

    def factory(graph: nx.MultiDiGraph) -> int:
        made.append(graph.number_of_nodes())
        return len(made)

    assert cache.derived(store, "count", factory) == cache.derived(store, "count", factory) == 1
    cache.invalidate(store)
    assert cache.graph(store) is not whole
    assert cache.derived(store, "count", factory) == 2


def test_projection_cache_remakes_an_old_projection(store: GraphStore) -> None:
    load(store, world())
    cache = ProjectionCache(max_age_s=0.0)
    first = cache.graph(store)
    assert cache.graph(store) is not first


def test_unknown_org_scope_projects_nothing_but_the_taxonomy(store: GraphStore) -> None:
    load(store, world())
    g = project(store, org_id="org-missing")
    assert {d["label"] for _, d in g.nodes(data=True)} == {"Category"}
