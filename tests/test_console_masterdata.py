"""Master data in the console (issue 12) in Debian's Chromium at phone width, on both backends: the
admin retires a service item on the 服务类别 page and the secretary's need form no longer offers it;
the secretary assigns a 楼长 on the 职务 page and ends the post, which moves to the history; a member
joins a 三缘 branch from its list and leaves it again."""

from __future__ import annotations

from typing import Any

from api_world import (
    ApiWorld,
    module_api_fixture,  # noqa: F401  (the fixture "api")
)
from console_world import browser_fixture, fits_phone, needs_chromium, page_for, shot  # noqa: F401

from engine.store.queries import posts as posts_queries

pytestmark = needs_chromium
COMMUNITY = "org-s01-c01"


def test_the_admin_retires_an_item_and_the_need_form_no_longer_offers_it(browser: Any, api: ApiWorld) -> None:
    admin = page_for(browser, api, "admin", phone=True)
    admin.goto(f"{api.url}/#/categories")  # the home page's 服务类别 link (its home reads every need: slow)
    admin.get_by_role("heading", name="服务类别").wait_for()
    assert len(admin.locator("#categories > details").all()) >= 20
    admin.locator('details[data-code="culture"] > summary').click()
    admin.locator('div.actions[data-code="culture.photography"]').get_by_role("button", name="停用").click()
    admin.get_by_text("“摄影兴趣小组”已停用").wait_for()
    fits_phone(admin)
    shot(admin, "masterdata-categories-phone")
    assert api.client("admin").get("/categories/culture.photography").json()["status"] == "retired"

    secretary = page_for(browser, api, "secretary", phone=True)
    secretary.goto(f"{api.url}/#/needs/new")
    select = secretary.get_by_label("服务类别 *")
    select.wait_for()
    values = select.locator("option").evaluate_all("(os) => os.map((o) => o.value)")
    assert "culture.taichi" in values and "culture.photography" not in values


def test_the_secretary_assigns_a_building_head_and_ends_the_post(browser: Any, api: ApiWorld) -> None:
    held = {r["member_id"] for r in api.store.run(posts_queries.LIST, {"org_id": COMMUNITY, "all": True})}
    belonging = sorted(
        r["start"]
        for r in api.dataset.rels[("BELONGS_TO", "Member", "Org")]
        if r["end"].startswith(COMMUNITY)
    )
    member = next(m for m in belonging if m not in held)
    name = next(m["name"] for m in api.dataset.nodes["Member"] if m["id"] == member)

    page = page_for(browser, api, "secretary", phone=True)
    page.goto(f"{api.url}/#/posts")  # the home page's 职务管理 link
    form = page.get_by_role("form", name="任职")
    form.get_by_label("党员编号").fill(member)
    form.get_by_label("职务").select_option("building_head")
    form.get_by_label("任职日期").fill("2026-03-01")
    form.get_by_role("button", name="任职").click()
    page.get_by_text(f"{name} 已任楼长").wait_for()
    row = page.locator("#current-posts tr", has_text=name)
    row.wait_for()
    assert "楼长" in row.inner_text() and "2026-03-01" in row.inner_text()
    fits_phone(page)
    shot(page, "masterdata-posts-phone")

    row.get_by_label("离任原因").fill("搬离小区")
    row.get_by_role("button", name="离任").click()
    page.get_by_text("已离任楼长,记录已保留").wait_for()
    ended = page.locator("#ended-posts tr", has_text=name)
    ended.wait_for()  # the page is drawn again after the flash
    assert "搬离小区" in ended.inner_text()
    assert name not in page.locator("#current-posts").inner_text()


def test_a_member_joins_a_branch_and_leaves_it(browser: Any, api: ApiWorld) -> None:
    me = str(api.accounts["member"]["subject_id"])
    joined = {b["id"] for b in api.client("member").get(f"/branches/of-member/{me}").json()}
    branch = next(
        b
        for b in api.client("member").get("/branches").json()
        if b["id"] not in joined and b["id"].startswith(COMMUNITY)
    )
    page = page_for(browser, api, "member", phone=True)
    page.get_by_role("link", name="三缘支部").click()
    row = page.locator("#branches tr", has=page.locator(f'[data-id="{branch["id"]}"]'))
    row.get_by_role("button", name="参加").click()
    page.get_by_text(f"已参加{branch['name']},所属党组织不变").wait_for()
    fits_phone(page)
    shot(page, "masterdata-branches-phone")
    assert branch["id"] in {b["id"] for b in api.client("member").get(f"/branches/of-member/{me}").json()}
    row.get_by_role("button", name="退出").click()
    page.get_by_text(f"已退出{branch['name']}").wait_for()
    assert branch["id"] not in {b["id"] for b in api.client("member").get(f"/branches/of-member/{me}").json()}
