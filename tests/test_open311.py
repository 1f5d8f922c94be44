"""The public Open311 GeoReport v2 view through the real server: the standard's field names,
every category and need mapped, no personal data anywhere, the standard's filters, its default
90-day window, jurisdictions, and errors in its form (a list of {code, description})."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from api_world import (
    ApiWorld,
    module_api_fixture,  # noqa: F401  (the fixture "api")
)

from engine.actors import Actor, Role
from engine.services.clock import shift, utc_now
from engine.services.needs import cancel_need
from graph_schema.taxonomy import CATEGORIES, CATEGORY_BY_ID

# GeoReport v2 (wiki.open311.org/GeoReport_v2): the fields of a service and of a service request.
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
    "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
OPEN = {"open", "claimed", "in_progress"}
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
PHONE = re.compile(r"1\d{10}")


def georeport_error(answer: Any, status: int) -> str:
    """The description of a GeoReport error answer with ``status`` (fails on any other form)."""
    assert answer.status_code == status, answer.text
    [error] = answer.json()
    assert set(error) == {"code", "description"} and error["code"] == status, error
    assert error["description"], error
    return str(error["description"])


def _posted_by(api: ApiWorld) -> dict[str, dict[str, Any]]:
    orgs = {o["id"]: o for o in api.dataset.nodes["Org"]}
    return {r["start"]: orgs[r["end"]] for r in api.dataset.rels[("POSTED_BY", "Need", "Org")]}


def test_services_are_the_taxonomy_with_georeport_fields(api: ApiWorld) -> None:
    with api.anonymous() as anon:
        answer = anon.get("/open311/v2/services.json")
    assert answer.status_code == 200, answer.text
    services = answer.json()
    assert all(set(s) == SERVICE_FIELDS for s in services)
    assert [s["service_code"] for s in services] == [c.id for c in CATEGORIES]
    for s in services:
        category = CATEGORY_BY_ID[s["service_code"]]
        assert s["service_name"] == category.name and s["type"] in ("realtime", "batch", "blackbox")
        top = CATEGORY_BY_ID[category.parent] if category.parent else category
        assert s["group"] == top.name and s["metadata"] is False
        assert s["keywords"].split(",") == list(category.skills) or not category.skills


def test_requests_map_every_need_without_personal_data(api: ApiWorld) -> None:
    needs = {n["id"]: n for n in api.dataset.nodes["Need"]}
    posted_by = _posted_by(api)
    first = min(n["created_at"] for n in needs.values())
    with api.anonymous() as anon:
        answer = anon.get("/open311/v2/requests.json", params={"start_date": first})
        since = shift(utc_now(), -24 * 90)
        recent = anon.get("/open311/v2/requests.json").json()  # GeoReport's default: the last 90 days
    assert answer.status_code == 200, answer.text
    requests = answer.json()
    assert {r["service_request_id"] for r in requests} == set(needs)
    assert {r["service_request_id"] for r in recent} == {
        i for i, n in needs.items() if n["created_at"] >= since
    }
    assert len(recent) < len(requests), "the demo's needs span more than 90 days"
    assert [r["requested_datetime"] for r in requests] == sorted(
        (r["requested_datetime"] for r in requests), reverse=True
    )
    for r in requests:
        need = needs[r["service_request_id"]]
        assert set(r) == REQUEST_FIELDS
        assert r["status"] == ("open" if need["status"] in OPEN else "closed")
        assert r["service_code"] == need["category"]
        assert r["service_name"] == CATEGORY_BY_ID[need["category"]].name
        assert r["agency_responsible"] == posted_by[need["id"]]["name"]
        assert (r["lat"], r["long"]) == (need.get("lat"), need.get("lon"))
        assert r["requested_datetime"] == need["created_at"] and W3C.match(r["requested_datetime"])
        assert W3C.match(r["updated_datetime"]) and need["title"] in r["description"]
    assert Counter(r["status"] for r in requests).keys() == {"open", "closed"}  # the demo has both

    text = answer.text
    assert not PHONE.search(text), "a mobile number in the public view"
    people = [m["name"] for m in api.dataset.nodes["Member"]]
    contacts = [u.get("contact_name") for u in api.dataset.nodes["Unit"]]
    leaked = [name for name in people + contacts if name and len(name) >= 2 and name in text]
    assert not leaked, leaked
    for unit in api.dataset.nodes["Unit"]:
        assert not unit.get("contact_phone") or unit["contact_phone"] not in text


def test_filters_of_the_standard_and_a_cancellation(api: ApiWorld) -> None:
    needs = api.dataset.nodes["Need"]
    codes = Counter(n["category"] for n in needs)
    code, _ = codes.most_common(1)[0]
    other = next(c for c in codes if c != code)
    times = sorted(n["created_at"] for n in needs)
    start, end = times[len(times) // 4], times[3 * len(times) // 4]
    with api.anonymous() as anon:

        def ids(**params: str) -> set[str]:
            params.setdefault("start_date", times[0])  # past GeoReport's default 90 days
            answer = anon.get("/open311/v2/requests.json", params=params)
            assert answer.status_code == 200, (params, answer.text)
            return {r["service_request_id"] for r in answer.json()}

        assert ids(service_code=code) == {n["id"] for n in needs if n["category"] == code}
        assert ids(service_code=f"{code},{other}") == {
            n["id"] for n in needs if n["category"] in (code, other)
        }
        assert ids(status="open") == {n["id"] for n in needs if n["status"] in OPEN}
        assert ids(status="closed") == {n["id"] for n in needs if n["status"] not in OPEN}
        assert ids(status="open,closed") == {n["id"] for n in needs}
        assert ids(start_date=start, end_date=end) == {
            n["id"] for n in needs if start <= n["created_at"] <= end
        }
        assert ids(start_date=start, status="open", service_code=code) == {
            n["id"]
            for n in needs
            if n["created_at"] >= start and n["status"] in OPEN and n["category"] == code
        }
        picked = [n["id"] for n in needs[:3]]
        assert ids(service_request_id=",".join(picked)) == set(picked)
        # Request ids override the other filters, as the standard says.
        assert ids(service_request_id=",".join(picked), status="open", end_date=times[0]) == set(picked)

        one = anon.get(f"/open311/v2/requests/{picked[0]}.json")
        assert one.status_code == 200 and [r["service_request_id"] for r in one.json()] == picked[:1]
        assert "不存在" in georeport_error(anon.get("/open311/v2/requests/no-such-need.json"), 404)
        for bad in (
            {"status": "pending"},
            {"start_date": "yesterday"},
            {"start_date": end, "end_date": start},
        ):
            georeport_error(anon.get("/open311/v2/requests.json", params=bad), 422)

    # A need cancelled through the engine is closed, with its reason, from then on.
    need = next(n for n in needs if n["status"] == "open")
    cancel_need(api.store, Actor("test", Role.ADMIN), need["id"], "居民已自行解决")
    with api.anonymous() as anon:
        [request] = anon.get(f"/open311/v2/requests/{need['id']}.json").json()
    assert request["status"] == "closed"
    assert request["status_notes"] == "已取消:居民已自行解决"
    assert request["updated_datetime"] > need["created_at"]


def test_jurisdictions_are_orgs_with_what_they_lead(api: ApiWorld) -> None:
    needs = api.dataset.nodes["Need"]
    posted_by = _posted_by(api)
    leads: dict[str, list[str]] = {}
    for r in api.dataset.rels[("LEADS", "Org", "Org")]:
        leads.setdefault(r["start"], []).append(r["end"])

    def below(org: str) -> set[str]:
        found, todo = set(), [org]
        while todo:
            found.add(todo[-1])
            todo += leads.get(todo.pop(), [])
        return found

    # A community (the demo has one street) whose needs are some, not all, of the demo's.
    community = next(o["id"] for o in api.dataset.nodes["Org"] if o["level"] == "community")
    top = next(o["id"] for o in api.dataset.nodes["Org"] if o["level"] == "district")
    first = min(n["created_at"] for n in needs)
    with api.anonymous() as anon:

        def ids(jurisdiction: str) -> set[str]:
            params = {"jurisdiction_id": jurisdiction, "start_date": first}
            answer = anon.get("/open311/v2/requests.json", params=params)
            assert answer.status_code == 200, answer.text
            return {r["service_request_id"] for r in answer.json()}

        assert ids(top) == {n["id"] for n in needs}
        inside = {n["id"] for n in needs if posted_by[n["id"]]["id"] in below(community)}
        assert ids(community) == inside and inside
        outside = next(n["id"] for n in needs if n["id"] not in inside)
        path = f"/open311/v2/requests/{outside}.json"
        assert anon.get(path, params={"jurisdiction_id": top}).status_code == 200
        georeport_error(anon.get(path, params={"jurisdiction_id": community}), 404)
        assert anon.get("/open311/v2/services.json", params={"jurisdiction_id": community}).status_code == 200
        for unknown in ("/open311/v2/services.json", "/open311/v2/requests.json", path):
            described = georeport_error(anon.get(unknown, params={"jurisdiction_id": "no-such-org"}), 404)
            assert "辖区" in described
