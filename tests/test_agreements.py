"""Agreements 共建协议 managed in place (issue 12) over HTTP on a real server, on both backends: the
community's secretary signs with a unit (both sides' obligations), renews (history kept, audited)
and terminates with a reason; org roles read their jurisdiction's, the unit its own, a member none;
another community's secretary is refused; bad input answers 4xx in Chinese and writes nothing; the
expiry warning job notifies the secretary and the unit once however often it runs."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from api_world import ApiWorld, shared_world
from conftest import BACKENDS
from hypothesis import given
from hypothesis import strategies as st
from test_services_world import count, nodes

from engine.services.agreements import (
    parse_renewal,
    remind_expiring_agreements,
    renewal_entry,
    today_of,
    view,
)
from engine.services.clock import utc_now
from engine.store.embedded import EmbeddedFalkorDB
from engine.store.queries.nodes import node_stmt, rel_stmt


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
        made = api.client("admin").post(
            "/accounts",
            json={"id": "secretary-b", "display_name": "另一社区书记", "role": "secretary",
                  "scope_org_id": other, "password": "a-long-password"},
        )  # fmt: skip
        assert made.status_code == 201, made.text
        api.clients["secretary-b"] = api.sign_in("secretary-b", "a-long-password")
        yield api


def today(days: int = 0) -> str:
    """The Beijing date ``days`` from today."""
    return (date.fromisoformat(today_of(utc_now())) + timedelta(days=days)).isoformat()


def draft(api: ApiWorld, **extra: Any) -> dict[str, Any]:
    """An agreement between the secretary's community and the demo unit, a year from today."""
    return {
        "org_id": api.accounts["secretary"]["scope_org_id"],
        "unit_id": api.accounts["unit"]["subject_id"],
        "title": "社区与单位共建协议",
        "kind": "two_way_service",
        "terms": "双方互相开放场地,共同开展志愿服务",
        "valid_from": today(),
        "valid_to": today(365),
        "obligations_a": ["提供党群服务中心活动室", "每季度通报居民需求"],
        "obligations_b": ["每月组织一次志愿服务", "开放单位食堂为独居老人助餐"],
        **extra,
    }


def sign(api: ApiWorld, **extra: Any) -> dict[str, Any]:
    """Sign an agreement as the secretary; the answer."""
    answer = api.client("secretary").post("/agreements", json=draft(api, **extra))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def state(api: ApiWorld) -> dict[str, Any]:
    """What a refused write must leave as it was."""
    return {
        "Agreement": nodes(api.store, "Agreement"),
        "AuditEntry": count(api.store, "AuditEntry"),
        "Notification": count(api.store, "Notification"),
    }


def audits(api: ApiWorld, agreement_id: str) -> list[dict[str, Any]]:
    """The audit entries of one agreement, oldest first."""
    found = [a for a in nodes(api.store, "AuditEntry") if a.get("entity_id") == agreement_id]
    return sorted(found, key=lambda a: str(a["id"]))


def test_sign_and_read_by_role(world: ApiWorld) -> None:
    made = sign(world)
    assert made["status"] == "active" and made["status_zh"] == "有效" and not made["expiring"]
    assert made["obligations_a"] == ["提供党群服务中心活动室", "每季度通报居民需求"]
    assert made["obligations_b"][1] == "开放单位食堂为独居老人助餐"
    assert made["unit_id"] == world.accounts["unit"]["subject_id"] and made["history"] == []
    assert made["signed_on"] == today() and made["kind_zh"] == "双向服务协议"
    assert [a["action"] for a in audits(world, made["id"])] == ["agreement.create"]

    for role in ("admin", "planner", "secretary", "unit"):
        listed = world.client(role).get("/agreements", params={"limit": 500})
        assert listed.status_code == 200, (role, listed.text)
        assert made["id"] in {a["id"] for a in listed.json()}, role
        one = world.client(role).get(f"/agreements/{made['id']}")
        assert one.status_code == 200 and one.json()["obligations_b"] == made["obligations_b"], role
    own = world.client("unit").get("/agreements", params={"limit": 500}).json()
    assert own and {a["unit_id"] for a in own} == {world.accounts["unit"]["subject_id"]}
    secretary = world.client("secretary").get("/agreements", params={"limit": 500}).json()
    assert {a["org_id"] for a in secretary} == {world.accounts["secretary"]["scope_org_id"]}

    assert world.client("member").get("/agreements").status_code == 403
    assert world.client("member").get(f"/agreements/{made['id']}").status_code == 403
    other = world.client("secretary-b")
    assert other.get(f"/agreements/{made['id']}").status_code == 403
    assert made["id"] not in {a["id"] for a in other.get("/agreements", params={"limit": 500}).json()}
    unit_other = world.client("unit").get("/agreements", params={"unit_id": "someone-else"})
    assert unit_other.status_code == 403


@pytest.mark.parametrize(
    ("who", "change", "status", "words"),
    [
        ("secretary", {"valid_to": "2020-01-01", "valid_from": "2020-06-01"}, 422, "到期日期"),
        ("secretary", {"unit_id": "no-such-unit"}, 404, "驻区单位"),
        ("secretary", {"org_id": "no-such-org"}, 403, "本社区"),
        ("secretary", {"obligations_b": []}, 422, "乙方"),
        ("secretary", {"obligations_a": ["一;二"]}, 422, "分隔符"),
        ("secretary", {"kind": "friendship"}, 422, "协议类型"),
        ("secretary", {"valid_to": "2027-02-30"}, 422, "日期"),
        ("secretary", {"extra": 1}, 422, ""),
        ("secretary-b", {}, 403, "本社区"),
        ("planner", {}, 403, "书记"),
        ("unit", {}, 403, "书记"),
    ],
)
def test_bad_input_and_wrong_roles_change_nothing(
    world: ApiWorld, who: str, change: dict[str, Any], status: int, words: str
) -> None:
    before = state(world)
    answer = world.client(who).post("/agreements", json=draft(world, **change))
    assert answer.status_code == status, answer.text
    assert words in answer.json()["message"]
    assert state(world) == before


def test_renew_keeps_history_and_terminate_ends_it(world: ApiWorld) -> None:
    made = sign(world, valid_to=today(20))
    assert made["expiring"] and made["status_zh"] == "即将到期" and made["days_left"] == 20
    secretary = world.client("secretary")
    path = f"/agreements/{made['id']}"

    before = state(world)
    for bad in ({"valid_to": today(10)}, {"valid_to": "not a date"}, {"valid_to": today(400), "x": 1}):
        refused = secretary.post(f"{path}/renew", json=bad)
        assert refused.status_code == 422, refused.text
    assert world.client("secretary-b").post(f"{path}/renew", json={"valid_to": today(400)}).status_code == 403
    assert world.client("unit").post(f"{path}/renew", json={"valid_to": today(400)}).status_code == 403
    assert state(world) == before

    once = secretary.post(f"{path}/renew", json={"valid_to": today(400)})
    assert once.status_code == 200, once.text
    twice = secretary.post(f"{path}/renew", json={"valid_to": today(800)}).json()
    assert twice["valid_to"] == today(800) and not twice["expiring"]
    assert twice["history"] == [
        {"renewed_on": today(), "previous_valid_to": today(20), "valid_to": today(400)},
        {"renewed_on": today(), "previous_valid_to": today(400), "valid_to": today(800)},
    ]
    renewals = [a for a in audits(world, made["id"]) if a["action"] == "agreement.renew"]
    assert [json.loads(a["before"])["valid_to"] for a in renewals] == [today(20), today(400)]
    assert [json.loads(a["after"])["valid_to"] for a in renewals] == [today(400), today(800)]

    assert secretary.post(f"{path}/terminate", json={"reason": " "}).status_code == 422
    ended = secretary.post(f"{path}/terminate", json={"reason": "单位搬迁出辖区"})
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "terminated" and ended.json()["termination_reason"] == "单位搬迁出辖区"
    assert ended.json()["terminated_on"] == today() and len(ended.json()["history"]) == 2
    before = state(world)
    again = secretary.post(f"{path}/terminate", json={"reason": "再次终止"})
    assert again.status_code == 409 and "已终止" in again.json()["message"]
    assert secretary.post(f"{path}/renew", json={"valid_to": today(900)}).status_code == 409
    assert state(world) == before
    listed = secretary.get("/agreements", params={"status": "terminated", "limit": 500}).json()
    assert made["id"] in {a["id"] for a in listed}


def _warned(api: ApiWorld, account: str, agreement_id: str) -> list[dict[str, Any]]:
    return [
        n
        for n in nodes(api.store, "Notification")
        if n.get("kind") == "agreement_expiring"
        and n.get("entity_id") == agreement_id
        and n["account_id"] == account
    ]


def test_expiry_warning_runs_once_per_end_date(world: ApiWorld) -> None:
    soon = sign(world, valid_to=today(10), title="即将到期的共建协议")
    later = sign(world, valid_to=today(90), title="明年到期的共建协议")
    first = remind_expiring_agreements(world.store, days=30)
    second = remind_expiring_agreements(world.store, days=30)
    assert first["created"] >= 2 and second["created"] == 0 and second["matched"] == first["matched"]
    for account in ("secretary", "unit"):
        assert len(_warned(world, account, soon["id"])) == 1, account
        assert _warned(world, account, later["id"]) == [], account
    assert _warned(world, "secretary-b", soon["id"]) == []
    inbox = world.client("unit").get("/notifications").json()
    assert any(
        n["entity_id"] == soon["id"] and "即将到期" in n["title"] and n["link"] == "#/agreements"
        for n in inbox
    )
    marked = world.client("secretary").get("/agreements", params={"expiring": True, "limit": 500}).json()
    assert soon["id"] in {a["id"] for a in marked} and later["id"] not in {a["id"] for a in marked}
    jobs = [a for a in nodes(world.store, "AuditEntry") if a["action"] == "job.remind_agreement_expiring"]
    assert len(jobs) >= 2

    # renewed to a new end inside the window: warned again, once, for the new end date
    renewed = world.client("secretary").post(f"/agreements/{soon['id']}/renew", json={"valid_to": today(25)})
    assert renewed.status_code == 200, renewed.text
    remind_expiring_agreements(world.store, days=30)
    remind_expiring_agreements(world.store, days=30)
    assert len(_warned(world, "secretary", soon["id"])) == 2
    # a terminated agreement is not warned
    world.client("secretary").post(f"/agreements/{later['id']}/terminate", json={"reason": "提前终止"})
    remind_expiring_agreements(world.store, days=120)
    assert _warned(world, "secretary", later["id"]) == []


@given(
    on=st.dates(),
    old=st.one_of(st.none(), st.dates()),
    new=st.dates(),
)
def test_a_renewal_entry_reads_back(on: date, old: date | None, new: date) -> None:
    entry = renewal_entry(on.isoformat(), old.isoformat() if old else None, new.isoformat())
    assert parse_renewal(entry) == {
        "renewed_on": on.isoformat(),
        "previous_valid_to": old.isoformat() if old else None,
        "valid_to": new.isoformat(),
    }


@given(
    days_left=st.integers(-400, 400),
    warning=st.integers(1, 365),
    status=st.sampled_from(["active", "terminated"]),
)
def test_expiring_means_in_force_and_ending_within_the_warning_days(
    days_left: int, warning: int, status: str
) -> None:
    end = (date(2026, 6, 1) + timedelta(days=days_left)).isoformat()
    row = {
        "agreement": {"id": "a", "title": "t", "kind": "pairing", "status": status, "valid_to": end},
        "org_id": "o",
        "org_name": "O",
        "unit_id": "u",
        "unit_name": "U",
    }
    shown = view(row, today="2026-06-01", warning_days=warning)
    assert shown["days_left"] == days_left
    assert shown["expiring"] == (status == "active" and 0 <= days_left <= warning)
    assert shown["lapsed"] == (status == "active" and days_left < 0)
    assert not (shown["expiring"] and shown["lapsed"])


def test_an_imported_agreement_without_an_end_date_can_be_renewed(world: ApiWorld) -> None:
    now = utc_now()
    props = {"id": f"agr-imp-{uuid.uuid4().hex[:8]}", "title": "导入的无到期日协议", "kind": "pairing",
             "status": "active", "created_at": now, "updated_at": now}  # fmt: skip
    world.store.run(node_stmt("create", "Agreement"), {"props": props})
    for label, party in (
        ("Org", world.accounts["secretary"]["scope_org_id"]),
        ("Unit", world.accounts["unit"]["subject_id"]),
    ):
        row = {"start": party, "end": props["id"], "props": {}}
        world.store.run(rel_stmt("bulk_create", "PARTY_TO", label, "Agreement"), {"rows": [row]})
    renewed = world.client("secretary").post(
        f"/agreements/{props['id']}/renew", json={"valid_to": today(200)}
    )
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["history"] == [
        {"renewed_on": today(), "previous_valid_to": None, "valid_to": today(200)}
    ]
    assert renewed.json()["obligations_a"] == [] and renewed.json()["days_left"] == 200
