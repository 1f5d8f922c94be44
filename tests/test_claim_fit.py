"""Fit when claiming (issue 12, point 8): a self-claim whose offering's category or skills do not fit
the need is refused with the reason in Chinese and writes nothing; where the secretary allows
跨类认领 (for the need, or for its org or an org leading it) it is accepted with a warning that the
provider and the secretary both see. Dispatch by a secretary is not held to the rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_services_world import (
    NOW,
    World,
    need_draft,
    offering_draft,
    snapshot,
    world_fixture,  # noqa: F401  (the fixture "world")
)

from engine.errors import Conflict, Forbidden, NotFound
from engine.services import ClaimRequest, NeedDraft, claim_need, list_audit, list_claims, post_need
from engine.services.fit import misfit, set_need_cross_category, set_org_cross_category
from engine.services.notifications import inbox
from engine.services.offerings import register_offering
from engine.store.queries.nodes import node_stmt
from graph_schema.taxonomy import ALL_SKILLS, CATEGORIES, related_categories

CODES = [c.id for c in CATEGORIES]


def children_need(world: World, org: str = "G1", **extra: object) -> str:
    """An open 四点半课堂 need asking for 教学 (posted by C1's secretary)."""
    draft = need_draft(
        org, title="四点半课堂辅导", category="children.after_school", skills=["教学"], **extra
    )
    return str(post_need(world.store, world.actor("sec1"), NeedDraft(**draft), now=NOW)["id"])


def test_misfit_names_both_categories_and_the_missing_skills() -> None:
    assert misfit("elderly.meals", ["配送"], "elderly.meals", ["配送", "烹饪"]) is None
    assert misfit("elderly.meals", [], "elderly", []) is None  # a parent fits its items
    assert misfit("elderly", [], "elderly.visits", []) is None  # and an item its parent
    reason = misfit("children.after_school", ["教学"], "elderly.meals", ["配送"])
    assert reason == (
        "该资源类别「助老服务/助餐送餐」与需求类别「儿童关爱/四点半课堂」不符;该资源未登记需求所需的技能「教学」"
    )
    assert (
        misfit("elderly.meals", ["配送", "烹饪"], "elderly.meals", ["配送"])
        == "该资源未登记需求所需的技能「烹饪」"
    )


@given(
    st.sampled_from(CODES),
    st.sampled_from(CODES),
    st.frozensets(st.sampled_from(ALL_SKILLS), max_size=3),
    st.frozensets(st.sampled_from(ALL_SKILLS), max_size=3),
)
def test_fit_is_exactly_a_related_category_and_covered_skills(
    need_cat: str, off_cat: str, need_skills: frozenset[str], off_skills: frozenset[str]
) -> None:
    reason = misfit(need_cat, sorted(need_skills), off_cat, sorted(off_skills))
    fits = off_cat in related_categories(need_cat) and need_skills <= off_skills
    assert (reason is None) == fits
    if reason is not None:
        assert ("不符" in reason) == (off_cat not in related_categories(need_cat))
        assert all(s in reason for s in need_skills - off_skills)


def test_a_misfit_self_claim_is_refused_with_the_reason_and_writes_nothing(world: World) -> None:
    store = world.store
    need = children_need(world)
    before = snapshot(store)
    for provider in ("U1", "M1"):
        with pytest.raises(Conflict) as caught:
            req = ClaimRequest(need_id=need, offering_id=world.offerings[provider])
            claim_need(store, world.actor(provider), req, now=NOW)
        assert caught.value.code == "misfit"
        assert (
            "该资源类别「助老服务/助餐送餐」与需求类别「儿童关爱/四点半课堂」不符" in caught.value.message_zh
        )
    assert snapshot(store) == before

    # an offering that fits is taken, with no warning
    fitting = register_offering(
        store,
        world.actor("M1"),
        offering_draft(title="四点半课堂", category="children.after_school", skills=["教学", "辅导"]),
        now=NOW,
    )["id"]
    made = claim_need(store, world.actor("M1"), ClaimRequest(need_id=need, offering_id=fitting), now=NOW)
    assert made["status"] == "active" and made.get("fit_warning") is None


def test_the_secretary_allows_a_need_and_the_claim_carries_a_warning_both_sides_see(world: World) -> None:
    store = world.store
    secretary = {
        "id": "acc-sec1",
        "display_name": "东园书记",
        "role": "secretary",
        "scope_org_id": "C1",
        "password_hash": "-",
        "active": True,
    }
    store.run(node_stmt("create", "Account"), {"props": secretary})  # who is told of the claim
    need = children_need(world)
    with pytest.raises(Forbidden):
        set_need_cross_category(store, world.actor("sec2"), need, True, now=NOW)  # not her community
    with pytest.raises(Forbidden):
        set_need_cross_category(store, world.actor("U1"), need, True, now=NOW)
    with pytest.raises(NotFound):
        set_need_cross_category(store, world.actor("sec1"), "no-such-need", True, now=NOW)
    assert set_need_cross_category(store, world.actor("sec1"), need, True, now=NOW)["allow_cross_category"]
    assert next(e["after"] for e in list_audit(store, world.actor("admin"), entity_id=need)) == {
        "allow_cross_category": True
    }

    made = claim_need(
        store, world.actor("U1"), ClaimRequest(need_id=need, offering_id=world.offerings["U1"]), now=NOW
    )
    assert made["fit_warning"].startswith("跨类认领:该资源类别「助老服务/助餐送餐」")
    mine = list_claims(store, world.actor("U1"), need_id=need)
    seen = list_claims(store, world.actor("sec1"), need_id=need)
    assert [c["fit_warning"] for c in mine] == [c["fit_warning"] for c in seen] == [made["fit_warning"]]
    titles = [n["title"] for n in inbox(store, world.actor("sec1"))]
    assert any("跨类认领" in t for t in titles), titles

    # switched off again: the next misfit is refused
    set_need_cross_category(store, world.actor("sec1"), need, False, now=NOW)
    with pytest.raises(Conflict):
        req = ClaimRequest(need_id=need, offering_id=world.offerings["M1"])
        claim_need(store, world.actor("M1"), req, now=NOW)


def test_an_org_switch_covers_the_needs_of_the_orgs_it_leads(world: World) -> None:
    store = world.store
    below = children_need(world, "B1", people_wanted=2)  # B1 ← G1 ← C1
    elsewhere = str(
        post_need(
            store,
            world.actor("sec2"),
            NeedDraft(**need_draft("G2", category="children.after_school", skills=[])),
            now=NOW,
        )["id"]
    )
    with pytest.raises(Forbidden):
        set_org_cross_category(store, world.actor("sec1"), "C2", True, now=NOW)
    set_org_cross_category(store, world.actor("sec1"), "C1", True, now=NOW)
    made = claim_need(
        store, world.actor("U1"), ClaimRequest(need_id=below, offering_id=world.offerings["U1"]), now=NOW
    )
    assert "不符" in made["fit_warning"]
    with pytest.raises(Conflict) as caught:  # C2 did not allow it
        claim_need(
            store,
            world.actor("M3"),
            ClaimRequest(need_id=elsewhere, offering_id=world.offerings["M3"]),
            now=NOW,
        )
    assert caught.value.code == "misfit" and "技能" not in caught.value.message_zh


def test_dispatch_is_not_held_to_the_fit_rule(world: World) -> None:
    store = world.store
    need = children_need(world)
    req = ClaimRequest(need_id=need, offering_id=world.offerings["U1"], provider_id="U1")
    made = claim_need(store, world.actor("sec1"), req, now=NOW)
    assert made["via"] == "dispatch" and made.get("fit_warning") is None
