"""Bad input over HTTP: wrong types, unknown ids, illegal status transitions, oversize strings,
windows that end before they start — each answers 4xx with ``{code, message}`` in Chinese and
writes nothing (every node of the closed loop, every relationship count and the audit trail are
the same before and after)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from api_world import ApiWorld, api_fixture  # noqa: F401  (the fixture "api")
from test_api_loop import iso_in, need_body, offering_body, ok
from test_services_world import count, snapshot

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def refused(answer: httpx.Response, status: int, code: str | None = None) -> None:
    """``answer`` is the error ``status`` (and ``code``) with a Chinese message."""
    where = (answer.request.method, str(answer.request.url), answer.text)
    assert answer.status_code == status, where
    body: dict[str, Any] = answer.json()
    assert body["code"] and CHINESE.search(body["message"]), where
    if code is not None:
        assert body["code"] == code, where


def test_bad_input_is_refused_in_chinese_and_writes_nothing(api: ApiWorld) -> None:
    sec, unit, admin = api.client("secretary"), api.client("unit"), api.client("admin")
    community = api.accounts["secretary"]["scope_org_id"]

    # States to misuse: a claimed (unstarted) project, a cancelled need, a withdrawn claim,
    # a resolved problem on a project in progress, a retired offering.
    offering = ok(unit.post("/offerings", json=offering_body(capacity=10)), 201)
    claim_with = {"offering_id": offering["id"]}

    def claim_new_need() -> dict[str, Any]:
        need = ok(sec.post("/needs", json=need_body(community)), 201)
        return dict(ok(unit.post("/claims", json={"need_id": need["id"], **claim_with}), 201))

    claimed = claim_new_need()
    cancelled = ok(sec.post("/needs", json=need_body(community)), 201)
    ok(sec.post(f"/needs/{cancelled['id']}/cancel", json={"reason": "重复发布"}))
    two = ok(sec.post("/needs", json=need_body(community, people_wanted=2)), 201)
    withdrawn = ok(unit.post("/claims", json={"need_id": two["id"], **claim_with}), 201)
    ok(unit.post(f"/claims/{withdrawn['id']}/withdraw"))
    running = claim_new_need()
    ok(unit.post(f"/projects/{running['project_id']}/start"))
    problem = ok(unit.post(f"/projects/{running['project_id']}/problems", json={"description": "缺人"}), 201)
    ok(sec.post(f"/problems/{problem['id']}/resolve", json={"resolution": "已补人"}))
    retired = ok(unit.post("/offerings", json=offering_body()), 201)
    ok(unit.post(f"/offerings/{retired['id']}/retire"))

    before, accounts = snapshot(api.store), count(api.store, "Account")
    long_title = "长" * 101
    # Wrong types and shapes.
    refused(sec.post("/needs", json=need_body(community, people_wanted="许多")), 422, "invalid_input")
    refused(sec.post("/needs", json=need_body(community, window_start="下周一")), 422)
    refused(sec.post("/needs", json=need_body(community, beneficiaries=["外星人"])), 422)
    refused(sec.post("/needs", json=need_body(community, category="no.such.category")), 422)
    refused(sec.post("/needs", json=need_body(community, unknown_field=1)), 422)
    refused(sec.post("/needs", json=[need_body(community)]), 422)
    refused(sec.post("/needs", content=b"{not json", headers={"Content-Type": "application/json"}), 422)
    refused(unit.post("/offerings", json=offering_body(capacity=0)), 422)
    refused(unit.post("/offerings", json=offering_body(access="free")), 422)  # only venues have access
    refused(unit.post(f"/projects/{running['project_id']}/hours", json={"hours": "两小时"}), 422)
    refused(unit.post(f"/projects/{running['project_id']}/hours", json={"hours": 25}), 422)
    refused(sec.get("/needs", params={"status": "whatever"}), 422)
    refused(sec.get("/claims", params={"limit": 0}), 422)
    # Oversize strings.
    refused(sec.post("/needs", json=need_body(community, title=long_title)), 422, "invalid_input")
    refused(sec.post("/needs", json=need_body(community, description="长" * 2001)), 422)
    refused(sec.patch(f"/needs/{two['id']}", json={"title": long_title}), 422)
    refused(sec.post(f"/needs/{two['id']}/cancel", json={"reason": "长" * 501}), 422)
    refused(unit.post("/claims", json={"need_id": two["id"], "note": "长" * 501, **claim_with}), 422)
    refused(unit.post(f"/projects/{running['project_id']}/complete", json={"report": "长" * 2001}), 422)
    refused(unit.post(f"/projects/{running['project_id']}/problems", json={"description": ""}), 422)
    # Windows that end before they start, when posted and when edited.
    late = need_body(community, window_start=iso_in(48), window_end=iso_in(24))
    refused(sec.post("/needs", json=late), 422)
    refused(sec.patch(f"/needs/{two['id']}", json={"window_end": iso_in(-24 * 30)}), 422)
    # Unknown ids.
    refused(sec.get("/needs/no-such-need"), 404, "not_found")
    refused(unit.post("/claims", json={"need_id": "no-such-need", **claim_with}), 404)
    refused(unit.post("/claims", json={"need_id": two["id"], "offering_id": "no-such-offering"}), 404)
    refused(sec.post("/needs", json=need_body(community, area_id="no-such-area")), 404)
    refused(sec.post("/needs", json=need_body("no-such-org")), 403)  # outside the secretary's scope
    refused(admin.post("/needs", json=need_body("no-such-org")), 404)
    refused(unit.post("/projects/no-such-project/start"), 404)
    refused(sec.post("/problems/no-such-problem/resolve", json={"resolution": "好"}), 404)
    refused(unit.post("/claims/no-such-claim/withdraw"), 404)
    refused(unit.patch("/offerings/no-such-offering", json={"capacity": 2}), 404)
    refused(sec.get("/members/no-such-member"), 404)
    refused(sec.get("/units/no-such-unit"), 404)
    refused(sec.get("/orgs/no-such-org"), 404)
    refused(admin.get("/orgs/no-such-org/tree"), 404)
    # Illegal status transitions.
    refused(
        unit.post(f"/projects/{claimed['project_id']}/complete", json={"report": "完成"}),
        409,
        "illegal_transition",
    )
    refused(
        unit.post(f"/projects/{claimed['project_id']}/hours", json={"hours": 1}), 409, "illegal_transition"
    )
    refused(unit.post("/claims", json={"need_id": cancelled["id"], **claim_with}), 409, "illegal_transition")
    refused(sec.post(f"/needs/{cancelled['id']}/cancel", json={"reason": "再取消"}), 409)
    refused(sec.patch(f"/needs/{cancelled['id']}", json={"title": "改标题"}), 409)
    refused(unit.post(f"/claims/{withdrawn['id']}/withdraw"), 409, "illegal_transition")
    refused(unit.post(f"/projects/{running['project_id']}/start"), 409, "illegal_transition")
    refused(sec.post(f"/problems/{problem['id']}/resolve", json={"resolution": "再处理"}), 409)
    refused(unit.post(f"/offerings/{offering['id']}/resume"), 409, "illegal_transition")
    refused(unit.post(f"/offerings/{retired['id']}/pause"), 409, "illegal_transition")
    refused(unit.post("/claims", json={"need_id": two["id"], "offering_id": retired["id"]}), 409)
    refused(unit.post("/claims", json={"need_id": claimed["need_id"], **claim_with}), 409, "need_full")
    # Wrong roles: a planner only reads projects, a unit cannot post needs.
    refused(
        api.client("planner").post(f"/projects/{running['project_id']}/complete", json={"report": "完成"}),
        403,
    )
    refused(unit.post("/needs", json=need_body(community)), 403, "forbidden")

    assert snapshot(api.store) == before
    assert count(api.store, "Account") == accounts
