"""The console's remaining role pages in headless Chromium over the `tiny` demo: a secretary edits
and cancels needs and reads the community's points; an admin manages accounts, reads the audit
log and corrects points; every role changes its password; a unit withdraws a claim on a phone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from api_world import ApiWorld, api_fixture  # noqa: F401  (the `api` fixture)
from console_world import (
    browser_fixture,  # noqa: F401  (the `browser` fixture)
    fits_phone,
    needs_chromium,
    new_page,
    page_for,
    scope_ids,
    shot,
    sign_in,
)
from playwright.sync_api import expect
from test_api_loop import started_ago

from engine.demo.accounts import DEMO_PASSWORD

pytestmark = needs_chromium


def _unit_category(api: ApiWorld) -> str:
    """The category of the demo unit's first active offering: needs posted in it fit that offering
    (a self-claim whose offering does not fit is refused, issue 12 point 8)."""
    unit = api.client("unit")
    me = unit.get("/auth/me").json()
    offers = unit.get("/offerings", params={"provider_id": me["subject_id"], "status": "active"}).json()
    return str(offers[0]["category"])


def _draft(api: ApiWorld, title: str, org_id: str, category: str | None = None) -> dict[str, Any]:
    """A need body for ``org_id`` starting tomorrow, in ``category`` (the unit's offering's)."""
    category = category or _unit_category(api)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    return {
        "org_id": org_id,
        "title": title,
        "category": category,
        "people_wanted": 2,
        "window_start": start.isoformat().replace("+00:00", "Z"),
        "window_end": (start + timedelta(hours=3)).isoformat().replace("+00:00", "Z"),
    }


def _post_need(
    api: ApiWorld, role: str, title: str, org_id: str, people: int = 2, category: str | None = None
) -> str:
    """Post a need through the API as ``role``; returns its id."""
    body = {**_draft(api, title, org_id, category), "people_wanted": people}
    answer = api.client(role).post("/needs", json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _earn(api: ApiWorld, role: str, title: str, org_id: str, hours: float) -> None:
    """Close a small loop through the API: the provider ``role`` claims a new need of ``org_id``
    with an active offering, starts, logs ``hours`` and completes (earning points)."""
    provider = api.client(role)
    me = provider.get("/auth/me").json()
    offers = provider.get("/offerings", params={"provider_id": me["subject_id"], "status": "active"}).json()
    if not offers:
        body = {"title": "志愿服务", "category": _unit_category(api), "capacity": 5}
        offers = [provider.post("/offerings", json=body).json()]
    need = _post_need(api, "secretary", title, org_id, people=1, category=offers[0]["category"])
    made = provider.post("/claims", json={"need_id": need, "offering_id": offers[0]["id"]})
    assert made.status_code == 201, made.text
    project = provider.get(f"/needs/{need}").json()["project_id"]
    steps: list[tuple[str, dict[str, Any] | None]] = [
        ("start", None),
        ("hours", {"hours": hours}),
        ("complete", {"report": "已完成"}),
    ]
    for step, payload in steps:
        done = provider.post(f"/projects/{project}/{step}", json=payload)
        assert done.status_code in (200, 201), done.text
        if step == "start":
            started_ago(api, project, hours + 1)  # hours logged may not exceed the time since the start
    confirmed = api.client("secretary").post(f"/projects/{project}/hours/confirm", json={})
    assert confirmed.status_code == 200, confirmed.text  # points come when the secretary confirms


def test_secretary_edits_cancels_and_ranks_points(browser: Any, api: ApiWorld) -> None:
    """Edit an open need (the API then has the new title), a conflict and a 403 in words, cancel
    another need with a reason after confirming, the points ranking equal to the API's report."""
    client = api.client("secretary")
    community = client.get("/auth/me").json()["scope_org_id"]
    edited = _post_need(api, "secretary", "楼道灯更换", community)
    cancelled = _post_need(api, "secretary", "周末义诊", community)
    raced = _post_need(api, "secretary", "老年食堂帮厨", community)
    _earn(api, "unit", "社区花园修剪", community, 3)
    _earn(api, "member", "社区议事会记录", community, 1.5)

    original = client.get(f"/needs/{edited}").json()
    sec = page_for(browser, api, "secretary")
    sec.goto(f"{api.url}/console/#/needs/{edited}")
    sec.get_by_role("link", name="修改需求").click()
    form = sec.get_by_role("form", name="修改需求")
    assert form.get_by_label("标题 *").input_value() == "楼道灯更换"  # prefilled from the API
    assert form.get_by_label("需要人数 *").input_value() == "2"
    form.get_by_label("标题 *").fill("楼道感应灯更换")
    form.get_by_label("需要人数 *").fill("3")
    form.get_by_label("地址").fill("3 号楼 2 单元")
    form.get_by_role("button", name="保存修改").click()
    sec.get_by_text("需求“楼道感应灯更换”已保存").wait_for()
    after = client.get(f"/needs/{edited}").json()
    assert (after["title"], after["people_wanted"], after["address"]) == (
        "楼道感应灯更换",
        3,
        "3 号楼 2 单元",
    )
    assert (after["window_start"], after["window_end"]) == (original["window_start"], original["window_end"])
    shot(sec, "secretary-need-edited")

    # changed meanwhile: cancelled by someone else before the save; the API's words, form kept
    sec.goto(f"{api.url}/console/#/needs/{raced}/edit")
    form = sec.get_by_role("form", name="修改需求")
    # only the hash changed: wait for this need's form, not the one just saved still on the page
    expect(form.get_by_label("标题 *")).to_have_value("老年食堂帮厨")
    form.get_by_label("标题 *").fill("老年食堂帮厨(周三)")
    assert (
        api.client("admin").post(f"/needs/{raced}/cancel", json={"reason": "合并到其他需求"}).status_code
        == 200
    )
    form.get_by_role("button", name="保存修改").click()
    refusal = form.locator(".msg.error")
    refusal.wait_for()
    conflict = client.patch(f"/needs/{raced}", json={"title": "x"}).json()["message"]
    assert conflict in refusal.inner_text() and "已取消" in conflict
    assert form.get_by_label("标题 *").input_value() == "老年食堂帮厨(周三)"
    shot(sec, "secretary-edit-conflict")

    # cancel with a reason, after a second click that confirms
    sec.goto(f"{api.url}/console/#/needs/{cancelled}")
    stop = sec.get_by_role("form", name="取消需求")
    stop.get_by_role("button", name="取消需求").click()
    assert "请填写“取消原因" in stop.inner_text()
    stop.get_by_label("取消原因 *").fill("医院临时调整排班")
    stop.get_by_role("button", name="取消需求").click()
    stop.get_by_text("确定要取消“周末义诊”吗").wait_for()
    assert client.get(f"/needs/{cancelled}").json()["status"] == "open"  # not before confirming
    shot(sec, "secretary-cancel-confirm")
    stop.get_by_role("button", name="确认取消").click()
    sec.get_by_text("需求“周末义诊”已取消").wait_for()
    gone = client.get(f"/needs/{cancelled}").json()
    assert (gone["status"], gone["status_reason"]) == ("cancelled", "医院临时调整排班")
    assert sec.get_by_role("link", name="修改需求").count() == 0
    assert sec.get_by_role("form", name="取消需求").count() == 0
    assert "医院临时调整排班" in sec.inner_text("main")

    # another community's needs: no buttons on an open one and the API's 403 on saving;
    # a claimed one cannot even be read
    mine = scope_ids(api, "secretary")
    claimed = api.client("admin").get("/needs", params={"status": "claimed", "limit": 500}).json()
    foreign_org = next(n["org_id"] for n in claimed if n["org_id"] not in mine)
    foreign = _post_need(api, "admin", "外社区的需求", foreign_org)
    sec.goto(f"{api.url}/console/#/needs/{foreign}")
    sec.get_by_role("heading", name="外社区的需求").wait_for()
    sec.get_by_role("heading", name="认领情况").wait_for()
    assert sec.get_by_role("link", name="修改需求").count() == 0
    assert sec.get_by_role("form", name="取消需求").count() == 0
    sec.goto(f"{api.url}/console/#/needs/{foreign}/edit")
    form = sec.get_by_role("form", name="修改需求")
    form.get_by_label("标题 *").fill("越权修改")
    form.get_by_role("button", name="保存修改").click()
    refusal = form.locator(".msg.error")
    refusal.wait_for()
    forbidden = client.patch(f"/needs/{foreign}", json={"title": "越权修改"})
    assert forbidden.status_code == 403
    assert "没有权限" in refusal.inner_text() and forbidden.json()["message"] in refusal.inner_text()
    assert form.get_by_label("标题 *").input_value() == "越权修改"
    assert client.get(f"/needs/{foreign}").json()["title"] == "外社区的需求"
    shot(sec, "secretary-edit-403")
    other = next(n for n in claimed if n["org_id"] not in mine)
    sec.goto(f"{api.url}/console/#/needs/{other['id']}/edit")
    sec.get_by_role("heading", name="出错了").wait_for()
    answer = client.get(f"/needs/{other['id']}")
    assert (
        answer.status_code in (403, 404)
        and answer.json()["message"] in sec.locator("main .msg.error").inner_text()
    )

    # the community's points: the ranking is the API's report for the period shown
    sec.goto(f"{api.url}/console/#/home")
    sec.get_by_role("link", name="积分排行").click()
    ranking = sec.locator("#ranking")
    ranking.wait_for()
    period = {"start": ranking.get_attribute("data-start"), "end": ranking.get_attribute("data-end")}
    report = client.get(f"/reports/orgs/{community}", params=period).json()
    assert report["points_by_holder"], "the demo has points earned in the community"
    assert sec.locator("#points-total").inner_text() == str(report["points_total"])
    shown = [
        (row.locator("a").get_attribute("data-holder"), int(row.locator("td").nth(3).inner_text()))
        for row in ranking.locator("tbody tr").all()
    ]
    expected = sorted(
        ((x["holder_id"], x["points"]) for x in report["points_by_holder"]), key=lambda x: -x[1]
    )
    assert sorted(shown) == sorted(expected)
    assert [p for _, p in shown] == sorted((p for _, p in shown), reverse=True)
    members = [x for x in report["points_by_holder"] if x["kind"] == "Member"]
    for member in members:
        assert member["name"] is None  # the report never names members; neither does the page
    shot(sec, "secretary-points-ranking")
    readable = next(hid for hid, _ in shown if client.get(f"/points/{hid}").status_code == 200)
    ranking.locator(f'a[data-holder="{readable}"]').click()
    sec.get_by_role("heading", name="积分明细", exact=False).wait_for()
    balance = client.get(f"/points/{readable}").json()
    assert sec.locator("main .balance").inner_text() == str(balance["balance"])
    ledger = client.get(f"/points/{readable}/ledger", params={"limit": 100}).json()
    assert sec.locator("main tbody tr").count() == len(ledger)
    shot(sec, "secretary-ledger")
    sec.get_by_role("link", name="返回积分排行").click()
    sec.get_by_label("开始日期 *").fill("2020-01-01")
    sec.get_by_label("结束日期 *").fill("2020-12-31")
    sec.get_by_role("button", name="查看").click()
    sec.get_by_text("该时段内没有积分记录").wait_for()  # before any project of the demo
    assert sec.evaluate("location.hash") == "#/points/2020-01-01/2020-12-31"

    # the same pages at phone width
    phone = page_for(browser, api, "secretary", phone=True)
    for hash_, ready, name in (
        (f"#/needs/{edited}", "取消需求", "need"),
        (f"#/needs/{edited}/edit", "修改需求", "need-edit"),
        ("#/points", "积分排行", "points"),
        (f"#/ledger/{readable}", "积分明细", "ledger"),
        ("#/password", "修改密码", "password"),
    ):
        phone.goto(f"{api.url}/console/{hash_}")
        phone.get_by_role("heading", name=ready, exact=False).first.wait_for()
        fits_phone(phone)
        shot(phone, f"secretary-phone-{name}")

    # a planner reads the street's ranking the same way
    planner = page_for(browser, api, "planner")
    planner.goto(f"{api.url}/console/#/points")
    board = planner.locator("#ranking")
    board.wait_for()
    street = api.client("planner").get("/auth/me").json()["scope_org_id"]
    period = {"start": board.get_attribute("data-start"), "end": board.get_attribute("data-end")}
    report = api.client("planner").get(f"/reports/orgs/{street}", params=period).json()
    assert board.locator("tbody tr").count() == len(report["points_by_holder"]) >= 2
    assert planner.locator("#points-total").inner_text() == str(report["points_total"])


def test_admin_accounts_audit_points_and_passwords(browser: Any, api: ApiWorld) -> None:
    """Create an account (a duplicate refused in words, the form kept), the new account changes
    its password and signs in with it, then is disabled and cannot sign in; the audit log and a
    point correction agree with the API."""
    admin = page_for(browser, api, "admin")
    street = api.client("planner").get("/auth/me").json()["scope_org_id"]
    admin.get_by_role("link", name="账号管理").click()
    form = admin.get_by_role("form", name="创建账号")
    form.get_by_label("登录名 *").fill("planner")  # taken by the demo planner
    form.get_by_label("显示名称 *").fill("街道规划 王工")
    form.get_by_label("角色 *").select_option("planner")
    form.get_by_label("初始密码 *").fill("chushi-mima-1")
    form.get_by_role("button", name="创建账号").click()
    assert "必须指定管辖党组织" in form.inner_text()  # checked in the page, as the API would
    form.get_by_label("管辖党组织").select_option(street)  # the streets listed by name
    form.get_by_role("button", name="创建账号").click()
    refusal = form.locator(".msg.error")
    refusal.wait_for()
    assert "登录名“planner”已被使用" in refusal.inner_text()
    assert form.get_by_label("显示名称 *").input_value() == "街道规划 王工"
    assert form.get_by_label("管辖党组织").input_value() == street
    shot(admin, "admin-duplicate-account")
    form.get_by_label("登录名 *").fill("wang-planner")
    form.get_by_role("button", name="创建账号").click()
    admin.get_by_text("账号“wang-planner”已创建").wait_for()
    made = {a["id"]: a for a in api.client("admin").get("/accounts").json()}["wang-planner"]
    assert (made["role"], made["scope_org_id"], made["active"]) == ("planner", street, True)
    row = admin.locator("#accounts tr", has_text="wang-planner")
    assert "街道规划 王工" in row.inner_text()
    shot(admin, "admin-accounts")

    # the new account changes its password (a mismatch first), then signs in with the new one
    wang = new_page(browser, phone=True)
    sign_in(wang, api, "wang-planner", "chushi-mima-1")
    wang.get_by_role("link", name="修改密码").click()
    change = wang.get_by_role("form", name="修改密码")
    change.get_by_label("新密码 *", exact=True).fill("xin-mima-2026")
    change.get_by_label("确认新密码 *").fill("xin-mima-2025")
    change.get_by_role("button", name="修改密码").click()
    assert "两次输入的密码不一致" in change.inner_text()
    change.get_by_label("确认新密码 *").fill("xin-mima-2026")
    change.get_by_role("button", name="修改密码").click()
    change.get_by_text("密码已修改").wait_for()
    fits_phone(wang)
    shot(wang, "planner-password-changed")
    assert (
        httpx.post(
            f"{api.url}/auth/token", data={"username": "wang-planner", "password": "chushi-mima-1"}
        ).status_code
        == 401
    )
    wang.get_by_role("button", name="退出登录").click()
    sign_in(wang, api, "wang-planner", "xin-mima-2026")
    wang.get_by_role("button", name="退出登录").click()

    # disabled: the account cannot sign in any more
    admin.locator("#accounts tr", has_text="wang-planner").get_by_role("button", name="停用").click()
    admin.get_by_text("账号“wang-planner”已停用").wait_for()
    assert {a["id"]: a for a in api.client("admin").get("/accounts").json()}["wang-planner"][
        "active"
    ] is False
    admin.locator("#accounts tr", has_text="wang-planner").get_by_role("button", name="启用").wait_for()
    sign_in(wang, api, "wang-planner", "xin-mima-2026")
    wang.get_by_text("账号已停用").wait_for()
    assert wang.get_by_role("button", name="退出登录").is_hidden()
    shot(wang, "disabled-account-refused")

    # the audit log: the newest entries as the API lists them
    admin.get_by_role("link", name="联建").click()
    admin.get_by_role("link", name="操作日志").click()
    admin.locator("#audit").wait_for()
    entries = api.client("admin").get("/audit", params={"limit": 100}).json()
    assert admin.locator("#audit tbody tr").count() == min(50, len(entries))  # a page, then "显示更多"
    first = admin.locator("#audit tbody tr").first.inner_text()
    assert entries[0]["actor"] in first and entries[0]["entity_id"] in first
    assert admin.locator("#audit tr", has_text="wang-planner").filter(has_text="创建账号").count() == 1
    shot(admin, "admin-audit")

    # a point correction: the holder's balance moves by exactly the figure
    unit = api.client("unit").get("/auth/me").json()["subject_id"]
    before = api.client("admin").get(f"/points/{unit}").json()["balance"]
    admin.get_by_role("link", name="联建").click()
    admin.get_by_role("link", name="积分更正").click()
    fix = admin.get_by_role("form", name="积分更正")
    fix.get_by_label("积分所属编号 *").fill(unit)
    fix.get_by_label("更正积分 *").fill("0")  # leaving the id names its holder, as the API names it
    name = api.client("admin").get(f"/units/{unit}").json()["name"]
    fix.locator("#holder-name", has_text=f"驻区单位:{name},现有 {before} 积分").wait_for()
    fix.get_by_label("说明 *").fill("补记 11 月义诊服务")
    fix.get_by_role("button", name="提交更正").click()
    assert "不等于 0" in fix.inner_text()
    fix.get_by_label("更正积分 *").fill("7")
    fix.get_by_role("button", name="提交更正").click()
    fix.get_by_text("已更正 +7 积分").wait_for()
    assert api.client("admin").get(f"/points/{unit}").json()["balance"] == before + 7
    assert f"现有 {before + 7} 积分" in fix.inner_text()
    shot(admin, "admin-points-corrected")


def test_unit_withdraws_a_claim_on_a_phone(browser: Any, api: ApiWorld) -> None:
    """On a phone the unit claims a need, withdraws the claim before work starts (the need is
    open again) and changes its password; no page scrolls sideways."""
    community = api.client("secretary").get("/auth/me").json()["scope_org_id"]
    need = _post_need(api, "secretary", "社区图书角整理", community)
    phone = page_for(browser, api, "unit", phone=True)
    phone.get_by_role("heading", name="待认领的需求").wait_for()
    fits_phone(phone)
    phone.goto(f"{api.url}/console/#/needs/{need}")
    phone.get_by_role("form", name="认领需求").get_by_role("button", name="认领").click()
    phone.get_by_text("已认领“社区图书角整理”").wait_for()
    mine = api.client("unit").get("/claims", params={"need_id": need}).json()
    assert [c["status"] for c in mine] == ["active"]
    fits_phone(phone)
    shot(phone, "unit-phone-claimed")
    phone.get_by_role("button", name="撤回认领").click()
    phone.get_by_text("已撤回对“社区图书角整理”的认领").wait_for()
    claim = api.client("unit").get(f"/claims/{mine[0]['id']}").json()
    assert claim["status"] == "withdrawn"
    assert api.client("unit").get(f"/needs/{need}").json()["status"] == "open"
    assert phone.get_by_role("button", name="撤回认领").count() == 0
    phone.get_by_role("form", name="认领需求").wait_for()  # open again: it can be claimed anew
    fits_phone(phone)
    shot(phone, "unit-phone-withdrawn")

    # a need wanting one provider becomes a project on the claim: withdrawn from the home page
    single = _post_need(api, "secretary", "独居老人电话问候", community, people=1)
    offering = phone.locator("[name=offering_id]").input_value()
    assert (
        api.client("unit").post("/claims", json={"need_id": single, "offering_id": offering}).status_code
        == 201
    )
    project = api.client("unit").get(f"/needs/{single}").json()["project_id"]
    phone.get_by_role("link", name="联建").click()
    item = phone.locator("#my-projects li", has_text="独居老人电话问候")
    item.get_by_role("button", name="撤回认领").click()
    phone.get_by_text("已撤回对“独居老人电话问候”的认领").wait_for()
    assert api.client("unit").get(f"/needs/{single}").json()["status"] == "open"
    assert api.client("unit").get(f"/projects/{project}").json()["status"] == "cancelled"
    assert phone.locator("#my-projects li", has_text="独居老人电话问候").get_by_role("button").count() == 0
    fits_phone(phone)
    shot(phone, "unit-phone-home-withdrawn")

    phone.get_by_role("link", name="修改密码").click()
    change = phone.get_by_role("form", name="修改密码")
    change.get_by_label("新密码 *", exact=True).fill("short")
    change.get_by_label("确认新密码 *").fill("short")
    change.get_by_role("button", name="修改密码").click()
    assert "至少 8 位" in change.inner_text()
    change.get_by_label("新密码 *", exact=True).fill("danwei-xinmima")
    change.get_by_label("确认新密码 *").fill("danwei-xinmima")
    change.get_by_role("button", name="修改密码").click()
    change.get_by_text("密码已修改").wait_for()
    fits_phone(phone)
    assert (
        httpx.post(f"{api.url}/auth/token", data={"username": "unit", "password": DEMO_PASSWORD}).status_code
        == 401
    )
    assert api.sign_in("unit", "danwei-xinmima").get("/auth/me").json()["id"] == "unit"
