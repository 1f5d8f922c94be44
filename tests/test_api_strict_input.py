"""Strict input at the edge (issues 15 and 16): a NUL byte or a lone surrogate in any string the API
takes (path, query, form or JSON), a latitude without a longitude, an object where text belongs, a
number where a yes/no belongs, a share too small to mean anything — each is refused with 4xx and a
Chinese message, and nothing is written. The OpenAPI states the same rules: enums for statuses and
categories, date-time formats, the latitude/longitude pairing, and the error bodies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_world import ApiWorld, api_fixture  # noqa: F401  (the fixture "api")
from test_api_input import CHINESE, refused
from test_api_loop import need_body, offering_body, ok
from test_services_world import count, snapshot

from engine.importing import ImportRejected, import_files
from engine.store.base import GraphStore
from graph_schema.domain import NEED_STATUSES

FIXTURES = Path(__file__).parent / "fixtures" / "import"
JSON = {"Content-Type": "application/json"}


def test_control_characters_and_lone_surrogates_are_refused_everywhere(api: ApiWorld) -> None:
    sec, unit, admin = api.client("secretary"), api.client("unit"), api.client("admin")
    community = api.accounts["secretary"]["scope_org_id"]
    need = ok(sec.post("/needs", json=need_body(community)), 201)
    before, accounts = snapshot(api.store), count(api.store, "Account")

    # NUL in a path id (these reached FalkorDB and answered 500).
    refused(sec.post("/needs/a%00b/cancel", json={"reason": "重复"}), 422, "invalid_input")
    refused(unit.post("/offerings/a%00b/pause"), 422)
    refused(unit.post("/offerings/a%00b/resume"), 422)
    refused(sec.get("/needs/a%00b"), 422)
    # NUL in a body id and in free text.
    refused(admin.post("/offerings", json=offering_body(provider_id="a\x00b")), 422)
    refused(sec.post("/needs", json=need_body(community, title="助餐\x00送餐")), 422)
    # NUL in a sign-in form and in a query parameter (Open311 answers in its own error form).
    refused(api.anonymous().post("/auth/token", data={"username": "a\x00b", "password": "x"}), 422)
    geo = api.anonymous().get("/open311/v2/services.json", params={"jurisdiction_id": "a\x00b"})
    assert geo.status_code == 422 and CHINESE.search(geo.json()[0]["description"]), geo.text
    refused(sec.get("/needs", params={"org_id": "a\x00b"}), 422)
    # Lone surrogates in a list and in a string that once was split into a list.
    surrogate_list = b'{"skills": ["\\ud800"]}'
    refused(sec.patch(f"/needs/{need['id']}", content=surrogate_list, headers=JSON), 422)
    refused(sec.patch(f"/needs/{need['id']}", content=b'{"skills": "\\udfff"}', headers=JSON), 422)
    refused(sec.patch(f"/needs/{need['id']}", content=b'{"title": "\\ud83d"}', headers=JSON), 422)
    # A body nested past any input's depth: refused in Chinese, not a stack overflow.
    deep = b"[" * 100_000 + b"]" * 100_000
    answer = sec.patch(f"/needs/{need['id']}", content=deep, headers=JSON)
    assert 400 <= answer.status_code < 500 and CHINESE.search(answer.json()["message"]), answer.text

    assert snapshot(api.store) == before and count(api.store, "Account") == accounts
    # A real surrogate pair (an emoji) and line breaks in free text are fine.
    fine = sec.patch(f"/needs/{need['id']}", json={"description": "第一行\n第二行 😀"})
    assert ok(fine)["description"] == "第一行\n第二行 😀"


def test_a_share_too_small_to_mean_anything_is_refused(api: ApiWorld) -> None:
    runs = count(api.store, "DispatchRun")
    refused(api.client("secretary").post("/dispatch/runs", json={"max_share": 5e-324}), 422, "invalid_input")
    refused(api.client("secretary").post("/dispatch/runs", json={"max_share": 0.0}), 422)
    assert count(api.store, "DispatchRun") == runs
    assert ok(api.client("secretary").post("/dispatch/runs", json={"max_share": 0.5}), 201)["pairs"] >= 0


def test_coordinates_are_a_pair_in_range(api: ApiWorld) -> None:
    sec, unit = api.client("secretary"), api.client("unit")
    community = api.accounts["secretary"]["scope_org_id"]
    need = ok(sec.post("/needs", json=need_body(community)), 201)
    offering = ok(unit.post("/offerings", json=offering_body()), 201)
    before = snapshot(api.store)

    for place in ({"lat": 25.04}, {"lon": 102.71}, {"lat": 25.04, "lon": None}, {"lat": 91, "lon": 102.7}):
        answer = sec.post("/needs", json=need_body(community, **place))
        refused(answer, 422, "invalid_input")
        refused(unit.post("/offerings", json=offering_body(**place)), 422)
        refused(sec.patch(f"/needs/{need['id']}", json=place), 422)
        refused(unit.patch(f"/offerings/{offering['id']}", json=place), 422)
    assert "纬度" in sec.post("/needs", json=need_body(community, lat=25.04)).json()["message"]
    refused(sec.patch(f"/needs/{need['id']}", json={"lon": 200, "lat": 25.0}), 422)
    assert snapshot(api.store) == before

    placed = ok(sec.patch(f"/needs/{need['id']}", json={"lat": 25.04, "lon": 102.71}))
    assert (placed["lat"], placed["lon"]) == (25.04, 102.71)
    refused(sec.patch(f"/needs/{need['id']}", json={"lat": None}), 422)  # would leave a longitude alone
    cleared = ok(sec.patch(f"/needs/{need['id']}", json={"lat": None, "lon": None}))
    assert cleared["lat"] is None and cleared["lon"] is None
    both = ok(unit.post("/offerings", json=offering_body(lat=25.04, lon=102.71, radius_km=3.0)), 201)
    assert (both["lat"], both["lon"]) == (25.04, 102.71)


def test_import_refuses_a_latitude_without_a_longitude(store: GraphStore, tmp_path: Path) -> None:
    base = [FIXTURES / name for name in ("areas.csv", "orgs.csv", "units.csv", "members.csv")]
    import_files(store, base)
    text = (FIXTURES / "needs.csv").read_text(encoding="utf-8").splitlines()
    rows = (
        [text[0] + ",lat,lon"] + [line + ",25.04," for line in text[1:2]] + [line + ",," for line in text[2:]]
    )
    path = tmp_path / "needs.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    nodes = {r["label"]: r["count"] for r in store.run("meta.count_by_label")}
    with pytest.raises(ImportRejected) as info:
        import_files(store, [path])
    assert {r["label"]: r["count"] for r in store.run("meta.count_by_label")} == nodes
    problems = info.value.report.problems
    assert [(p.row, p.column) for p in problems] == [(2, "lat")], problems
    assert "经度" in problems[0].message

    rows[1] = text[1] + ",25.04,102.71"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert import_files(store, [path]).upserted == {"needs": len(text) - 1}


def test_types_are_strict_at_the_edge(api: ApiWorld) -> None:
    sec, unit, admin = api.client("secretary"), api.client("unit"), api.client("admin")
    community = api.accounts["secretary"]["scope_org_id"]
    need = ok(sec.post("/needs", json=need_body(community)), 201)
    offering = ok(unit.post("/offerings", json=offering_body()), 201)
    before, accounts = snapshot(api.store), count(api.store, "Account")

    claim = {"need_id": need["id"], "offering_id": offering["id"]}
    assert "应为文本" in refused_body(unit.post("/claims", json={**claim, "note": {}}))
    assert "应为文本" in refused_body(sec.post("/needs", json=need_body(community, address={})))
    assert "应为是或否" in refused_body(admin.put("/accounts/unit/active", json={"active": 0}))
    refused(admin.put("/accounts/unit/active", json={"active": "false"}), 422)
    refused(sec.post("/needs", json=need_body(community, people_wanted="2")), 422)
    refused(sec.post("/needs", json=need_body(community, people_wanted=True)), 422)
    refused(sec.post("/needs", json=need_body(community, skills="配送;驾驶")), 422)
    refused(sec.post("/needs", json=need_body(community, skills=["配送", 3])), 422)
    refused(sec.post("/needs", json=need_body(community, title=12345)), 422)
    refused(sec.post("/needs", json=need_body(community, hours_wanted="4")), 422)
    refused(sec.post("/needs", json=need_body(community, window_start=20261124)), 422)
    refused(sec.post("/needs", json=need_body(community, window_start="0001-01-01T00:00:00+01:00")), 422)
    refused(sec.post("/dispatch/runs", json={"urgent_first": "yes"}), 422)
    refused(sec.post(f"/needs/{need['id']}/cancel", json={"reason": ["不需要了"]}), 422)
    refused(sec.get("/needs", params={"status": "retired"}), 422)
    assert snapshot(api.store) == before and count(api.store, "Account") == accounts
    assert next(a for a in ok(admin.get("/accounts")) if a["id"] == "unit")["active"] is True


def refused_body(answer: Any) -> str:
    """The Chinese message of a 422 answer."""
    refused(answer, 422, "invalid_input")
    return str(answer.json()["message"])


def test_openapi_states_enums_formats_pairing_and_error_bodies(api: ApiWorld) -> None:
    doc = ok(api.anonymous().get("/openapi.json"))
    schemas = doc["components"]["schemas"]

    def param(path: str, name: str) -> dict[str, Any]:
        return next(p for p in doc["paths"][path]["get"]["parameters"] if p["name"] == name)

    assert param("/needs", "status")["schema"]["enum"] == list(NEED_STATUSES)
    assert "retired" not in param("/needs", "status")["schema"]["enum"]
    for path in ("/needs", "/claims", "/projects", "/offerings", "/dispatch/proposals"):
        assert param(path, "status")["schema"]["enum"], path
    for name in ("NeedDraft", "NeedEdit", "OfferingDraft", "OfferingEdit"):
        anyof = schemas[name]["anyOf"]
        assert {
            "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
            "required": ["lat", "lon"],
        } in anyof
        assert {"properties": {"lat": {"type": "null"}, "lon": {"type": "null"}}} in anyof
        assert schemas[name]["additionalProperties"] is False
    assert schemas["NeedDraft"]["properties"]["window_start"]["format"] == "date-time"
    assert schemas["NeedEdit"]["properties"]["window_end"]["format"] == "date-time"
    assert schemas["OfferingDraft"]["properties"]["available_from"]["format"] == "date-time"
    assert "elderly.meals" in schemas["NeedDraft"]["properties"]["category"]["enum"]
    assert schemas["NeedDraft"]["properties"]["urgency"]["enum"]
    assert "details" in schemas["ErrorBody"]["properties"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for status in ("400", "422"):
                body = op["responses"][status]["content"]["application/json"]["schema"]
                wanted = "GeoReportError" if path.startswith("/open311") else "ErrorBody"
                assert wanted in str(body), (method, path, status, body)


def test_every_status_the_openapi_allows_is_accepted(api: ApiWorld) -> None:
    """Positive data acceptance for the list filters: each status value the OpenAPI declares answers
    200 (the schema and the API agree; `retired` on /needs was allowed by one and refused by the other)."""
    doc = ok(api.anonymous().get("/openapi.json"))
    admin = api.client("admin")
    tried = 0
    for path in ("/needs", "/claims", "/projects", "/offerings", "/dispatch/proposals"):
        spec = next(p for p in doc["paths"][path]["get"]["parameters"] if p["name"] == "status")
        for value in spec["schema"]["enum"]:
            answer = admin.get(path, params={"status": value, "limit": 1})
            assert answer.status_code == 200, (path, value, answer.text)
            tried += 1
    assert tried >= 15
