"""What the console's browser tests share: Debian's Chromium driven by Playwright, signing in
through the form, screenshots as artefacts, and the phone-width check."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_world import ApiWorld

from engine.demo.accounts import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"

sync_api = pytest.importorskip("playwright.sync_api")
needs_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="Debian's chromium is not installed"
)


@pytest.fixture(scope="module", name="browser")
def browser_fixture() -> Iterator[Any]:
    """One headless Chromium for the module."""
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


def new_page(browser: Any, phone: bool = False, zone: str | None = None) -> Any:
    """A fresh page in its own context, at desktop or phone (390×844) size, its clock in the
    time zone ``zone`` when given (the machine's otherwise)."""
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    page = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id=zone).new_page()
    page.set_default_timeout(15_000)
    return page


def sign_in(page: Any, api: ApiWorld, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the console's form (the page opens the sign-in form first)."""
    page.goto(f"{api.url}/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def page_for(browser: Any, api: ApiWorld, role: str, phone: bool = False, zone: str | None = None) -> Any:
    """A fresh page signed in as the demo account ``role`` through the sign-in form."""
    page = new_page(browser, phone, zone)
    sign_in(page, api, role)
    page.get_by_role("button", name="退出登录").wait_for()
    return page


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot under artifacts/screenshots/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits_phone(page: Any) -> None:
    """The page does not scroll sideways (at phone width)."""
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    assert width <= inner, f"the page scrolls sideways on a phone ({width}px > {inner}px)"


def scope_ids(api: ApiWorld, role: str) -> set[str]:
    """Ids of the orgs under the account's scope org."""
    me = api.client(role).get("/auth/me").json()
    tree = api.client(role).get(f"/orgs/{me['scope_org_id']}/tree").json()
    return {o["id"] for o in tree}
