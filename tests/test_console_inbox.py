"""The console's inbox 通知 in Debian's Chromium at phone width: the unit claims a need of the
secretary's community through the API; the secretary's header badge shows the API's unread count,
the inbox lists the claim (bold, unread) with a link to the need, opening it marks it read and
the badge goes down; "全部标为已读" empties the badge. A grid worker reaches its inbox too."""

from __future__ import annotations

from typing import Any

from api_world import ApiWorld, api_fixture  # noqa: F401  (the `api` fixture)
from console_world import browser_fixture, fits_phone, needs_chromium, page_for, shot  # noqa: F401
from test_api_loop import need_body, offering_body, ok

pytestmark = needs_chromium


def unread(api: ApiWorld, role: str) -> int:
    """The API's unread count of the demo account ``role``."""
    return int(ok(api.client(role).get("/notifications/unread-count"))["unread"])


def test_the_secretary_is_told_of_a_claim_and_reads_it(browser: Any, api: ApiWorld) -> None:
    sec, unit = api.client("secretary"), api.client("unit")
    community = ok(sec.get("/auth/me"))["scope_org_id"]
    need = ok(sec.post("/needs", json=need_body(community, title="助老送餐志愿服务")), 201)
    offering = ok(unit.post("/offerings", json=offering_body()), 201)
    ok(unit.post("/claims", json={"need_id": need["id"], "offering_id": offering["id"]}), 201)
    count = unread(api, "secretary")
    assert count >= 1

    page = page_for(browser, api, "secretary", phone=True)
    badge = page.locator("#unread")
    badge.wait_for()
    assert badge.inner_text() == str(count)
    fits_phone(page)
    page.locator("#inbox-link").click()
    page.get_by_role("heading", name="通知").wait_for()
    items = page.get_by_role("list", name="通知列表").locator("li")
    claim = items.filter(has_text=need["title"]).filter(has_text="新的认领")
    assert claim.count() == 1
    assert claim.locator("strong.title").count() == 1 and "未读" in claim.inner_text()  # unread: bold
    link = claim.get_by_role("link", name="查看")
    assert link.get_attribute("href") == f"#/needs/{need['id']}"
    fits_phone(page)
    shot(page, "inbox-secretary-phone")

    link.click()
    page.get_by_role("heading", name=need["title"]).wait_for()
    assert page.url.endswith(f"#/needs/{need['id']}")
    assert unread(api, "secretary") == count - 1
    if count - 1:
        page.wait_for_function("n => document.getElementById('unread').textContent === n", arg=str(count - 1))
    else:
        page.locator("#unread").wait_for(state="hidden")

    page.locator("#inbox-link").click()
    page.get_by_role("heading", name="通知").wait_for()
    claim = page.get_by_role("list", name="通知列表").locator("li").filter(has_text=need["title"])
    assert claim.first.locator("strong.title").count() == 0 and "已读" in claim.first.inner_text()
    if count - 1:
        page.get_by_role("button", name="全部标为已读").click()
        page.get_by_text("条通知标为已读").wait_for()
        page.locator("#unread").wait_for(state="hidden")
    assert unread(api, "secretary") == 0
    assert page.locator("li.unread").count() == 0


def test_a_grid_worker_reaches_its_inbox(browser: Any, api: ApiWorld) -> None:
    page = page_for(browser, api, "grid_worker", phone=True)
    page.get_by_role("heading", name="我提交的诉求").wait_for()
    page.locator("#inbox-link").click()
    page.get_by_role("heading", name="通知").wait_for()
    assert "暂无通知" in page.get_by_role("main").inner_text()
    fits_phone(page)
