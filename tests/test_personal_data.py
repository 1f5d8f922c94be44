"""Personal data under PIPL (issue 13 point 6) over HTTP on a real server, on both backends: a member
or unit downloads its own data in full (audited); an admin anonymises a member (name and phone gone
from every answer, history kept, account disabled, audit without the old values) or a request's
contact; the retention job purges only old closed needs' and requests' contacts, once; exports
escape formula cells and still round-trip; a planner reveals a callee's phone only with a reason,
inside its jurisdiction, audited without the phone."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from api_world import (
    ApiWorld,
    module_world_fixture,  # noqa: F401  (the fixture "world")
)
from conftest import make_store, release_store
from console_world import browser_fixture, needs_chromium, page_for  # noqa: F401
from openpyxl import load_workbook
from test_api_permissions import second_street

from engine.actors import SYSTEM
from engine.exporting import export_graph
from engine.exporting.writers import csv_cell
from engine.importing import import_files
from engine.importing.checking import cell_text
from engine.notify.worker import jobs
from engine.services.analytics import CACHE
from engine.services.clock import utc_now
from engine.services.pipl import anonymised_name, purge_personal_data
from engine.settings import Settings
from engine.store import apply_schema
from engine.store.embedded import EmbeddedFalkorDB
from engine.store.queries import pipl as pipl_queries
from engine.store.queries.nodes import node_stmt, rel_stmt

FIXTURES = Path(__file__).parent / "fixtures" / "import"
FORMULA = '=HYPERLINK("http://evil.example","点我")'
REASON = "独居老人突发疾病,需立即联系"


@pytest.fixture(scope="module")
def outside(world: ApiWorld) -> dict[str, str]:
    """The second street's ids (its member 钱多多 has the account ``member-x``)."""
    ids = second_street(world)
    CACHE.invalidate(world.store)
    return ids


def audit(api: ApiWorld, action: str, entity_id: str) -> list[dict[str, Any]]:
    """The admin's view of the audit entries of ``action`` about ``entity_id``."""
    answer = api.client("admin").get("/audit", params={"entity_id": entity_id, "limit": 500})
    assert answer.status_code == 200, answer.text
    return [e for e in answer.json() if e["action"] == action]


def create(api: ApiWorld, label: str, **props: Any) -> None:
    now = utc_now()
    api.store.run(
        node_stmt("bulk_create", label), {"rows": [{"created_at": now, "updated_at": now, **props}]}
    )


def link(api: ApiWorld, rel: str, start: str, end: str, a: str, b: str, **props: Any) -> None:
    api.store.run(
        rel_stmt("bulk_create", rel, start, end), {"rows": [{"start": a, "end": b, "props": props}]}
    )


def node(api: ApiWorld, label: str, node_id: str) -> dict[str, Any]:
    row = api.store.one(node_stmt("get", label), {"id": node_id})
    assert row is not None
    found: dict[str, Any] = row["node"]
    return found


# -- 1. one's own data --------------------------------------------------------------------------


def test_a_member_downloads_everything_about_itself_unmasked_and_audited(world: ApiWorld) -> None:
    api = world
    me = api.accounts["member"]["subject_id"]
    mine = next(m for m in api.dataset.nodes["Member"] if m["id"] == me)
    answer = api.client("member").get("/me/personal-data")
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["person"]["id"] == me and data["person"]["name"] == mine["name"]
    assert mine.get("phone") and data["person"]["phone"] == mine["phone"]  # its requests are found by it
    orgs = {r["end"] for (rel, s, e), rows in api.dataset.rels.items() if s == "Member" and e == "Org"
            for r in rows if r["start"] == me}  # fmt: skip
    assert orgs and orgs <= {o["id"] for o in data["related"]["Org"]}
    skills = {r["end"] for (rel, s, e), rows in api.dataset.rels.items() if rel == "OFFERS" and s == "Member"
              for r in rows if r["start"] == me}  # fmt: skip
    assert skills == {o["id"] for o in data["related"].get("Offering", [])}
    [account] = data["accounts"]
    assert account["id"] == "member" and "password_hash" not in account and "totp_secret" not in account
    assert "password_hash" not in answer.text
    entries = audit(api, "personal_data.export", me)
    assert entries and entries[0]["actor"] == "member"
    assert mine["name"] not in json.dumps(entries, ensure_ascii=False)

    unit = api.client("unit").get("/me/personal-data")
    assert unit.status_code == 200, unit.text
    mine_unit = next(u for u in api.dataset.nodes["Unit"] if u["id"] == api.accounts["unit"]["subject_id"])
    assert unit.json()["person"].get("contact_phone") == mine_unit.get("contact_phone")
    phones = {m["phone"] for m in api.dataset.nodes["Member"] if m.get("phone")}
    assert not [p for p in phones if p in unit.text]  # its members' phones stay masked for it
    others = [p for p in phones if p != mine.get("phone")]
    assert not [p for p in others if p in answer.text]
    for role in ("planner", "secretary", "admin"):
        refused = api.client(role).get("/me/personal-data")
        assert refused.status_code == 403 and refused.json()["message"], role


# -- 2. anonymising -----------------------------------------------------------------------------


def test_an_admin_anonymises_a_member_everywhere_and_keeps_its_history(
    world: ApiWorld, outside: dict[str, str]
) -> None:
    api, x = world, outside
    member, old_name, old_phone = x["member"], "钱多多", "13787654321"
    create(api, "PointEntry", id="pe-anon", points=7, reason="service_hours", at=utc_now())
    link(api, "CREDITS", "PointEntry", "Member", "pe-anon", member)
    CACHE.invalidate(api.store)
    signed_in = api.sign_in("member-x", "a-long-password")
    admin = api.client("admin")
    answers = {
        "directory": lambda: admin.get(f"/members/{member}"),
        "roster": lambda: admin.get(f"/orgs/{x['community']}/members"),
        "search": lambda: admin.get("/search", params={"q": old_name}),
        "analytics": lambda: admin.get(f"/analytics/entities/{member}/neighbourhood"),
    }

    def shown(key: str, answer: Any) -> str:  # what an answer shows (a search echoes its words)
        assert answer.status_code == 200, (key, answer.text)
        return json.dumps(answer.json()["groups"] if key == "search" else answer.json(), ensure_ascii=False)

    before = {k: shown(k, f()) for k, f in answers.items()}
    assert all(old_name in text for text in before.values()), "the checks must see the name before"

    for role in ("planner", "secretary", "member"):
        refused = api.client(role).post(f"/members/{member}/anonymise", json={"reason": REASON})
        assert refused.status_code == 403, role
    short = admin.post(f"/members/{member}/anonymise", json={"reason": "要"})
    assert short.status_code == 422 and "理由" in short.json()["message"]
    assert admin.post("/members/no-such-member/anonymise", json={"reason": REASON}).status_code == 404
    assert node(api, "Member", member)["name"] == old_name  # refused calls changed nothing

    done = admin.post(f"/members/{member}/anonymise", json={"reason": REASON})
    assert done.status_code == 200, done.text
    assert done.json() == {
        "id": member,
        "name": anonymised_name(member),
        "changed": True,
        "accounts_disabled": 1,
    }
    again = admin.post(f"/members/{member}/anonymise", json={"reason": REASON})
    assert again.status_code == 200 and again.json()["changed"] is False
    assert again.json()["name"] == anonymised_name(member)

    after = {k: shown(k, f()) for k, f in answers.items()}
    for key, text in after.items():
        assert old_name not in text and old_phone not in text, key
    assert anonymised_name(member) in after["directory"]
    stored = node(api, "Member", member)
    assert stored["name"] == anonymised_name(member) and stored.get("phone") is None
    kept = api.store.one(pipl_queries.PERSON["Member"], {"id": member})
    assert kept is not None
    assert {"PointEntry", "Org"} <= {r["label"] for r in kept["incoming"] + kept["outgoing"]}
    assert signed_in.get("/notifications").status_code == 401  # its sessions ended
    token = api.anonymous().post("/auth/token", data={"username": "member-x", "password": "a-long-password"})
    assert token.status_code in (400, 401)
    [entry] = audit(api, "personal_data.anonymise", member)
    text = json.dumps(entry, ensure_ascii=False)
    assert REASON in text and old_name not in text and old_phone not in text


def test_an_admin_removes_a_requests_contact(world: ApiWorld) -> None:
    api = world
    create(api, "Request", id="REQANON001", category="elderly_care", description="楼道灯坏了",
           contact_last_name="孙", contact_first_name="小美", contact_phone="13611112222",
           contact_email="sun@example.com", address="幸福路 1 号", via="public", status="queued")  # fmt: skip
    link(api, "QUEUED_AT", "Request", "Org", "REQANON001", api.accounts["secretary"]["scope_org_id"])
    admin = api.client("admin")
    assert (
        api.client("secretary")
        .post("/intake/requests/REQANON001/anonymise", json={"reason": REASON})
        .status_code
        == 403
    )
    done = admin.post("/intake/requests/REQANON001/anonymise", json={"reason": REASON})
    assert done.status_code == 200 and done.json() == {"id": "REQANON001", "changed": True}
    stored = node(api, "Request", "REQANON001")
    assert not {"contact_last_name", "contact_first_name", "contact_phone", "contact_email", "address"} & set(
        stored
    )
    assert stored["description"] == "楼道灯坏了"
    assert (
        admin.post("/intake/requests/REQANON001/anonymise", json={"reason": REASON}).json()["changed"]
        is False
    )
    assert admin.post("/intake/requests/NOSUCHCODE/anonymise", json={"reason": REASON}).status_code == 404


# -- 3. retention -------------------------------------------------------------------------------


def test_retention_purges_only_old_closed_needs_and_requests_once(world: ApiWorld) -> None:
    api, old, now = world, "2020-01-01T00:00:00Z", utc_now()
    need = {"title": "助老", "category": "elderly_care", "people_wanted": 1, "urgency": "normal",
            "window_start": old, "window_end": old, "address": "幸福路 8 号 3 单元"}  # fmt: skip
    contact = {"category": "elderly_care", "description": "助老", "contact_phone": "13633334444",
               "contact_last_name": "周", "via": "public"}  # fmt: skip
    create(api, "Need", id="need-old-done", status="completed", **{**need, "updated_at": old})
    create(api, "Need", id="need-new-done", status="completed", **need)
    create(api, "Need", id="need-old-open", status="open", **{**need, "updated_at": old})
    create(api, "Request", id="REQOLDCONV", status="converted", **{**contact, "updated_at": old})
    create(api, "Request", id="REQNEWCONV", status="converted", **contact)
    create(api, "Request", id="REQOLDSHUT", status="closed", decided_at=old, **{**contact, "updated_at": old})
    create(api, "Request", id="REQNEWSHUT", status="closed", decided_at=now, **contact)
    link(api, "BECAME", "Request", "Need", "REQOLDCONV", "need-old-done")
    link(api, "BECAME", "Request", "Need", "REQNEWCONV", "need-new-done")

    settings = Settings(personal_data_retention_days=180)
    first = jobs(api.store, settings, None)["purge_personal_data"]()
    assert first["needs"] >= 1 and first["requests"] >= 2
    assert "address" not in node(api, "Need", "need-old-done")
    assert node(api, "Need", "need-old-done")["title"] == "助老"
    for kept in ("need-new-done", "need-old-open"):
        assert node(api, "Need", kept)["address"] == need["address"], kept
    for purged in ("REQOLDCONV", "REQOLDSHUT"):
        assert "contact_phone" not in node(api, "Request", purged) and "contact_last_name" not in node(
            api, "Request", purged
        )
    for kept in ("REQNEWCONV", "REQNEWSHUT"):
        assert node(api, "Request", kept)["contact_phone"] == "13633334444", kept
    entries = audit(api, "personal_data.purge", "-")
    counted = [e["after"] for e in entries]
    assert sum(c["needs"] for c in counted) == first["needs"]
    assert sum(c["requests"] for c in counted) == first["requests"]
    assert purge_personal_data(api.store, SYSTEM, retention_days=180) == {"needs": 0, "requests": 0}
    assert len(audit(api, "personal_data.purge", "-")) == len(entries)  # nothing to do writes nothing


# -- 4. formula injection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (FORMULA, "'" + FORMULA),
        ("+8613800001111", "'+8613800001111"),
        ("-打折", "'-打折"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        (-5, "-5"),
        (-2.5, "-2.5"),
        ("张三", "张三"),
        ([FORMULA, "b"], "'" + FORMULA + ";b"),
    ],
)
def test_csv_cells_escape_formulas_but_not_numbers(value: Any, cell: str) -> None:
    assert csv_cell(value) == cell
    if isinstance(value, str):
        assert cell_text(cell) == value.strip()


def test_csv_export_escapes_a_formula_name_and_imports_it_back(
    falkordb_server: EmbeddedFalkorDB, tmp_path: Path
) -> None:
    source = tmp_path / "in"
    shutil.copytree(FIXTURES, source, ignore=shutil.ignore_patterns("encodings"))
    with (source / "members.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["M-9", FORMULA, "+8613800001111", "", "1970", "", "", "", "", "O-G1"])
    store = make_store("falkordb", falkordb_server)
    fresh = make_store("falkordb", falkordb_server)
    try:
        apply_schema(store)
        assert not import_files(store, sorted(source.glob("*.csv"))).problems
        files = export_graph(store, tmp_path / "out", "csv").files
        members = next(f for f in files if f.name == "members.csv")
        rows = {r["id"]: r for r in csv.DictReader(io.StringIO(members.read_text(encoding="utf-8-sig")))}
        assert rows["M-9"]["name"] == "'" + FORMULA and rows["M-9"]["phone"] == "'+8613800001111"
        assert rows["M-9"]["birth_year"] == "1970"
        apply_schema(fresh)
        assert not import_files(fresh, files).problems
        back = fresh.one(node_stmt("get", "Member"), {"id": "M-9"})
        assert back is not None
        assert back["node"]["name"] == FORMULA and back["node"]["phone"] == "+8613800001111"
        assert back["node"]["birth_year"] == 1970
    finally:
        release_store(store)
        release_store(fresh)


def test_duty_report_workbook_escapes_a_formula_org_name(world: ApiWorld) -> None:
    api = world
    street = api.accounts["planner"]["scope_org_id"]
    create(api, "Org", id="org-formula", name=FORMULA, level="community", kind="standard")
    link(api, "LEADS", "Org", "Org", street, "org-formula")
    answer = api.client("planner").get(f"/reports/orgs/{street}/duty-report.xlsx", params={"period": "2026"})
    assert answer.status_code == 200, answer.text
    sheet = load_workbook(io.BytesIO(answer.content))["下级组织对比"]
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    row = cells["'" + FORMULA]
    assert row[0].data_type == "s" and row[2].data_type == "n" and row[2].value == 0
    assert FORMULA not in cells


# -- 5. break-glass phone reveal ----------------------------------------------------------------


def test_a_planner_reveals_a_callees_phone_only_with_a_reason_inside_its_jurisdiction(
    world: ApiWorld, outside: dict[str, str]
) -> None:
    api, x = world, outside
    street = api.accounts["planner"]["scope_org_id"]
    phones = {m["id"]: m["phone"] for m in api.dataset.nodes["Member"] if m.get("phone")}
    building = next(a for a in api.dataset.nodes["Area"] if a["level"] == "building")
    path = f"/analytics/orgs/{street}/mobilisation"
    called = api.client("planner").get(path, params={"area_id": building["id"], "limit": 60})
    assert called.status_code == 200, called.text
    callee = next(c for c in called.json() if c["label"] == "Member" and c["id"] in phones)
    full = phones[callee["id"]]
    assert callee["phone"] and callee["phone"] != full and callee["phone"][-4:] == full[-4:]
    assert not [p for p in phones.values() if p in called.text]

    planner = api.client("planner")
    own = {"id": f"own-{callee['id']}", "display_name": "被查看的党员", "role": "member",
           "subject_id": callee["id"], "password": "a-long-password"}  # fmt: skip
    assert api.client("admin").post("/accounts", json=own).status_code == 201
    body = {"people": [callee["id"]], "reason": REASON}
    shown = planner.post(f"{path}/reveal", json=body)
    assert shown.status_code == 200, shown.text
    assert shown.json() == [{"id": callee["id"], "phone": full}]
    # the person is told who looked and why, without the phone; nobody else is
    told = api.sign_in(own["id"], own["password"]).get("/notifications").json()
    viewed = [n for n in told if n["kind"] == "data_viewed"]
    planner_name = api.accounts["planner"]["display_name"]
    assert len(viewed) == 1 and planner_name in viewed[0]["title"] and REASON in viewed[0]["title"]
    assert full not in json.dumps(told, ensure_ascii=False)
    others = api.client("member").get("/notifications").json()
    assert not [n for n in others if n["kind"] == "data_viewed"]
    for reason in ("", "   ", "急"):
        refused = planner.post(f"{path}/reveal", json={**body, "reason": reason})
        assert refused.status_code == 422 and refused.json()["message"], reason
    elsewhere = planner.post(f"/analytics/orgs/{x['community']}/mobilisation/reveal", json=body)
    assert elsewhere.status_code == 403
    outsider = planner.post(f"{path}/reveal", json={"people": [x["unit"]], "reason": REASON})
    assert outsider.status_code == 403 and "13912345678" not in outsider.text
    for role in ("secretary", "unit", "member"):
        assert api.client(role).post(f"{path}/reveal", json=body).status_code == 403, role
    entries = [e for e in audit(api, "personal_data.reveal", street) if callee["id"] in e["after"]["people"]]
    assert len(entries) == 1 and entries[0]["actor"] == "planner"
    assert entries[0]["after"]["reason"] == REASON and full not in json.dumps(entries, ensure_ascii=False)


@needs_chromium
def test_the_planner_reveals_a_callees_phone_in_the_console_with_a_reason(
    world: ApiWorld, browser: Any
) -> None:
    api = world
    if api.store.backend != "falkordb":
        pytest.skip("the console is the same on either backend; the API's reveal is tested on both")
    phones = {m["phone"] for m in api.dataset.nodes["Member"] if m.get("phone")}
    page = page_for(browser, api, "planner")
    page.wait_for_load_state("networkidle")  # the dashboard draws its sections as their reads come
    page.get_by_role("button", name="查找可联系的人").click()
    row = page.locator("#mobilisation tbody tr").filter(has=page.get_by_role("button", name="查看电话")).first
    masked = row.locator(".phone").inner_text()
    assert "*" in masked
    row.get_by_role("button", name="查看电话").click()
    page.locator("#flash", has_text="理由").wait_for()
    assert row.locator(".phone-full").count() == 0  # no reason, no phone
    page.get_by_label("查看电话的理由").fill(REASON)
    row.get_by_role("button", name="查看电话").click()
    full = row.locator(".phone-full").inner_text()
    assert "*" not in full and full[-4:] == masked[-4:]
    assert full in phones | {u["contact_phone"] for u in api.dataset.nodes["Unit"] if u.get("contact_phone")}
