"""A small hand-built world for the service tests (one street, two communities with grids and a
building, two units, three members, their offerings, one actor per role), and the tests of
jurisdiction itself. Other ``test_services_*`` modules import the ``world`` fixture from here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from engine.actors import SYSTEM, Actor, Role
from engine.errors import Forbidden
from engine.services import OfferingDraft, jurisdiction, register_offering
from engine.services.scope import may_see_holder
from engine.settings import Settings
from engine.store.base import GraphStore
from engine.store.queries.nodes import node_stmt, rel_stmt

NOW = "2026-03-02T02:00:00Z"  # a Monday, 10:00 in Beijing
RULES = Settings(points_per_hour=10.0, points_per_rating_star=2, points_for_evaluating=1, response_hours=24)

ORGS = [  # id, name, level, parent
    ("S", "和平街道党工委", "street", None),
    ("C1", "东园社区党委", "community", "S"),
    ("C2", "西园社区党委", "community", "S"),
    ("G1", "东园第一网格党支部", "grid", "C1"),
    ("G2", "西园第一网格党支部", "grid", "C2"),
    ("B1", "东园1号楼党小组", "building", "G1"),
]
UNITS = [("U1", "东园卫生服务中心", "institution", "C1"), ("U2", "西园小学", "school", "C2")]
MEMBERS = [  # id, name, phone, org it belongs to
    ("M1", "张明", "13800001111", "G1"),
    ("M2", "李华", "13900002222", "C2"),
    ("M3", "王芳", "13700003333", "G2"),
]


@dataclass
class World:
    """Ids and actors of the hand-built graph."""

    store: GraphStore
    actors: dict[str, Actor]
    offerings: dict[str, str] = field(default_factory=dict)  # provider id -> its first offering id

    def actor(self, name: str) -> Actor:
        """The actor called ``name`` (admin, planner, sec1, sec2, U1, U2, M1, M2, M3)."""
        return self.actors[name]


def need_draft(org_id: str = "C1", **overrides: Any) -> dict[str, Any]:
    """A valid need payload posted at NOW with a window in the following days."""
    draft = {
        "org_id": org_id,
        "title": "独居老人助餐送餐",
        "description": "为辖区独居老人每日送午餐",
        "category": "elderly.meals",
        "skills": ["配送"],
        "people_wanted": 1,
        "hours_wanted": 4,
        "urgency": "normal",
        "beneficiaries": ["elderly_alone"],
        "beneficiary_count": 12,
        "window_start": "2026-03-03T00:00:00Z",
        "window_end": "2026-03-20T00:00:00Z",
    }
    return {**draft, **overrides}


def offering_draft(**overrides: Any) -> OfferingDraft:
    """A valid service offering, capacity 5 a month unless overridden."""
    base = {
        "title": "助餐配送志愿服务",
        "kind": "service",
        "category": "elderly.meals",
        "skills": ["配送"],
        "capacity": 5,
        "period": "month",
    }
    return OfferingDraft(**{**base, **overrides})


def count(store: GraphStore, label: str) -> int:
    """Nodes of ``label`` in the graph."""
    row = store.one(node_stmt("count", label))
    return int(row["count"]) if row else 0


def nodes(store: GraphStore, label: str) -> list[dict[str, Any]]:
    """Every node of ``label``, by id."""
    return [r["node"] for r in store.run(node_stmt("list", label), {"skip": 0, "limit": 100000})]


def snapshot(store: GraphStore) -> dict[str, Any]:
    """Everything the closed loop writes: nodes of its labels and counts of every relationship."""
    labels = ("Need", "Offering", "Claim", "Project", "WorkLog", "ProblemReport", "Evaluation")
    return {
        **{label: nodes(store, label) for label in labels},
        "PointEntry": count(store, "PointEntry"),
        "AuditEntry": count(store, "AuditEntry"),
        "rels": {r["type"]: r["count"] for r in store.run("meta.count_by_rel")},
    }


def build_world(store: GraphStore) -> World:
    """Load the world's orgs, units, members and ties with the generic statements, then register
    one offering per provider through the service (so they are audited like any other)."""
    stamp = {"created_at": NOW, "updated_at": NOW}
    store.run(
        node_stmt("bulk_create", "Org"),
        {"rows": [{"id": i, "name": n, "level": lv, "kind": "standard", **stamp} for i, n, lv, _ in ORGS]},
    )
    store.run(
        rel_stmt("bulk_create", "LEADS", "Org", "Org"),
        {"rows": [{"start": p, "end": i, "props": {}} for i, _, _, p in ORGS if p]},
    )
    store.run(
        node_stmt("bulk_create", "Unit"),
        {
            "rows": [
                {"id": i, "name": n, "type": t, "contact_phone": "13600000000", **stamp}
                for i, n, t, _ in UNITS
            ]
        },
    )
    store.run(
        rel_stmt("bulk_create", "REPORTS_TO", "Unit", "Org"),
        {"rows": [{"start": i, "end": o, "props": {}} for i, _, _, o in UNITS]},
    )
    store.run(
        node_stmt("bulk_create", "Member"),
        {"rows": [{"id": i, "name": n, "phone": ph, **stamp} for i, n, ph, _ in MEMBERS]},
    )
    store.run(
        rel_stmt("bulk_create", "BELONGS_TO", "Member", "Org"),
        {"rows": [{"start": i, "end": o, "props": {}} for i, _, _, o in MEMBERS]},
    )
    store.run(
        node_stmt("bulk_create", "Area"),
        {"rows": [{"id": "A1", "name": "东园小区", "level": "compound", **stamp}]},
    )
    actors = {
        "admin": Actor("acc-admin", Role.ADMIN, display_name="管理员"),
        "planner": Actor("acc-planner", Role.PLANNER, scope_org_id="S", display_name="街道规划"),
        "sec1": Actor("acc-sec1", Role.SECRETARY, scope_org_id="C1", display_name="东园书记"),
        "sec2": Actor("acc-sec2", Role.SECRETARY, scope_org_id="C2", display_name="西园书记"),
        **{i: Actor(f"acc-{i}", Role.UNIT, subject_id=i) for i, *_ in UNITS},
        **{i: Actor(f"acc-{i}", Role.MEMBER, subject_id=i) for i, *_ in MEMBERS},
    }
    world = World(store, actors)
    for provider in ("U1", "U2", "M1", "M2", "M3"):
        made = register_offering(store, actors[provider], offering_draft(), now=NOW)
        world.offerings[provider] = made["id"]
    return world


@pytest.fixture(name="world")
def world_fixture(store: GraphStore) -> World:
    """The hand-built world on a fresh graph."""
    return build_world(store)


def test_jurisdiction_follows_leads_transitively(world: World) -> None:
    store = world.store
    assert jurisdiction(store, world.actor("planner")).org_ids == {"S", "C1", "C2", "G1", "G2", "B1"}
    assert jurisdiction(store, world.actor("sec1")).org_ids == {"C1", "G1", "B1"}
    assert jurisdiction(store, world.actor("sec2")).org_ids == {"C2", "G2"}
    assert jurisdiction(store, world.actor("U1")).org_ids == frozenset()
    admin = jurisdiction(store, SYSTEM)
    assert admin.everything and admin.filter is None and admin.covers("anything")


def test_an_account_whose_scope_org_is_gone_is_refused(world: World) -> None:
    lost = Actor("acc-x", Role.SECRETARY, scope_org_id="no-such-org")
    with pytest.raises(Forbidden) as caught:
        jurisdiction(world.store, lost)
    assert caught.value.code == "scope_missing" and caught.value.http_status == 403


def test_actor_needs_scope_or_subject_for_its_role() -> None:
    with pytest.raises(ValueError):
        Actor("a", Role.SECRETARY)
    with pytest.raises(ValueError):
        Actor("a", Role.MEMBER)
    assert Actor("a", "unit", subject_id="U1").provider_label == "Unit"  # type: ignore[arg-type]


def test_who_may_see_a_providers_records(world: World) -> None:
    store = world.store

    def sees(actor: str, kind: str, holder: str) -> bool:
        a = world.actor(actor)
        return may_see_holder(store, a, jurisdiction(store, a), kind, holder)

    assert sees("sec1", "Member", "M1")  # belongs to G1 under C1
    assert not sees("sec1", "Member", "M2")  # belongs to C2
    assert sees("sec2", "Unit", "U2") and not sees("sec2", "Unit", "U1")
    assert sees("planner", "Member", "M3")
    assert sees("M1", "Member", "M1") and not sees("M1", "Member", "M2") and not sees("M1", "Unit", "U1")
    assert sees("sec1", "Org", "B1") and not sees("sec1", "Org", "C2")
