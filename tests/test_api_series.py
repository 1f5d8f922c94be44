"""Recurring needs 常态化共建项目 over HTTP on a real server, on both backends: a secretary creates a
series (a bad rule answers 422 in Chinese and writes nothing), a unit commits to the whole series, a
member claims one occurrence like any need, the secretary sees who serves each occurrence and
cancels the series with a reason (the unit is notified), roles outside are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from api_world import ApiWorld, api_fixture  # noqa: F401  (the fixture "api")
from test_api_concurrency import offering_body
from test_services_world import count


def series_body(org_id: str, **extra: Any) -> dict[str, Any]:
    """A weekly series starting in two days (its occurrences fit the test offerings' category)."""
    first = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    return {
        "org_id": org_id,
        "title": "周六楼道清理",
        "category": "environment.cleanup",
        "people_wanted": 2,
        "rule": "FREQ=WEEKLY;COUNT=6",
        "dtstart": first.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration_minutes": 120,
        **extra,
    }


def test_create_commit_claim_see_and_cancel_a_series(api: ApiWorld) -> None:
    secretary, unit, member = api.client("secretary"), api.client("unit"), api.client("member")
    org = str(api.accounts["secretary"]["scope_org_id"])
    unit_id, member_id = api.accounts["unit"]["subject_id"], api.accounts["member"]["subject_id"]

    bad = secretary.post("/series", json=series_body(org, rule="FREQ=WEEKLY"))
    assert bad.status_code == 422 and "COUNT" in bad.json()["message"], bad.text
    assert count(api.store, "Series") == 0
    assert member.post("/series", json=series_body(org)).status_code == 403
    assert count(api.store, "Series") == 0

    made = secretary.post("/series", json=series_body(org))
    assert made.status_code == 201, made.text
    series = made.json()
    assert series["rule_zh"] == "每周 · 共 6 次" and len(series["occurrences"]) == 6
    occ = [o["id"] for o in series["occurrences"]]

    offering = unit.post("/offerings", json=offering_body(capacity=10)).json()["id"]
    committed = unit.post(f"/series/{series['id']}/commitments", json={"offering_id": offering})
    assert committed.status_code == 201, committed.text
    assert committed.json()["claims_made"] == 6
    again = unit.post(f"/series/{series['id']}/commitments", json={"offering_id": offering})
    assert again.status_code == 409 and again.json()["code"] == "duplicate_commitment"

    own = member.post("/offerings", json=offering_body(capacity=10)).json()["id"]
    claim = member.post("/claims", json={"need_id": occ[2], "offering_id": own})
    assert claim.status_code == 201, claim.text
    assert claim.json()["project_id"]  # the second provider fills that occurrence

    seen = secretary.get(f"/series/{series['id']}").json()
    serving = {o["id"]: sorted(s["provider_id"] for s in o["servers"]) for o in seen["occurrences"]}
    assert serving == {o: sorted([unit_id, member_id] if o == occ[2] else [unit_id]) for o in occ}
    assert [c["provider_id"] for c in seen["commitments"]] == [unit_id]
    assert [s["id"] for s in unit.get("/series").json()] == [series["id"]]  # providers browse active ones

    assert unit.post(f"/series/{series['id']}/cancel", json={"reason": "不办了"}).status_code == 403
    empty = secretary.post(f"/series/{series['id']}/cancel", json={"reason": ""})
    assert empty.status_code == 422
    done = secretary.post(f"/series/{series['id']}/cancel", json={"reason": "小区改造,暂停活动"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "cancelled" and done.json()["cancelled_occurrences"] == 6
    assert {o["status"] for o in done.json()["occurrences"]} == {"cancelled"}
    inbox = unit.get("/notifications").json()
    assert any(n["kind"] == "series_cancelled" and "小区改造" in n["title"] for n in inbox)
    claims = member.get("/claims", params={"need_id": occ[2]}).json()
    assert [c["status"] for c in claims] == ["cancelled"]

    assert api.client("admin").post("/series/extend").json()["occurrences"] == 0
    assert secretary.post("/series/extend").status_code == 403
