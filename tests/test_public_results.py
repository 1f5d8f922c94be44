"""述评公开 and 述职 through the real server on the tiny demo, on both backends: the public results
answer without a token, hold no phone or full member name, and equal ``/reports`` and the figures
counted here from the generated data; the series add up to the period; child orgs add up to their
parent; the quarter's 述职 .docx and .xlsx hold the API's figures (and the docx a picture);
outside scope is 403 and a bad period 422 in Chinese."""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
import pytest
from api_world import (
    ApiWorld,
    module_world_fixture,  # noqa: F401  (the fixture "world")
)
from docx import Document
from openpyxl import load_workbook
from test_api_permissions import second_street

RESOLVED = ("completed", "evaluated")  # the closed loop's rules written out: owed nothing to the code
SATISFIED_FROM = 4
PERIODS = ("2026", "2026-Q3", "2026-07")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def outside(world: ApiWorld) -> dict[str, str]:
    """A second street with its community, unit, member and their accounts."""
    return second_street(world)


def ok(client: httpx.Client, path: str, **params: Any) -> Any:
    """GET ``path`` and its JSON, asserting 200."""
    answer = client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def scope(world: ApiWorld, role: str) -> str:
    """The org the demo account ``role`` acts for."""
    return str(world.accounts[role]["scope_org_id"])


def subtree(world: ApiWorld, root: str) -> set[str]:
    """``root`` and every org it leads, from the generated data."""
    leads = [(r["start"], r["end"]) for r in world.dataset.rels[("LEADS", "Org", "Org")]]
    found, todo = {root}, [root]
    while todo:
        parent = todo.pop()
        for child in (c for p, c in leads if p == parent and c not in found):
            found.add(child)
            todo.append(child)
    return found


def expected(world: ApiWorld, org: str, start: str, end: str) -> dict[str, Any]:
    """The public figures of ``org`` for [start, end), counted from the generated data."""
    data, rels = world.dataset.nodes, world.dataset.rels
    orgs = subtree(world, org)
    posted = {r["start"] for r in rels[("POSTED_BY", "Need", "Org")] if r["end"] in orgs}
    needs = {n["id"]: n for n in data["Need"] if n["id"] in posted and start <= n["created_at"] < end}
    need_of = {r["start"]: r["end"] for r in rels[("FULFILLS", "Project", "Need")]}
    projects = [p for p in data["Project"] if need_of.get(p["id"]) in needs]
    done = [p for p in projects if p["status"] in RESOLVED]
    units: dict[str, float] = {}
    for r in rels[("SERVES", "Unit", "Project")]:
        if r["end"] in {p["id"] for p in projects}:
            units[r["start"]] = units.get(r["start"], 0.0) + float(r["props"].get("hours") or 0)
    return {
        "needs": len(needs),
        "projects": len(projects),
        "projects_completed": len(done),
        "people_served": sum(int(needs[need_of[p["id"]]].get("beneficiary_count") or 0) for p in done),
        "hours": sum(float(p.get("hours_total") or 0) for p in projects),
        "units": units,
        "done": {p["id"] for p in done},
    }


def personal(world: ApiWorld) -> list[str]:
    """Every phone and full person's name of the demo (members, units' contact people)."""
    data = world.dataset.nodes
    found = [m["phone"] for m in data["Member"] if m.get("phone")] + [m["name"] for m in data["Member"]]
    found += [u["contact_phone"] for u in data["Unit"] if u.get("contact_phone")]
    found += [u["contact_name"] for u in data["Unit"] if u.get("contact_name")]
    return [p for p in found if len(p) >= 2]


def test_public_results_answer_without_a_token_and_hold_no_personal_data(world: ApiWorld) -> None:
    anonymous = world.anonymous()
    street = scope(world, "planner")
    secrets = personal(world)
    for org in (street, scope(world, "secretary")):
        for period in PERIODS:
            answer = anonymous.get(f"/public/orgs/{org}/results", params={"period": period})
            assert answer.status_code == 200, answer.text
            leaked = [s for s in secrets if s in answer.text]
            assert not leaked, f"personal data in the public results: {leaked[:3]}"
            for project in answer.json()["project_ratings"]:
                for r in project["ratings"]:
                    assert r["provider_kind"] != "Member" or "*" in r["provider_name"]
    page = anonymous.get(f"/public/orgs/{street}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "述评公开" in page.text and not [s for s in secrets if s in page.text]
    missing = anonymous.get("/public/orgs/no-such-org/results", params={"period": "2026"})
    assert missing.status_code == 404 and CHINESE.search(missing.json()["message"])


def test_public_figures_equal_the_report_and_the_generated_data(world: ApiWorld) -> None:
    anonymous, admin = world.anonymous(), world.client("admin")
    seen_ratings = 0
    for org in (scope(world, "planner"), scope(world, "secretary")):
        for period in PERIODS:
            public = ok(anonymous, f"/public/orgs/{org}/results", period=period)
            bounds = {"start": public["period"]["start"], "end": public["period"]["end"]}
            report = ok(admin, f"/reports/orgs/{org}", **bounds)
            for key in ("response", "resolution", "satisfaction", "needs"):
                assert public[key] == report[key], (org, period, key)
            want = expected(world, org, **bounds)
            for key in ("needs", "projects", "projects_completed", "people_served"):
                assert public[key] == want[key], (org, period, key)
            assert public["hours"] == pytest.approx(want["hours"])
            assert public["projects_completed"] == report["resolution"]["resolved"]
            assert {p["project_id"] for p in public["project_ratings"]} == want["done"]
            stars = [r["stars"] for p in public["project_ratings"] for r in p["ratings"]]
            assert len(stars) == report["satisfaction"]["ratings"]
            assert sum(s >= SATISFIED_FROM for s in stars) == report["satisfaction"]["satisfied"]
            seen_ratings += len(stars)
            ranked = sorted(want["units"].items(), key=lambda kv: -kv[1])[:10]
            top = public["top_units"]
            assert [u["hours"] for u in top] == pytest.approx([h for _, h in ranked])
            assert {u["unit_id"] for u in top} <= set(want["units"])
    assert seen_ratings, "the demo's periods hold no rating: the test would prove nothing"


ADDITIVE = ("needs", "projects", "projects_completed", "people_served")
PARTS = (("response", "responded"), ("response", "needs"), ("resolution", "resolved"),
         ("satisfaction", "satisfied"), ("satisfaction", "ratings"))  # fmt: skip


def check_sums(parts: list[dict[str, Any]], whole: dict[str, Any]) -> None:
    """The counts of ``parts`` add up to those of ``whole`` (rates by their numerators)."""
    for key in ADDITIVE:
        assert sum(p[key] for p in parts) == whole[key], key
    for rate, key in PARTS:
        assert sum(p[rate][key] for p in parts) == whole[rate][key], (rate, key)
    assert sum(p["hours"] for p in parts) == pytest.approx(whole["hours"])


def test_series_months_and_quarters_sum_to_the_period(world: ApiWorld) -> None:
    planner = world.client("planner")
    street = scope(world, "planner")
    for by in ("month", "quarter"):
        answer = ok(planner, f"/reports/orgs/{street}/series", by=by, period="2026")
        assert len(answer["series"]) == (12 if by == "month" else 4)
        check_sums(answer["series"], answer["total"])
        report = ok(planner, f"/reports/orgs/{street}", start=answer["start"], end=answer["end"])
        assert (
            answer["total"]["needs"] == report["needs"] and answer["total"]["response"] == report["response"]
        )
        for point in answer["series"]:
            monthly = ok(planner, f"/reports/orgs/{street}", start=point["start"], end=point["end"])
            assert point["needs"] == monthly["needs"] and point["resolution"] == monthly["resolution"]
    assert sum(p["needs"] > 0 for p in answer["series"]) >= 2, "the demo spans one quarter only"
    custom = ok(planner, f"/reports/orgs/{street}/series", by="month", start="2026-05-15", end="2026-11-02")
    assert custom["series"][0]["key"] == "2026-05" and custom["series"][-1]["key"] == "2026-11"
    check_sums(custom["series"], custom["total"])


def test_children_comparison_lists_each_child_and_adds_up(world: ApiWorld) -> None:
    planner = world.client("planner")
    for org in (scope(world, "planner"), scope(world, "secretary")):
        answer = ok(planner, f"/reports/orgs/{org}/children", period="2026")
        leads = {r["end"] for r in world.dataset.rels[("LEADS", "Org", "Org")] if r["start"] == org}
        assert {c["org_id"] for c in answer["children"]} == leads
        check_sums([*answer["children"], answer["own"]], answer["total"])
        for child in (c for c in answer["children"] if c["needs"]):
            report = ok(planner, f"/reports/orgs/{child['org_id']}", start=answer["start"], end=answer["end"])
            assert child["needs"] == report["needs"] and child["satisfaction"] == report["satisfaction"]
            want = expected(world, child["org_id"], answer["start"], answer["end"])
            assert child["projects_completed"] == want["projects_completed"]
    street = ok(planner, f"/reports/orgs/{scope(world, 'planner')}/children", period="2026")
    assert sum(c["needs"] > 0 for c in street["children"]) >= 2, "compare at least two children"


def percent(rate: float | None) -> str:
    """A rate as the report prints it."""
    return "—" if rate is None else f"{100 * rate:.1f}%"


def test_a_planner_downloads_the_quarters_duty_report(world: ApiWorld) -> None:
    planner = world.client("planner")
    street = scope(world, "planner")
    period = "2026-Q3"
    children = ok(planner, f"/reports/orgs/{street}/children", period=period)
    months = ok(planner, f"/reports/orgs/{street}/series", by="month", period=period)
    total = children["total"]
    assert total["needs"] and total["projects_completed"], "the quarter holds no work: pick another"

    answer = planner.get(f"/reports/orgs/{street}/duty-report.docx", params={"period": period})
    assert answer.status_code == 200, answer.text
    assert "attachment" in answer.headers["content-disposition"]
    doc = Document(io.BytesIO(answer.content))
    assert len(doc.inline_shapes) >= 1, "the docx holds no figure"
    blobs = [r.target_part.blob for r in doc.part.rels.values() if "image" in r.reltype]
    assert blobs and blobs[0][:8] == b"\x89PNG\r\n\x1a\n"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert children["org"]["name"] in text and "2026年第三季度" in text
    summary = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows[1:]}
    assert summary["需求数"] == str(total["needs"])
    assert summary["完成项目数"] == str(total["projects_completed"])
    assert summary["服务人次"] == str(total["people_served"])
    assert float(summary["服务时长(小时)"]) == pytest.approx(total["hours"])
    for key, label in (("response", "响应率"), ("resolution", "解决率"), ("satisfaction", "满意率")):
        assert summary[label] == percent(total[key]["rate"])
    compared = {row.cells[0].text: [c.text for c in row.cells] for row in doc.tables[1].rows[1:]}
    for child in children["children"]:
        assert compared[child["name"]][2] == str(child["needs"])
        assert compared[child["name"]][4] == percent(child["resolution"]["rate"])
    assert compared["合计"][2] == str(total["needs"])
    month_rows = [[c.text for c in row.cells] for row in doc.tables[2].rows[1:]]
    assert [r[1] for r in month_rows] == [str(m["needs"]) for m in months["series"]]

    answer = planner.get(f"/reports/orgs/{street}/duty-report.xlsx", params={"period": period})
    assert answer.status_code == 200, answer.text
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["总体情况", "下级组织对比", "月度情况", "服务单位"]
    head = {r[0]: r[1] for r in book["总体情况"].iter_rows(min_row=4, values_only=True) if r[0]}
    assert head["需求数"] == total["needs"] and head["完成项目数"] == total["projects_completed"]
    assert head["服务人次"] == total["people_served"] and head["服务时长(小时)"] == pytest.approx(
        total["hours"]
    )
    assert head["满意率"] == pytest.approx(total["satisfaction"]["rate"])
    assert book["总体情况"]._images, "the workbook holds no figure"
    rows = {r[0]: r for r in book["下级组织对比"].iter_rows(min_row=2, values_only=True)}
    for child in children["children"]:
        row = rows[child["name"]]
        assert row[2] == child["needs"] and row[6] == child["projects_completed"]
        assert row[3] == (
            None if child["response"]["rate"] is None else pytest.approx(child["response"]["rate"])
        )
    assert rows["合计"][2] == total["needs"]
    monthly = [r[1] for r in book["月度情况"].iter_rows(min_row=2, values_only=True)]
    assert monthly == [m["needs"] for m in months["series"]]
    units = [r for r in book["服务单位"].iter_rows(min_row=2, values_only=True)]
    public = ok(world.anonymous(), f"/public/orgs/{street}/results", period=period)
    assert [u[0] for u in units] == [u["name"] for u in public["top_units"]]
    # each download is an export, audited with who, the scope, the period and what it held
    audit = world.client("admin").get(
        "/audit", params={"action": "export.duty_report", "entity_id": street, "limit": 10}
    )
    assert audit.status_code == 200, audit.text
    exports = {e["after"]["format"]: e for e in audit.json() if e["after"]["period"] == period}
    assert set(exports) == {"docx", "xlsx"}
    assert {e["actor"] for e in exports.values()} == {world.accounts["planner"]["id"]}
    assert exports["xlsx"]["after"]["rows"] == {
        "children": len(children["children"]),
        "months": len(months["series"]),
        "top_units": len(public["top_units"]),
    }


def test_outside_scope_is_refused_and_bad_periods_are_422_in_chinese(
    world: ApiWorld, outside: dict[str, str]
) -> None:
    street, community = scope(world, "planner"), scope(world, "secretary")
    paths = ("series", "children", "duty-report.docx", "duty-report.xlsx")
    for path in paths:
        for role, org in (("secretary", street), ("planner", outside["community"]), ("unit", community),
                          ("member", community)):  # fmt: skip
            answer = world.client(role).get(f"/reports/orgs/{org}/{path}", params={"period": "2026-Q3"})
            assert answer.status_code == 403, (role, path, answer.text)
            assert CHINESE.search(answer.json()["message"])
        assert (
            world.anonymous().get(f"/reports/orgs/{street}/{path}", params={"period": "2026"}).status_code
            == 401
        )
        secretary = world.client("secretary").get(
            f"/reports/orgs/{community}/{path}", params={"period": "2026"}
        )
        assert secretary.status_code == 200, secretary.text
    bad = [{"period": "2026-Q5"}, {"period": "2026-13"}, {"period": "去年"},
           {"period": "2026", "start": "2026-01-01"}, {"start": "2026-12-01", "end": "2026-01-01"},
           {"start": "昨天", "end": "2026-01-01"}, {}]  # fmt: skip
    planner = world.client("planner")
    for params in bad:
        for client, path in ((world.anonymous(), f"/public/orgs/{street}/results"),
                             (planner, f"/reports/orgs/{street}/series"),
                             (planner, f"/reports/orgs/{street}/children")):  # fmt: skip
            answer = client.get(path, params=params)
            assert answer.status_code == 422, (path, params, answer.text)
            assert CHINESE.search(answer.json()["message"]), answer.text
    for path in ("duty-report.docx", "duty-report.xlsx"):
        for params in ({"period": "2026-Q0"}, {}):
            answer = planner.get(f"/reports/orgs/{street}/{path}", params=params)
            assert answer.status_code == 422 and CHINESE.search(answer.json()["message"]), answer.text
    answer = planner.get(f"/reports/orgs/{street}/series", params={"by": "week", "period": "2026"})
    assert answer.status_code == 422 and CHINESE.search(answer.json()["message"])
