"""The closed loop through the real server as three roles: the secretary posts a need, the unit
registers an offering, claims (and withdraws and claims again), starts, logs hours, reports a
problem the secretary resolves, completes; both sides evaluate; points and the three rates move
by what the events imply. Helpers here are shared by the other ``test_api_*`` loop tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from api_world import ApiWorld, api_fixture  # noqa: F401  (the fixture "api")
from test_services_world import need_draft, snapshot

from engine.settings import Settings
from engine.store.queries.nodes import node_stmt

WIDE = {"start": "2000-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"}


def iso_in(hours: float) -> str:
    """Now moved by ``hours``, as an ISO UTC string."""
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def ok(answer: httpx.Response, status: int = 200) -> Any:
    """The JSON body of ``answer`` after checking its status."""
    assert answer.status_code == status, (answer.request.method, answer.request.url, answer.text)
    return answer.json()


def need_body(org_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid need for ``org_id`` whose window runs from an hour ago to a week ahead."""
    return need_draft(org_id, **{"window_start": iso_in(-1), "window_end": iso_in(24 * 7), **overrides})


def offering_body(**overrides: Any) -> dict[str, Any]:
    """A valid service offering: two services a month."""
    body = {"title": "助餐配送服务", "kind": "service", "category": "elderly.meals", "skills": ["配送"],
            "capacity": 2, "period": "month"}  # fmt: skip
    return body | overrides


def started_ago(api: ApiWorld, project_id: str, hours: float) -> None:
    """Move a started project's start ``hours`` back (the server's clock cannot be wound, and hours
    logged may not exceed the time since the start)."""
    api.store.run(node_stmt("update", "Project"), {"id": project_id, "props": {"started_at": iso_in(-hours)}})


def app_settings(api: ApiWorld) -> Settings:
    """The settings the running app was built with (its point and response rules)."""
    app: Any = api.server.server.config.app
    settings: Settings = app.state.settings
    return settings


def test_whole_loop_as_secretary_unit_and_admin(api: ApiWorld) -> None:
    sec, unit, admin = api.client("secretary"), api.client("unit"), api.client("admin")
    rules = app_settings(api)
    community = ok(sec.get("/auth/me"))["scope_org_id"]
    unit_id = api.accounts["unit"]["subject_id"]

    # The secretary picks a grid of the community and one of the areas it covers.
    tree = ok(sec.get(f"/orgs/{community}/tree"))
    assert tree[0]["id"] == community and tree[0]["parent_id"] is None and tree[0]["depth"] == 0
    grid = next(o for o in tree if o["parent_id"] == community and o["areas"])
    assert grid["depth"] == 1
    report0 = ok(sec.get(f"/reports/orgs/{community}", params=WIDE))
    unit_points0 = ok(admin.get(f"/points/{unit_id}"))["balance"]
    org_points0 = ok(admin.get(f"/points/{grid['id']}"))["balance"]
    audit0 = snapshot(api.store)["AuditEntry"]

    need = ok(sec.post("/needs", json=need_body(grid["id"], area_id=grid["areas"][0]["id"])), 201)
    assert (need["status"], need["org_id"], need["area_id"], need["claimed"]) == (
        "open", grid["id"], grid["areas"][0]["id"], 0)  # fmt: skip
    assert need["id"] in {n["id"] for n in ok(unit.get("/needs", params={"status": "open", "limit": 500}))}

    offering = ok(unit.post("/offerings", json=offering_body()), 201)
    assert (offering["provider_id"], offering["provider_kind"], offering["used_in_period"]) == (
        unit_id,
        "Unit",
        0,
    )
    first = ok(unit.post("/claims", json={"need_id": need["id"], "offering_id": offering["id"]}), 201)
    assert first["need_status"] == "claimed" and first["project_id"]
    withdrawn = ok(unit.post(f"/claims/{first['id']}/withdraw", json={"reason": "人员临时抽调"}))
    assert (withdrawn["status"], withdrawn["need_status"]) == ("withdrawn", "open")
    assert ok(sec.get(f"/projects/{first['project_id']}"))["status"] == "cancelled"
    claim = ok(unit.post("/claims", json={"need_id": need["id"], "offering_id": offering["id"]}), 201)
    project_id = claim["project_id"]
    assert project_id != first["project_id"]
    assert (
        ok(unit.get(f"/offerings/{offering['id']}"))["used_in_period"] == 1
    )  # the withdrawn one is free again
    assert ok(sec.get(f"/needs/{need['id']}"))["project_id"] == project_id

    assert ok(unit.post(f"/projects/{project_id}/start"))["status"] == "in_progress"
    started_ago(api, project_id, 6)  # six hours of work since
    hours = [2.5, 1.5]
    for h in hours:
        logged = ok(unit.post(f"/projects/{project_id}/hours", json={"hours": h, "note": "送餐"}), 201)
    assert logged["hours_logged"] == logged["provider_hours_logged"] == sum(hours)
    assert logged["status"] == "pending"
    problem = ok(unit.post(f"/projects/{project_id}/problems", json={"description": "两户老人不开门"}), 201)
    assert ok(unit.get(f"/projects/{project_id}"))["status"] == "problem"
    resolved = ok(sec.post(f"/problems/{problem['id']}/resolve", json={"resolution": "已联系家属"}))
    assert (resolved["status"], resolved["project_status"]) == ("resolved", "in_progress")
    done = ok(unit.post(f"/projects/{project_id}/complete", json={"report": "送餐一周,无遗漏"}))
    service_points = round(sum(hours) * rules.points_per_hour)
    assert done["status"] == done["need_status"] == "completed"
    assert ok(admin.get(f"/points/{unit_id}"))["balance"] == unit_points0  # hours not yet confirmed
    confirmed = ok(sec.post(f"/projects/{project_id}/hours/confirm", json={}))
    assert confirmed["credited"] == [{"provider_id": unit_id, "points": service_points}]

    stars_given, stars_back = 5, 4
    rating = {"provider_id": unit_id, "rating": stars_given, "comment": "及时周到"}
    rated = ok(sec.post(f"/projects/{project_id}/evaluations/provider", json=rating), 201)
    assert rated["project_status"] == "evaluated"
    ok(unit.post(f"/projects/{project_id}/evaluations/community", json={"rating": stars_back}), 201)

    detail = ok(sec.get(f"/projects/{project_id}"))
    assert detail["status"] == "evaluated" and detail["report"] == "送餐一周,无遗漏"
    assert sorted(w["hours"] for w in detail["work_logs"]) == sorted(hours)
    assert [(p["provider_id"], p["hours"]) for p in detail["providers"]] == [(unit_id, sum(hours))]
    assert [(p["status"], p["resolution"]) for p in detail["problems"]] == [("resolved", "已联系家属")]
    assert ok(unit.get(f"/needs/{need['id']}"))["status"] == "evaluated"

    # Points: hours served and stars received for the unit, evaluating for each rater.
    unit_points = ok(admin.get(f"/points/{unit_id}"))["balance"]
    org_points = ok(admin.get(f"/points/{grid['id']}"))["balance"]
    assert unit_points - unit_points0 == (
        service_points + stars_given * rules.points_per_rating_star + rules.points_for_evaluating
    )
    assert org_points - org_points0 == rules.points_for_evaluating + stars_back * rules.points_per_rating_star

    # The three rates: one more need, responded (claimed at once), resolved and rated 5 stars.
    report = ok(sec.get(f"/reports/orgs/{community}", params=WIDE))
    n0, r0 = report0["response"]["needs"], report0["response"]["responded"]
    s0 = report0["resolution"]["resolved"]
    k0, t0 = report0["satisfaction"]["ratings"], report0["satisfaction"]["satisfied"]
    assert report["needs"] == report0["needs"] + 1
    assert report["by_status"]["evaluated"] == report0["by_status"]["evaluated"] + 1
    assert report["response"]["rate"] == (r0 + 1) / (n0 + 1)
    assert report["resolution"]["rate"] == (s0 + 1) / (n0 + 1)
    assert report["satisfaction"]["rate"] == (t0 + 1) / (k0 + 1)

    # Every write was audited once: offering, post, claim, withdraw, claim, start, two logs,
    # problem, resolution, completion, the confirmation of the hours, two evaluations.
    assert snapshot(api.store)["AuditEntry"] - audit0 == 14


def test_dispatch_edit_cancel_and_offering_states(api: ApiWorld) -> None:
    sec, unit, planner = api.client("secretary"), api.client("unit"), api.client("planner")
    community = ok(sec.get("/auth/me"))["scope_org_id"]
    unit_id = api.accounts["unit"]["subject_id"]
    offering = ok(unit.post("/offerings", json=offering_body(capacity=1)), 201)

    need = ok(sec.post("/needs", json=need_body(community, people_wanted=2)), 201)
    edited = ok(sec.patch(f"/needs/{need['id']}", json={"people_wanted": 1, "urgency": "urgent"}))
    assert (edited["people_wanted"], edited["urgency"], edited["title"]) == (1, "urgent", need["title"])
    # The planner dispatches the unit (平急结合); the unit sees the claim as its own.
    dispatched = ok(planner.post("/claims", json={"need_id": need["id"], "offering_id": offering["id"],
                                                  "provider_id": unit_id}), 201)  # fmt: skip
    unit_name = next(u["name"] for u in api.dataset.nodes["Unit"] if u["id"] == unit_id)
    assert (dispatched["via"], dispatched["need_status"]) == ("dispatch", "claimed")
    assert dispatched["provider_name"] == unit_name  # a unit's name is public
    assert [c["id"] for c in ok(unit.get("/claims"))] == [dispatched["id"]]
    assert [p["id"] for p in ok(unit.get("/projects"))] == [dispatched["project_id"]]
    assert ok(planner.get("/projects", params={"status": "claimed"}))[0]["id"] == dispatched["project_id"]

    # The offering's capacity (1 a month) is used up; pausing and resuming keep it so.
    assert (
        ok(unit.get("/offerings", params={"provider_id": unit_id, "status": "active"}))[0]["used_in_period"]
        == 1
    )
    assert ok(unit.post(f"/offerings/{offering['id']}/pause"))["status"] == "paused"
    assert ok(unit.post(f"/offerings/{offering['id']}/resume"))["status"] == "active"
    assert ok(unit.patch(f"/offerings/{offering['id']}", json={"capacity": 3}))["capacity"] == 3

    # Cancelling the claimed need ends its claim and its unstarted project.
    cancelled = ok(sec.post(f"/needs/{need['id']}/cancel", json={"reason": "老人已由家属照料"}))
    assert (cancelled["status"], cancelled["status_reason"]) == ("cancelled", "老人已由家属照料")
    assert ok(sec.get(f"/projects/{dispatched['project_id']}"))["status"] == "cancelled"
    assert ok(unit.post(f"/offerings/{offering['id']}/retire"))["status"] == "retired"
    org = ok(unit.get(f"/orgs/{community}"))
    assert org["level"] == "community" and org["parent_id"] and org["children"] >= 1

    # A need whose window ended unclaimed is expired by the admin's sweep, with a reason.
    late = ok(
        sec.post("/needs", json=need_body(community, window_start=iso_in(-48), window_end=iso_in(-1))), 201
    )
    swept = ok(api.client("admin").post("/needs/expire"))
    assert late["id"] in swept["expired"] and swept["count"] == len(swept["expired"])
    expired = ok(sec.get(f"/needs/{late['id']}"))
    assert expired["status"] == "expired" and expired["status_reason"]
