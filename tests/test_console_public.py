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


def docx_text(content: bytes) -> str:
    """The paragraphs and table cells of a .docx, as one text."""
    import io

    import docx

    document = docx.Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@needs_chromium
def test_a_planner_downloads_the_duty_report_from_the_console(
    browser: Any, api: ApiWorld, tmp_path: Any
) -> None:
    street = str(api.accounts["planner"]["scope_org_id"])
    page = page_for(browser, api, "planner")
    page.locator("#duty-report").wait_for()
    period = page.locator("#duty-period").input_value()
    assert period  # the newest period is picked
    page.locator("#duty-period").select_option(index=1)  # last quarter: a full one
    period = page.locator("#duty-period").input_value()
    with page.expect_download() as caught:
        page.locator("#duty-report").get_by_role("button", name="下载 Word").click()
    saved = tmp_path / "report.docx"
    caught.value.save_as(saved)
    assert caught.value.suggested_filename == f"述职报告-{period}.docx"
    direct = api.client("planner").get(f"/reports/orgs/{street}/duty-report.docx", params={"period": period})
    assert direct.status_code == 200
    text = docx_text(saved.read_bytes())
    assert text and text == docx_text(direct.content)  # the console hands over the API's own report
    with page.expect_download() as sheet:
        page.locator("#duty-report").get_by_role("button", name="下载 Excel").click()
    assert sheet.value.suggested_filename == f"述职报告-{period}.xlsx"
    shot(page, "planner-duty-report")
