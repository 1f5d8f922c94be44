"""The console's search box 搜索 (issue 12, point 7) in Debian's Chromium at phone width, on both
backends: the secretary types in the header's box, sees the hits listed by kind with the words
marked, opens a need and an offering from them; an empty box says so and goes nowhere; query
syntax typed into it shows results, not an error; a planner sees a member's name masked, as the
API answers; a grid worker has no search box."""

from __future__ import annotations

from typing import Any

from api_world import ApiWorld, api_fixture  # noqa: F401  (the `api` fixture)
from console_world import browser_fixture, fits_phone, needs_chromium, page_for, shot  # noqa: F401
from test_api_loop import need_body, offering_body, ok

pytestmark = needs_chromium
SLOW = 60_000  # ms: a page whose reads a fresh Neo4j plans for the first time


def search_in_header(page: Any, text: str) -> None:
    box = page.get_by_role("searchbox", name="搜索需求、资源、单位、组织、党员")
    box.fill(text)
    page.locator("#search-form").get_by_role("button", name="搜索").click()


def test_the_secretary_searches_from_the_header_at_phone_width(browser: Any, api: ApiWorld) -> None:
    sec, unit = api.client("secretary"), api.client("unit")
    community = ok(sec.get("/auth/me"))["scope_org_id"]
    need = ok(sec.post("/needs", json=need_body(community, title="晨曦助老助餐服务")), 201)
    offering = ok(unit.post("/offerings", json={**offering_body(), "title": "晨曦法律咨询"}), 201)
    # What the page must list, asked first: a fresh Neo4j plans each statement once (seconds each
    # on this loaded machine, then milliseconds), which the page's own wait should not absorb.
    api_answer = ok(sec.get("/search", params={"q": "晨曦", "limit": 5, "skip": 0}))

    page = page_for(browser, api, "secretary", phone=True)
    page.locator("#search-form").wait_for()
    fits_phone(page)
    search_in_header(page, "   ")  # nothing to search: said in the header, no navigation
    page.get_by_text("请输入要搜索的文字").wait_for()
    assert "#/search" not in page.url

    search_in_header(page, "晨曦")
    page.get_by_role("heading", name="搜索“晨曦”").wait_for(timeout=SLOW)
    needs = page.get_by_role("region", name="需求")
    hit = needs.locator(f"li[data-id='{need['id']}']")
    assert hit.count() == 1
    assert hit.locator("mark").first.inner_text() == "晨曦"  # the word found is marked
    assert "待认领" in hit.inner_text()
    offerings = page.get_by_role("region", name="资源")
    assert offerings.locator(f"li[data-id='{offering['id']}']").count() == 1
    for group in api_answer["groups"]:  # the page lists what the API answers, kind by kind
        shown = page.locator(f"section.search-group[data-kind='{group['kind']}'] li.hit")
        assert shown.count() == len(group["items"])
    fits_phone(page)
    shot(page, "search-secretary-phone")

    hit.get_by_role("link").click()
    page.get_by_role("heading", name="晨曦助老助餐服务").wait_for(timeout=SLOW)
    assert page.url.endswith(f"#/needs/{need['id']}")
    page.go_back()
    page.get_by_role("heading", name="搜索“晨曦”").wait_for(timeout=SLOW)
    page.get_by_role("region", name="资源").locator(f"li[data-id='{offering['id']}'] a.title").click()
    page.get_by_role("heading", name="资源:晨曦法律咨询").wait_for(timeout=SLOW)
    assert "可用" in page.get_by_role("main").inner_text()
    fits_phone(page)

    search_in_header(page, '晨曦" OR *')  # query syntax is only text here
    page.get_by_role("heading", name='搜索“晨曦" OR *”').wait_for(timeout=SLOW)
    assert page.locator("main .msg.error").count() == 0
    assert "null" not in page.get_by_role("main").inner_text()
    fits_phone(page)


def test_a_planner_sees_names_masked_and_a_grid_worker_has_no_box(browser: Any, api: ApiWorld) -> None:
    member_id = str(api.accounts["member"]["subject_id"])
    name = next(m["name"] for m in api.dataset.nodes["Member"] if m["id"] == member_id)
    answer = ok(api.client("planner").get("/search", params={"q": name, "limit": 5, "skip": 0}))
    (members,) = [g for g in answer["groups"] if g["kind"] == "member"]
    assert member_id in {h["id"] for h in members["items"]}
    page = page_for(browser, api, "planner", phone=True)
    page.locator("#search-form").wait_for()
    search_in_header(page, name)
    page.get_by_role("heading", name=f"搜索“{name}”").wait_for(timeout=SLOW)
    hit = page.get_by_role("region", name="党员").locator(f"li[data-id='{member_id}']")
    assert hit.locator("a.title").inner_text() == name[0] + "*" * (len(name) - 1)
    fits_phone(page)
    hit.locator("a.title").click()
    page.get_by_role("heading", name=f"党员:{name[0]}").wait_for(timeout=SLOW)
    assert name not in page.get_by_role("main").inner_text()

    worker = page_for(browser, api, "grid_worker", phone=True)
    worker.get_by_role("heading", name="我提交的诉求").wait_for()
    assert worker.locator("#search-form").is_hidden()
