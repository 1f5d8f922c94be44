"""Recurring needs 常态化共建项目 in Debian's Chromium at phone width: the secretary creates a weekly
series from the console (a bad rule is refused in Chinese), sees its occurrences; the unit commits to
the whole series and the member claims one occurrence from the series page; the secretary then sees
who serves each occurrence and cancels the series with a reason."""

from __future__ import annotations

from typing import Any

from api_world import ApiWorld, api_fixture  # noqa: F401  (the `api` fixture)
from console_world import browser_fixture, fits_phone, needs_chromium, page_for, shot  # noqa: F401
from test_api_concurrency import offering_body

pytestmark = needs_chromium


def test_a_secretary_creates_a_series_and_providers_serve_it_at_phone_width(
    browser: Any, api: ApiWorld
) -> None:
    for role in ("unit", "member"):
        made = api.client(role).post("/offerings", json=offering_body(capacity=10))
        assert made.status_code == 201, made.text

    sec = page_for(browser, api, "secretary", phone=True)
    sec.goto(f"{api.url}/console/#/series")  # the home's 常态化项目 link
    sec.get_by_role("link", name="发布常态化项目").click()
    form = sec.get_by_role("form", name="发布常态化项目")
    form.get_by_label("标题 *").fill("周六楼道清理")
    form.get_by_label("服务类别 *").select_option("environment.cleanup")
    form.get_by_label("每场需要人数 *").fill("2")
    form.get_by_label("重复规则(高级,可选)").fill("FREQ=WEEKLY;BYDAY=SA")
    form.get_by_role("button", name="发布").click()
    form.get_by_text("COUNT 或截止日期 UNTIL").wait_for()  # the API's refusal, in the form
    form.get_by_label("重复规则(高级,可选)").fill("")
    form.get_by_label("共几次").fill("4")
    fits_phone(sec)
    form.get_by_role("button", name="发布").click()
    sec.get_by_role("heading", name="周六楼道清理").wait_for()
    rows = sec.locator("#occurrences tbody tr")
    assert rows.count() == 4 and "每周 · 共 4 次" in sec.locator("#series-facts").inner_text()
    fits_phone(sec)
    shot(sec, "series-secretary-phone")
    url = sec.url.split("#")[1]

    unit = page_for(browser, api, "unit", phone=True)
    unit.goto(f"{api.url}/console/#{url}")
    commit = unit.get_by_role("form", name="长期承诺")
    commit.get_by_label("用于服务的资源 *").select_option(index=1)
    commit.get_by_role("button", name="承诺服务全部场次").click()
    unit.get_by_text("已承诺长期服务,已认领 4 场").wait_for()
    fits_phone(unit)

    member = page_for(browser, api, "member", phone=True)
    member.goto(f"{api.url}/console/#{url}")
    first = member.locator("#occurrences tbody tr").first
    first.get_by_label("认领本场所用资源").select_option(index=1)
    first.get_by_role("button", name="认领本场").click()
    member.get_by_text("已认领本场。").wait_for()
    fits_phone(member)
    shot(member, "series-member-phone")

    sec.reload()
    sec.get_by_role("heading", name="周六楼道清理").wait_for()
    unit_name = next(
        u["name"] for u in api.dataset.nodes["Unit"] if u["id"] == api.accounts["unit"]["subject_id"]
    )
    cells = sec.locator("#occurrences tbody tr").all_inner_texts()
    assert all(unit_name in c for c in cells) and "(2/2)" in cells[0] and "(1/2)" in cells[1]
    unit.reload()
    withdraw = unit.get_by_role("form", name="撤回长期承诺")
    withdraw.get_by_label("撤回原因").fill("人手调整,无法继续")
    withdraw.get_by_role("button", name="撤回承诺").click()
    unit.get_by_text("已撤回长期承诺,4 场").wait_for()
    assert unit.get_by_role("form", name="撤回长期承诺").count() == 0
    fits_phone(unit)
    cancel = sec.get_by_role("form", name="取消常态化项目")
    cancel.get_by_label("取消原因 *").fill("小区改造,暂停活动")
    cancel.get_by_role("button", name="取消常态化项目").click()
    sec.get_by_text("已取消,4 场未开始的场次一并取消").wait_for()
    assert "小区改造,暂停活动" in sec.locator("#series-facts").inner_text()
    fits_phone(sec)
