"""Hours that cannot be gamed (issue 16.1), through the real server: a unit logging 50 × 24 h right
after starting is refused past the limits (time since start, the need's window and people, the
daily cap) and its balance moves only when the need's secretary confirms the hours; a provider's
correction request is accepted (points adjusted by a new ledger entry) or declined."""

from __future__ import annotations

from typing import Any

import httpx
from api_world import ApiWorld, api_fixture  # noqa: F401  (the fixture "api")
from test_api_loop import app_settings, iso_in, need_body, offering_body, ok, started_ago
from test_services_world import snapshot


def refused(answer: httpx.Response, status: int, code: str, *words: str) -> str:
    """The Chinese message of a refusal with ``status`` and ``code`` that says ``words``."""
    body = answer.json()
    assert (answer.status_code, body["code"]) == (status, code), answer.text
    for w in words:
        assert w in body["message"], body["message"]
    return str(body["message"])


def started(api: ApiWorld, grid: str, *, hours_ago: float, **need: Any) -> str:
    """A need of ``grid`` claimed by the demo unit with a new offering and started ``hours_ago``
    (the start is moved back in the store: the server's clock cannot be wound)."""
    sec, unit = api.client("secretary"), api.client("unit")
    posted = ok(sec.post("/needs", json=need_body(grid, **need)), 201)
    offering = ok(unit.post("/offerings", json=offering_body()), 201)
    claim = ok(unit.post("/claims", json={"need_id": posted["id"], "offering_id": offering["id"]}), 201)
    project_id = str(claim["project_id"])
    ok(unit.post(f"/projects/{project_id}/start"))
    if hours_ago:
        started_ago(api, project_id, hours_ago)
    return project_id


def grid_of(api: ApiWorld) -> str:
    """A grid of the demo secretary's community."""
    sec = api.client("secretary")
    community = ok(sec.get("/auth/me"))["scope_org_id"]
    return str(next(o for o in ok(sec.get(f"/orgs/{community}/tree")) if o["parent_id"] == community)["id"])


def test_a_unit_cannot_award_itself_points(api: ApiWorld) -> None:
    """The reproduction: start, 50 × 24 h, complete. Every log is refused (no time has passed),
    nothing is written, and completing credits nothing; later, hours within the limits wait for
    the secretary, whose confirmation alone moves the balance."""
    sec, unit, admin = api.client("secretary"), api.client("unit"), api.client("admin")
    rules = app_settings(api)
    unit_id = api.accounts["unit"]["subject_id"]
    balance0 = ok(admin.get(f"/points/{unit_id}"))["balance"]
    project_id = started(api, grid_of(api), hours_ago=0)

    before = snapshot(api.store)
    for _ in range(50):
        message = refused(
            unit.post(f"/projects/{project_id}/hours", json={"hours": 24}), 409, "hours_limit", "项目开始以来"
        )
    assert "最多还能登记 0 小时" in message
    assert snapshot(api.store) == before  # refused: nothing written, not even an audit entry
    ok(unit.post(f"/projects/{project_id}/complete", json={"report": "服务完成"}))
    assert ok(admin.get(f"/points/{unit_id}"))["balance"] == balance0

    # Thirty hours after the start: 24 h in one day is past the daily cap; 12 h is not.
    project_id = started(api, grid_of(api), hours_ago=30)
    refused(
        unit.post(f"/projects/{project_id}/hours", json={"hours": 24}),
        409,
        "hours_limit",
        f"每天(北京时间)最多登记 {rules.daily_hours_cap:g} 小时",
    )
    logged = ok(unit.post(f"/projects/{project_id}/hours", json={"hours": 12, "note": "义诊"}), 201)
    assert (logged["status"], logged["provider_hours_logged"], logged["hours_logged"]) == ("pending", 12, 12)
    refused(
        unit.post(f"/projects/{project_id}/hours", json={"hours": 0.5}),
        409,
        "hours_limit",
        "当天已登记 12 小时",
    )
    ok(unit.post(f"/projects/{project_id}/complete", json={"report": "义诊完成"}))
    detail = ok(unit.get(f"/projects/{project_id}"))
    assert [(w["hours"], w["status"]) for w in detail["work_logs"]] == [(12, "pending")]
    assert (detail["hours_total"], detail["hours_logged"]) == (0, 12)
    assert ok(admin.get(f"/points/{unit_id}"))["balance"] == balance0  # completed, nothing confirmed

    # Only the other side confirms: the unit and the planner may not; the secretary may, once.
    refused(unit.post(f"/projects/{project_id}/hours/confirm", json={}), 403, "forbidden")
    refused(api.client("planner").post(f"/projects/{project_id}/hours/confirm", json={}), 403, "forbidden")
    done = ok(sec.post(f"/projects/{project_id}/hours/confirm", json={}))
    points = round(12 * rules.points_per_hour)
    assert done == {
        "project_id": project_id,
        "confirmed": [detail["work_logs"][0]["id"]],
        "hours": 12,
        "credited": [{"provider_id": unit_id, "points": points}],
    }
    assert ok(admin.get(f"/points/{unit_id}"))["balance"] == balance0 + points
    refused(sec.post(f"/projects/{project_id}/hours/confirm", json={}), 409, "nothing_to_confirm")
    detail = ok(sec.get(f"/projects/{project_id}"))
    assert [(w["status"], w["points"]) for w in detail["work_logs"]] == [("confirmed", points)]
    assert (detail["hours_total"], detail["providers"][0]["hours"]) == (12, 12)
    entry = ok(admin.get(f"/points/{unit_id}/ledger"))[0]
    assert (entry["points"], entry["reason"], entry["project_id"]) == (points, "service_hours", project_id)
    audit = ok(admin.get("/audit", params={"entity_id": project_id, "limit": 500}))
    assert "project.confirm_hours" in {a["action"] for a in audit}


def test_window_and_people_bound_the_hours(api: ApiWorld) -> None:
    """A need of three hours for one person takes three hours of that provider and no more."""
    unit = api.client("unit")
    project_id = started(api, grid_of(api), hours_ago=30, window_start=iso_in(-2), window_end=iso_in(1))
    ok(unit.post(f"/projects/{project_id}/hours", json={"hours": 3}), 201)
    refused(
        unit.post(f"/projects/{project_id}/hours", json={"hours": 0.5}),
        409,
        "hours_limit",
        "需求时段的长度(3 小时)",
    )


def test_corrections_are_accepted_or_declined_and_audited(api: ApiWorld) -> None:
    """The unit asks to correct a confirmed 8 h log to 6 h: accepted, its points move by a new
    negative entry (the old one stays); a request on a pending log is declined and changes nothing."""
    sec, unit, admin = api.client("secretary"), api.client("unit"), api.client("admin")
    rules = app_settings(api)
    unit_id = api.accounts["unit"]["subject_id"]
    project_id = started(api, grid_of(api), hours_ago=30)
    first = ok(unit.post(f"/projects/{project_id}/hours", json={"hours": 8}), 201)
    ok(sec.post(f"/projects/{project_id}/hours/confirm", json={"log_ids": [first["id"]]}))
    second = ok(unit.post(f"/projects/{project_id}/hours", json={"hours": 2}), 201)
    balance0 = ok(admin.get(f"/points/{unit_id}"))["balance"]

    fix = f"/projects/{project_id}/hours/{first['id']}/correction"
    refused(sec.post(fix, json={"hours": 6, "reason": "多记了两小时"}), 403, "forbidden")
    asked = ok(unit.post(fix, json={"hours": 6, "reason": "多记了两小时"}), 201)
    assert (asked["correction_status"], asked["correction_hours"], asked["hours"]) == ("pending", 6, 8)
    refused(unit.post(fix, json={"hours": 5, "reason": "再改"}), 409, "illegal_transition")
    refused(unit.post(f"{fix}/accept", json={}), 403, "forbidden")
    accepted = ok(sec.post(f"{fix}/accept", json={"answer": "已核实签到表"}))
    assert (accepted["hours"], accepted["correction_status"], accepted["points"]) == (
        6, "accepted", round(6 * rules.points_per_hour))  # fmt: skip
    delta = round(6 * rules.points_per_hour) - round(8 * rules.points_per_hour)
    assert ok(admin.get(f"/points/{unit_id}"))["balance"] == balance0 + delta
    ledger = [
        (e["points"], e["reason"])
        for e in ok(admin.get(f"/points/{unit_id}/ledger"))
        if e["project_id"] == project_id
    ]
    # the old entry stays: corrections are new entries
    assert sorted(ledger) == sorted(
        [(delta, "hours_correction"), (round(8 * rules.points_per_hour), "service_hours")]
    )
    detail = ok(sec.get(f"/projects/{project_id}"))
    assert (detail["hours_total"], detail["hours_logged"]) == (6, 8)

    # a larger figure is checked against the limits like a new log: the day's cap
    other = f"/projects/{project_id}/hours/{second['id']}/correction"
    ok(unit.post(other, json={"hours": 9, "reason": "漏记"}), 201)
    refused(sec.post(f"{other}/accept", json={}), 409, "hours_limit", "每天")
    declined = ok(sec.post(f"{other}/decline", json={"answer": "与签到表不符"}))
    assert (declined["hours"], declined["correction_status"], declined["correction_answer"]) == (
        2, "declined", "与签到表不符")  # fmt: skip
    refused(sec.post(f"{other}/decline", json={}), 409, "illegal_transition")
    assert ok(admin.get(f"/points/{unit_id}"))["balance"] == balance0 + delta
    audit = ok(admin.get("/audit", params={"entity_id": second["id"], "limit": 500}))
    assert {"project.log_hours", "project.request_correction", "project.decline_correction"} <= {
        a["action"] for a in audit
    }
