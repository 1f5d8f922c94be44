"""The personal-data rule on the hand-built world: who sees a member's name and phone (and a
unit's contact) in full, provider names in nested records, and the directory reads."""

from __future__ import annotations

from typing import Any

import pytest
from test_services_world import World, world_fixture  # noqa: F401  (the fixture "world")

from engine.errors import Forbidden, NotFound
from engine.services.directory import get_member, get_org, get_unit, list_members, org_tree
from engine.services.personal import entitled, mask_personal, with_provider_names
from engine.store.queries.nodes import node_stmt, rel_stmt

PHONES = {"M1": "13800001111", "M2": "13900002222", "M3": "13700003333"}
NAMES = {"M1": "张明", "M2": "李华", "M3": "王芳"}


def _members(world: World) -> list[dict[str, str]]:
    return [world.store.one(node_stmt("get", "Member"), {"id": m})["node"] for m in PHONES]  # type: ignore[index]


def _shown(world: World, actor: str) -> set[str]:
    """Members whose name and phone ``actor`` gets in full (checked against the masked forms)."""
    out = set()
    for m in mask_personal(world.store, world.actor(actor), "Member", _members(world)):
        full = (m["name"], m["phone"]) == (NAMES[m["id"]], PHONES[m["id"]])
        masked = (
            m["name"] == NAMES[m["id"]][0] + "*"
            and m["phone"] == PHONES[m["id"]][:3] + "****" + PHONES[m["id"]][-4:]
        )
        assert full != masked, m
        if full:
            out.add(m["id"])
    return out


def test_who_sees_members_in_full(world: World) -> None:
    assert _shown(world, "admin") == {"M1", "M2", "M3"}
    assert _shown(world, "sec1") == {"M1"}  # M1 belongs to G1, under C1
    assert _shown(world, "sec2") == {"M2", "M3"}  # C2 itself and G2 under it
    assert _shown(world, "planner") == set()  # the street reaches all, but sees none
    assert _shown(world, "M1") == {"M1"} and _shown(world, "M3") == {"M3"}
    assert _shown(world, "U1") == set()
    # Reporting to a community (在职党员到社区报到) entitles its secretary too; joining a
    # branch (三缘) or serving a need there does not.
    store = world.store
    store.run(
        rel_stmt("bulk_create", "REPORTS_TO", "Member", "Org"),
        {"rows": [{"start": "M2", "end": "C1", "props": {}}]},
    )
    store.run(
        rel_stmt("bulk_create", "JOINS", "Member", "Org"),
        {"rows": [{"start": "M3", "end": "G1", "props": {}}]},
    )
    assert _shown(world, "sec1") == {"M1", "M2"}
    assert entitled(store, world.actor("sec1"), "Member", ["M3", "nobody"]) == frozenset()
    assert mask_personal(store, world.actor("planner"), "Member", []) == []


def test_unit_contacts_and_provider_names_in_nested_records(world: World) -> None:
    store = world.store
    contact = {"U1": "13600000000"}
    for actor, full in (
        ("sec1", True),
        ("U1", True),
        ("admin", True),
        ("sec2", False),
        ("planner", False),
        ("U2", False),
    ):
        shown = get_unit(store, world.actor(actor), "U1")
        assert (shown["contact_phone"] == contact["U1"]) is full, actor
        assert shown["name"] == "东园卫生服务中心" and shown["reports_to"] == [
            {"id": "C1", "name": "东园社区党委"}
        ]
    crew = [{"provider_id": "U1", "provider_kind": "Unit"}, {"provider_id": "M2", "provider_kind": "Member"}]
    records: list[dict[str, Any]] = [
        {"provider_id": "M1", "provider_kind": "Member", "providers": crew},
        {"id": "x", "work_logs": [{"provider_id": "M1", "provider_kind": "Member", "hours": 1.0}]},
        {"provider_id": "M3"},  # no kind: left as it is
    ]
    named = with_provider_names(store, world.actor("sec1"), records)
    assert named[0]["provider_name"] == "张明"
    assert [p["provider_name"] for p in named[0]["providers"]] == ["东园卫生服务中心", "李*"]
    assert named[1]["work_logs"][0]["provider_name"] == "张明" and named[1]["id"] == "x"
    assert "provider_name" not in named[2]
    assert "provider_name" not in records[0]  # the input is not changed
    assert with_provider_names(store, world.actor("U1"), records)[0]["provider_name"] == "张*"


def test_directory_reads_and_their_scope(world: World) -> None:
    store = world.store
    sec1, planner, m1 = world.actor("sec1"), world.actor("planner"), world.actor("M1")
    tree = org_tree(store, sec1, "C1")
    assert [(o["id"], o["parent_id"], o["depth"]) for o in tree] == [
        ("C1", None, 0),
        ("G1", "C1", 1),
        ("B1", "G1", 2),
    ]
    assert [o["members"] for o in tree] == [0, 1, 0]
    assert [o["id"] for o in org_tree(store, planner, "S")][:3] == ["S", "C1", "C2"]
    with pytest.raises(Forbidden):
        org_tree(store, sec1, "C2")
    with pytest.raises(Forbidden):
        org_tree(store, m1, "C1")
    with pytest.raises(NotFound):
        org_tree(store, world.actor("admin"), "nowhere")
    assert get_org(store, m1, "G1") == {
        "id": "G1", "name": "东园第一网格党支部", "level": "grid", "kind": "standard", "org_type": None,
        "basis": None, "parent_id": "C1", "parent_name": "东园社区党委", "children": 1}  # fmt: skip
    with pytest.raises(NotFound):
        get_org(store, m1, "nowhere")

    roll = list_members(store, sec1, "C1")
    assert [(m["id"], m["name"], m["belongs_to"]) for m in roll] == [
        ("M1", "张明", [{"id": "G1", "name": "东园第一网格党支部"}])
    ]
    assert [(m["id"], m["name"], m["phone"]) for m in list_members(store, planner, "S")] == [
        ("M1", "张*", "138****1111"), ("M2", "李*", "139****2222"), ("M3", "王*", "137****3333")]  # fmt: skip
    with pytest.raises(Forbidden):
        list_members(store, sec1, "C2")
    assert get_member(store, m1, "M1")["phone"] == PHONES["M1"]
    assert get_member(store, planner, "M1")["phone"] == "138****1111"
    for actor, member in (("M1", "M2"), ("U1", "M1"), ("sec1", "M2")):
        with pytest.raises(Forbidden):
            get_member(store, world.actor(actor), member)
    with pytest.raises(NotFound):
        get_member(store, sec1, "nobody")
