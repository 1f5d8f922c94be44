"""A request's status changed (issue 11): when the secretary turns a request into a need, merges
it into one or closes it, the grid worker who submitted it finds a ``request_status`` notification
in its inbox, written by the decision's own statement; a resident's own request tells no account."""

from __future__ import annotations

from api_world import ApiWorld, api_fixture  # noqa: F401  (the fixture "api")
from test_api_concurrency import need_body
from test_api_intake import body, community, submit


def test_the_submitting_grid_worker_is_told_of_each_decision(api: ApiWorld) -> None:
    grid, secretary = api.client("grid_worker"), api.client("secretary")
    assert grid.get("/notifications/unread-count").json() == {"unread": 0}
    codes = []
    for text in ("3号楼楼道堆满杂物", "5号楼门前路灯不亮", "小区门口停车太乱"):
        made = grid.post("/intake/requests", json=body(description=text, contact_phone="13700007777"))
        assert made.status_code == 201, made.text
        codes.append(made.json()["code"])
    converted, merged, closed = codes

    need = secretary.post(f"/intake/requests/{converted}/need", json={})
    assert need.status_code == 200, need.text
    need_id = need.json()["need_id"]
    assert secretary.post(f"/intake/requests/{merged}/merge", json={"need_id": need_id}).status_code == 200
    reason = "已联系物业当日划线整改"
    assert secretary.post(f"/intake/requests/{closed}/close", json={"reason": reason}).status_code == 200

    assert grid.get("/notifications/unread-count").json() == {"unread": 3}
    inbox = grid.get("/notifications").json()
    by_code = {n["entity_id"]: n for n in inbox}
    assert set(by_code) == set(codes) and len(inbox) == 3
    for code in codes:
        note = by_code[code]
        assert note["kind"] == "request_status" and note["kind_zh"] == "诉求状态变更"
        assert note["entity_label"] == "Request" and note["link"] == f"#/requests/{code}"
        assert code in note["title"] and not note["read"]
    title = secretary.get(f"/needs/{need_id}").json()["title"]
    assert "已转为服务需求" in by_code[converted]["title"] and title in by_code[converted]["title"]
    assert "已并入服务需求" in by_code[merged]["title"]
    assert "已办结" in by_code[closed]["title"] and reason in by_code[closed]["title"]
    # the secretary acted: not told of its own decisions
    assert not [n for n in secretary.get("/notifications").json() if n["kind"] == "request_status"]

    read = grid.post(f"/notifications/{by_code[closed]['id']}/read")
    assert read.status_code == 200 and read.json()["read"]
    assert grid.get("/notifications/unread-count").json() == {"unread": 2}


def test_a_residents_own_request_tells_no_account(api: ApiWorld) -> None:
    secretary = api.client("secretary")
    before = {role: api.client(role).get("/notifications/unread-count").json()["unread"]
              for role in ("grid_worker", "secretary", "admin", "planner")}  # fmt: skip
    code = submit(api)["code"]
    assert secretary.post(f"/intake/requests/{code}/need", json={}).status_code == 200
    other = submit(api, category="property.parking", description="停车位被占用")["code"]
    need = secretary.post("/needs", json=need_body(community(api), 1)).json()
    assert secretary.post(f"/intake/requests/{other}/merge", json={"need_id": need["id"]}).status_code == 200
    after = {role: api.client(role).get("/notifications/unread-count").json()["unread"] for role in before}
    assert after == before
