"""Text search 搜索 (issue 12, point 7) over HTTP on a real server, on both backends, through the
stores' full-text indexes: Chinese substrings and Latin words, every word must match, scoping by
role, members' names masked, query syntax typed by users never errors, new and edited records are
found at once (the indexes stay current), pages and ranking, bad input 4xx in Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from api_world import ApiWorld
from conftest import BACKENDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_api_concurrency import need_body, offering_body
from test_api_permissions import shared_world

from engine.actors import Actor
from engine.errors import Invalid
from engine.services.accounts import get_account, to_actor
from engine.services.search import KINDS, search, snippet, words_of
from engine.store.embedded import EmbeddedFalkorDB

# Words no demo text holds, so every hit of them is one of this module's records.
MEALS_TITLE = "晨曦助老助餐上门服务"
MEALS_TEXT = "为独居老人每周送餐三次 Zephyrmeals delivery,需要志愿者"
OUTSIDE_TITLE = "晨曦助老理发服务"
NASTY = [
    '助老" OR *',
    "助老*",
    '"助老',
    "*",
    '"',
    "\\",
    ")(",
    "@title:{助老}",
    "-助老",
    "助老~2",
    "助老 AND",
    "%%",
    "||",
    "'; MATCH (n) DETACH DELETE n //",
    "title:助老^3",
    "[a TO z]",
    "助老 | 理发",
    "{}",
    "/.*/",
    "&&!",
]


@dataclass
class SearchWorld:
    """The tiny demo on a server, and the records this module made in it."""

    api: ApiWorld
    community: str  # the secretary's
    other: str  # another community of the same street (the planner's)
    subtree: frozenset[str]  # the secretary's jurisdiction
    need: str  # the secretary's 助老助餐 need
    outside: str  # a 助老 need of the other community
    offering: str  # the demo unit's offering

    def get(self, role: str, **params: Any) -> httpx.Response:
        return self.api.client(role).get("/search", params=params)

    def hits(self, role: str, q: str, kind: str) -> list[dict[str, Any]]:
        answer = self.get(role, q=q, kind=kind, limit=100)
        assert answer.status_code == 200, answer.text
        (group,) = answer.json()["groups"]
        assert group["kind"] == kind
        return list(group["items"])

    def ids(self, role: str, q: str, kind: str) -> list[str]:
        return [h["id"] for h in self.hits(role, q, kind)]

    def actor(self, account: str) -> Actor:
        account_row = get_account(self.api.store, account)
        assert account_row is not None
        return to_actor(account_row)


def _post_need(api: ApiWorld, role: str, org: str, title: str, description: str) -> str:
    answer = api.client(role).post("/needs", json=need_body(org, 1, title=title, description=description))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest,
    falkordb_server: EmbeddedFalkorDB,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SearchWorld]:
    for api in shared_world(falkordb_server, tmp_path_factory, request.param):
        community = str(api.accounts["secretary"]["scope_org_id"])
        other = next(
            o["id"] for o in api.dataset.nodes["Org"] if o["level"] == "community" and o["id"] != community
        )
        tree = api.client("admin").get(f"/orgs/{community}/tree")
        assert tree.status_code == 200, tree.text
        need = _post_need(api, "secretary", community, MEALS_TITLE, MEALS_TEXT)
        outside = _post_need(api, "admin", other, OUTSIDE_TITLE, "为老人上门理发")
        made = api.client("unit").post(
            "/offerings",
            json={**offering_body(3), "title": "琥珀法律咨询", "description": "每月两次 Quillpro 法律援助"},
        )
        assert made.status_code == 201, made.text
        yield SearchWorld(
            api, community, other, frozenset(o["id"] for o in tree.json()), need, outside, made.json()["id"]
        )


def test_a_chinese_substring_finds_the_need_on_both_backends(world: SearchWorld) -> None:
    for q in ("助老", "助餐", "晨曦助老助餐", "助老助餐上门", "上门服务", "老人", "送餐三次", "餐"):
        assert world.need in world.ids("secretary", q, "need"), q
    assert world.need not in world.ids("secretary", "助餐理发", "need")  # not a substring of it
    assert world.ids("admin", "晨曦助餐", "need") == []  # the words of a title, but not in a row


def test_latin_words_match_whole_partly_and_in_any_case(world: SearchWorld) -> None:
    for q in ("zephyrmeals", "ZephyrMeals", "zephyr", "phyrmea", "delivery", "ＺＥＰＨＹＲ"):
        assert world.need in world.ids("secretary", q, "need"), q


def test_every_word_must_match(world: SearchWorld) -> None:
    assert world.need in world.ids("secretary", "助老 zephyrmeals 志愿者", "need")
    assert world.need not in world.ids("secretary", "助老 理发", "need")
    assert world.outside in world.ids("admin", "助老 理发", "need")
    assert world.ids("admin", "晨曦 quillpro", "need") == []


def test_a_hit_in_the_title_ranks_before_one_in_the_description(world: SearchWorld) -> None:
    in_text = _post_need(world.api, "secretary", world.community, "社区活动", "晨曦暮色之间举办活动")
    ids = world.ids("secretary", "晨曦", "need")
    assert world.need in ids and in_text in ids
    assert ids.index(world.need) < ids.index(in_text)


def test_needs_are_scoped_by_role(world: SearchWorld) -> None:
    both = {world.need, world.outside}
    assert both <= set(world.ids("admin", "晨曦助老", "need"))
    assert both <= set(world.ids("planner", "晨曦助老", "need"))  # the street holds both communities
    secretary = world.hits("secretary", "晨曦助老", "need")
    assert world.need in {h["id"] for h in secretary} and world.outside not in {h["id"] for h in secretary}
    for hit in secretary:  # every need the secretary finds is its jurisdiction's (read apart)
        need = world.api.client("admin").get(f"/needs/{hit['id']}").json()
        assert need["org_id"] in world.subtree
    # providers search the public list of open needs, anywhere; a cancelled one leaves it
    assert both <= set(world.ids("unit", "晨曦助老", "need"))
    cancelled = _post_need(world.api, "admin", world.other, "晨曦助老取消测试", "即将取消")
    assert cancelled in world.ids("member", "晨曦助老取消测试", "need")
    answer = world.api.client("admin").post(f"/needs/{cancelled}/cancel", json={"reason": "居民已自行解决"})
    assert answer.status_code == 200, answer.text
    assert cancelled not in world.ids("member", "晨曦助老取消测试", "need")
    assert cancelled in world.ids("admin", "晨曦助老取消测试", "need")
    hit = next(h for h in world.hits("admin", "晨曦助老取消测试", "need") if h["id"] == cancelled)
    assert hit["status"] == "cancelled" and hit["status_zh"] == "已取消"


def test_the_snippet_shows_the_text_around_the_word(world: SearchWorld) -> None:
    (hit,) = [h for h in world.hits("secretary", "delivery", "need") if h["id"] == world.need]
    assert hit["title"] == MEALS_TITLE and "delivery" in hit["snippet"]
    assert hit["subtitle"] == "中共桃岗社区委员会"
    long = "前" * 50 + "关键" + "后" * 100
    piece = snippet(long, ("关键",))
    assert piece is not None and "关键" in piece and piece.startswith("…") and piece.endswith("…")
    assert len(piece) < len(long)
    assert snippet(None, ("x",)) is None and snippet("短文本", ("无",)) == "短文本"


def test_new_and_edited_records_are_found_at_once(world: SearchWorld) -> None:
    made = _post_need(world.api, "secretary", world.community, "翡翠新建需求", "刚刚发布")
    assert world.ids("secretary", "翡翠新建", "need") == [made]
    edited = world.api.client("secretary").patch(f"/needs/{made}", json={"title": "琉璃改名需求"})
    assert edited.status_code == 200, edited.text
    assert world.ids("secretary", "翡翠新建", "need") == []
    assert world.ids("secretary", "琉璃改名", "need") == [made]
    offering = world.api.client("member").post(
        "/offerings", json={**offering_body(1), "title": "玛瑙书法课", "description": "Calligraphyx"}
    )
    assert offering.status_code == 201, offering.text
    assert world.ids("member", "玛瑙书法", "offering") == [offering.json()["id"]]
    assert world.ids("member", "calligraphyx", "offering") == [offering.json()["id"]]


def test_offerings_are_scoped_and_name_their_provider(world: SearchWorld) -> None:
    unit = world.api.client("unit").get("/auth/me").json()
    (hit,) = world.hits("unit", "琥珀法律", "offering")
    assert hit["id"] == world.offering and hit["status"] == "active" and hit["subtitle"]
    assert world.ids("admin", "quillpro", "offering") == [world.offering]
    assert world.ids("member", "quillpro", "offering") == [world.offering]  # active: public
    paused = world.api.client("unit").post(f"/offerings/{world.offering}/pause")
    assert paused.status_code == 200, paused.text
    try:
        assert world.ids("member", "quillpro", "offering") == []  # paused: only its provider
        assert world.ids("unit", "quillpro", "offering") == [world.offering]
        assert world.ids("admin", "quillpro", "offering") == [world.offering]
    finally:
        resumed = world.api.client("unit").post(f"/offerings/{world.offering}/resume")
        assert resumed.status_code == 200, resumed.text
    detail = world.api.client("admin").get(f"/units/{unit['subject_id']}").json()
    ties = {o["id"] for o in detail["reports_to"]} | {o["id"] for o in detail["own_orgs"]}
    assert (world.offering in world.ids("secretary", "quillpro", "offering")) == bool(ties & world.subtree)


def _unit_ties(world: SearchWorld, unit_id: str) -> set[str]:
    detail = world.api.client("admin").get(f"/units/{unit_id}").json()
    return {o["id"] for o in detail["reports_to"]} | {o["id"] for o in detail["own_orgs"]}


def test_units_and_orgs_are_scoped_for_org_roles_and_public_to_providers(world: SearchWorld) -> None:
    units = world.api.dataset.nodes["Unit"]
    outside = next(
        u for u in units if _unit_ties(world, u["id"]) and not _unit_ties(world, u["id"]) & world.subtree
    )
    assert outside["id"] in world.ids("admin", outside["name"], "unit")
    assert outside["id"] in world.ids("unit", outside["name"], "unit")
    assert outside["id"] not in world.ids("secretary", outside["name"], "unit")
    for hit in world.hits("secretary", "公司", "unit"):
        assert _unit_ties(world, hit["id"]) & world.subtree, hit
    orgs = world.ids("secretary", "社区", "org")
    assert world.community in orgs and world.other not in orgs
    assert set(orgs) <= world.subtree
    assert {world.community, world.other} <= set(world.ids("planner", "社区", "org"))
    assert {world.community, world.other} <= set(world.ids("member", "社区", "org"))


def test_members_are_masked_for_those_not_entitled(world: SearchWorld) -> None:
    member_id = str(world.api.accounts["member"]["subject_id"])
    name = next(m["name"] for m in world.api.dataset.nodes["Member"] if m["id"] == member_id)
    mine = {h["id"]: h for h in world.hits("secretary", name, "member")}
    assert mine[member_id]["title"] == name  # the member's own community secretary: in full
    planner = world.get("planner", q=name, kind="member")
    assert planner.status_code == 200
    hits = {h["id"]: h for h in planner.json()["groups"][0]["items"]}
    assert member_id in hits and hits[member_id]["title"] == name[0] + "*" * (len(name) - 1)
    assert all(h["title"] != name for h in hits.values())
    assert [h["id"] for h in world.hits("member", name, "member")] == [member_id]  # only itself
    assert world.hits("member", name, "member")[0]["title"] == name
    assert world.hits("unit", name, "member") == []
    assert member_id in world.ids("admin", name, "member")
    for hit in world.hits("secretary", name[0], "member")[:10]:  # a surname: everyone in reach
        detail = world.api.client("admin").get(f"/members/{hit['id']}").json()
        ties = {o["id"] for o in detail["belongs_to"]} | {o["id"] for o in detail["reports_to"]}
        assert ties & world.subtree, hit


def test_every_kind_at_once_in_groups(world: SearchWorld) -> None:
    answer = world.get("admin", q="晨曦助老")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [g["kind"] for g in body["groups"]] == list(KINDS)
    assert body["words"] == ["晨曦助老"]
    assert world.need in {h["id"] for h in body["groups"][0]["items"]}


def test_pages_do_not_overlap_and_say_when_more_follow(world: SearchWorld) -> None:
    made = {_post_need(world.api, "secretary", world.community, f"珊瑚分页{i}", "分页") for i in range(3)}
    first = world.get("secretary", q="珊瑚分页", kind="need", limit=2).json()["groups"][0]
    second = world.get("secretary", q="珊瑚分页", kind="need", limit=2, skip=2).json()["groups"][0]
    assert first["has_more"] and not second["has_more"]
    seen = [h["id"] for h in first["items"] + second["items"]]
    assert len(seen) == 3 and set(seen) == made


@pytest.mark.parametrize("q", NASTY)
def test_query_syntax_typed_by_users_never_errors(world: SearchWorld, q: str) -> None:
    answer = world.get("secretary", q=q)
    assert answer.status_code in (200, 422), answer.text
    if answer.status_code == 422:
        assert "请输入要搜索的文字" in answer.json()["message"]
        return
    if words_of(q).words == ("助老",):  # syntax around one word searches that word
        assert world.need in {h["id"] for h in answer.json()["groups"][0]["items"]}


def test_bad_input_is_refused_in_chinese(world: SearchWorld) -> None:
    bad: list[dict[str, Any]] = [
        {"q": ""},
        {},
        {"q": "助" * 101},
        {"q": "助老", "kind": "nobody"},
        {"q": "!!!"},
        {"q": "a b c d e f g h i"},
        {"q": "助老", "limit": 0},
        {"q": "助老", "skip": -1},
    ]
    for params in bad:
        answer = world.api.client("secretary").get("/search", params=params)
        assert answer.status_code == 422, (params, answer.text)
        message = answer.json()["message"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    with world.api.anonymous() as anonymous:
        assert anonymous.get("/search", params={"q": "助老"}).status_code == 401


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40))
def test_any_text_either_searches_or_is_refused_in_chinese(world: SearchWorld, text: str) -> None:
    """Whatever a user types, the store is never handed a query it cannot parse."""
    actor = world.actor("secretary")
    try:
        found = search(world.api.store, actor, text, limit=5)
    except Invalid as exc:
        assert exc.message_zh
        return
    for group in found["groups"]:
        assert len(group["items"]) <= 5
