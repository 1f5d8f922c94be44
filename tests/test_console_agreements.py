"""The secretary's 共建协议 and 报到审核 pages in Debian's Chromium at phone width (issue 12): the
secretary signs an agreement with a unit (both sides' obligations), sees it marked 即将到期 and renews
it; a new unit registers with the community from its own console and the secretary accepts it."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from api_world import ApiWorld, api_fixture  # noqa: F401  (the `api` fixture)
from console_world import browser_fixture, fits_phone, needs_chromium, new_page, page_for, shot, sign_in  # noqa: F401
from test_services_world import nodes

from engine.services.agreements import today_of
from engine.services.clock import utc_now
from engine.store.queries.nodes import node_stmt, rel_stmt

pytestmark = needs_chromium


def day(days: int) -> str:
    """The Beijing date ``days`` from today."""
    return (date.fromisoformat(today_of(utc_now())) + timedelta(days=days)).isoformat()


def test_the_secretary_signs_renews_and_accepts_a_registration(browser: Any, api: ApiWorld) -> None:
    community = api.accounts["secretary"]["scope_org_id"]
    unit = api.accounts["unit"]["subject_id"]
    sec = page_for(browser, api, "secretary", phone=True)
    sec.get_by_role("link", name="共建协议").wait_for(
        timeout=60_000
    )  # the home reads a lot on a busy machine
    sec.get_by_role("link", name="共建协议").click()
    form = sec.get_by_role("form", name="签订共建协议")
    form.get_by_label("乙方驻区单位编号").fill(unit)
    form.get_by_label("协议名称").fill("浏览器测试共建协议")
    form.get_by_label("协议类型").select_option("two_way_service")
    form.get_by_label("生效日期").fill(day(0))
    form.get_by_label("到期日期").fill(day(-1))
    form.get_by_label("甲方义务(每行一条)").fill("提供活动室\n每季度通报居民需求")
    form.get_by_label("乙方义务(每行一条)").fill("每月一次志愿服务")
    form.get_by_role("button", name="签订协议").click()
    form.get_by_text("到期日期必须晚于生效日期").wait_for()  # checked in the page, nothing sent
    assert [a for a in nodes(api.store, "Agreement") if a["title"] == "浏览器测试共建协议"] == []
    form.get_by_label("到期日期").fill(day(20))
    form.get_by_role("button", name="签订协议").click()
    sec.get_by_text("已签订“浏览器测试共建协议”").wait_for()
    made = next(a for a in nodes(api.store, "Agreement") if a["title"] == "浏览器测试共建协议")
    assert made["obligations_a"] == ["提供活动室", "每季度通报居民需求"] and made["valid_to"] == day(20)
    badge = sec.locator(f'span.badge[data-id="{made["id"]}"]')
    badge.filter(has_text="即将到期").wait_for()  # the list is read again after the flash
    sec.locator("#expiring-note", has_text="浏览器测试共建协议").wait_for()
    fits_phone(sec)
    shot(sec, "agreements-secretary-phone")

    row = sec.locator("tr", has=badge)
    row.get_by_label("新的到期日期").fill(day(400))
    row.get_by_role("button", name="续签").click()
    sec.get_by_text(f"已续签至 {day(400)}").wait_for()
    sec.locator(f'span.badge[data-id="{made["id"]}"]', has_text="有效").wait_for()

    # a new unit located in the community registers from its own console
    uid = f"unit-c-{uuid.uuid4().hex[:8]}"
    api.store.run(
        node_stmt("create", "Unit"), {"props": {"id": uid, "name": "浏览器测试单位", "type": "social_org"}}
    )
    area = next(r["end"] for r in api.dataset.rels[("COVERS", "Org", "Area")] if r["start"] == community)
    api.store.run(
        rel_stmt("bulk_create", "LOCATED_IN", "Unit", "Area"),
        {"rows": [{"start": uid, "end": area, "props": {}}]},
    )
    made_account = api.client("admin").post(
        "/accounts",
        json={
            "id": uid,
            "display_name": "浏览器测试单位",
            "role": "unit",
            "subject_id": uid,
            "password": "a-long-password",
        },
    )
    assert made_account.status_code == 201, made_account.text
    unit_page = new_page(browser, phone=True)
    sign_in(unit_page, api, uid, "a-long-password")
    unit_page.get_by_role("link", name="双报到").wait_for(timeout=60_000)
    unit_page.get_by_role("link", name="双报到").click()
    register = unit_page.get_by_role("form", name="申请到社区报到")
    register.get_by_label("社区党组织编号").fill(community)
    register.get_by_role("button", name="提交报到申请").click()
    unit_page.get_by_text("报到申请已提交").wait_for()
    fits_phone(unit_page)

    sec.goto(f"{api.url}/#/registrations")
    item = sec.locator("#pending-registrations li", has_text="浏览器测试单位")
    item.wait_for()
    fits_phone(sec)
    shot(sec, "registrations-secretary-phone")
    item.get_by_role("button", name="接收报到").click()
    sec.get_by_text("已接收报到").wait_for()
    sec.locator("#decided-registrations li", has_text="浏览器测试单位").wait_for()
    ties = api.store.run("export.out.Unit", {"ids": [uid]})
    assert {(r["type"], r["end_id"]) for r in ties} >= {("REPORTS_TO", community)}
