"""The public results page (述评公开) in the real browser at phone width, without signing in: it
fits 390×844 without sideways scroll and shows the figures the public API gives; the secretary's
console links to it."""

from __future__ import annotations

from typing import Any

import httpx
from api_world import ApiWorld, api_fixture  # noqa: F401  (the `api` fixture)
from console_world import browser_fixture, fits_phone, needs_chromium, new_page, page_for, shot  # noqa: F401


def pct(rate: float | None) -> str:
    """A rate as the page prints it."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def public(api: ApiWorld, org: str, period: str) -> dict[str, Any]:
    """The public results of ``org`` for ``period``, read without a token."""
    answer = httpx.get(f"{api.url}/public/orgs/{org}/results", params={"period": period}, timeout=30)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


@needs_chromium
def test_public_results_page_at_phone_width(browser: Any, api: ApiWorld) -> None:
    street = str(api.accounts["planner"]["scope_org_id"])
    period = "2026-Q3"
    results = public(api, street, period)
    assert results["projects_completed"], "the quarter holds no completed project: pick another"
    page = new_page(browser, phone=True)
    page.goto(f"{api.url}/public/orgs/{street}?period={period}")
    page.locator("#org-name").wait_for()
    assert page.locator("#org-name").inner_text() == results["org"]["name"]
    assert results["period"]["label"] in page.locator("#period-label").inner_text()
    shown = {
        "#projects-completed": str(results["projects_completed"]),
        "#people-served": str(results["people_served"]),
        "#hours": str(results["hours"]).removesuffix(".0"),
        "#rate-response": pct(results["response"]["rate"]),
        "#rate-resolution": pct(results["resolution"]["rate"]),
        "#rate-satisfaction": pct(results["satisfaction"]["rate"]),
    }
    for selector, value in shown.items():
        assert page.locator(selector).inner_text() == value, selector
    items = page.locator("#ratings li")
    assert items.count() == len(results["project_ratings"])
    first = results["project_ratings"][0]
    assert first["title"] in items.first.inner_text()
    units = page.locator("#top-units li")
    assert units.count() == len(results["top_units"])
    assert results["top_units"], "the demo's results name top units, so the list is checked"
    assert results["top_units"][0]["name"] in units.first.inner_text()
    assert page.get_by_role("button", name="登录").count() == 0  # no sign-in asked
    fits_phone(page)
    shot(page, "public-results-phone")

    page.get_by_role("textbox", name="统计时段").fill("2026-13")
    page.get_by_role("button", name="查看").click()
    page.locator("#flash").wait_for()
    assert "统计时段" in page.locator("#flash").inner_text()
    fits_phone(page)
    page.context.close()

    # the secretary's console links to its community's public page
    page = page_for(browser, api, "secretary", phone=True)
    page.locator("#public-link").click()
    page.locator("#org-name").wait_for()
    community = str(api.accounts["secretary"]["scope_org_id"])
    assert page.url.startswith(f"{api.url}/public/orgs/{community}")
    mine = public(api, community, "2026")
    assert page.locator("#org-name").inner_text() == mine["org"]["name"]
    assert page.locator("#projects-completed").inner_text() == str(mine["projects_completed"])
    fits_phone(page)
    page.context.close()
