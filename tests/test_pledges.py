"""Pledges 公开承诺 ("1+3", issue 12, point 6): a member or unit pledges to one of its orgs, records
progress (never backwards; 100% completes it), the org's secretary reviews it, and only reviewed
pledges appear on the org's public results page, with members' names masked. Refusals write nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_services_world import (
    NOW,
    World,
    need_draft,
    snapshot,
    world_fixture,  # noqa: F401  (the fixture "world")
)

from engine.errors import Conflict, Forbidden, Invalid
from engine.exporting import export_graph
from engine.importing import import_files
from engine.services import NeedDraft, list_audit
from engine.services.clock import shift
from engine.services.pledges import (
    PledgeDraft,
    PledgeEdit,
    PledgeProgressEntry,
    PledgeReview,
    edit_pledge,
    get_pledge,
    list_pledges,
    make_pledge,
    pledge_orgs,
    record_progress,
    review_pledge,
    withdraw_pledge,
)
from engine.services.public_results import public_results
from engine.services.unit_needs import post_unit_need
from engine.store import apply_schema
from engine.store.base import GraphStore
from engine.store.queries.nodes import node_stmt, rel_stmt


def pledge(world: World, who: str = "M1", **extra: object) -> dict:
    body = {
        "title": "每月为独居老人送餐两次",
        "content": "联系东园3位独居老人",
        "target": "全年24次",
        "due_on": "2026-12-31",
        **extra,
    }
    return make_pledge(world.store, world.actor(who), PledgeDraft(**body), now=NOW)


def pledge_nodes(store: GraphStore) -> int:
    row = store.one(node_stmt("count", "Pledge"))
    return int(row["count"]) if row else 0


def test_a_member_pledges_to_its_own_org_and_the_public_sees_it_only_once_reviewed(world: World) -> None:
    store = world.store
    assert [o["id"] for o in pledge_orgs(store, world.actor("M1"))] == ["G1"]
    assert [o["id"] for o in pledge_orgs(store, world.actor("U1"))] == ["C1"]
    made = pledge(world)
    assert (made["org_id"], made["status"], made["review"], made["percent"]) == ("G1", "active", "pending", 0)
    assert [e["action"] for e in list_audit(store, world.actor("admin"), entity_id=made["id"])] == [
        "pledge.create"
    ]
    unit = pledge(world, "U1", title="开放职工食堂为老人助餐")

    def shown(org: str) -> list[dict]:
        return public_results(store, org, "2026-03")["pledges"]

    assert shown("C1") == []  # not reviewed yet
    with pytest.raises(Forbidden):
        review_pledge(store, world.actor("sec2"), made["id"], PledgeReview(approve=True), now=NOW)
    with pytest.raises(Invalid):  # returning needs a note
        review_pledge(store, world.actor("sec1"), unit["id"], PledgeReview(approve=False), now=NOW)
    review_pledge(
        store, world.actor("sec1"), made["id"], PledgeReview(approve=True, note="同意公示"), now=NOW
    )
    back = review_pledge(
        store, world.actor("sec1"), unit["id"], PledgeReview(approve=False, note="请写明次数"), now=NOW
    )
    assert back["review"] == "returned" and back["review_note"] == "请写明次数"

    record_progress(
        store,
        world.actor("M1"),
        made["id"],
        PledgeProgressEntry(percent=25, note="已送餐6次"),
        now=shift(NOW, 1),
    )
    on_page = shown("C1")  # C1 leads G1: the community's page shows its grid's pledges
    assert [(p["title"], p["percent"], p["provider_kind"]) for p in on_page] == [
        ("每月为独居老人送餐两次", 25, "Member")
    ]
    assert (
        on_page[0]["provider_name"] == "张*"
        and "张明" not in repr(on_page)
        and "13800001111" not in repr(on_page)
    )
    assert [s["note"] for s in on_page[0]["progress"]] == ["已送餐6次"]
    assert shown("C2") == [] and [p["id"] for p in shown("S")] == [made["id"]]

    # the secretary sees both, unmasked for her; each provider only its own
    assert {p["id"] for p in list_pledges(store, world.actor("sec1"))} == {made["id"], unit["id"]}
    assert [p["id"] for p in list_pledges(store, world.actor("sec1"), review="returned")] == [unit["id"]]
    assert [p["id"] for p in list_pledges(store, world.actor("U1"))] == [unit["id"]]
    assert list_pledges(store, world.actor("sec2")) == []
    with pytest.raises(Forbidden):
        get_pledge(store, world.actor("M2"), made["id"])

    withdraw_pledge(store, world.actor("M1"), made["id"], now=shift(NOW, 2))
    assert shown("C1") == []


def test_refusals_write_nothing(world: World) -> None:
    store = world.store
    made = pledge(world)
    before = snapshot(store), pledge_nodes(store)
    with pytest.raises(Forbidden):
        pledge(world, "M1", org_id="C2")  # not one of its orgs
    with pytest.raises(Forbidden):
        make_pledge(store, world.actor("sec1"), PledgeDraft(title="书记承诺"), now=NOW)
    with pytest.raises(Invalid):
        pledge(world, "M1", due_on="2026-01-01")  # before today
    with pytest.raises(Forbidden):
        record_progress(
            store, world.actor("U1"), made["id"], PledgeProgressEntry(percent=10, note="代记"), now=NOW
        )
    record_progress(
        store, world.actor("M1"), made["id"], PledgeProgressEntry(percent=50, note="过半"), now=NOW
    )
    before = snapshot(store), pledge_nodes(store)
    with pytest.raises(Conflict) as caught:
        record_progress(
            store, world.actor("M1"), made["id"], PledgeProgressEntry(percent=40, note="回退"), now=NOW
        )
    assert caught.value.code == "progress_back"
    assert (snapshot(store), pledge_nodes(store)) == before


def test_an_edited_pledge_goes_back_to_review_and_off_the_public_page(world: World) -> None:
    store = world.store
    reviewer = {"id": "sec1", "display_name": "东园社区书记", "role": "secretary", "scope_org_id": "C1",
                "active": True, "created_at": NOW}  # fmt: skip
    store.run(node_stmt("create", "Account"), {"props": reviewer})  # to be told (G1's community)
    made = pledge(world)
    review_pledge(store, world.actor("sec1"), made["id"], PledgeReview(approve=True), now=NOW)
    assert [p["id"] for p in public_results(store, "C1", "2026-03")["pledges"]] == [made["id"]]

    later = shift(NOW, 1)
    edited = edit_pledge(
        store, world.actor("M1"), made["id"], PledgeEdit(target="全年30次", content=None), now=later
    )
    assert (edited["target"], edited.get("content"), edited["title"]) == ("全年30次", None, made["title"])
    assert (edited["review"], edited.get("review_note")) == ("pending", None)
    assert public_results(store, "C1", "2026-03")["pledges"] == []  # what the public read was reviewed
    entry = list_audit(store, world.actor("admin"), entity_id=made["id"], action="pledge.edit")[0]
    before, after = entry["before"], entry["after"]
    assert (before["target"], before["review"]) == ("全年24次", "approved")
    assert (after["target"], after["review"], after["updated_at"]) == ("全年30次", "pending", later)
    told = [n["node"] for n in store.run(node_stmt("list", "Notification"), {"skip": 0, "limit": 1000})]
    assert sorted((n["account_id"], n["title"]) for n in told) == [
        ("sec1", "公开承诺已修改,待重新审核:" + made["title"]),
        ("sec1", "新的公开承诺待审核:" + made["title"]),
    ]

    review_pledge(store, world.actor("sec1"), made["id"], PledgeReview(approve=True), now=later)
    assert [p["target"] for p in public_results(store, "C1", "2026-03")["pledges"]] == ["全年30次"]


def test_edit_refusals_write_nothing(world: World) -> None:
    store = world.store
    made = pledge(world)
    other = pledge(world, "U1", title="开放职工食堂为老人助餐")
    withdraw_pledge(store, world.actor("U1"), other["id"], now=NOW)
    before = snapshot(store), pledge_nodes(store)
    refusals: list[tuple[str, PledgeEdit, type[Exception]]] = [
        ("M2", PledgeEdit(target="代改"), Forbidden),  # not its pledge
        ("sec1", PledgeEdit(target="书记代改"), Forbidden),
        ("M1", PledgeEdit(), Invalid),  # nothing to change
        ("M1", PledgeEdit(due_on="2026-01-01"), Invalid),  # before today
    ]
    for who, change, error in refusals:
        with pytest.raises(error):
            edit_pledge(store, world.actor(who), made["id"], change, now=NOW)
    with pytest.raises(Conflict) as caught:
        edit_pledge(store, world.actor("U1"), other["id"], PledgeEdit(target="x"), now=NOW)  # withdrawn
    assert caught.value.code == "illegal_transition"
    assert (snapshot(store), pledge_nodes(store)) == before


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=6))
def test_progress_is_a_ledger_that_never_goes_back(world: World, steps: list[int]) -> None:
    store, member = world.store, world.actor("M2")
    made = pledge(world, "M2")
    accepted: list[int] = []
    for i, percent in enumerate(steps):
        entry = PledgeProgressEntry(percent=percent, note=f"第{i + 1}次")
        try:
            record_progress(store, member, made["id"], entry, now=shift(NOW, i + 1))
            accepted.append(percent)
        except Conflict:
            assert percent < max(accepted, default=0) or max(accepted, default=0) >= 100
    got = get_pledge(store, member, made["id"])
    assert [e["percent"] for e in got["progress"]] == accepted == sorted(accepted)
    assert got["percent"] == max(accepted, default=0)
    assert got["status"] == ("completed" if accepted and accepted[-1] >= 100 else "active")


def test_csv_export_round_trips_pledges_progress_and_unit_needs(world: World, tmp_path: Path) -> None:
    store = world.store
    for rel, start, end in (("COVERS", "C1", "A1"), ("LOCATED_IN", "U1", "A1")):  # U1 sits in C1's scope
        labels = ("Org", "Area") if rel == "COVERS" else ("Unit", "Area")
        store.run(
            rel_stmt("bulk_create", rel, *labels), {"rows": [{"start": start, "end": end, "props": {}}]}
        )
    made = pledge(world)
    record_progress(
        store, world.actor("M1"), made["id"], PledgeProgressEntry(percent=40, note="已送餐"), now=NOW
    )
    pledge(world, "U1", title="开放职工食堂")
    asked = NeedDraft(
        **need_draft("C1", title="协助招聘保洁员", category="employment.job_fair", skills=["人力资源"])
    )
    need = post_unit_need(store, world.actor("U1"), asked, now=NOW)

    def mine(doc: dict[str, Any]) -> tuple[list[Any], list[Any]]:
        labels, types = {"Pledge", "PledgeProgress"}, {"PLEDGES", "PLEDGED_TO", "PROGRESS_OF", "REQUESTED_BY"}
        nodes = [n for n in doc["nodes"] if n["label"] in labels or n["id"] == need["id"]]
        rels = [r for r in doc["relationships"] if r["type"] in types]
        return sorted(nodes, key=lambda n: (n["label"], n["id"])), sorted(rels, key=json.dumps)

    files = export_graph(store, tmp_path / "csv", "csv").files
    assert {"pledges.csv", "pledge_progress.csv"} <= {f.name for f in files}
    before = mine(json.loads(export_graph(store, tmp_path / "a.json", "json").files[0].read_text("utf-8")))
    scoped = json.loads(
        export_graph(store, tmp_path / "c.json", "json", scope_org_id="C1").files[0].read_text("utf-8")
    )
    assert mine(scoped) == before  # the community's scope holds its members' and units' pledges
    assert len(before[0]) == 4 and len(before[1]) == 6  # 2 pledges, 1 entry, 1 need; 2+2+1+1 links
    store.drop_all()
    apply_schema(store)
    import_files(store, files)
    after = mine(json.loads(export_graph(store, tmp_path / "b.json", "json").files[0].read_text("utf-8")))
    assert after == before
