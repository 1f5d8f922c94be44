"""Dispatch runs 派单 and recommendations on the hand-built world: proposals respect capacities and
demands and explain themselves, the secretary accepts (a dispatch claim) or rejects, reruns
supersede, scope refusals write nothing, and a need claimed meanwhile is a clean Conflict."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import TypeVar

import pytest
from test_services_world import NOW, RULES, World, count, need_draft, snapshot, world_fixture  # noqa: F401

from engine.errors import Conflict, Forbidden, Invalid
from engine.matching.distributed import SerialExecutor
from engine.services import (
    ClaimRequest,
    NeedDraft,
    ProviderRating,
    claim_need,
    complete_project,
    post_need,
    rate_provider,
    start_project,
)
from engine.services.dispatch import (
    accept_proposal,
    get_run,
    list_proposals,
    list_runs,
    needs_for_me,
    plan_partition,
    providers_for_need,
    reject_proposal,
    start_run,
)
from engine.services.dispatch.reading import read_partition

T = TypeVar("T")
R = TypeVar("R")


def post(world: World, org: str, n: int, **overrides: object) -> list[str]:
    """Post ``n`` needs for ``org`` as its secretary; their ids."""
    sec = world.actor("sec1" if org in ("C1", "G1", "B1") else "sec2")
    return [
        post_need(world.store, sec, NeedDraft(**need_draft(org, **overrides)), now=NOW)["id"]
        for _ in range(n)
    ]


def test_run_proposes_within_capacities_and_demands_with_explanations(world: World) -> None:
    c1 = post(world, "C1", 7)  # U1 (registered with C1) has capacity 5 a month
    wide = post(world, "G1", 1, people_wanted=2, urgency="urgent")[0]
    c2 = post(world, "C2", 2)
    audits = count(world.store, "AuditEntry")
    run = start_run(world.store, world.actor("planner"), "S", now=NOW)
    assert count(world.store, "AuditEntry") == audits + 1
    assert run["status"] == "done" and run["street_id"] == "S" and run["needs_total"] == 10
    assert run["urgent_total"] == 1 and run["urgent_served"] == 1  # urgent first wins U1's slot
    proposals = list_proposals(world.store, world.actor("planner"), run_id=run["id"], limit=100)
    assert len(proposals) == run["pairs"] == 5 + 2
    assert sum(p["score"] for p in proposals) == pytest.approx(run["objective"])
    assert run["objective"] >= run["greedy_objective"]
    per_offering = Counter(p["offering_id"] for p in proposals)
    assert per_offering[world.offerings["U1"]] == 5 and per_offering[world.offerings["U2"]] == 2
    per_need = Counter(p["need_id"] for p in proposals)
    assert per_need[wide] == 1  # wants 2, only one provider reaches it
    assert all(per_need[n] == 1 for n in c2) and sum(per_need[n] for n in c1) == 4
    for p in proposals:
        assert p["status"] == "pending"
        assert sum(p["parts"].values()) == p["score"]  # quantised parts add up exactly
        assert "已到本社区双报到" in p["path_words"]
        assert p["provider_id"] == ("U1" if p["org_id"] in ("C1", "G1") else "U2")
    assert get_run(world.store, world.actor("planner"), run["id"])["pairs"] == 7
    with pytest.raises(Forbidden):
        get_run(world.store, world.actor("sec1"), run["id"])  # a street-wide run
    # a secretary sees only its community's proposals
    mine = list_proposals(world.store, world.actor("sec2"), run_id=run["id"])
    assert {p["org_id"] for p in mine} == {"C2"} and len(mine) == 2


def test_accept_reject_supersede_and_scope(world: World) -> None:
    store, sec1 = world.store, world.actor("sec1")
    needs = post(world, "C1", 3)
    before = snapshot(store)
    with pytest.raises(Forbidden):
        start_run(store, sec1, "C2", now=NOW)  # another community
    with pytest.raises(Forbidden):
        start_run(store, world.actor("U1"), "C1", now=NOW)
    with pytest.raises(Invalid):
        start_run(store, world.actor("admin"), "S", "stable", max_share=0.5, now=NOW)
    assert snapshot(store) == before and count(store, "DispatchRun") == 0

    first = start_run(store, sec1, now=NOW)  # default scope: its community
    assert first["scope_org_id"] == "C1" and first["pairs"] == 3
    props = {p["need_id"]: p for p in list_proposals(store, sec1, run_id=first["id"])}
    after_run = snapshot(store)
    with pytest.raises(Forbidden):
        accept_proposal(store, world.actor("sec2"), props[needs[0]]["id"], now=NOW)
    with pytest.raises(Forbidden):
        accept_proposal(store, world.actor("planner"), props[needs[0]]["id"], now=NOW)
    assert snapshot(store) == after_run

    accepted = accept_proposal(store, sec1, props[needs[0]]["id"], "可以安排", now=NOW)
    assert accepted["status"] == "accepted" and accepted["claim_id"] == accepted["claim"]["id"]
    assert accepted["claim"]["via"] == "dispatch" and accepted["claim"]["project_id"]
    assert accepted["need_status"] == "claimed"
    rejected = reject_proposal(store, sec1, props[needs[1]]["id"], "该单位本周已有安排", now=NOW)
    assert rejected["status"] == "rejected" and rejected["reason"] == "该单位本周已有安排"
    with pytest.raises(Conflict):
        reject_proposal(store, sec1, props[needs[0]]["id"], now=NOW)

    # the provider claims the third need itself meanwhile; accepting is then a clean Conflict
    claim_need(
        store,
        world.actor("U1"),
        ClaimRequest(need_id=needs[2], offering_id=world.offerings["U1"]),
        now=NOW,
    )
    claims = count(store, "Claim")
    with pytest.raises(Conflict):
        accept_proposal(store, sec1, props[needs[2]]["id"], now=NOW)
    assert count(store, "Claim") == claims
    stale = list_proposals(store, sec1, need_id=needs[2])[0]
    assert stale["status"] == "superseded" and stale.get("claim_id") is None

    # a rerun covers the open needs again (only the rejected one is open) and supersedes nothing else
    second = start_run(store, world.actor("planner"), "S", now=NOW)
    assert second["needs_total"] == 1
    again = list_proposals(store, sec1, need_id=needs[1])
    assert {p["status"] for p in again} == {"rejected", "pending"}
    third = start_run(store, sec1, "C1", now=NOW)
    statuses = {p["run_id"]: p["status"] for p in list_proposals(store, sec1, need_id=needs[1])}
    assert statuses[second["id"]] == "superseded" and statuses[third["id"]] == "pending"
    assert {r["id"] for r in list_runs(store, sec1)} == {first["id"], third["id"]}
    assert {r["id"] for r in list_runs(store, world.actor("planner"))} == {
        first["id"],
        second["id"],
        third["id"],
    }


def test_recommendations_and_partition_read(world: World) -> None:
    store, sec1 = world.store, world.actor("sec1")
    done = post(world, "C1", 1)[0]  # an earlier project of U1 in C1, rated good by the community
    made = claim_need(
        store, world.actor("U1"), ClaimRequest(need_id=done, offering_id=world.offerings["U1"]), now=NOW
    )
    start_project(store, sec1, made["project_id"], now=NOW)
    complete_project(store, sec1, made["project_id"], "已完成", now=NOW)
    rate_provider(
        store, sec1, made["project_id"], ProviderRating(provider_id="U1", rating=5), now=NOW, settings=RULES
    )
    need = post(world, "C1", 1)[0]
    other = post(world, "C2", 1)[0]
    part = read_partition(store, "S", NOW)
    assert {n.id for n in part.needs} == {need, other}
    assert {o.id: o.capacity for o in part.offerings}[world.offerings["U1"]] == 4  # one claim this month
    assert part.ties.good_projects == {("U1", "C1"): 1}
    assert part.ties.registrations["U1"] == frozenset({"C1"})
    # the one-partition entry point and a run (scored once, then cut per street) agree
    plan = plan_partition(part)
    run = start_run(store, world.actor("planner"), "S", now=NOW)
    assert plan.assignment.objective == run["objective"] and len(plan.assignment.pairs) == run["pairs"] > 0
    proposed = list_proposals(store, world.actor("planner"), run_id=run["id"], limit=100)
    assert {(p["need_id"], p["offering_id"]) for p in proposed} == {
        (c.need_id, c.offering_id) for c in (plan.problem.candidate(x.arc) for x in plan.assignment.pairs)
    }
    best = providers_for_need(store, world.actor("sec1"), need, now=NOW)
    assert best and best[0]["provider_id"] == "U1" and best[0]["reasons"]
    assert best[0]["parts"]["history"] > 0 and "好评项目" in best[0]["path_words"]
    assert sum(best[0]["parts"].values()) == best[0]["score"]
    with pytest.raises(Forbidden):
        providers_for_need(store, world.actor("sec2"), need, now=NOW)
    with pytest.raises(Forbidden):
        needs_for_me(store, world.actor("planner"), now=NOW)
    assert needs_for_me(store, world.actor("U1"), now=NOW) == []  # U1 has no place in the territory


class BrokenExecutor(SerialExecutor):
    """An executor whose workers fail (a lost cluster, say), to see what a failed run leaves."""

    name = "broken"

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        raise RuntimeError("worker lost")


def test_a_failed_solve_leaves_the_run_failed_and_no_proposals(world: World) -> None:
    store, sec1 = world.store, world.actor("sec1")
    needs = post(world, "C1", 2)
    first = start_run(store, sec1, now=NOW)
    with pytest.raises(RuntimeError, match="worker lost"):
        start_run(store, sec1, now=NOW, executor=BrokenExecutor())
    runs = {r["id"]: r for r in list_runs(store, sec1)}
    failed = next(r for r in runs.values() if r["id"] != first["id"])
    assert failed["status"] == "failed" and failed.get("pairs") is None and failed["finished_at"]
    assert runs[first["id"]]["status"] == "done"
    # the earlier proposals were superseded by the run that failed, and it proposed nothing
    props = list_proposals(store, sec1, need_id=needs[0])
    assert {(p["run_id"], p["status"]) for p in props} == {(first["id"], "superseded")}
    rerun = start_run(store, sec1, now=NOW)
    assert rerun["status"] == "done" and rerun["pairs"] == first["pairs"]
