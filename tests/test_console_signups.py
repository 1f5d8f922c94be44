"""Sign-up with waitlist and check-in (issue 12 point 4) in Debian's Chromium at phone width, on a
real server over the tiny demo: a need wanting two fills up, a third member lands on the waitlist,
one withdraws and the waitlisted moves up (and is told in the inbox); the secretary shows the
check-in code on the phone, the promoted member enters it and is checked in; the secretary
confirms the hours on the roster."""

from __future__ import annotations

from typing import Any

import httpx
from api_world import ApiWorld, api_fixture  # noqa: F401  (the `api` fixture)
from console_world import browser_fixture, fits_phone, needs_chromium, new_page, shot, sign_in  # noqa: F401
from docx import Document
from test_api_concurrency import need_body

from engine.demo.accounts import DEMO_PASSWORD

pytestmark = needs_chromium
PATIENCE_MS = 45_000  # the need page reads several lists; a loaded 2-core machine with Neo4j took over 15 s


def phone(browser: Any, api: ApiWorld, username: str) -> Any:
    """A phone-width page signed in as ``username``, patient with a slow machine."""
    page = new_page(browser, phone=True)
    page.set_default_timeout(PATIENCE_MS)
    sign_in(page, api, username)
    page.get_by_role("button", name="退出登录").wait_for()
    return page


def member_account(api: ApiWorld, username: str, member_id: str) -> httpx.Client:
    """A member account for a demo member, made by the admin; its signed-in client."""
    made = api.client("admin").post(
        "/accounts",
        json={"id": username, "display_name": username, "role": "member", "subject_id": member_id,
              "password": DEMO_PASSWORD},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    return api.sign_in(username)


def test_sign_up_fill_waitlist_withdraw_promote_and_check_in_on_a_phone(browser: Any, api: ApiWorld) -> None:
    secretary = api.client("secretary")
    community = api.accounts["secretary"]["scope_org_id"]
    need = secretary.post("/needs", json=need_body(community, 2, title="周末楼道清理志愿活动"))
    assert need.status_code == 201, need.text
    need_id = need.json()["id"]
    own = api.accounts["member"]["subject_id"]
    others = [m["id"] for m in api.dataset.nodes["Member"] if m["id"] != own][:2]
    second = member_account(api, "volunteer-b", others[0])
    member_account(api, "volunteer-c", others[1])

    # The demo member signs up from the need's page on a phone.
    a = phone(browser, api, "member")
    a.goto(f"{api.url}/#/needs/{need_id}")
    box = a.get_by_role("region", name="志愿报名")
    box.get_by_text("已报名 0 人").wait_for()
    box.get_by_role("button", name="报名参加").click()
    a.get_by_text("报名成功。").wait_for()
    assert "您已报名。" in a.get_by_role("region", name="志愿报名").inner_text()
    fits_phone(a)
    shot(a, "signups-member-signed-phone")

    # A second member fills the last place (through the API); the third lands on the waitlist.
    assert second.post(f"/signups/needs/{need_id}").json()["status"] == "signed"
    c = phone(browser, api, "volunteer-c")
    c.goto(f"{api.url}/#/needs/{need_id}")
    box = c.get_by_role("region", name="志愿报名")
    box.get_by_text("已报名 2 人").wait_for()
    box.get_by_role("button", name="报名候补").click()
    c.get_by_text("您已进入候补名单").wait_for()
    assert "候补名单第 1 位" in c.get_by_role("region", name="志愿报名").inner_text()
    fits_phone(c)
    shot(c, "signups-waitlisted-phone")

    # The demo member withdraws: the waitlisted member moves up and finds it in the inbox.
    a.reload()
    a.get_by_role("region", name="志愿报名").get_by_role("button", name="退出报名").click()
    a.get_by_text("已退出报名。").wait_for()
    c.reload()
    c.get_by_role("region", name="志愿报名").get_by_text("您已报名。").wait_for()
    inbox = api.sign_in("volunteer-c").get("/notifications").json()
    assert [n["kind"] for n in inbox if n["entity_id"] == need_id] == ["signup_promoted"]

    # The secretary's phone shows the check-in code and the roster in order.
    s = phone(browser, api, "secretary")
    s.goto(f"{api.url}/#/needs/{need_id}")
    s.get_by_role("link", name="报名名单与签到码").click()
    s.get_by_role("button", name="生成签到码").click()
    s.get_by_text("签到码已更新").wait_for()
    code = s.get_by_label("签到码", exact=True).inner_text().strip()
    assert len(code) == 6, code
    roster = s.get_by_role("list", name="报名名单")
    assert [li.get_attribute("data-status") for li in roster.get_by_role("listitem").all()] == [
        "signed",
        "signed",
    ]
    fits_phone(s)
    shot(s, "signups-roster-code-phone")

    # The promoted member opens the check-in link (the code filled in) or types the code, and is checked in.
    link = s.get_by_label("签到链接").get_attribute("href")
    assert link == f"#/signups/code/{code}"
    c.goto(f"{api.url}/{link}")
    assert c.get_by_role("textbox", name="签到码").input_value() == code
    c.get_by_role("textbox", name="签到码").fill(code.lower())
    c.get_by_role("button", name="签到", exact=True).click()
    c.get_by_text("签到成功").wait_for()
    mine = (
        c.get_by_role("list", name="我的报名").get_by_role("listitem").filter(has_text="周末楼道清理志愿活动")
    )
    assert "签到 " in mine.inner_text() and "未签到" not in mine.inner_text()
    fits_phone(c)
    shot(c, "signups-checked-in-phone")
    listed = secretary.get(f"/signups/needs/{need_id}/roster").json()
    checked = [x for x in listed["signups"] if x["checkin_at"]]
    assert [x["member_id"] for x in checked] == [others[1]] and listed["checked_in"] == 1

    # A wrong code is refused in Chinese and changes nothing.
    c.get_by_role("textbox", name="签到码").fill("ZZZZZZ")
    c.get_by_role("button", name="签退", exact=True).click()
    c.get_by_text("签到码无效").wait_for()

    # The secretary confirms the hours on the roster.
    s.reload()
    item = s.locator(f'li[data-id="{checked[0]["id"]}"]')
    item.get_by_role("spinbutton", name="确认时长").fill("1.5")
    item.get_by_role("button", name="确认时长").click()
    s.get_by_text("时长已确认。").wait_for()
    after = secretary.get(f"/signups/needs/{need_id}/roster").json()
    assert [(x["hours"], x["hours_status"]) for x in after["signups"] if x["checkin_at"]] == [
        (1.5, "confirmed")
    ]

    # The volunteer downloads its 志愿服务记录证明 with the confirmed hours.
    c.reload()
    c.get_by_role("list", name="我的报名").get_by_text("已确认").wait_for()
    with c.expect_download() as got:
        c.get_by_role("button", name="下载证明(Word)").click()
    text = "\n".join(p.text for p in Document(got.value.path()).paragraphs)
    name = next(m["name"] for m in api.dataset.nodes["Member"] if m["id"] == others[1])
    assert "志愿服务记录证明" in text and name in text and "1.5 小时" in text

    # Bad input answers 4xx with a message in Chinese and changes nothing.
    roster_path = f"/signups/needs/{need_id}/roster"
    before = secretary.get(roster_path).json()
    member, volunteer = api.client("member"), api.sign_in("volunteer-c")
    refused = [
        member.post("/signups/check-in", json={"code": 123456}),
        member.post("/signups/check-in", json={"code": "AB"}),
        member.post("/signups/check-in", json={"code": code, "note": "多余的字段"}),
        member.post("/signups/check-in", json={"code": code}),  # withdrew: not on the roster
        secretary.post(f"/signups/{checked[0]['id']}/confirm", json={"hours": -1}),
        volunteer.post(f"/signups/{checked[0]['id']}/correction", json={"hours": 99999, "reason": "多算了"}),
        volunteer.post(f"/signups/{checked[0]['id']}/correction", json={"hours": 1.0}),
        member.post("/signups/needs/no-such-need"),
    ]
    assert [r.status_code for r in refused] == [422, 422, 422, 404, 422, 422, 422, 404], [
        r.text for r in refused
    ]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["message"]) for r in refused)
    assert secretary.get(roster_path).json() == before
