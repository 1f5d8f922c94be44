"""Units' own needs 双向服务 (issue 12, point 5): a unit posts a need to the community or street it
reports to (nowhere else), audited and told to the org's secretaries; the community side serves it
(a member claims it, the secretary dispatches); the unit that asked cannot claim it; it is counted
in the org's report and in the unit's own."""

from __future__ import annotations

import pytest
from test_services_world import (
    NOW,
    World,
    need_draft,
    snapshot,
    world_fixture,  # noqa: F401  (the fixture "world")
)

from engine.errors import Forbidden, Invalid
from engine.services import ClaimRequest, NeedDraft, claim_need, list_audit, org_report
from engine.services.notifications import inbox
from engine.services.unit_needs import list_unit_needs, post_unit_need, targets, unit_report
from engine.store.queries.nodes import node_stmt

PERIOD = ("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")


def permit_need(org: str = "C1", **extra: object) -> NeedDraft:
    """A unit's need for help with a permit (no skills asked, so any 代办 offering fits)."""
    fields = {"title": "协助办理施工许可", "category": "elderly.errands", "skills": [], "beneficiaries": []}
    return NeedDraft(**need_draft(org, **{**fields, **extra}))


def test_a_unit_posts_only_to_the_orgs_it_reports_to_and_the_street_above(world: World) -> None:
    store = world.store
    assert [t["id"] for t in targets(store, world.actor("U1"))] == ["C1", "S"]
    with pytest.raises(Forbidden):
        targets(store, world.actor("U1"), "U2")
    before = snapshot(store)
    for org in ("C2", "G2", "no-such-org"):
        with pytest.raises(Forbidden):
            post_unit_need(store, world.actor("U1"), permit_need(org), now=NOW)
    for who in ("M1", "sec1"):  # members and secretaries post no unit needs
        with pytest.raises(Forbidden):
            post_unit_need(store, world.actor(who), permit_need(), now=NOW)
    with pytest.raises(Invalid):
        post_unit_need(store, world.actor("U1"), permit_need(category="no.such"), now=NOW)
    assert snapshot(store) == before


def test_the_community_side_serves_a_units_need_and_both_reports_count_it(world: World) -> None:
    store = world.store
    secretary = {
        "id": "acc-sec1",
        "display_name": "东园书记",
        "role": "secretary",
        "scope_org_id": "C1",
        "password_hash": "-",
        "active": True,
    }
    store.run(node_stmt("create", "Account"), {"props": secretary})
    need = post_unit_need(store, world.actor("U1"), permit_need(people_wanted=1), now=NOW)
    assert (need["requester_id"], need["org_id"], need["status"]) == ("U1", "C1", "open")
    assert [e["action"] for e in list_audit(store, world.actor("admin"), entity_id=need["id"])] == [
        "need.unit_post"
    ]
    told = [n["title"] for n in inbox(store, world.actor("sec1"))]
    assert told == ["驻区单位“东园卫生服务中心”提出需求:协助办理施工许可"]

    # who sees it: the unit, the secretary of C1, the street's planner; not C2's secretary
    ids = lambda who: [n["id"] for n in list_unit_needs(store, world.actor(who))]  # noqa: E731
    assert ids("U1") == ids("sec1") == ids("planner") == ids("M1") == [need["id"]]
    assert ids("sec2") == [] and ids("U2") == []

    # the unit that asked may not serve it; a member of the community does
    with pytest.raises(Forbidden) as caught:
        claim_need(
            store,
            world.actor("U1"),
            ClaimRequest(need_id=need["id"], offering_id=world.offerings["U1"]),
            now=NOW,
        )
    assert caught.value.code == "own_need"
    made = claim_need(
        store,
        world.actor("sec1"),
        ClaimRequest(need_id=need["id"], offering_id=world.offerings["M1"], provider_id="M1"),
        now=NOW,
    )
    assert made["need_status"] == "claimed"

    report = org_report(store, world.actor("planner"), "S", *PERIOD)
    assert report["two_way_service"]["needs"] == 1 and report["two_way_service"]["units"] == 1
    assert report["two_way_service"]["by_status"]["claimed"] == 1
    assert org_report(store, world.actor("sec2"), "C2", *PERIOD)["two_way_service"]["needs"] == 0
    mine = unit_report(store, world.actor("U1"), "U1", *PERIOD)
    assert mine["asked"]["needs"] == 1 and mine["served"]["needs"] == 0
    assert unit_report(store, world.actor("sec1"), "U1", *PERIOD)["asked"] == mine["asked"]
    with pytest.raises(Forbidden):
        unit_report(store, world.actor("sec2"), "U1", *PERIOD)
    with pytest.raises(Forbidden):
        unit_report(store, world.actor("U2"), "U1", *PERIOD)
    with pytest.raises(Invalid):
        unit_report(store, world.actor("U1"), "U1", PERIOD[1], PERIOD[0])
