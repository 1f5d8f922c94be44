"""双报到 managed in place (issue 12) over HTTP on a real server, on both backends: a unit (its account)
and an in-service member register with a community, its secretary is notified and accepts (the
REPORTS_TO tie is made, the registrant notified) or declines with a reason; another community's
secretary is refused; bad input answers 4xx in Chinese and writes nothing; concurrent accepts and
declines of one registration let exactly one win; the units' report rate counts the new tie."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from api_world import ApiWorld, shared_world
from conftest import BACKENDS
from test_services_world import count, nodes

from engine.actors import Actor, Role
from engine.errors import Conflict
from engine.services.analytics import CACHE
from engine.services.clock import utc_now
from engine.services.registrations import (
    RegistrationDraft,
    accept_registration,
    decline_registration,
    submit_registration,
)
from engine.store.embedded import EmbeddedFalkorDB
from engine.store.queries.nodes import node_stmt, rel_stmt

PASSWORD = "a-long-password"


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest,
    falkordb_server: EmbeddedFalkorDB,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ApiWorld]:
    """The tiny demo behind a real server, plus a second community's secretary account."""
    for api in shared_world(falkordb_server, tmp_path_factory, request.param):
        mine = api.accounts["secretary"]["scope_org_id"]
        other = next(
            o["id"] for o in api.dataset.nodes["Org"] if o["level"] == "community" and o["id"] != mine
        )
        account(api, {"id": "secretary-b", "role": "secretary", "scope_org_id": other})
        yield api


def account(api: ApiWorld, fields: dict[str, Any]) -> None:
    """An account made by the admin API, signed in as ``api.clients[id]``."""
    made = api.client("admin").post(
        "/accounts", json={**fields, "display_name": fields["id"], "password": PASSWORD}
    )
    assert made.status_code == 201, made.text
    api.clients[fields["id"]] = api.sign_in(fields["id"], PASSWORD)


def community(api: ApiWorld) -> str:
    """The secretary's community."""
    return str(api.accounts["secretary"]["scope_org_id"])


def community_area(api: ApiWorld) -> str:
    """An area the secretary's community covers."""
    return next(r["end"] for r in api.dataset.rels[("COVERS", "Org", "Area")] if r["start"] == community(api))


def new_unit(api: ApiWorld, *, with_account: bool = True) -> str:
    """A unit located in the secretary's community that reports nowhere (and its account ``id``)."""
    uid = f"unit-r-{uuid.uuid4().hex[:8]}"
    now = utc_now()
    row = {
        "id": uid,
        "name": f"新驻区单位{uid[-4:]}",
        "type": "private_firm",
        "created_at": now,
        "updated_at": now,
    }
    api.store.run(node_stmt("bulk_create", "Unit"), {"rows": [row]})
    api.store.run(
        rel_stmt("bulk_create", "LOCATED_IN", "Unit", "Area"),
        {"rows": [{"start": uid, "end": community_area(api), "props": {}}]},
    )
    if with_account:
        account(api, {"id": uid, "role": "unit", "subject_id": uid})
    return uid


def new_member(api: ApiWorld) -> str:
    """An in-service member who reports nowhere, with an account ``id``."""
    mid = f"mem-r-{uuid.uuid4().hex[:8]}"
    now = utc_now()
    row = {
        "id": mid,
        "name": "孙晓燕",
        "phone": "13600001111",
        "in_service": True,
        "created_at": now,
        "updated_at": now,
    }
    api.store.run(node_stmt("bulk_create", "Member"), {"rows": [row]})
    account(api, {"id": mid, "role": "member", "subject_id": mid})
    return mid


def reports_to(api: ApiWorld, label: str, subject: str) -> set[str]:
    """The orgs ``subject`` REPORTS_TO."""
    rows = api.store.run("export.out." + label, {"ids": [subject]})
    return {r["end_id"] for r in rows if r["type"] == "REPORTS_TO"}


def state(api: ApiWorld) -> dict[str, Any]:
    """What a refused write must leave as it was."""
    return {
        "Registration": nodes(api.store, "Registration"),
        "AuditEntry": count(api.store, "AuditEntry"),
        "Notification": count(api.store, "Notification"),
        "rels": {r["type"]: r["count"] for r in api.store.run("meta.count_by_rel")},
    }


def inbox(api: ApiWorld, who: str, kind: str, entity: str) -> list[dict[str, Any]]:
    """``who``'s notifications of ``kind`` about ``entity``."""
    notes = api.clients[who].get("/notifications", params={"limit": 500}).json()
    return [n for n in notes if n["kind"] == kind and n["entity_id"] == entity]


def test_a_unit_registers_and_the_secretary_accepts(world: ApiWorld) -> None:
    world.client("secretary")
    uid = new_unit(world)
    made = world.clients[uid].post(
        "/registrations", json={"org_id": community(world), "note": "单位党支部报到"}
    )
    assert made.status_code == 201, made.text
    reg = made.json()
    assert reg["status"] == "pending" and reg["registrant_id"] == uid and reg["registrant_kind"] == "Unit"
    assert len(inbox(world, "secretary", "registration", reg["id"])) == 1
    assert inbox(world, "secretary-b", "registration", reg["id"]) == []

    pending = world.clients["secretary"].get("/registrations", params={"status": "pending"}).json()
    assert reg["id"] in {r["id"] for r in pending}
    assert reg["id"] not in {r["id"] for r in world.clients["secretary-b"].get("/registrations").json()}
    assert {r["registrant_id"] for r in world.clients[uid].get("/registrations").json()} == {uid}

    before = state(world)
    again = world.clients[uid].post("/registrations", json={"org_id": community(world)})
    assert again.status_code == 409 and "待审核" in again.json()["message"]
    for who in ("secretary-b", "planner", "unit", "member"):
        refused = world.client(who).post(f"/registrations/{reg['id']}/accept", json={})
        assert refused.status_code == 403, (who, refused.text)
    assert state(world) == before
    assert reports_to(world, "Unit", uid) == set()

    accepted = world.clients["secretary"].post(
        f"/registrations/{reg['id']}/accept", json={"reason": "欢迎报到"}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["decided_by"] == "secretary"
    assert reports_to(world, "Unit", uid) == {community(world)}
    told = inbox(world, uid, "registration_decided", reg["id"])
    assert len(told) == 1 and told[0]["link"] == "#/registrations" and "已接收" in told[0]["title"]
    actions = [a["action"] for a in nodes(world.store, "AuditEntry") if a.get("entity_id") == reg["id"]]
    assert sorted(actions) == ["registration.accept", "registration.submit"]

    before = state(world)
    twice = world.clients["secretary"].post(f"/registrations/{reg['id']}/decline", json={"reason": "重复"})
    assert twice.status_code == 409
    anew = world.clients[uid].post("/registrations", json={"org_id": community(world)})
    assert anew.status_code == 409 and "已向" in anew.json()["message"]
    assert state(world) == before


def test_a_member_is_declined_with_a_reason(world: ApiWorld) -> None:
    world.client("secretary")
    mid = new_member(world)
    reg = world.clients[mid].post("/registrations", json={"org_id": community(world)}).json()
    assert reg["registrant_kind"] == "Member" and reg["registrant_name"] == "孙晓燕"
    shown = {r["id"]: r for r in world.client("planner").get("/registrations", params={"limit": 500}).json()}
    assert shown[reg["id"]]["registrant_name"] != "孙晓燕" and "*" in shown[reg["id"]]["registrant_name"]
    assert "13600001111" not in world.clients["secretary"].get("/registrations").text

    before = state(world)
    no_reason = world.clients["secretary"].post(f"/registrations/{reg['id']}/decline", json={})
    assert no_reason.status_code == 422 and "原因" in no_reason.json()["message"]
    assert state(world) == before
    declined = world.clients["secretary"].post(
        f"/registrations/{reg['id']}/decline", json={"reason": "请向居住地社区报到"}
    )
    assert declined.status_code == 200, declined.text
    mine = world.clients[mid].get("/registrations").json()
    assert [(r["status"], r["decision_reason"]) for r in mine] == [("declined", "请向居住地社区报到")]
    assert reports_to(world, "Member", mid) == set()
    assert len(inbox(world, mid, "registration_decided", reg["id"])) == 1


@pytest.mark.parametrize(
    ("who", "body", "status", "words"),
    [
        ("unit", {"org_id": "no-such-org"}, 404, "不存在"),
        ("unit", {"org_id": "STREET"}, 422, "社区党组织"),
        ("unit", {"org_id": 12}, 422, ""),
        ("unit", {"org_id": "COMMUNITY", "extra": True}, 422, ""),
        ("unit", {"org_id": "COMMUNITY"}, 409, "已向"),  # the demo unit already reports there
        ("secretary", {"org_id": "COMMUNITY"}, 403, "单位和党员"),
        ("planner", {"org_id": "COMMUNITY"}, 403, "单位和党员"),
    ],
)
def test_bad_registrations_change_nothing(
    world: ApiWorld, who: str, body: dict[str, Any], status: int, words: str
) -> None:
    street = next(o["id"] for o in world.dataset.nodes["Org"] if o["level"] == "street")
    fixed = {"STREET": street, "COMMUNITY": community(world)}
    sent = {k: fixed.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = state(world)
    answer = world.client(who).post("/registrations", json=sent)
    assert answer.status_code == status, answer.text
    assert words in answer.json()["message"]
    assert state(world) == before


def test_concurrent_accepts_and_declines_let_exactly_one_win(world: ApiWorld) -> None:
    uid = new_unit(world, with_account=False)
    registrant = Actor(f"acc-{uid}", Role.UNIT, subject_id=uid)
    reg = submit_registration(world.store, registrant, RegistrationDraft(org_id=community(world)))
    secretary = Actor("secretary", Role.SECRETARY, scope_org_id=community(world))

    def decide(i: int) -> str:
        try:
            if i % 2:
                decline_registration(world.store, secretary, reg["id"], f"第{i}次审核:不予接收")
            else:
                accept_registration(world.store, secretary, reg["id"], f"第{i}次审核:接收")
            return "won"
        except Conflict:
            return "lost"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(decide, range(16)))
    assert outcomes.count("won") == 1, outcomes
    final = next(r for r in nodes(world.store, "Registration") if r["id"] == reg["id"])
    decisions = [
        a for a in nodes(world.store, "AuditEntry")
        if a.get("entity_id") == reg["id"] and a["action"] != "registration.submit"
    ]  # fmt: skip
    action = {"accepted": "registration.accept", "declined": "registration.decline"}[final["status"]]
    assert [a["action"] for a in decisions] == [action]
    tie = reports_to(world, "Unit", uid)
    assert tie == ({community(world)} if final["status"] == "accepted" else set())


def test_the_units_report_rate_counts_an_accepted_registration(world: ApiWorld) -> None:
    planner, street = world.client("planner"), world.accounts["planner"]["scope_org_id"]

    def rate() -> dict[str, Any]:
        CACHE.invalidate(world.store)
        answer = planner.get(f"/analytics/orgs/{street}/coverage")
        assert answer.status_code == 200, answer.text
        return dict(answer.json()["unit_reporting"]["overall"])

    start = rate()
    uid = new_unit(world)
    placed = rate()
    assert (placed["hits"], placed["total"]) == (start["hits"], start["total"] + 1)
    reg = world.clients[uid].post("/registrations", json={"org_id": community(world)}).json()
    world.client("secretary").post(f"/registrations/{reg['id']}/accept", json={})
    reported = rate()
    assert (reported["hits"], reported["total"]) == (start["hits"] + 1, start["total"] + 1)
    assert reported["rate"] == pytest.approx(reported["hits"] / reported["total"])
