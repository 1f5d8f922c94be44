"""Notifications (issue 11): inbox rows written with their events on both backends, read through
the API; the scheduler's reminder jobs idempotent and audited against a real store; delivery by
SMTP to a real local aiosmtpd server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from api_world import ApiWorld, api_fixture  # noqa: F401  (the fixture "api")
from cli_process import free_port
from test_api_loop import iso_in, need_body, offering_body, ok

from engine.notify.channels import SmtpChannel, message_id
from engine.notify.delivery import Policy, deliver_due, idempotency_key
from engine.services.notifications import remind_evaluations, remind_overdue, remind_start_tomorrow
from engine.store.base import GraphStore
from engine.store.queries.nodes import node_stmt


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts (raw bytes, by arrival)."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def ids(self) -> list[str]:
        """Message-IDs in arrival order."""
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Mailbox]]:
    """A real SMTP server on a free loopback port."""
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, box
    controller.stop()


def grid_of(api: ApiWorld) -> dict[str, Any]:
    """A grid of the secretary's community, with an area."""
    sec = api.client("secretary")
    community = ok(sec.get("/auth/me"))["scope_org_id"]
    return next(
        o for o in ok(sec.get(f"/orgs/{community}/tree")) if o["parent_id"] == community and o["areas"]
    )


def claimed_need(api: ApiWorld, **window: Any) -> dict[str, Any]:
    """A need of the secretary's community claimed by the demo unit (its project made)."""
    sec, unit = api.client("secretary"), api.client("unit")
    grid = grid_of(api)
    need = ok(sec.post("/needs", json=need_body(grid["id"], area_id=grid["areas"][0]["id"], **window)), 201)
    offering = ok(unit.post("/offerings", json=offering_body()), 201)
    claim = ok(unit.post("/claims", json={"need_id": need["id"], "offering_id": offering["id"]}), 201)
    return {"need": need, "claim": claim, "project_id": claim["project_id"]}


def kinds(client: Any) -> list[str]:
    return [n["kind"] for n in ok(client.get("/notifications"))]


def test_events_write_notifications_read_through_the_inbox(api: ApiWorld) -> None:
    sec, unit, member = api.client("secretary"), api.client("unit"), api.client("member")
    assert ok(sec.get("/notifications/unread-count")) == {"unread": 0}

    made = claimed_need(api)
    inbox = ok(sec.get("/notifications"))
    assert [(n["kind"], n["entity_label"], n["entity_id"], n["read"]) for n in inbox] == [
        ("claim", "Need", made["need"]["id"], False)
    ]
    assert inbox[0]["link"] == f"#/needs/{made['need']['id']}" and "有新的认领" in inbox[0]["title"]
    assert ok(sec.get("/notifications/unread-count")) == {"unread": 1}
    assert kinds(unit) == [] and kinds(member) == []  # the actor is not told of its own act
    assert unit.post(f"/notifications/{inbox[0]['id']}/read").status_code == 404  # not the unit's

    read = ok(sec.post(f"/notifications/{inbox[0]['id']}/read"))
    assert read["read"] and read["read_at"]
    assert ok(sec.get("/notifications/unread-count")) == {"unread": 0}
    assert ok(sec.get("/notifications", params={"unread": True})) == []

    project = made["project_id"]
    ok(unit.post(f"/projects/{project}/start"))
    ok(unit.post(f"/projects/{project}/problems", json={"description": "两户老人不开门"}), 201)
    assert sorted(kinds(sec)) == ["claim", "problem"]
    problem = ok(sec.get(f"/projects/{project}"))["problems"][0]
    ok(sec.post(f"/problems/{problem['id']}/resolve", json={"resolution": "已联系家属"}))
    ok(unit.post(f"/projects/{project}/complete", json={"report": "完成"}))
    assert sorted(kinds(sec)) == ["claim", "evaluation_due", "problem"] and kinds(unit) == ["evaluation_due"]
    assert ok(sec.get("/notifications/unread-count")) == {"unread": 2}
    assert ok(sec.post("/notifications/read-all")) == {"marked": 2}
    assert ok(sec.get("/notifications/unread-count")) == {"unread": 0}


def test_a_dispatch_tells_the_provider(api: ApiWorld) -> None:
    sec, unit = api.client("secretary"), api.client("unit")
    grid = grid_of(api)
    need = ok(sec.post("/needs", json=need_body(grid["id"], area_id=grid["areas"][0]["id"])), 201)
    offering = ok(unit.post("/offerings", json=offering_body()), 201)
    body = {
        "need_id": need["id"],
        "offering_id": offering["id"],
        "provider_id": api.accounts["unit"]["subject_id"],
    }
    ok(sec.post("/claims", json=body), 201)
    assert kinds(unit) == ["dispatched"] and kinds(sec) == []


def _nodes(store: GraphStore, label: str) -> int:
    from test_services_world import count

    return int(count(store, label))


def test_scheduler_jobs_are_idempotent_and_audited(api: ApiWorld) -> None:
    store = api.store
    tomorrow = claimed_need(api, window_start=iso_in(24), window_end=iso_in(24 * 7))
    overdue = claimed_need(api)
    done = claimed_need(api)
    unit = api.client("unit")
    ok(unit.post(f"/projects/{overdue['project_id']}/start"))
    store.run(node_stmt("update", "Need"), {"id": overdue["need"]["id"], "props": {"window_end": iso_in(-2)}})
    ok(unit.post(f"/projects/{done['project_id']}/start"))
    ok(unit.post(f"/projects/{done['project_id']}/complete", json={"report": "完成"}))
    store.run(
        node_stmt("update", "Project"), {"id": done["project_id"], "props": {"completed_at": iso_in(-24 * 5)}}
    )

    def run_all() -> list[dict[str, Any]]:
        return [remind_start_tomorrow(store), remind_overdue(store), remind_evaluations(store, days=3)]

    before = _nodes(store, "Notification"), _nodes(store, "AuditEntry")
    first = run_all()
    after_first = _nodes(store, "Notification"), _nodes(store, "AuditEntry")
    second = run_all()
    after_second = _nodes(store, "Notification"), _nodes(store, "AuditEntry")

    # the demo holds older completed projects, unrated: they are reminded of too
    assert [(r["matched"], r["created"]) for r in first][:2] == [(1, 1), (1, 1)]
    assert first[2]["matched"] == first[2]["created"] >= 1
    assert [(r["matched"], r["created"]) for r in second] == [(r["matched"], 0) for r in first]
    created = sum(r["created"] for r in first)
    assert after_first[0] == before[0] + created and after_second[0] == after_first[0]  # one reminder each
    assert after_first[1] == before[1] + 3 and after_second[1] == after_first[1] + 3  # every run audited
    assert {n["kind"] for n in ok(unit.get("/notifications"))} >= {"start_tomorrow", "overdue"}
    inbox = ok(api.client("secretary").get("/notifications", params={"limit": 500}))
    reminded = {n["entity_id"] for n in inbox if n["kind"] == "evaluation_overdue"}
    assert done["project_id"] in reminded
    audit = ok(api.client("admin").get("/audit", params={"entity_id": "job.remind.overdue"}))
    assert [a["action"] for a in audit] == ["job.remind_overdue"] * 2
    assert tomorrow["need"]["id"] in {n["entity_id"] for n in ok(unit.get("/notifications"))}


def test_smtp_delivery_to_a_real_server(api: ApiWorld, smtp: tuple[Controller, Mailbox]) -> None:
    controller, box = smtp
    store = api.store
    store.run(node_stmt("update", "Account"), {"id": "secretary", "props": {"email": "shuji@example.cn"}})
    made = claimed_need(api)
    note = ok(api.client("secretary").get("/notifications"))[0]
    channel = SmtpChannel("127.0.0.1", controller.port, "lianjian@example.cn")

    counts = deliver_due(store, channel, Policy(), worker="w1")
    assert counts["sent"] == 1
    assert box.ids() == [message_id(idempotency_key(note["id"], "email"))]
    mail = box.messages[0]
    assert mail["To"] == "shuji@example.cn" and made["need"]["title"] in str(mail["Subject"])
    assert deliver_due(store, channel, Policy(), worker="w1")["leased"] == 0  # nothing twice
    assert len(box.messages) == 1


def test_a_refusing_server_is_retried_with_back_off_then_failed(api: ApiWorld) -> None:
    store = api.store
    store.run(node_stmt("update", "Account"), {"id": "secretary", "props": {"email": "shuji@example.cn"}})
    claimed_need(api)
    dead = SmtpChannel("127.0.0.1", 1, "lianjian@example.cn", timeout=2)  # nothing listens on port 1
    policy = Policy(max_attempts=2, backoff_seconds=60)
    assert deliver_due(store, dead, policy, worker="w1")["retry"] == 1
    assert deliver_due(store, dead, policy, worker="w1")["leased"] == 0  # backing off
    later = iso_in(0.5)
    assert deliver_due(store, dead, policy, worker="w1", now=later)["failed"] == 1
    assert {r["delivery"]: r["n"] for r in store.run("notify.delivery.counts", {})} == {"failed": 1}
