"""The story of issue 11's "Done when", as one test over HTTP on both backends: a resident submits
a request without an account and follows its tracking code; the secretary turns it into a need;
a unit claims it and the secretary's inbox says so; the project starts, logs hours, completes and
the secretary confirms the hours; the resident's timeline shows it completed; the community's
public results count one more completed project; the quarter's 述职 .docx downloads for the
planner. Every expectation is computed from the API's answers before and after."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import docx
from api_world import ApiWorld, api_fixture  # noqa: F401  (the fixture "api")
from test_api_loop import offering_body, ok, started_ago

from graph_schema.validation import BEIJING

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _public(api: ApiWorld, org: str, period: str) -> dict[str, Any]:
    with api.anonymous() as c:
        result: dict[str, Any] = ok(c.get(f"/public/orgs/{org}/results", params={"period": period}))
    return result


def test_a_residents_request_from_submission_to_the_quarters_report(api: ApiWorld) -> None:
    sec, unit, planner = api.client("secretary"), api.client("unit"), api.client("planner")
    community = ok(sec.get("/auth/me"))["scope_org_id"]
    now = datetime.now(BEIJING)
    month, quarter = f"{now.year}-{now.month:02d}", f"{now.year}-Q{(now.month + 2) // 3}"
    before = {period: _public(api, community, period) for period in (month, quarter)}
    sec_unread = ok(sec.get("/notifications/unread-count"))["unread"]

    # A resident submits from the phone page's API, without an account, and follows the code.
    request = {"category": "elderly.meals", "description": "独居老人行动不便,希望有人帮忙送午餐",
               "lat": 25.042107, "lon": 102.698857, "contact_phone": "13811112222"}  # fmt: skip
    with api.anonymous() as resident:
        receipt = ok(resident.post("/intake/requests", json=request), 201)
        code = receipt["code"]
        tracked = ok(resident.get(f"/intake/requests/{code}"))
    assert tracked["status"] == "queued" and tracked["need_id"] is None
    assert "13811112222" not in str(tracked)

    # The secretary finds it in the queue and turns it into a need.
    assert code in {r["code"] for r in ok(sec.get("/intake/queue"))}
    converted = ok(sec.post(f"/intake/requests/{code}/need", json={}))
    need_id = converted["need_id"]
    need = ok(sec.get(f"/needs/{need_id}"))
    assert (need["status"], need["org_id"], need["category"]) == ("open", community, request["category"])

    # A unit sees the open need and claims it with its offering; the secretary is notified.
    assert need_id in {n["id"] for n in ok(unit.get("/needs", params={"status": "open", "limit": 500}))}
    offering = ok(unit.post("/offerings", json=offering_body(category=request["category"])), 201)
    claim = ok(unit.post("/claims", json={"need_id": need_id, "offering_id": offering["id"]}), 201)
    project_id = claim["project_id"]
    assert ok(sec.get("/notifications/unread-count"))["unread"] == sec_unread + 1
    note = ok(sec.get("/notifications", params={"unread": True}))[0]
    assert (note["kind"], note["entity_id"], note["link"]) == ("claim", need_id, f"#/needs/{need_id}")
    assert need["title"] in note["title"]
    assert ok(sec.post(f"/notifications/{note['id']}/read"))["read"]

    # The project starts, logs hours (its start moved back: hours may not exceed the time since),
    # completes, and the secretary confirms the hours.
    assert ok(unit.post(f"/projects/{project_id}/start"))["status"] == "in_progress"
    started_ago(api, project_id, 3)
    ok(unit.post(f"/projects/{project_id}/hours", json={"hours": 1.5, "note": "送午餐"}), 201)
    done = ok(unit.post(f"/projects/{project_id}/complete", json={"report": "已连续送餐,老人满意"}))
    assert done["status"] == done["need_status"] == "completed"
    confirmed = ok(sec.post(f"/projects/{project_id}/hours/confirm", json={}))
    assert confirmed["credited"], confirmed
    assert ok(sec.get(f"/projects/{project_id}"))["hours_total"] == 1.5

    # The resident's timeline shows it completed.
    with api.anonymous() as resident:
        tracked = ok(resident.get(f"/intake/requests/{code}"))
    seen = (tracked["status"], tracked["need_id"], tracked["need_status"])
    assert seen == ("converted", need_id, "completed")
    assert [s["status"] for s in tracked["timeline"]][-2:] == ["converted", "need_completed"]

    # The public results page counts it, in the month and the quarter now is in.
    for period, was in before.items():
        now_shown = _public(api, community, period)
        assert now_shown["projects_completed"] == was["projects_completed"] + 1, period

    # The quarter's 述职 report downloads for the planner, as a Word document.
    street = ok(planner.get("/auth/me"))["scope_org_id"]
    report = planner.get(f"/reports/orgs/{street}/duty-report.docx", params={"period": quarter})
    assert report.status_code == 200, report.text
    assert report.headers["content-type"].startswith(DOCX)
    document = docx.Document(io.BytesIO(report.content))
    assert document.paragraphs and any(p.text.strip() for p in document.paragraphs)
