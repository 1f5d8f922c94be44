"""Pledges 公开承诺 and units' own needs 双向服务 in the console at phone width (issue 12): the member
makes a pledge and records progress, the secretary approves it, the public results page shows it
with the member's name masked; the unit asks its community for help and the secretary sees it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from api_world import ApiWorld, api_fixture  # noqa: F401  (the `api` fixture)
from console_world import (  # noqa: F401  (the `browser` fixture)
    browser_fixture,
    fits_phone,
    needs_chromium,
    page_for,
    scope_ids,
)


@needs_chromium
def test_pledge_review_public_page_and_unit_need_at_phone_width(browser: Any, api: ApiWorld) -> None:
    community = scope_ids(api, "secretary")
    orgs = [o["id"] for o in api.client("member").get("/pledges/orgs").json()]
    org = next(o for o in orgs if o in community)  # the demo member reports to the demo community

    page = page_for(browser, api, "member", phone=True)
    page.locator("#pledges-link").click(timeout=60_000)  # the home reads a lot first
    form = page.get_by_role("form", name="作出公开承诺")
    form.get_by_label("公示组织").select_option(org)
    form.get_by_label("承诺事项").fill("每周陪伴独居老人一次")
    form.get_by_label("目标").fill("全年 50 次")
    form.get_by_role("button", name="提交承诺").click()
    item = page.locator("li[data-pledge]", has_text="每周陪伴独居老人一次")
    item.wait_for()
    assert "待审核" in item.inner_text()
    item.get_by_label("完成进度(%)").fill("40")
    item.get_by_label("进展说明").fill("已陪伴 20 次")
    item.get_by_role("button", name="记录进展").click()
    page.locator("li[data-pledge]", has_text="40%").wait_for()
    fits_phone(page)
    pledge_id = page.locator("li[data-pledge]", has_text="每周陪伴独居老人一次").get_attribute("data-pledge")
    page.context.close()

    page = page_for(browser, api, "secretary", phone=True)
    page.locator("#pledges-link").click(timeout=60_000)  # the home reads a lot first
    row = page.locator(f"li[data-pledge='{pledge_id}']")
    row.get_by_role("button", name="审核通过并公示").click()
    page.locator(f"li[data-pledge='{pledge_id}']", has_text="已审核公示").wait_for()
    fits_phone(page)
    page.context.close()

    results = httpx.get(f"{api.url}/public/orgs/{org}/results", params={"period": "2026"}, timeout=30).json()
    shown = next(p for p in results["pledges"] if p["id"] == pledge_id)
    member = api.client("member").get("/auth/me").json()["display_name"]
    assert shown["percent"] == 40 and "*" in shown["provider_name"] and member not in str(results["pledges"])
    page = page_for(browser, api, "member", phone=True)
    page.goto(f"{api.url}/public/orgs/{org}?period=2026")
    public = page.locator(f"#pledges li[data-pledge='{pledge_id}']")
    public.wait_for()
    assert "每周陪伴独居老人一次" in public.inner_text() and shown["provider_name"] in public.inner_text()
    assert "已陪伴 20 次" in public.inner_text()
    fits_phone(page)
    page.context.close()

    # the member corrects the target: the pledge goes back to review and off the public page
    page = page_for(browser, api, "member", phone=True)
    page.locator("#pledges-link").click(timeout=60_000)
    item = page.locator(f"li[data-pledge='{pledge_id}']", has_text="已审核公示")
    item.get_by_text("修改承诺").click()
    item.get_by_role("form", name="修改承诺").get_by_label("目标").fill("全年 60 次")
    item.get_by_role("button", name="保存修改").click()
    page.locator(f"li[data-pledge='{pledge_id}']", has_text="全年 60 次").wait_for()
    assert "待审核" in page.locator(f"li[data-pledge='{pledge_id}']").inner_text()
    fits_phone(page)
    page.context.close()
    again = httpx.get(f"{api.url}/public/orgs/{org}/results", params={"period": "2026"}, timeout=30).json()
    assert pledge_id not in [p["id"] for p in again["pledges"]]

    # the unit asks its community for help; the community's secretary sees it
    page = page_for(browser, api, "unit", phone=True)
    page.locator("#unit-needs-link").click(timeout=60_000)
    target = next(
        t["id"] for t in api.client("unit").get("/unit-needs/targets").json() if t["id"] in community
    )
    form = page.get_by_role("form", name="提出本单位需求")
    form.get_by_label("提交给").select_option(target)
    form.get_by_label("需求标题").fill("协助办理临时占道许可")
    form.get_by_role("button", name="提交需求").click()
    page.get_by_role("link", name="协助办理临时占道许可").wait_for()
    year = (datetime.now(UTC) + timedelta(hours=8)).year  # the page's year, on the Beijing calendar
    period = {"start": f"{year}-01-01T00:00:00+08:00", "end": f"{year + 1}-01-01T00:00:00+08:00"}
    unit_id = api.accounts["unit"]["subject_id"]
    report = api.client("unit").get(f"/unit-needs/report/{unit_id}", params=period).json()
    assert f"本单位提出需求 {report['asked']['needs']} 项" in page.locator("#two-way-figures").inner_text()
    fits_phone(page)
    page.context.close()
    seen = api.client("secretary").get("/unit-needs").json()
    assert [n["org_id"] for n in seen if n["title"] == "协助办理临时占道许可"] == [target]
