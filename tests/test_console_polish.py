"""The console's shared behaviour in headless Chromium over the `tiny` demo: times read and typed
in Beijing time whatever the browser's own zone, lists read a page at a time, the links each role
expects, and signing out forgetting the explorer's chosen path ends."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from api_world import ApiWorld, api_fixture  # noqa: F401  (the `api` fixture)
from console_world import (
    browser_fixture,  # noqa: F401  (the `browser` fixture)
    fits_phone,
    needs_chromium,
    new_page,
    page_for,
    shot,
    sign_in,
)

pytestmark = needs_chromium

BEIJING = timezone(timedelta(hours=8))
FAR_ZONE = "America/New_York"  # neither UTC nor Beijing: a page that used the browser's zone would be off


def _shown(iso: str) -> str:
    """An API time (UTC) as the console should show it: Beijing wall time."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _utc_of_beijing_midnight(day: str) -> str:
    """The UTC instant of 00:00 Beijing time on ``day``, as the API writes it."""
    at = datetime.fromisoformat(f"{day}T00:00:00").replace(tzinfo=BEIJING).astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _by_title(api: ApiWorld, org_id: str, title: str) -> dict[str, Any]:
    """The need of ``org_id`` titled ``title`` as the API lists it."""
    needs = api.client("secretary").get("/needs", params={"org_id": org_id, "limit": 500}).json()
    return next(n for n in needs if n["title"] == title)


def test_times_are_beijing_time_whatever_the_browser_zone(browser: Any, api: ApiWorld) -> None:
    """In a browser set to New York: a need typed for 10:00 Beijing is stored as 02:00Z and shown
    as 10:00; editing keeps what was not changed and writes the new end in UTC; the API's own
    times are shown +8 h; the default start is tomorrow on the hour; a points period is Beijing days."""
    client = api.client("secretary")
    community = client.get("/auth/me").json()["scope_org_id"]
    sec = page_for(browser, api, "secretary", zone=FAR_ZONE)
    assert sec.evaluate("new Date(2026, 10, 24).getTimezoneOffset()") == 300  # really New York

    sec.goto(f"{api.url}/console/#/needs/new")
    form = sec.get_by_role("form", name="发布需求")
    default = form.get_by_label("开始时间 *").input_value()
    typed_start = datetime.fromisoformat(default).replace(tzinfo=BEIJING)
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    assert typed_start.minute == 0 and timedelta(0) <= typed_start - tomorrow <= timedelta(hours=1)
    assert "北京时间" in form.inner_text()
    form.get_by_label("标题 *").fill("北京时间十点的义诊")
    form.get_by_label("服务类别 *").select_option(index=1)
    form.get_by_label("开始时间 *").fill("2026-12-01T10:00")
    form.get_by_label("结束时间 *").fill("2026-12-01T12:00")
    form.get_by_role("button", name="发布").click()
    sec.get_by_text("已发布").wait_for()
    need = _by_title(api, community, "北京时间十点的义诊")
    assert (need["window_start"], need["window_end"]) == ("2026-12-01T02:00:00Z", "2026-12-01T04:00:00Z")

    row = sec.locator("#needs tr", has_text="北京时间十点的义诊")
    assert "2026-12-01 10:00 至 2026-12-01 12:00" in row.inner_text()
    other = next(
        n
        for n in client.get("/needs", params={"org_id": community, "limit": 50}).json()
        if n["id"] != need["id"]
    )
    shown = sec.locator("#needs tr", has=sec.locator(f'a[href="#/needs/{other["id"]}"]')).inner_text()
    assert f"{_shown(other['window_start'])} 至 {_shown(other['window_end'])}" in shown

    sec.goto(f"{api.url}/console/#/needs/{need['id']}")
    sec.get_by_text("时间(北京时间):2026-12-01 10:00 至 2026-12-01 12:00").wait_for()
    assert f"发布:{need['org_name']}" in sec.inner_text("main")
    sec.get_by_role("link", name="修改需求").click()
    edit = sec.get_by_role("form", name="修改需求")
    assert edit.get_by_label("开始时间 *").input_value() == "2026-12-01T10:00"
    assert edit.get_by_label("结束时间 *").input_value() == "2026-12-01T12:00"
    edit.get_by_label("结束时间 *").fill("2026-12-01T13:30")
    edit.get_by_role("button", name="保存修改").click()
    sec.get_by_text("已保存").wait_for()
    after = client.get(f"/needs/{need['id']}").json()
    assert (after["window_start"], after["window_end"]) == ("2026-12-01T02:00:00Z", "2026-12-01T05:30:00Z")
    sec.get_by_text("2026-12-01 10:00 至 2026-12-01 13:30").wait_for()
    shot(sec, "need-in-beijing-time")

    # a points period is whole Beijing days: 1 to 30 November is [Oct 31 16:00Z, Nov 30 16:00Z)
    sec.goto(f"{api.url}/console/#/points/2026-11-01/2026-11-30")
    ranking = sec.locator("#ranking")
    ranking.wait_for()
    assert ranking.get_attribute("data-start") == _utc_of_beijing_midnight("2026-11-01")
    assert ranking.get_attribute("data-end") == _utc_of_beijing_midnight("2026-12-01")
    assert "北京时间" in sec.inner_text("main")


def test_lists_page_by_page(browser: Any, api: ApiWorld) -> None:
    """More than 50 needs: the community's list shows 50 and "显示更多" the rest, the same needs
    as the API lists; the status filter pages too; a member's phone shows 10 open needs at first."""
    client = api.client("secretary")
    community = client.get("/auth/me").json()["scope_org_id"]
    draft = client.get(f"/needs?org_id={community}&limit=1").json()[0]
    have = len(client.get("/needs", params={"org_id": community, "limit": 500}).json())
    for i in range(max(0, 62 - have)):
        body = {k: draft[k] for k in ("org_id", "category", "people_wanted", "window_start", "window_end")}
        made = client.post("/needs", json={**body, "org_id": community, "title": f"楼栋巡查第 {i + 1} 次"})
        assert made.status_code == 201, made.text
    listed = client.get("/needs", params={"org_id": community, "limit": 500}).json()
    assert 50 < len(listed) <= 100

    sec = page_for(browser, api, "secretary")
    rows = sec.locator("#needs tbody tr")
    rows.first.wait_for()
    assert rows.count() == 50
    assert sec.locator("#needs .count").inner_text() == "已显示 50 条"
    sec.get_by_role("button", name="显示更多").click()
    sec.locator("#needs .count", has_text=f"共 {len(listed)} 条").wait_for()
    assert rows.count() == len(listed)
    assert sec.get_by_role("button", name="显示更多").is_hidden()
    shown = {rows.nth(i).locator("a").first.get_attribute("href") for i in range(rows.count())}
    assert shown == {f"#/needs/{n['id']}" for n in listed}

    sec.get_by_label("按状态查看").select_option("open")
    opened = client.get("/needs", params={"org_id": community, "status": "open", "limit": 500}).json()
    sec.wait_for_function(
        "n => [...document.querySelectorAll('#needs tbody tr')].every(r => r.innerText.includes('待认领'))"
        " && document.querySelectorAll('#needs tbody tr').length === n",
        arg=min(50, len(opened)),
    )
    shot(sec, "secretary-needs-paged")

    phone = page_for(browser, api, "member", phone=True)
    everyone = api.client("member").get("/needs", params={"status": "open", "limit": 500}).json()
    phone.locator("#open-needs tbody tr").first.wait_for()
    assert phone.locator("#open-needs tbody tr").count() == min(10, len(everyone))
    assert phone.get_by_role("button", name="显示更多").is_visible() == (len(everyone) > 10)
    fits_phone(phone)
    shot(phone, "member-open-needs-paged")


def _held_back(route: Any) -> None:
    """Let a request through 0.8 s late (the server answers it as usual)."""
    time.sleep(0.8)
    route.continue_()


def _top_org(api: ApiWorld) -> dict[str, Any]:
    """The top of the directory, climbed through the API from a need's org."""
    admin = api.client("admin")
    org = admin.get(f"/orgs/{admin.get('/needs', params={'limit': 1}).json()[0]['org_id']}").json()
    while org["parent_id"]:
        org = admin.get(f"/orgs/{org['parent_id']}").json()
    return dict(org)


def test_links_names_and_sign_out(browser: Any, api: ApiWorld) -> None:
    """Admin: home links to the explorer from the top org and to the path page (its choices the
    district's streets and communities), accounts named as the API names their orgs; planner: home
    links to the points ranking of the street's last year (Beijing days); signing out forgets the
    path ends chosen in the explorer."""
    top = _top_org(api)
    admin = page_for(browser, api, "admin", phone=True)
    admin.get_by_role("link", name=f"关系浏览:从{top['name']}出发", exact=False).click()
    admin.get_by_role("heading", name=f"关系浏览:{top['name']}").wait_for()
    fits_phone(admin)
    admin.get_by_role("link", name="返回工作台").click()
    # a slow page says it is coming: the org tree held back 0.8 s, the "loading" line shows, then goes
    admin.evaluate(
        "window.busySeen = false; new MutationObserver(() => { window.busySeen ||= !busy.hidden; })"
        ".observe(document.getElementById('busy'), { attributes: true })"
    )
    admin.route("**/orgs/*/tree", _held_back)
    admin.get_by_role("link", name="关系路径", exact=False).click()
    choices = admin.locator('optgroup[label="党组织(区、街道、社区)"]').first
    choices.wait_for(state="attached")
    admin.unroute("**/orgs/*/tree")
    assert admin.evaluate("window.busySeen") and admin.locator("#busy").is_hidden()
    tree = api.client("admin").get(f"/orgs/{top['id']}/tree").json()
    upper = {o["id"] for o in tree if o["level"] in ("district", "street", "community")}
    offered = choices.locator("option")
    assert {offered.nth(i).get_attribute("value") for i in range(offered.count())} == upper
    shot(admin, "admin-paths-phone")

    admin.goto(f"{api.url}/console/#/accounts")
    accounts = {a["id"]: a for a in api.client("admin").get("/accounts").json()}
    street = api.client("admin").get(f"/orgs/{accounts['planner']['scope_org_id']}").json()["name"]
    admin.locator("#accounts tr", has_text="planner").first.wait_for()
    assert street in admin.locator("#accounts tbody tr", has_text="街道规划").first.inner_text()
    mine = admin.locator("#accounts tbody tr").filter(has=admin.locator('td:text-is("admin")'))
    assert mine.get_by_role("button").count() == 0 and "当前登录的账号" in mine.inner_text()
    fits_phone(admin)

    planner = page_for(browser, api, "planner")
    planner.get_by_role("link", name="积分排行", exact=False).click()
    ranking = planner.locator("#ranking")
    ranking.wait_for()
    today = datetime.now(BEIJING).date()
    start, end = today - timedelta(days=365), today + timedelta(days=1)
    period = {k: _utc_of_beijing_midnight(d.isoformat()) for k, d in (("start", start), ("end", end))}
    assert ranking.get_attribute("data-start") == period["start"]
    assert ranking.get_attribute("data-end") == period["end"]
    org = api.client("planner").get("/auth/me").json()["scope_org_id"]
    report = api.client("planner").get(f"/reports/orgs/{org}", params=period).json()
    assert planner.locator("#points-total").inner_text() == str(report["points_total"])

    planner.goto(f"{api.url}/console/#/explore/{org}")
    planner.get_by_role("button", name="设为起点").click()
    onward = planner.locator("#ties a").first
    name = onward.inner_text()
    onward.click()
    planner.get_by_role("heading", name=f"关系浏览:{name}").wait_for()
    planner.get_by_role("button", name="设为终点").click()
    planner.locator(".to-path").wait_for()
    assert planner.evaluate("sessionStorage.getItem('lianjian.path.ends')")
    planner.get_by_role("button", name="退出登录").click()
    planner.get_by_role("button", name="登录").wait_for()
    assert planner.evaluate("sessionStorage.length") == 0
    sign_in(planner, api, "planner")
    planner.get_by_role("button", name="退出登录").wait_for()
    planner.goto(f"{api.url}/console/#/paths")
    planner.get_by_role("form", name="查找关系路径").wait_for()
    assert planner.locator('optgroup[label="已在关系浏览中选定"]').count() == 0


def test_provider_reads_its_past_project_through_its_claim(browser: Any, api: ApiWorld) -> None:
    """A unit that served a past (evaluated) need has its claim on record, as the services would
    have written it: the API gives it the need, and the page shows the need with its claim and project."""
    admin = api.client("admin")
    served = [
        (p, x["provider_id"])
        for p in admin.get("/projects", params={"status": "evaluated", "limit": 500}).json()
        for x in p["providers"]
        if x["provider_kind"] == "Unit"
    ]
    assert served, "the demo has past projects served by units"
    project, provider = served[0]
    body = {"id": "past-unit", "display_name": "往期服务单位", "role": "unit", "subject_id": provider}
    assert admin.post("/accounts", json={**body, "password": "wangqi-2026"}).status_code == 201
    unit = api.sign_in("past-unit", "wangqi-2026")
    need = unit.get(f"/needs/{project['need_id']}")
    assert need.status_code == 200, need.text
    claims = unit.get("/claims", params={"need_id": project["need_id"]}).json()
    assert [c["provider_id"] for c in claims] == [provider]
    mine = {p["id"]: p for p in unit.get("/projects", params={"provider_id": provider}).json()}[project["id"]]

    page = new_page(browser, phone=True)
    sign_in(page, api, "past-unit", "wangqi-2026")
    page.get_by_role("button", name="退出登录").wait_for()
    page.goto(f"{api.url}/console/#/needs/{project['need_id']}")
    page.get_by_role("heading", name=need.json()["title"]).wait_for()
    assert f"累计服务 {mine['hours_total']:g} 小时" in page.locator("#project").inner_text()
    assert mine["org_name"] in page.inner_text("main")
    assert claims[0]["offering_title"] in page.inner_text("main")
    fits_phone(page)
    shot(page, "unit-past-project-need")
