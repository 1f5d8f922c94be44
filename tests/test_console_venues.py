"""Venue booking in the console (issue 12, point 2), in Debian's Chromium at phone width: the unit
shares a venue with opening hours; the community's secretary finds it from the home page, books a
slot, sees an overlapping slot refused with the booked slot named, books the slot right after it
and cancels one; the unit sees its venue's slots from its own offerings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from api_world import ApiWorld, api_fixture  # noqa: F401  (the `api` fixture)
from console_world import browser_fixture, fits_phone, needs_chromium, page_for, shot  # noqa: F401

pytestmark = needs_chromium

BEIJING = timedelta(hours=8)


def test_a_secretary_books_a_venue_slot_from_a_phone(browser: Any, api: ApiWorld) -> None:
    unit = api.client("unit")
    made = unit.post(
        "/offerings",
        json={
            "title": "党群服务中心多功能厅",
            "kind": "venue",
            "access": "paid",
            "price": 30.0,
            "category": "venue.meeting_room",
            "capacity": 20,
            "period": "month",
            "opening_hours": ["mon-sun 08:00-20:00"],
        },
    )
    assert made.status_code == 201, made.text
    venue = made.json()
    day = (datetime.now(UTC) + BEIJING + timedelta(days=3)).date()
    label = f"{day.month}月{day.day}日"

    page = page_for(browser, api, "secretary", phone=True)
    page.get_by_role("link", name="场所预约").click()
    page.get_by_role("heading", name="场所预约").wait_for()
    page.get_by_role("link", name="党群服务中心多功能厅").first.click()
    page.get_by_role("heading", name="党群服务中心多功能厅").wait_for()
    assert page.locator("#opening-hours").inner_text() == "周一至周日 08:00–20:00"
    assert "30 元/小时" in page.get_by_label("资源信息").inner_text()

    form = page.get_by_role("form", name="预约场所")
    form.get_by_label("日期 *").fill(day.isoformat())
    form.get_by_label("开始 *").fill("09:00")
    form.get_by_label("结束 *").fill("11:00")
    form.get_by_label("用途").fill("老年人智能手机培训")
    form.get_by_role("button", name="预约").click()
    page.get_by_text(f"已预约 {label} 09:00–11:00。").wait_for()
    slots = page.get_by_role("list", name="已预约时段")
    assert f"{label} 09:00–11:00" in slots.inner_text() and "费用 60" in slots.inner_text()
    fits_phone(page)
    shot(page, "venue-booked-phone")

    # An overlapping slot is refused with the booked slot named; nothing is booked.
    form = page.get_by_role("form", name="预约场所")
    form.get_by_label("日期 *").fill(day.isoformat())
    form.get_by_label("开始 *").fill("10:00")
    form.get_by_label("结束 *").fill("12:00")
    form.get_by_role("button", name="预约").click()
    refused = form.get_by_role("alert")
    refused.get_by_text(f"该场所 {label} 09:00–11:00 已被预约").wait_for()
    fits_phone(page)
    shot(page, "venue-overlap-refused-phone")
    booked = unit.get(f"/offerings/{venue['id']}/bookings", params={"status": "active"}).json()
    assert [b["slot_zh"] for b in booked] == [f"{label} 09:00–11:00"]

    # The slot right after it is free (half-open slots); cancelling one frees it again.
    form.get_by_label("开始 *").fill("11:00")
    form.get_by_label("结束 *").fill("12:00")
    form.get_by_role("button", name="预约").click()
    page.get_by_text(f"已预约 {label} 11:00–12:00。").wait_for()
    items = page.get_by_role("list", name="已预约时段").get_by_role("listitem")
    assert items.count() == 2
    items.first.get_by_role("button", name="取消预约").click()
    page.get_by_text(f"已取消 {label} 09:00–11:00 的预约。").wait_for()
    booked = unit.get(f"/offerings/{venue['id']}/bookings", params={"status": "active"}).json()
    assert [b["slot_zh"] for b in booked] == [f"{label} 11:00–12:00"]

    # The unit reaches its venue's slots from its own offerings.
    own = page_for(browser, api, "unit", phone=True)
    own.get_by_role("link", name="党群服务中心多功能厅").click()
    own.get_by_role("list", name="已预约时段").get_by_text(f"{label} 11:00–12:00").wait_for()
    fits_phone(own)

    # The owner edits the opening hours on the same page; a bad line is refused and changes nothing.
    edit = own.get_by_role("form", name="修改开放时间")
    edit.get_by_label("开放时间").fill("mon-fri 09:00-12:00\nsat 周六全天")
    edit.get_by_role("button", name="保存").click()
    edit.get_by_role("alert").get_by_text("格式不对").wait_for()
    assert unit.get(f"/offerings/{venue['id']}").json()["opening_hours"][0] == "mon 08:00-20:00"
    edit.get_by_label("开放时间").fill("mon-fri 09:00-12:00\nsat 09:00-17:00")
    edit.get_by_role("button", name="保存").click()
    own.get_by_text("开放时间和使用方式已保存。").wait_for()
    assert own.locator("#opening-hours").inner_text() == "周一至周五 09:00–12:00;周六 09:00–17:00"
    assert unit.get(f"/offerings/{venue['id']}").json()["opening_hours"][-1] == "sat 09:00-17:00"
    fits_phone(own)
    shot(own, "venue-owner-hours-phone")
