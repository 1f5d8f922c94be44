"""Personal data over HTTP: a member's name and phone (and a unit's contact person) are shown in
full only to admins, the person itself and the secretary of its community; a planner, a unit,
another community's secretary and other members never see them anywhere — member reads, the
community roll, project crews and work logs, claims, offerings."""

from __future__ import annotations

from typing import Any

import httpx
from api_world import ApiWorld, api_fixture  # noqa: F401  (the fixture "api")
from test_api_loop import need_body, offering_body, ok, started_ago

from engine.demo.accounts import DEMO_PASSWORD


def masked_name(name: str) -> str:
    """张三丰 → 张**: the first character, a star for each other one (at least one)."""
    return name[0] + "*" * max(len(name) - 1, 1)


def masked_phone(phone: str) -> str:
    """13812341234 → 138****1234."""
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def _subtree(api: ApiWorld, root: str) -> set[str]:
    children: dict[str, list[str]] = {}
    for rel in api.dataset.rels[("LEADS", "Org", "Org")]:
        children.setdefault(rel["start"], []).append(rel["end"])
    found, todo = set(), [root]
    while todo:
        org = todo.pop()
        found.add(org)
        todo += children.get(org, [])
    return found


def _telltale_member(api: ApiWorld, community: str) -> dict[str, Any]:
    """A member belonging to an org of ``community`` whose name and phone appear nowhere else in
    the data, so finding them in a response can only be a leak of this member's data."""
    orgs = _subtree(api, community)
    ours = {r["start"] for r in api.dataset.rels[("BELONGS_TO", "Member", "Org")] if r["end"] in orgs}
    texts = [str(v) for rows in api.dataset.nodes.values() for node in rows for v in node.values()]
    for member in api.dataset.nodes["Member"]:
        if member["id"] in ours and member.get("phone") and len(member["name"]) >= 2:
            hits = sum(member["name"] in t or member["phone"] in t for t in texts)
            if hits == 2:  # its own name and phone, nowhere else
                return member
    raise AssertionError("no member of the community has a name found nowhere else")


def _reads(client: httpx.Client, member_id: str, project_id: str, need_id: str, offering_id: str,
           community: str, unit_id: str) -> list[httpx.Response]:  # fmt: skip
    """Every read that could carry the member's personal data."""
    return [
        client.get(f"/members/{member_id}"),
        client.get(f"/orgs/{community}/members", params={"limit": 500}),
        client.get(f"/projects/{project_id}"),
        client.get("/projects", params={"limit": 500}),
        client.get("/claims", params={"need_id": need_id}),
        client.get("/claims", params={"limit": 500}),
        client.get(f"/offerings/{offering_id}"),
        client.get("/offerings", params={"provider_id": member_id}),
        client.get("/offerings", params={"limit": 500}),
        client.get(f"/units/{unit_id}"),
        client.get(f"/projects/{project_id}/evaluations"),
        client.get("/audit", params={"limit": 500}),
    ]


def test_member_data_is_masked_for_every_role_but_admin_and_own_secretary(api: ApiWorld) -> None:
    admin, sec, unit = api.client("admin"), api.client("secretary"), api.client("unit")
    community = api.accounts["secretary"]["scope_org_id"]
    unit_id = api.accounts["unit"]["subject_id"]
    other = next(
        o["id"] for o in api.dataset.nodes["Org"] if o["level"] == "community" and o["id"] != community
    )
    ok(admin.post("/accounts", json={"id": "sec2", "display_name": "另一社区书记", "role": "secretary",
                                     "scope_org_id": other, "password": DEMO_PASSWORD}), 201)  # fmt: skip
    x = _telltale_member(api, community)
    name, phone = x["name"], x["phone"]

    # The member serves a project of the community (dispatched by the secretary) beside the unit.
    x_offering = ok(admin.post("/offerings", json=offering_body(provider_id=x["id"])), 201)
    unit_offering = ok(unit.post("/offerings", json=offering_body()), 201)
    need = ok(sec.post("/needs", json=need_body(community, people_wanted=2)), 201)
    ok(unit.post("/claims", json={"need_id": need["id"], "offering_id": unit_offering["id"]}), 201)
    made = ok(sec.post("/claims", json={"need_id": need["id"], "offering_id": x_offering["id"],
                                        "provider_id": x["id"]}), 201)  # fmt: skip
    project_id = made["project_id"]
    ok(sec.post(f"/projects/{project_id}/start"))
    started_ago(api, project_id, 3)
    ok(sec.post(f"/projects/{project_id}/hours", json={"hours": 2, "provider_id": x["id"]}), 201)
    args = (x["id"], project_id, need["id"], x_offering["id"], community, unit_id)

    # Entitled: the admin and the secretary of the member's community see it in full everywhere.
    for client in (admin, sec):
        assert ok(client.get(f"/members/{x['id']}"))[("name")] == name
        assert ok(client.get(f"/members/{x['id']}"))["phone"] == phone
        crew = {
            p["provider_id"]: p["provider_name"]
            for p in ok(client.get(f"/projects/{project_id}"))["providers"]
        }
        assert crew[x["id"]] == name
        assert ok(client.get(f"/claims/{made['id']}"))["provider_name"] == name
        assert ok(client.get(f"/offerings/{x_offering['id']}"))["provider_name"] == name
        roll = {m["id"]: m for m in ok(client.get(f"/orgs/{community}/members", params={"limit": 500}))}
        assert (roll[x["id"]]["name"], roll[x["id"]]["phone"]) == (name, phone)

    # Not entitled: never the full name or phone, in any answer, whatever its status.
    sec2, member = api.sign_in("sec2"), api.client("member")
    for role, client in (
        ("planner", api.client("planner")),
        ("unit", unit),
        ("sec2", sec2),
        ("member", member),
    ):
        for answer in _reads(client, *args):
            assert answer.status_code < 500, (role, answer.request.url, answer.text)
            assert name not in answer.text and phone not in answer.text, (role, answer.request.url)
        assert client.get("/audit").status_code == 403, role

    # ... but they do see the masked forms where the data is theirs to read.
    planner = api.client("planner")
    seen = ok(planner.get(f"/members/{x['id']}"))
    assert (seen["name"], seen["phone"]) == (masked_name(name), masked_phone(phone))
    roll = {m["id"]: m for m in ok(planner.get(f"/orgs/{community}/members", params={"limit": 500}))}
    assert (roll[x["id"]]["name"], roll[x["id"]]["phone"]) == (masked_name(name), masked_phone(phone))
    for client in (planner, unit):  # the unit serves beside the member
        detail = ok(client.get(f"/projects/{project_id}"))
        crew = {p["provider_id"]: p["provider_name"] for p in detail["providers"]}
        assert crew[x["id"]] == masked_name(name)
        assert {w["provider_name"] for w in detail["work_logs"]} == {masked_name(name)}
    assert ok(planner.get(f"/claims/{made['id']}"))["provider_name"] == masked_name(name)
    for client in (planner, unit, sec2, member):  # offerings are public, the member's name is not
        assert ok(client.get(f"/offerings/{x_offering['id']}"))["provider_name"] == masked_name(name)
    # The other secretary reads the member only if it is tied to that community (joins a branch
    # of it, or served one of its needs), and then masked.
    rels = api.dataset.rels
    served = {r["end"] for r in rels[("SERVES", "Member", "Project")] if r["start"] == x["id"]}
    needs = {r["end"] for r in rels[("FULFILLS", "Project", "Need")] if r["start"] in served}
    ties = {r["end"] for r in rels[("POSTED_BY", "Need", "Org")] if r["start"] in needs}
    ties |= {r["end"] for r in rels[("JOINS", "Member", "Org")] if r["start"] == x["id"]}
    answer = sec2.get(f"/members/{x['id']}")
    if ties & _subtree(api, other):
        assert ok(answer)["name"] == masked_name(name)
    else:
        assert answer.status_code == 403
    assert unit.get(f"/members/{x['id']}").status_code == 403
    assert sec2.get(f"/projects/{project_id}").status_code == 403
    sec2.close()


def test_own_record_reporting_members_and_unit_contacts(api: ApiWorld) -> None:
    sec, planner, unit, member = (api.client(r) for r in ("secretary", "planner", "unit", "member"))
    member_id, unit_id = api.accounts["member"]["subject_id"], api.accounts["unit"]["subject_id"]
    me = next(m for m in api.dataset.nodes["Member"] if m["id"] == member_id)
    contact = next(u for u in api.dataset.nodes["Unit"] if u["id"] == unit_id)

    # A member sees itself in full; the secretary of the community it reports to (在职党员到社区
    # 报到) does too; the planner of the street sees it masked.
    assert ok(member.get(f"/members/{member_id}"))["phone"] == me["phone"]
    assert ok(sec.get(f"/members/{member_id}"))["name"] == me["name"]
    seen = ok(planner.get(f"/members/{member_id}"))
    assert (seen["name"], seen["phone"]) == (masked_name(me["name"]), masked_phone(me["phone"]))
    other = next(m["id"] for m in api.dataset.nodes["Member"] if m["id"] != member_id)
    assert member.get(f"/members/{other}").status_code == 403

    # A unit's contact person: in full to the unit itself and its community's secretary.
    for client in (unit, sec, api.client("admin")):
        shown = ok(client.get(f"/units/{unit_id}"))
        assert (shown["contact_name"], shown["contact_phone"]) == (
            contact["contact_name"],
            contact["contact_phone"],
        )
    for client in (planner, member):
        shown = ok(client.get(f"/units/{unit_id}"))
        assert shown["name"] == contact["name"]  # the unit itself is public
        assert shown["contact_phone"] == masked_phone(contact["contact_phone"])
        assert shown["contact_name"] == masked_name(contact["contact_name"])
    expected = {r["end"] for r in api.dataset.rels[("REPORTS_TO", "Unit", "Org")] if r["start"] == unit_id}
    assert api.accounts["secretary"]["scope_org_id"] in expected
    assert {r["id"] for r in shown["reports_to"]} == expected
