"""The public request page (诉求受理) in Debian's Chromium at phone width: a resident submits
without an account, sees the tracking code, opens the tracking page; the secretary turns the
request into a need from the console's queue, and the tracking page says so."""

from __future__ import annotations

import re
from typing import Any

from api_world import ApiWorld, api_fixture  # noqa: F401  (the `api` fixture)
from console_world import browser_fixture, fits_phone, needs_chromium, new_page, page_for, shot  # noqa: F401

pytestmark = needs_chromium


def test_a_resident_submits_from_a_phone_and_follows_the_code(browser: Any, api: ApiWorld) -> None:
    page = new_page(browser, phone=True)
    page.goto(f"{api.url}/console/request.html")
    form = page.get_by_role("form", name="反映诉求")
    form.get_by_label("诉求类别 *").select_option("environment.cleanup")
    form.get_by_label("诉求内容 *").fill("3号楼楼道堆满杂物,老人出入不便")
    form.get_by_label("地址").fill("春城区祥源街道桃岗社区 3号楼")
    form.get_by_label("姓名").fill("王小明")
    form.get_by_label("手机号").fill("13811112222")
    fits_phone(page)
    shot(page, "intake-public-form-phone")
    form.get_by_role("button", name="提交诉求").click()
    page.get_by_role("heading", name="诉求已提交").wait_for()
    code = page.get_by_label("查询码").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{10}", code), code
    assert "桃岗社区" in page.get_by_role("main").inner_text()
    fits_phone(page)
    shot(page, "intake-public-received-phone")

    page.get_by_role("link", name="查看办理进度").click()
    page.get_by_role("heading", name="诉求办理进度").wait_for()
    timeline = page.get_by_role("list", name="办理进度").inner_text()
    assert "诉求已受理" in timeline and "待办" in timeline
    text = page.get_by_role("main").inner_text()
    assert "13811112222" not in text and "小明" not in text and "2222" not in text
    fits_phone(page)
    shot(page, "intake-public-track-phone")

    sec = page_for(browser, api, "secretary", phone=True)
    sec.get_by_role("link", name="诉求待办").click()
    item = sec.locator(f'li[data-code="{code}"]')
    item.wait_for()
    assert "13811112222" in item.inner_text()  # the community's secretary sees the contact
    fits_phone(sec)
    shot(sec, "intake-secretary-queue-phone")
    item.get_by_role("button", name="转为需求").click()
    sec.get_by_text("已转为需求").wait_for()
    assert "#/needs/" in sec.url

    page.reload()
    page.get_by_role("heading", name="诉求办理进度").wait_for()
    assert "社区已将诉求转为服务需求" in page.get_by_role("list", name="办理进度").inner_text()


def test_a_grid_worker_submits_from_its_console(browser: Any, api: ApiWorld) -> None:
    page = page_for(browser, api, "grid_worker", phone=True)
    page.get_by_role("heading", name="我提交的诉求").wait_for()
    page.get_by_role("link", name="代居民提交诉求").click()
    form = page.get_by_role("form", name="反映诉求")
    form.get_by_label("诉求类别 *").select_option("environment.cleanup")
    form.get_by_label("诉求内容 *").fill("5号楼门前路灯不亮")
    form.get_by_label("地址").fill("桃岗社区 5号楼")
    form.get_by_role("button", name="提交诉求").click()
    page.get_by_role("heading", name="诉求已提交").wait_for()
    code = page.get_by_label("查询码").inner_text().strip()
    mine = api.client("grid_worker").get("/intake/mine").json()
    assert [(r["code"], r["via"]) for r in mine] == [(code, "grid_worker")]
