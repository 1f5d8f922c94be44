"""Requests 诉求 (issue 11) over HTTP on a real server, on both backends: a resident submits without
an account and follows the tracking code; the community's secretary turns the request into a need,
merges it into one or closes it; duplicates are named; limits answer 429 and write nothing; the
contact is masked for all but the community's secretary and admins; a grid worker submits for
residents and can do nothing else; Open311's POST answers in GeoReport's form."""

from __future__ import annotations

from typing import Any

import httpx
from api_world import ApiWorld, api_fixture  # noqa: F401  (the fixture "api")
from test_api_concurrency import need_body, offering_body
from test_services_world import nodes, snapshot

from engine.services.intake import CODE_ALPHABET, CODE_LENGTH, bigrams, similarity

# The demo's first community (桃岗社区, the secretary's) and a point in its first grid.
GRID = {"lat": 25.042107, "lon": 102.698857}
PHONE, NAME = "13811112222", "王小明"


def body(**extra: Any) -> dict[str, Any]:
    """A resident's request in the secretary's community, with a contact."""
    return {
        "category": "environment.cleanup",
        "description": "3号楼楼道堆满杂物,影响通行,希望组织清理",
        **GRID,
        "contact_first_name": "小明",
        "contact_last_name": "王",
        "contact_phone": PHONE,
        **extra,
    }


def submit(api: ApiWorld, **extra: Any) -> dict[str, Any]:
    """Submit anonymously; the receipt."""
    with api.anonymous() as c:
        answer = c.post("/intake/requests", json=body(**extra))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def track(api: ApiWorld, code: str) -> httpx.Response:
    """The public tracking page's data, without signing in."""
    with api.anonymous() as c:
        return c.get(f"/intake/requests/{code}")


def personal_free(text: str) -> bool:
    """Whether an answer holds none of the test contact's details."""
    return PHONE not in text and "小明" not in text and PHONE[-4:] not in text


def community(api: ApiWorld) -> str:
    """The secretary's community."""
    return str(api.accounts["secretary"]["scope_org_id"])


def test_submit_track_turn_into_need_and_follow_it_to_claimed(api: ApiWorld) -> None:
    receipt = submit(api)
    code = receipt["code"]
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert receipt["org_name"] == "中共桃岗社区委员会" and receipt["duplicates"] == []
    assert code in receipt["notice"]

    shown = track(api, code)
    assert shown.status_code == 200, shown.text
    assert [s["status"] for s in shown.json()["timeline"]] == ["received", "queued"]
    assert personal_free(shown.text) and "楼道" not in shown.text  # no description either

    secretary = api.client("secretary")
    queue = secretary.get("/intake/queue").json()
    mine = next(i for i in queue if i["code"] == code)
    assert mine["contact_phone"] == PHONE and mine["contact_first_name"] == "小明"
    assert mine["org_id"] == community(api)

    made = secretary.post(f"/intake/requests/{code}/need", json={"people_wanted": 1, "urgency": "high"})
    assert made.status_code == 200, made.text
    assert made.json()["status"] == "converted"
    need_id = made.json()["need_id"]
    need = secretary.get(f"/needs/{need_id}").json()
    assert need["status"] == "open" and need["category"] == "environment.cleanup"
    assert need["urgency"] == "high" and "楼道" in need["description"] and need["org_id"] == community(api)
    audit = {(a["action"], a["entity_id"]) for a in nodes(api.store, "AuditEntry")}
    assert {("request.submit", code), ("request.convert", code), ("need.post", need_id)} <= audit
    submitted = next(a for a in nodes(api.store, "AuditEntry") if a["action"] == "request.submit")
    assert (submitted["actor"], submitted["role"]) == ("public", "public")  # a resident, no account role
    again = secretary.post(f"/intake/requests/{code}/need", json={})
    assert again.status_code == 409 and "已处理" in again.json()["message"]

    unit = api.client("unit")
    offering = unit.post("/offerings", json=offering_body(5)).json()
    claim = unit.post("/claims", json={"need_id": need_id, "offering_id": offering["id"]})
    assert claim.status_code == 201, claim.text

    shown = track(api, code.lower())  # codes are read case-insensitively
    assert shown.status_code == 200
    page = shown.json()
    assert page["status"] == "converted" and page["need_id"] == need_id and page["need_status"] == "claimed"
    assert [s["status"] for s in page["timeline"]] == ["received", "queued", "converted", "need_claimed"]
    assert personal_free(shown.text)


def test_merge_into_an_open_need_and_close_with_a_reason(api: ApiWorld) -> None:
    secretary = api.client("secretary")
    need = secretary.post("/needs", json=need_body(community(api), 1)).json()
    merged = submit(api, description="楼道里的杂物太多了")["code"]
    answer = secretary.post(f"/intake/requests/{merged}/merge", json={"need_id": need["id"]})
    assert answer.status_code == 200, answer.text
    page = track(api, merged).json()
    assert page["status"] == "merged" and page["need_id"] == need["id"]
    assert page["timeline"][-1]["status"] == "merged"

    closed = submit(api, category="property.parking", description="小区门口停车太乱")["code"]
    reason = "已联系物业当日划线整改"
    done = secretary.post(f"/intake/requests/{closed}/close", json={"reason": reason})
    assert done.status_code == 200, done.text
    page = track(api, closed).json()
    assert page["status"] == "closed" and page["status_reason"] == reason
    assert reason in page["timeline"][-1]["text"]
    assert merged not in {i["code"] for i in secretary.get("/intake/queue").json()}  # queued only

    cancelled = secretary.post(f"/needs/{need['id']}/cancel", json={"reason": "居民已自行解决"})
    assert cancelled.status_code == 200
    late = submit(api, category="property.parking", description="停车位被占用")["code"]
    refused = secretary.post(f"/intake/requests/{late}/merge", json={"need_id": need["id"]})
    assert refused.status_code == 409 and "不能并入" in refused.json()["message"]
    empty = secretary.post(f"/intake/requests/{late}/close", json={"reason": " "})
    assert empty.status_code == 422 and "办结原因" in empty.json()["message"]


def test_a_likely_duplicate_is_shown_to_the_resident_and_the_secretary(api: ApiWorld) -> None:
    first = submit(api)["code"]
    near = {"lat": GRID["lat"] + 0.0005, "lon": GRID["lon"]}  # about 55 m north
    second = submit(api, description="3号楼楼道杂物堆满了,希望清理", contact_phone="13900001111", **near)
    assert [d["code"] for d in second["duplicates"]] == [first]
    assert "已有相同诉求,可关注" in second["notice"] and first in second["notice"]
    assert 40 <= second["duplicates"][0]["distance_m"] <= 70

    far = {"lat": GRID["lat"] + 0.003, "lon": GRID["lon"]}  # about 330 m: not the same place
    assert submit(api, contact_phone="13900002222", **far)["duplicates"] == []
    other = submit(api, description="想请人来教老人用智能手机", contact_phone="13900003333")
    assert other["duplicates"] == []  # the same place, different words

    queue = {i["code"]: i for i in api.client("secretary").get("/intake/queue").json()}
    assert first in {d["code"] for d in queue[second["code"]]["duplicates"]}
    assert second["code"] in {d["code"] for d in queue[first]["duplicates"]}


def test_the_rule_of_similar_text() -> None:
    assert bigrams("楼道 杂物!") == frozenset({"楼道", "道杂", "杂物"})
    assert similarity("楼道堆满杂物", "楼道杂物堆满了") >= 0.3
    assert similarity("楼道堆满杂物", "教老人用智能手机") == 0


def test_past_the_limits_429_and_nothing_written(api: ApiWorld) -> None:
    with api.anonymous() as c:
        for i in range(5):  # five from one phone, each at another address
            place = {"address": f"桃岗社区{i}号楼"}
            ok = c.post("/intake/requests", json=body(description=f"第{i}件事情需要处理", **place))
            assert ok.status_code == 201, ok.text
        before = snapshot(api.store), nodes(api.store, "Request")
        over = c.post("/intake/requests", json=body(address="桃岗社区9号楼"))
        assert over.status_code == 429 and "同一联系方式" in over.json()["message"]
        assert over.json()["code"] == "too_many_requests"
        assert (snapshot(api.store), nodes(api.store, "Request")) == before

        for i in range(9):  # nine more at the first address, from other phones: ten there
            phone = f"137000000{i:02d}"
            ok = c.post("/intake/requests", json=body(address="桃岗社区0号楼", contact_phone=phone))
            assert ok.status_code == 201, ok.text
        crowded = c.post("/intake/requests", json=body(address="桃岗社区0号楼", contact_phone="13600000000"))
        assert crowded.status_code == 429 and "同一地址" in crowded.json()["message"]
        assert (snapshot(api.store)["AuditEntry"], len(nodes(api.store, "Request"))) == (
            before[0]["AuditEntry"] + 9,
            len(before[1]) + 9,
        )


def test_contact_is_masked_for_the_planner_and_hidden_from_another_community(api: ApiWorld) -> None:
    code = submit(api)["code"]
    planner = api.client("planner").get("/intake/queue", params={"org_id": community(api)})
    assert planner.status_code == 200
    item = next(i for i in planner.json() if i["code"] == code)
    assert item["contact_phone"] == "138****2222" and item["contact_first_name"] == "小*"
    assert PHONE not in planner.text

    communities = [o["id"] for o in api.dataset.nodes["Org"] if o["level"] == "community"]
    other = next(o for o in communities if o != community(api))
    made = api.client("admin").post(
        "/accounts",
        json={"id": "secretary-2", "display_name": "春泉书记", "role": "secretary", "scope_org_id": other,
              "password": "a-long-password"},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    second = api.sign_in("secretary-2", "a-long-password")
    assert code not in second.get("/intake/queue").text
    assert second.get("/intake/queue", params={"org_id": community(api)}).status_code == 403
    before = nodes(api.store, "Request")
    for action, payload in (("need", {}), ("merge", {"need_id": "x"}), ("close", {"reason": "不归我管"})):
        assert second.post(f"/intake/requests/{code}/{action}", json=payload).status_code == 403
    assert nodes(api.store, "Request") == before
    for role in ("unit", "member"):
        assert api.client(role).get("/intake/queue").status_code == 403
    assert api.client("admin").get("/intake/queue").json()[0]["contact_phone"] == PHONE


def test_a_grid_worker_submits_for_residents_and_can_do_nothing_else(api: ApiWorld) -> None:
    grid = api.client("grid_worker")
    me = grid.get("/auth/me")
    assert me.status_code == 200 and me.json()["role"] == "grid_worker"
    made = grid.post("/intake/requests", json=body(contact_phone="13700007777"))
    assert made.status_code == 201, made.text
    code = made.json()["code"]
    mine = grid.get("/intake/mine").json()
    assert [i["code"] for i in mine] == [code]
    assert mine[0]["via"] == "grid_worker" and mine[0]["submitted_by"] == "grid_worker"
    assert mine[0]["contact_phone"] == "137****7777"
    queued = next(i for i in api.client("secretary").get("/intake/queue").json() if i["code"] == code)
    assert queued["via"] == "grid_worker" and queued["contact_phone"] == "13700007777"

    before = snapshot(api.store)
    refused = [
        grid.post("/needs", json=need_body(community(api), 1)),
        grid.get("/needs"),
        grid.get("/offerings"),
        grid.post("/claims", json={"need_id": "x", "offering_id": "y"}),
        grid.get("/intake/queue"),
        grid.post(f"/intake/requests/{code}/close", json={"reason": "自己办结"}),
        grid.get(f"/orgs/{community(api)}/members"),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused), [r.text for r in refused]
    assert all("网格员" in r.json()["message"] for r in refused)
    assert snapshot(api.store) == before
    assert api.client("secretary").get("/intake/mine").status_code == 403


def test_bad_input_is_refused_in_chinese_and_writes_nothing(api: ApiWorld) -> None:
    cases = [
        ({k: v for k, v in body().items() if k not in ("lat", "lon")}, "位置"),
        (body(lat=25.0, lon=None), "同时填写"),
        (body(category="no.such"), "服务类别"),
        (body(description="x" * 2001), "过长"),
        (body(contact_phone="call me"), "联系电话"),
        (body(contact_email="nobody"), "电子邮箱"),
        (body(lat=40.0, lon=116.4), "服务范围"),
        ({**body(), "extra": 1}, "不认识"),
        ({k: v for k, v in body(address="火星某处").items() if k not in ("lat", "lon")}, "地址"),
        (body(description="\x00坏字符"), "不允许的字符"),
    ]
    with api.anonymous() as c:
        for payload, words in cases:
            answer = c.post("/intake/requests", json=payload)
            assert answer.status_code == 422, (payload, answer.text)
            assert words in answer.json()["message"], answer.json()
        assert c.get("/intake/requests/NOSUCHCODE").status_code == 404
    assert nodes(api.store, "Request") == []


def test_an_address_without_coordinates_lands_in_the_community_it_names(api: ApiWorld) -> None:
    place = {k: v for k, v in body(address="春城区祥源街道春泉社区 8 栋").items() if k not in ("lat", "lon")}
    with api.anonymous() as c:
        answer = c.post("/intake/requests", json=place)
    assert answer.status_code == 201, answer.text
    assert answer.json()["org_name"] == "中共春泉社区委员会"


# ---------------------------------------------------------------------------------------------
# Open311 GeoReport v2 POST.


def test_open311_post_answers_in_georeport_form(api: ApiWorld) -> None:
    form = {
        "service_code": "environment.cleanup",
        "lat": str(GRID["lat"]),
        "long": str(GRID["lon"]),
        "description": "垃圾桶满了没人清运",
        "first_name": "小红",
        "last_name": "李",
        "phone": "13512345678",
        "api_key": "ignored",
    }
    with api.anonymous() as c:
        answer = c.post("/open311/v2/requests.json", data=form)
        assert answer.status_code == 201, answer.text
        [made] = answer.json()
        assert set(made) <= {"service_request_id", "token", "service_notice", "account_id"}
        assert len(made["service_request_id"]) == CODE_LENGTH and made["service_notice"]
        page = c.get(f"/intake/requests/{made['service_request_id']}")
        assert page.status_code == 200 and "13512345678" not in page.text

        missing = c.post("/open311/v2/requests.json", data={"description": "没有类别"})
        assert missing.status_code == 422
        [error] = missing.json()
        assert error["code"] == 422 and "service_code" in error["description"]
        unknown = c.post("/open311/v2/requests.json", data={**form, "service_code": "nope"})
        assert unknown.status_code == 422 and "服务类别" in unknown.json()[0]["description"]
        nowhere = c.post("/open311/v2/requests.json", data={"service_code": "environment.cleanup",
                                                           "description": "没有位置"})  # fmt: skip
        assert nowhere.status_code == 422 and "位置" in nowhere.json()[0]["description"]
    queued = next(i for i in api.client("secretary").get("/intake/queue").json() if i["via"] == "open311")
    assert queued["contact_phone"] == "13512345678" and queued["contact_first_name"] == "小红"

    grid = api.client("grid_worker").post("/open311/v2/requests.json", data={**form, "phone": "13512340000"})
    assert grid.status_code == 201 and grid.json()[0]["account_id"] == "grid_worker"


def test_open311_post_past_the_limit_is_a_georeport_429(api: ApiWorld) -> None:
    with api.anonymous() as c:
        for i in range(5):
            form = {"service_code": "environment.cleanup", "address_string": f"桃岗社区{i}号楼",
                    "description": f"第{i}件事", "email": "Resident@Example.com"}  # fmt: skip
            assert c.post("/open311/v2/requests.json", data=form).status_code == 201
        over = c.post("/open311/v2/requests.json", data={**form, "email": "resident@example.com"})
    assert over.status_code == 429
    assert over.json() == [{"code": 429, "description": over.json()[0]["description"]}]
    assert "同一联系方式" in over.json()[0]["description"]
