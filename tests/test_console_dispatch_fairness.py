"""The planner's dispatch box in headless Chromium at phone width over the `tiny` demo: the mode is
chosen, the run's fairness figures are shown as the API stored them, with the spread mode's cost."""

from __future__ import annotations

import math
from typing import Any

from api_world import ApiWorld, api_fixture  # noqa: F401  (the `api` fixture)
from console_world import browser_fixture, fits_phone, needs_chromium, page_for  # noqa: F401

pytestmark = needs_chromium


def pct(rate: float | None) -> str:
    """A rate as the console writes it (ui.js ``pct``)."""
    if rate is None:
        return "—"
    return f"{repr(math.floor(rate * 1000 + 0.5) / 10).removesuffix('.0')}%"


def test_planner_runs_a_spread_dispatch_and_sees_its_fairness(browser: Any, api: ApiWorld) -> None:
    page = page_for(browser, api, "planner", phone=True)
    page.get_by_label("公平性").select_option("spread")
    page.get_by_role("button", name="发起一次派单").click()
    page.get_by_text("派单完成").wait_for(timeout=120_000)
    box = page.locator("#dispatch-fairness")
    box.locator("table").wait_for()
    runs = api.client("planner").get("/dispatch/runs", params={"limit": 1}).json()
    assert runs and runs[0]["fairness_mode"] == "spread"
    fair = runs[0]["fairness"]
    text = box.inner_text()
    assert f"最低 {pct(fair['grid_coverage_min'])}" in text
    assert f"最低 {pct(fair['community_coverage_min'])}" in text
    assert f"最多 {fair['load_max']}" in text
    assert "分散派单的代价" in text and f"不分散时最多 {fair['load_max_without_spread']}" in text
    fits_phone(page)
    page.close()
