"""Dispatch runs, proposals and recommendations through the real server: roles and scopes of the
closed loop, masking of member names, and an end-to-end dispatch on the `district` demo."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from api_world import ApiWorld, api_fixture, build_api_world  # noqa: F401
from test_api_loop import need_body, offering_body

from engine.settings import Settings
from engine.store import GraphStore
from engine.store.queries.nodes import node_stmt

MASKED_NAME = re.compile(r"^.\*+$")


def claim_count(api: ApiWorld) -> int:
    """How many claims the graph holds."""
    return int(api.store.run(node_stmt("count", "Claim"))[0]["count"])


def test_dispatch_roles_scopes_and_masking(api: ApiWorld) -> None:
    planner, secretary = api.client("planner"), api.client("secretary")
    street = api.accounts["planner"]["scope_org_id"]
    community = api.accounts["secretary"]["scope_org_id"]
    assert api.client("unit").post("/dispatch/runs", json={"scope_org_id": street}).status_code == 403
    assert api.client("member").get("/dispatch/proposals").status_code == 403
    assert secretary.post("/dispatch/runs", json={"scope_org_id": street}).status_code == 403
    bad = planner.post("/dispatch/runs", json={"method": "lottery"})
    assert bad.status_code == 422 and bad.json()["message"]

    claims = claim_count(api)
    made = planner.post("/dispatch/runs", json={"scope_org_id": street})
    assert made.status_code == 201, made.text
    run = made.json()
    assert run["street_id"] == street and run["pairs"] > 0 and run["objective"] >= run["greedy_objective"]
    assert set(run["seconds"]) == {"read", "candidates", "solve", "write"}
    assert planner.get(f"/dispatch/runs/{run['id']}").json()["pairs"] == run["pairs"]
    everything = planner.get("/dispatch/proposals", params={"run_id": run["id"], "limit": 500}).json()
    assert len(everything) == run["pairs"]
    # PIPL Art. 24 (automated decisions): every proposal explains itself (its score's parts and the
    # graph path in words), and none becomes a claim until a person (the secretary) accepts it
    for p in everything:
        assert sum(p["parts"].values()) == pytest.approx(p["score"], abs=1e-9) and p["path_words"]
        assert p["status"] == "pending"
    assert claim_count(api) == claims
    members = [p for p in everything if p["provider_kind"] == "Member"]
    assert members  # planners never see member names
    for p in members:
        assert MASKED_NAME.match(p["provider_name"]), p["provider_name"]
    ours = secretary.get("/dispatch/proposals", params={"run_id": run["id"], "limit": 500}).json()
    assert ours and {p["org_id"] for p in ours} <= {
        o["id"]
        for o in api.dataset.nodes["Org"]
        if o["id"] == community or o["level"] in ("grid", "building")
    }
    outside = [p for p in everything if p["id"] not in {q["id"] for q in ours}]
    assert outside, "the street's run proposes for another community too"
    # another community's proposal: its secretary's, not ours
    assert secretary.post(f"/dispatch/proposals/{outside[0]['id']}/accept").status_code == 403
    assert planner.post(f"/dispatch/proposals/{ours[0]['id']}/accept").status_code == 403

    accepted = secretary.post(f"/dispatch/proposals/{ours[0]['id']}/accept", json={"reason": "同意"})
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["status"] == "accepted" and body["claim"]["via"] == "dispatch"
    assert body["claim_id"] == body["claim"]["id"] and body["claim"]["need_id"] == ours[0]["need_id"]
    assert claim_count(api) == claims + 1
    again = secretary.post(f"/dispatch/proposals/{ours[0]['id']}/accept")
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    assert len(ours) > 1, "a second proposal of the community to reject"
    rejected = secretary.post(f"/dispatch/proposals/{ours[1]['id']}/reject", json={"reason": "另有安排"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"

    need_id = ours[-1]["need_id"]
    recs = secretary.get(f"/recommendations/needs/{need_id}/providers", params={"k": 5})
    assert recs.status_code == 200 and 0 < len(recs.json()) <= 5
    assert all(r["need_id"] == need_id and r["reasons"] for r in recs.json())
    assert api.client("unit").get(f"/recommendations/needs/{need_id}/providers").status_code == 403
    # a fresh need each provider fits (the demo's own providers may fit none): each sees it, and only itself
    place = {"lat": 25.04, "lon": 102.71}
    fresh = secretary.post("/needs", json=need_body(community, **place))
    assert fresh.status_code == 201, fresh.text
    for role in ("unit", "member"):
        made = api.client(role).post("/offerings", json=offering_body(radius_km=5.0, **place))
        assert made.status_code == 201, made.text
        mine = api.client(role).get("/recommendations/needs", params={"k": 3})
        assert mine.status_code == 200, mine.text
        subject = api.accounts[role]["subject_id"]
        assert fresh.json()["id"] in {r["need_id"] for r in mine.json()}, role
        assert all(r["provider_id"] == subject for r in mine.json()), role
    assert planner.get("/recommendations/needs").status_code == 403


@pytest.fixture(name="district")
def district_fixture(empty_store: GraphStore, tmp_path: Any) -> Iterator[ApiWorld]:
    """The `district` demo (10 streets, 2,000 needs, 4,000 offerings) behind a real server."""
    yield from build_api_world(empty_store, Settings(data_dir=tmp_path / "data"), "district")


def test_district_dispatch_end_to_end(district: ApiWorld) -> None:
    planner, secretary = district.client("planner"), district.client("secretary")
    street = district.accounts["planner"]["scope_org_id"]
    run = planner.post("/dispatch/runs", json={"scope_org_id": street, "urgent_first": True})
    assert run.status_code == 201, run.text
    summary = run.json()
    assert summary["needs_total"] > 0 and summary["pairs"] > 0
    assert summary["urgent_served"] <= summary["urgent_total"]
    assert summary["objective"] >= summary["greedy_objective"]
    ours = secretary.get("/dispatch/proposals", params={"run_id": summary["id"], "limit": 500}).json()
    assert ours, "the first community gets proposals"
    # the run tells each secretary once, with how many needs of its org or the orgs it leads got one
    scope = district.accounts["secretary"]["scope_org_id"]
    tree = {o["id"]: o["parent_id"] for o in secretary.get(f"/orgs/{scope}/tree").json()}
    inbox = secretary.get("/notifications", params={"limit": 500}).json()
    told = [n for n in inbox if n["kind"] == "proposal"]
    mine = {p["need_id"] for p in ours if scope in (p["org_id"], tree.get(p["org_id"]))}
    assert [(n["entity_label"], n["entity_id"], n["link"]) for n in told] == [
        ("DispatchRun", summary["id"], "#/home")
    ]
    assert f"本辖区 {len(mine)} 个需求" in told[0]["title"] and mine
    history = {
        c["id"] for c in secretary.get("/claims", params={"limit": 500}).json()
    }  # the demo's past claims
    results: Counter[int] = Counter()
    for p in ours:
        answer = secretary.post(f"/dispatch/proposals/{p['id']}/accept")
        assert answer.status_code in (200, 409), answer.text
        results[answer.status_code] += 1
    assert results[200] > 0
    statuses = Counter(
        p["status"]
        for p in secretary.get("/dispatch/proposals", params={"run_id": summary["id"], "limit": 500}).json()
    )
    assert statuses["pending"] == 0 and statuses["accepted"] == results[200]
    # projects exist for the needs the accepted proposals filled, with claims made by dispatch
    claims = secretary.get("/claims", params={"limit": 500}).json()
    dispatched = [c for c in claims if c["via"] == "dispatch" and c["id"] not in history]
    assert len(dispatched) == results[200]
    projects = secretary.get("/projects", params={"limit": 500}).json()
    filled = {c["need_id"] for c in dispatched if c["need_status"] == "claimed"}
    assert filled and filled <= {p["need_id"] for p in projects}
    # no offering over its capacity this period, no need over the people it wants
    admin = district.client("admin")
    for offering_id in {c["offering_id"] for c in dispatched}:
        offering = admin.get(f"/offerings/{offering_id}").json()
        assert offering["used_in_period"] <= offering["capacity"], offering
    for need_id in {c["need_id"] for c in dispatched}:
        need = admin.get(f"/needs/{need_id}").json()
        active = admin.get("/claims", params={"need_id": need_id, "status": "active"}).json()
        assert len(active) <= need["people_wanted"]
        assert (need["status"] == "claimed") == (len(active) == need["people_wanted"])
    # a district-wide run: every street solved in one run, no offering promised past what it has left
    streets = [o["id"] for o in district.dataset.nodes["Org"] if o["level"] == "street"]
    top = next(o["id"] for o in district.dataset.nodes["Org"] if o["level"] == "district")
    wide = admin.post("/dispatch/runs", json={"scope_org_id": top})
    assert wide.status_code == 201, wide.text
    everything = wide.json()
    assert everything["streets"] == len(streets) > 1 and everything["street_id"] is None
    assert everything["needs_total"] > summary["needs_total"] and everything["pairs"] > summary["pairs"]
    assert everything["objective"] >= everything["greedy_objective"]
    assert planner.post("/dispatch/runs", json={"scope_org_id": top}).status_code == 403
    proposed: Counter[str] = Counter()
    page = 0
    while batch := admin.get(
        "/dispatch/proposals", params={"run_id": everything["id"], "limit": 500, "skip": 500 * page}
    ).json():
        proposed.update(p["offering_id"] for p in batch)
        page += 1
    assert sum(proposed.values()) == everything["pairs"]
    for offering_id, n in proposed.most_common(15):
        offering = admin.get(f"/offerings/{offering_id}").json()
        assert n <= offering["capacity"] - offering["used_in_period"], offering


def test_a_need_or_offering_that_cannot_be_scored_is_skipped_and_reported(api: ApiWorld) -> None:
    """A need with a latitude and no longitude (and an offering with a longitude only), written to
    the store directly as an old import or a hand edit might have, does not break the community's
    dispatch run or recommendations: both are skipped and named in the run's result."""
    from test_api_loop import ok

    from engine.store.queries.nodes import node_stmt

    secretary, unit = api.client("secretary"), api.client("unit")
    community = api.accounts["secretary"]["scope_org_id"]
    place = {"lat": 25.04, "lon": 102.71}
    broken = ok(secretary.post("/needs", json=need_body(community, **place)), 201)
    sound = ok(secretary.post("/needs", json=need_body(community, **place)), 201)
    offering = ok(unit.post("/offerings", json=offering_body(radius_km=5.0, **place)), 201)
    half = ok(unit.post("/offerings", json=offering_body(radius_km=5.0, **place)), 201)
    api.store.run(node_stmt("update", "Need"), {"id": broken["id"], "props": {"lon": None}})
    api.store.run(node_stmt("update", "Offering"), {"id": half["id"], "props": {"lat": None}})
    assert ok(secretary.get(f"/needs/{broken['id']}")).get("lon") is None

    made = secretary.post("/dispatch/runs", json={})
    assert made.status_code == 201, made.text
    run = made.json()
    skipped = {(s["kind"], s["id"]): s["reason"] for s in run["skipped"]}
    assert set(skipped) == {("need", broken["id"]), ("offering", half["id"])}, run["skipped"]
    assert all(re.search(r"[\u4e00-\u9fff]", reason) for reason in skipped.values())
    assert run["needs_skipped"] == 1 and run["offerings_skipped"] == 1
    proposals = secretary.get("/dispatch/proposals", params={"run_id": run["id"], "limit": 500}).json()
    assert len(proposals) == run["pairs"] > 0
    assert broken["id"] not in {p["need_id"] for p in proposals}
    assert half["id"] not in {p["offering_id"] for p in proposals}
    assert sound["id"] in {p["need_id"] for p in proposals}
    assert ok(secretary.get(f"/dispatch/runs/{run['id']}"))["needs_skipped"] == 1

    # Recommendations: the community's other needs still get providers (never the broken
    # offering); the broken need itself is refused with what to fix, not a 500.
    recs = secretary.get(f"/recommendations/needs/{sound['id']}/providers", params={"k": 50})
    assert recs.status_code == 200, recs.text
    offered = {r["offering_id"] for r in recs.json()}
    assert offering["id"] in offered and half["id"] not in offered
    refused = secretary.get(f"/recommendations/needs/{broken['id']}/providers")
    assert refused.status_code == 409, refused.text
    assert re.search(r"[\u4e00-\u9fff]", refused.json()["message"]) and "经度" in refused.json()["message"]
    mine = api.client("unit").get("/recommendations/needs", params={"k": 50})
    assert mine.status_code == 200, mine.text
    assert broken["id"] not in {r["need_id"] for r in mine.json()}
    assert half["id"] not in {r["offering_id"] for r in mine.json()}
