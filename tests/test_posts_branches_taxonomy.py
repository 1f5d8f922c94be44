"""Master data managed in place (issue 12, point 1, second half) over HTTP on a real server, on both
backends, over one tiny demo for the module (each test uses orgs, members and codes of its own).

Posts 职务: a secretary assigns, edits and ends posts of its own orgs (an admin anywhere); a new 书记
replaces the current one with history kept; a 兼职委员 names a unit; nobody holds a role twice;
refused writes change nothing; names are masked for planners; concurrent 书记 assignments leave
exactly one current 书记.
三缘 branches: a member joins and leaves (itself, or the branch's secretary for it) and its formal
affiliation is unchanged; the roster; scope.
The taxonomy: at least 20 categories and 200 items; admins add, rename, retire and restore; a retired
item is refused for a new need or offering with a Chinese message while the needs using it keep it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from api_world import (
    ApiWorld,
    module_api_fixture,  # noqa: F401  (the fixture "api")
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.actors import Actor, Role
from engine.errors import Conflict
from engine.services.posts import PostDraft, assign_post, list_posts
from engine.store.queries import posts as posts_queries

COMMUNITY = "org-s01-c01"  # the demo secretary's community (桃岗社区)
OTHER = "org-s01-c02"  # a community of the same street, outside the secretary's jurisdiction
ADMIN = Actor("admin", Role.ADMIN)


def members_of(api: ApiWorld, org_id: str) -> list[str]:
    """Ids of the demo members belonging to ``org_id`` or an org it leads (generated data)."""
    leads = api.dataset.rels[("LEADS", "Org", "Org")]
    orgs, frontier = {org_id}, {org_id}
    while frontier:
        frontier = {r["end"] for r in leads if r["start"] in frontier} - orgs
        orgs |= frontier
    return sorted(r["start"] for r in api.dataset.rels[("BELONGS_TO", "Member", "Org")] if r["end"] in orgs)


def org_of_level(api: ApiWorld, under: str, level: str, nth: int = 0) -> str:
    """The ``nth`` org of ``level`` whose id starts with ``under`` (the demo's ids nest)."""
    found = sorted(
        o["id"] for o in api.dataset.nodes["Org"] if o["level"] == level and o["id"].startswith(under)
    )
    return found[nth]


def holds(api: ApiWorld, org_id: str) -> list[dict[str, Any]]:
    """Every HOLDS of an org in the store (current and ended), as the store has them."""
    return [dict(r) for r in api.store.run(posts_queries.LIST, {"org_id": org_id, "all": True})]


def audit_count(api: ApiWorld) -> int:
    """How many audit entries the store holds."""
    row = api.store.one("node.count.AuditEntry", {})
    return int(row["count"]) if row else 0


def post(api: ApiWorld, role: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    """POST /posts as ``role``, asserting the status; the JSON."""
    answer = api.client(role).post("/posts", json=body)
    assert answer.status_code == status, answer.text
    return dict(answer.json())


def test_secretary_assigns_a_building_head_lists_and_ends_it_with_history(api: ApiWorld) -> None:
    org = org_of_level(api, COMMUNITY, "building", 0)
    member = members_of(api, COMMUNITY)[0]
    made = post(
        api, "secretary", {"org_id": org, "member_id": member, "role": "building_head", "since": "2026-03-01"}
    )
    assert made["role_zh"] == "楼长" and made["current"] and made["since"] == "2026-03-01"

    listed = api.client("secretary").get("/posts", params={"org_id": org}).json()
    assert made["id"] in [p["id"] for p in listed]
    entries = api.client("admin").get("/audit", params={"entity_id": made["id"]}).json()
    assert [e["action"] for e in entries] == ["post.assign"]

    edited = api.client("secretary").patch(
        f"/posts/{made['id']}", json={"since": "2026-02-01", "note": "3栋"}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["since"] == "2026-02-01" and edited.json()["note"] == "3栋"

    too_early = api.client("secretary").post(f"/posts/{made['id']}/end", json={"until": "2026-01-01"})
    assert too_early.status_code == 422, too_early.text
    ended = api.client("secretary").post(
        f"/posts/{made['id']}/end", json={"until": "2026-06-30", "reason": "搬离小区"}
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["until"] == "2026-06-30" and not ended.json()["current"]

    current = api.client("secretary").get("/posts", params={"org_id": org}).json()
    assert made["id"] not in [p["id"] for p in current]
    history = api.client("secretary").get("/posts", params={"org_id": org, "include_ended": True}).json()
    kept = next(p for p in history if p["id"] == made["id"])
    assert kept["ended_reason"] == "搬离小区" and kept["member_id"] == member

    again = api.client("secretary").patch(f"/posts/{made['id']}", json={"note": "改历史"})
    assert again.status_code == 409, again.text
    actions = [
        e["action"] for e in api.client("admin").get("/audit", params={"entity_id": made["id"]}).json()
    ]
    assert sorted(actions) == ["post.assign", "post.edit", "post.end"]


def test_a_new_secretary_replaces_the_current_one_and_the_old_post_stays_as_history(api: ApiWorld) -> None:
    org = org_of_level(api, COMMUNITY, "grid", 0)
    before = [p for p in holds(api, org) if p["role"] == "secretary" and p["until"] is None]
    assert len(before) == 1  # the demo gives every org a secretary
    old = before[0]
    newcomer = next(m for m in members_of(api, COMMUNITY) if m != old["member_id"])

    refused_audit = audit_count(api)
    refused = api.client("secretary").post(
        "/posts", json={"org_id": org, "member_id": newcomer, "role": "secretary", "replace": False}
    )
    assert refused.status_code == 409 and "书记" in refused.json()["message"]
    assert holds(api, org) == holds(api, org) and audit_count(api) == refused_audit
    assert [p for p in holds(api, org) if p["role"] == "secretary" and p["until"] is None] == before

    made = post(
        api, "secretary", {"org_id": org, "member_id": newcomer, "role": "secretary", "since": "2026-05-01"}
    )
    secretaries = [p for p in holds(api, org) if p["role"] == "secretary"]
    current = [p for p in secretaries if p["until"] is None]
    assert [p["member_id"] for p in current] == [newcomer] and current[0]["id"] == made["id"]
    ended = next(p for p in secretaries if p["member_id"] == old["member_id"])
    assert ended["until"] == "2026-05-01" and ended["ended_reason"] == "新任书记接任"

    # the ended post is addressable by the id it now has, and cannot be edited
    shown = api.client("admin").get(f"/posts/{ended['id']}")
    assert shown.status_code == 200 and not shown.json()["current"]


def test_a_part_time_member_names_a_unit_and_roles_are_not_held_twice(api: ApiWorld) -> None:
    org = COMMUNITY
    member = members_of(api, COMMUNITY)[3]
    unit = sorted(u["id"] for u in api.dataset.nodes["Unit"])[0]
    written = audit_count(api)
    no_unit = api.client("secretary").post(
        "/posts", json={"org_id": org, "member_id": member, "role": "part_time_member"}
    )
    assert no_unit.status_code == 422 and "单位" in no_unit.json()["message"]
    bad_unit = api.client("secretary").post(
        "/posts",
        json={"org_id": org, "member_id": member, "role": "part_time_member", "unit_id": "unit-nope"},
    )
    assert bad_unit.status_code == 404
    unit_for_head = api.client("secretary").post(
        "/posts", json={"org_id": org, "member_id": member, "role": "building_head", "unit_id": unit}
    )
    assert unit_for_head.status_code == 422
    assert audit_count(api) == written

    made = post(
        api, "secretary", {"org_id": org, "member_id": member, "role": "part_time_member", "unit_id": unit}
    )
    name = next(u["name"] for u in api.dataset.nodes["Unit"] if u["id"] == unit)
    assert made["unit_id"] == unit and made["unit_name"] == name
    twice = api.client("secretary").post(
        "/posts", json={"org_id": org, "member_id": member, "role": "part_time_member", "unit_id": unit}
    )
    assert twice.status_code == 409
    # changing it to a role the org has one current holder of, held by someone else, is refused
    to_secretary = api.client("secretary").patch(f"/posts/{made['id']}", json={"role": "secretary"})
    assert to_secretary.status_code == 409, to_secretary.text
    assert api.client("secretary").get(f"/posts/{made['id']}").json()["role"] == "part_time_member"


@pytest.mark.parametrize(
    "body",
    [
        {"role": "mayor"},
        {"role": "building_head", "since": "2026-13-01"},
        {"role": "building_head", "colour": "red"},
        {"role": 3},
        {"role": "building_head", "replace": "yes"},
    ],
)
def test_bad_input_is_refused_in_chinese_and_writes_nothing(api: ApiWorld, body: dict[str, Any]) -> None:
    org = org_of_level(api, COMMUNITY, "building", 1)
    before, written = holds(api, org), audit_count(api)
    answer = api.client("secretary").post(
        "/posts", json={"org_id": org, "member_id": members_of(api, COMMUNITY)[1], **body}
    )
    assert answer.status_code == 422, answer.text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer.json()["message"])
    assert holds(api, org) == before and audit_count(api) == written


def test_scope_secretaries_own_orgs_admin_anywhere_planner_reads_masked(api: ApiWorld) -> None:
    outside = org_of_level(api, OTHER, "building", 0)
    member = members_of(api, OTHER)[0]
    before, written = holds(api, outside), audit_count(api)
    body = {"org_id": outside, "member_id": member, "role": "building_head"}
    for role in ("secretary", "planner", "unit", "member"):
        assert api.client(role).post("/posts", json=body).status_code == 403, role
    assert api.client("secretary").get("/posts", params={"org_id": outside}).status_code == 403
    assert holds(api, outside) == before and audit_count(api) == written

    made = post(api, "admin", body)
    assert api.client("secretary").patch(f"/posts/{made['id']}", json={"note": "x"}).status_code == 403
    assert api.client("secretary").post(f"/posts/{made['id']}/end", json={}).status_code == 403

    seen = api.client("planner").get("/posts", params={"org_id": outside}).json()  # the street's planner
    mine = next(p for p in seen if p["id"] == made["id"])
    full = next(m["name"] for m in api.dataset.nodes["Member"] if m["id"] == member)
    assert mine["member_name"] != full and mine["member_name"][0] == full[0]
    assert api.client("admin").get(f"/posts/{made['id']}").json()["member_name"] == full


def test_a_member_reads_its_own_posts(api: ApiWorld) -> None:
    me = str(api.accounts["member"]["subject_id"])
    org = org_of_level(api, COMMUNITY, "building", 2)
    made = post(api, "admin", {"org_id": org, "member_id": me, "role": "central_household"})
    mine = api.client("member").get(f"/posts/of-member/{me}").json()
    assert made["id"] in [p["id"] for p in mine]
    other = members_of(api, COMMUNITY)[5]
    assert api.client("member").get(f"/posts/of-member/{other}").status_code == 403


def test_concurrent_secretary_assignments_leave_exactly_one_current_secretary(api: ApiWorld) -> None:
    org = org_of_level(api, COMMUNITY, "building", 3)
    candidates = members_of(api, COMMUNITY)[10:30]

    def assign(member: str) -> str:
        try:
            assign_post(
                api.store,
                ADMIN,
                PostDraft(org_id=org, member_id=member, role="secretary", since="2026-07-01"),
            )
            return "ok"
        except Conflict:
            return "busy"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(assign, candidates))
    current = [p for p in holds(api, org) if p["role"] == "secretary" and p["until"] is None]
    assert len(current) == 1
    assert outcomes.count("ok") >= 1
    winners = {p["member_id"] for p in holds(api, org) if p["role"] == "secretary"} & set(candidates)
    assert len(winners) == outcomes.count("ok")  # every acknowledged assignment is in the history


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=1, max_size=6))
def test_any_sequence_of_secretary_assignments_keeps_one_current_and_every_post(
    api: ApiWorld, steps: list[tuple[int, bool]]
) -> None:
    org = org_of_level(api, COMMUNITY, "compound", 0)
    pool = members_of(api, COMMUNITY)[40:46]
    before = holds(api, org)
    made = 0
    for i, replace in steps:
        try:
            assign_post(
                api.store, ADMIN, PostDraft(org_id=org, member_id=pool[i], role="secretary", replace=replace)
            )
            made += 1
        except Conflict:
            pass
    after = holds(api, org)
    assert len([p for p in after if p["role"] == "secretary" and p["until"] is None]) == 1
    assert len(after) == len(before) + made  # nothing is deleted: ended posts stay
    assert list_posts(api.store, ADMIN, org)  # still readable


# ---------------------------------------------------------------------------------------------
# 三缘 branches


BRANCH = "org-s01-c01-f01"  # a 三缘 branch led by the secretary's community
OTHER_BRANCH = "org-s01-c02-f01"  # one led by another community (made by ``other_branch``)


@pytest.fixture(scope="module")
def other_branch(api: ApiWorld) -> str:
    """A 三缘 branch led by a community outside the secretary's (the tiny demo has them only in
    its showcase community), written straight into the store."""
    props = {"id": OTHER_BRANCH, "name": "测试社区书法趣缘党支部", "level": "other", "kind": "feature",
             "org_type": "branch", "basis": "interest"}  # fmt: skip
    api.store.run("node.create.Org", {"props": props})
    api.store.run(
        "rel.bulk_create.LEADS.Org.Org", {"rows": [{"start": OTHER, "end": OTHER_BRANCH, "props": {}}]}
    )
    return OTHER_BRANCH


def roster_ids(api: ApiWorld, role: str, branch: str) -> set[str]:
    """Who the roster of ``branch`` names, read as ``role``."""
    answer = api.client(role).get(f"/branches/{branch}/members", params={"limit": 500})
    assert answer.status_code == 200, answer.text
    return {m["id"] for m in answer.json()}


def affiliation(api: ApiWorld, member: str) -> list[dict[str, Any]]:
    """The member's BELONGS_TO as the directory shows it to an admin."""
    answer = api.client("admin").get(f"/members/{member}")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["belongs_to"])


def test_a_member_joins_and_leaves_a_branch_and_its_affiliation_is_unchanged(api: ApiWorld) -> None:
    me = str(api.accounts["member"]["subject_id"])
    if me in roster_ids(api, "admin", BRANCH):  # the demo may have joined it already
        assert api.client("member").post(f"/branches/{BRANCH}/leave", json={}).status_code == 200
    belongs = affiliation(api, me)
    assert belongs  # every member has its formal affiliation

    joined = api.client("member").post(f"/branches/{BRANCH}/join", json={})
    assert joined.status_code == 200, joined.text
    assert joined.json()["basis"] in ("territorial", "occupational", "interest")
    assert me in roster_ids(api, "secretary", BRANCH)
    assert affiliation(api, me) == belongs
    mine = api.client("member").get(f"/branches/of-member/{me}").json()
    assert BRANCH in [b["id"] for b in mine]
    assert api.client("member").post(f"/branches/{BRANCH}/join", json={}).status_code == 409

    left = api.client("member").post(f"/branches/{BRANCH}/leave", json={"reason": "时间冲突"})
    assert left.status_code == 200, left.text
    assert me not in roster_ids(api, "secretary", BRANCH)
    assert affiliation(api, me) == belongs
    assert api.client("member").post(f"/branches/{BRANCH}/leave", json={}).status_code == 409
    actions = [e["action"] for e in api.client("admin").get("/audit", params={"entity_id": me}).json()]
    assert "branch.join" in actions and "branch.leave" in actions


def test_the_secretary_adds_and_removes_members_of_its_branches_only(
    api: ApiWorld, other_branch: str
) -> None:
    member = next(m for m in members_of(api, COMMUNITY)[50:] if m not in roster_ids(api, "admin", BRANCH))
    added = api.client("secretary").post(f"/branches/{BRANCH}/join", json={"member_id": member})
    assert added.status_code == 200, added.text
    assert member in roster_ids(api, "admin", BRANCH)
    assert (
        api.client("secretary").post(f"/branches/{BRANCH}/leave", json={"member_id": member}).status_code
        == 200
    )
    assert member not in roster_ids(api, "admin", BRANCH)

    outsider = next(m for m in members_of(api, OTHER) if m not in roster_ids(api, "admin", OTHER_BRANCH))
    written = audit_count(api)
    for role in ("secretary", "unit", "planner"):
        refused = api.client(role).post(f"/branches/{OTHER_BRANCH}/join", json={"member_id": outsider})
        assert refused.status_code == 403, (role, refused.text)
    someone_else = api.client("member").post(f"/branches/{BRANCH}/join", json={"member_id": outsider})
    assert someone_else.status_code == 403
    assert api.client("secretary").get(f"/branches/{OTHER_BRANCH}/members").status_code == 403
    assert outsider not in roster_ids(api, "admin", OTHER_BRANCH) and audit_count(api) == written

    not_a_branch = api.client("admin").post(f"/branches/{COMMUNITY}/join", json={"member_id": member})
    assert not_a_branch.status_code == 409 and "三缘" in not_a_branch.json()["message"]
    listed = {b["id"] for b in api.client("secretary").get("/branches").json()}
    assert BRANCH in listed and OTHER_BRANCH not in listed


def test_the_roster_masks_names_for_the_planner(api: ApiWorld) -> None:
    member = members_of(api, COMMUNITY)[48]
    if member not in roster_ids(api, "admin", BRANCH):
        assert (
            api.client("admin").post(f"/branches/{BRANCH}/join", json={"member_id": member}).status_code
            == 200
        )
    full = next(m["name"] for m in api.dataset.nodes["Member"] if m["id"] == member)
    for role, shown_in_full in (("admin", True), ("planner", False)):
        entry = next(
            m
            for m in api.client(role).get(f"/branches/{BRANCH}/members", params={"limit": 500}).json()
            if m["id"] == member
        )
        assert (entry["name"] == full) is shown_in_full, role
        assert entry["belongs_to"]


# ---------------------------------------------------------------------------------------------
# The category taxonomy


def need_body(category: str, org: str = COMMUNITY) -> dict[str, Any]:
    """A need of the secretary's community in ``category``."""
    return {
        "org_id": org,
        "title": "测试需求",
        "category": category,
        "people_wanted": 1,
        "window_start": "2026-12-20T09:00:00+08:00",
        "window_end": "2026-12-20T11:00:00+08:00",
    }


def needs_count(api: ApiWorld) -> int:
    """How many needs the store holds."""
    row = api.store.one("node.count.Need", {})
    return int(row["count"]) if row else 0


def test_the_taxonomy_has_the_zunyi_scale(api: ApiWorld) -> None:
    entries = api.client("member").get("/categories").json()
    tops = [e for e in entries if e["level"] == 1]
    items = [e for e in entries if e["level"] == 2]
    assert len(tops) >= 20 and len(items) >= 200
    assert len({e["id"] for e in entries}) == len(entries) and len({e["name"] for e in entries}) == len(
        entries
    )
    assert {e["parent_id"] for e in items} <= {e["id"] for e in tops}
    for old in ("elderly.meals", "health.clinic", "children.after_school", "new_employment.rest_station"):
        assert old in {e["id"] for e in items}


def test_admin_adds_an_item_that_a_new_need_may_use_and_others_may_not_add(api: ApiWorld) -> None:
    body = {
        "code": "smart_pillbox",
        "name": "智能药盒提醒",
        "parent_id": "elderly",
        "skills": ["电脑", "护理"],
    }
    for role in ("secretary", "planner", "unit", "member"):
        assert api.client(role).post("/categories", json=body).status_code == 403, role
    made = api.client("admin").post("/categories", json=body)
    assert made.status_code == 201, made.text
    assert (
        made.json()["id"] == "elderly.smart_pillbox"
        and made.json()["offered"]
        and not made.json()["standard"]
    )
    assert api.client("admin").post("/categories", json=body).status_code == 409
    same_name = {**body, "code": "pillbox2"}
    assert api.client("admin").post("/categories", json=same_name).status_code == 409
    bad_code = {**body, "code": "Bad Code"}
    assert api.client("admin").post("/categories", json=bad_code).status_code == 422

    need = api.client("secretary").post("/needs", json=need_body("elderly.smart_pillbox"))
    assert need.status_code == 201, need.text
    assert need.json()["category"] == "elderly.smart_pillbox"
    unknown = api.client("secretary").post("/needs", json=need_body("elderly.no_such_item"))
    assert unknown.status_code == 422 and "服务类别" in unknown.json()["message"]
    audit = api.client("admin").get("/audit", params={"entity_id": "elderly.smart_pillbox"}).json()
    assert [e["action"] for e in audit] == ["category.add"]


def test_a_retired_item_is_refused_for_new_needs_and_offerings_but_old_needs_keep_it(api: ApiWorld) -> None:
    code = "culture.chess"
    old = api.client("secretary").post("/needs", json=need_body(code))
    assert old.status_code == 201, old.text

    retired = api.client("admin").post(f"/categories/{code}/retire")
    assert retired.status_code == 200, retired.text
    assert (
        retired.json()["status"] == "retired"
        and not retired.json()["offered"]
        and retired.json()["needs"] >= 1
    )

    count = needs_count(api)
    refused = api.client("secretary").post("/needs", json=need_body(code))
    assert refused.status_code == 422, refused.text
    assert "已停用" in refused.json()["message"] and "棋牌比赛" in refused.json()["message"]
    assert needs_count(api) == count
    offering = {"title": "棋牌活动", "kind": "service", "category": code, "capacity": 2, "period": "month"}
    assert api.client("unit").post("/offerings", json=offering).status_code == 422

    kept = api.client("secretary").get(f"/needs/{old.json()['id']}")
    assert kept.status_code == 200 and kept.json()["category"] == code
    edited = api.client("secretary").patch(f"/needs/{old.json()['id']}", json={"title": "棋牌比赛(改期)"})
    assert edited.status_code == 200, edited.text  # keeping a retired category is fine
    to_retired = api.client("secretary").post("/needs", json=need_body("culture.taichi"))
    assert to_retired.status_code == 201
    moved = api.client("secretary").patch(f"/needs/{to_retired.json()['id']}", json={"category": code})
    assert moved.status_code == 422

    offered = {
        e["id"] for e in api.client("secretary").get("/categories", params={"include_retired": False}).json()
    }
    assert code not in offered and "culture.taichi" in offered
    listed = {e["id"]: e for e in api.client("secretary").get("/categories").json()}
    assert listed[code]["status"] == "retired"

    restored = api.client("admin").post(f"/categories/{code}/restore")
    assert restored.status_code == 200 and restored.json()["offered"]
    assert api.client("secretary").post("/needs", json=need_body(code)).status_code == 201


def test_retiring_a_category_retires_its_items_and_renaming_keeps_the_code(api: ApiWorld) -> None:
    assert api.client("admin").post("/categories/consumer/retire").status_code == 200
    refused = api.client("secretary").post("/needs", json=need_body("consumer.food_safety"))
    assert refused.status_code == 422 and "消费维权" in refused.json()["message"]
    item = api.client("admin").get("/categories/consumer.food_safety").json()
    assert item["status"] == "active" and not item["offered"]
    adding = {"code": "returns", "name": "退换货咨询", "parent_id": "consumer"}
    assert api.client("admin").post("/categories", json=adding).status_code == 409
    assert api.client("admin").post("/categories/consumer/retire").status_code == 409  # already retired

    renamed = api.client("admin").patch("/categories/digital.platform", json={"name": "社区小程序使用培训"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["id"] == "digital.platform" and renamed.json()["name"] == "社区小程序使用培训"
    assert api.client("secretary").post("/needs", json=need_body("digital.platform")).status_code == 201
    taken = api.client("admin").patch("/categories/digital.platform", json={"name": "助餐送餐"})
    assert taken.status_code == 409
    assert (
        api.client("secretary").patch("/categories/digital.platform", json={"name": "改名"}).status_code
        == 403
    )
