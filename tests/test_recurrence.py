"""Recurring needs 常态化共建项目 (issue 12, point 3) through the services, on both backends: the rule's
checks, occurrences materialised up to the horizon and extended idempotently by the worker's job,
commitments to a series or to one occurrence (one winner under concurrency), hours and points per
occurrence, the end of a series and its cancellation (past occurrences untouched), and hypothesis
properties of those invariants over random rules and operations."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from conftest import make_store
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_services_world import (
    NOW,
    RULES,
    World,
    count,
    offering_draft,
    world_fixture,  # noqa: F401  (the fixture "world")
)

from engine.actors import SYSTEM
from engine.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from engine.exporting import export_graph
from engine.importing import import_files
from engine.services import (
    ClaimRequest,
    HoursEntry,
    claim_need,
    confirm_hours,
    log_hours,
    register_offering,
    start_project,
)
from engine.services.clock import shift
from engine.services.points import balance
from engine.services.recurrence import (
    CommitmentRequest,
    SeriesDraft,
    cancel_series,
    commit_series,
    create_series,
    extend_series,
    get_series,
    list_series,
    withdraw_commitment,
)
from engine.services.recurrence_rule import due, expand
from engine.store import apply_schema
from engine.store.base import GraphStore
from engine.store.embedded import EmbeddedFalkorDB
from engine.store.queries.nodes import node_stmt

WEDNESDAYS = "FREQ=WEEKLY;BYDAY=WE;COUNT=20"
FIRST = "2026-03-04T08:30:00Z"  # Wednesday 16:30 in Beijing, two days after NOW


def draft(**overrides: Any) -> SeriesDraft:
    base: dict[str, Any] = {
        "org_id": "C1",
        "area_id": "A1",
        "title": "周三助餐送餐",
        "description": "每周三下午为独居老人送餐",
        "category": "elderly.meals",
        "people_wanted": 1,
        "hours_wanted": 1.5,
        "urgency": "normal",
        "beneficiaries": ["elderly_alone"],
        "beneficiary_count": 20,
        "rule": WEDNESDAYS,
        "dtstart": FIRST,
        "duration_minutes": 90,
    }
    return SeriesDraft(**{**base, **overrides})


def starts(series: dict[str, Any]) -> list[str]:
    return [o["window_start"] for o in series["occurrences"]]


def servers(series: dict[str, Any]) -> dict[str, list[str]]:
    return {o["id"]: sorted(s["provider_id"] for s in o["servers"]) for o in series["occurrences"]}


def accounts(store: GraphStore, *subjects: tuple[str, str]) -> None:
    """Sign-in accounts for providers (notifications go to accounts)."""
    rows = [
        {
            "id": f"acc-{sid}",
            "display_name": sid,
            "role": role,
            "subject_id": sid,
            "password_hash": "x",
            "active": True,
        }
        for sid, role in subjects
    ]
    store.run(node_stmt("bulk_create", "Account"), {"rows": rows})


def test_creating_a_series_materialises_its_occurrences_up_to_the_horizon(world: World) -> None:
    store, sec = world.store, world.actor("sec1")
    made = create_series(store, sec, draft(), now=NOW)
    expected = expand(WEDNESDAYS, FIRST)
    assert len(expected) == 20 and expected[1] == "2026-03-11T08:30:00Z"
    assert starts(made) == expected[: due(expected, NOW)] and 0 < len(made["occurrences"]) < 20
    assert made["occurrences_generated"] == len(made["occurrences"]) and made["generated_all"] is False
    first = made["occurrences"][0]
    assert first["window_end"] == "2026-03-04T10:00:00Z" and first["status"] == "open"
    assert first["title"] == "周三助餐送餐(3月4日)" and made["rule_zh"] == "每周 · 共 20 次"
    assert made["area_name"] == "东园小区" and made["org_id"] == "C1"
    assert count(store, "Need") == len(made["occurrences"])
    # occurrences are ordinary needs of the community: its secretary's list shows them
    assert [s["id"] for s in list_series(store, sec)] == [made["id"]]
    assert list_series(store, world.actor("sec2")) == []
    assert [s["id"] for s in list_series(store, world.actor("U2"))] == [made["id"]]  # providers browse


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ("FREQ=WEEKLY;BYDAY=WE", "COUNT 或截止日期 UNTIL"),
        ("FREQ=DAILY;COUNT=500", "COUNT 须在 1 到 200"),
        ("FREQ=DAILY;UNTIL=20270601", "场次过多"),
        ("FREQ=WEEKLY;UNTIL=20300101", "最长两年"),
        ("FREQ=HOURLY;COUNT=3", "频率 FREQ"),
        ("FREQ=WEEKLY;BYDAY=XX;COUNT=3", "BYDAY"),
        ("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2", "不存在"),
        ("每周三", "键=值"),
        ("FREQ=WEEKLY;COUNT=3\nRRULE:FREQ=DAILY", "一条 RRULE"),
    ],
)
def test_a_bad_rule_is_refused_in_chinese_and_writes_nothing(world: World, rule: str, fragment: str) -> None:
    store = world.store
    before = count(store, "AuditEntry")
    with pytest.raises(Invalid) as caught:
        create_series(store, world.actor("sec1"), draft(rule=rule), now=NOW)
    assert fragment in str(caught.value)
    assert count(store, "Series") == 0 and count(store, "Need") == 0 and count(store, "AuditEntry") == before


def test_who_may_create_and_a_first_start_in_the_past(world: World) -> None:
    store = world.store
    with pytest.raises(Forbidden):
        create_series(store, world.actor("sec2"), draft(), now=NOW)
    with pytest.raises(Forbidden):
        create_series(store, world.actor("U1"), draft(), now=NOW)
    with pytest.raises(Invalid, match="晚于现在"):
        create_series(store, world.actor("sec1"), draft(dtstart="2026-03-01T08:30:00Z"), now=NOW)
    assert count(store, "Series") == 0


def test_commit_to_the_series_or_to_one_occurrence(world: World) -> None:
    store, sec = world.store, world.actor("sec1")
    made = create_series(store, sec, draft(), now=NOW)
    occ = [o["id"] for o in made["occurrences"]]
    # a unit takes the second occurrence alone, with an ordinary claim
    claim = claim_need(
        store, world.actor("U1"), ClaimRequest(need_id=occ[1], offering_id=world.offerings["U1"]), now=NOW
    )
    assert claim["project_id"] and claim["need_status"] == "claimed"
    # a member commits to the whole series: every other open future occurrence is claimed for it
    commitment = commit_series(
        store, world.actor("M1"), made["id"], CommitmentRequest(offering_id=world.offerings["M1"]), now=NOW
    )
    assert commitment["claims_made"] == len(occ) - 1
    seen = get_series(store, sec, made["id"])
    assert servers(seen) == {o: (["U1"] if o == occ[1] else ["M1"]) for o in occ}
    assert all(o["status"] == "claimed" and o["project_id"] for o in seen["occurrences"])
    assert [(c["provider_id"], c["status"]) for c in seen["commitments"]] == [("M1", "active")]
    via = {s["via"] for o in seen["occurrences"] for s in o["servers"] if s["provider_id"] == "M1"}
    assert via == {"series"}
    # the series wants one provider: another commitment is refused, so is the same one twice
    with pytest.raises(Conflict) as full:
        commit_series(
            store,
            world.actor("U2"),
            made["id"],
            CommitmentRequest(offering_id=world.offerings["U2"]),
            now=NOW,
        )
    assert full.value.code == "series_full"
    with pytest.raises(Conflict) as twice:
        commit_series(
            store,
            world.actor("M1"),
            made["id"],
            CommitmentRequest(offering_id=world.offerings["M1"]),
            now=NOW,
        )
    assert twice.value.code in ("duplicate_commitment", "series_full")
    # an offering that does not fit the need is refused, as for a claim
    misfit = register_offering(
        store, world.actor("M2"), offering_draft(category="children", skills=[]), now=NOW
    )
    with pytest.raises(Conflict) as unfit:
        commit_series(
            store, world.actor("M2"), made["id"], CommitmentRequest(offering_id=misfit["id"]), now=NOW
        )
    assert unfit.value.code == "misfit"
    # only providers commit, with their own offering
    with pytest.raises(Forbidden):
        commit_series(store, sec, made["id"], CommitmentRequest(offering_id=world.offerings["M1"]), now=NOW)
    with pytest.raises(Forbidden):
        commit_series(
            store,
            world.actor("M2"),
            made["id"],
            CommitmentRequest(offering_id=world.offerings["M1"]),
            now=NOW,
        )
    assert count(store, "Commitment") == 1


def test_concurrent_commitments_to_a_series_wanting_one_let_exactly_one_win(world: World) -> None:
    store = world.store
    made = create_series(store, world.actor("sec1"), draft(rule="FREQ=WEEKLY;BYDAY=WE;COUNT=4"), now=NOW)
    providers = ["U1", "U2", "M1", "M2", "M3"] * 2

    def attempt(p: str) -> str:
        try:
            commit_series(
                store, world.actor(p), made["id"], CommitmentRequest(offering_id=world.offerings[p]), now=NOW
            )
            return "won"
        except Conflict:
            return "lost"

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(attempt, providers))
    assert results.count("won") == 1
    seen = get_series(store, world.actor("sec1"), made["id"])
    assert len([c for c in seen["commitments"] if c["status"] == "active"]) == 1
    winner = seen["commitments"][0]["provider_id"]
    assert all(servers(seen)[o["id"]] == [winner] for o in seen["occurrences"])


def test_single_claims_racing_a_series_commitment_never_overfill_an_occurrence(world: World) -> None:
    store = world.store
    made = create_series(store, world.actor("sec1"), draft(rule="FREQ=WEEKLY;BYDAY=WE;COUNT=4"), now=NOW)
    occ = [o["id"] for o in made["occurrences"]]

    def commit() -> None:
        req = CommitmentRequest(offering_id=world.offerings["U1"])
        commit_series(store, world.actor("U1"), made["id"], req, now=NOW)

    def claim(provider: str, need_id: str) -> None:
        try:
            req = ClaimRequest(need_id=need_id, offering_id=world.offerings[provider])
            claim_need(store, world.actor(provider), req, now=NOW)
        except Conflict:
            pass

    jobs = [(commit, ())] + [(claim, (p, o)) for o in occ for p in ("U2", "M1", "M2")]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for done in [pool.submit(f, *a) for f, a in jobs]:
            done.result()
    seen = get_series(store, world.actor("sec1"), made["id"])
    assert all(len(o["servers"]) == 1 and o["status"] == "claimed" for o in seen["occurrences"])
    assert all(len(o["project_id"] or "") > 0 for o in seen["occurrences"])


def test_hours_and_points_are_per_occurrence(world: World) -> None:
    store, sec, m1 = world.store, world.actor("sec1"), world.actor("M1")
    made = create_series(store, sec, draft(rule="FREQ=WEEKLY;BYDAY=WE;COUNT=3"), now=NOW)
    commit_series(store, m1, made["id"], CommitmentRequest(offering_id=world.offerings["M1"]), now=NOW)
    seen = get_series(store, sec, made["id"])
    first, second = seen["occurrences"][0], seen["occurrences"][1]
    at = shift(first["window_start"], 0.1)
    start_project(store, m1, first["project_id"], now=at)
    log_hours(store, m1, first["project_id"], HoursEntry(hours=1.5), now=shift(at, 1.5), settings=RULES)
    confirm_hours(store, sec, first["project_id"], now=shift(at, 2), settings=RULES)
    after = get_series(store, sec, made["id"])
    hours = {o["id"]: o["hours_total"] for o in after["occurrences"]}
    assert hours == {first["id"]: 1.5, second["id"]: 0.0, after["occurrences"][2]["id"]: 0.0}
    assert balance(store, m1, "M1")["balance"] == 15  # 1.5 h at 10 points an hour, once


def test_the_horizon_job_extends_idempotently_and_applies_commitments(world: World) -> None:
    store, sec = world.store, world.actor("sec1")
    rule = "FREQ=WEEKLY;BYDAY=WE;UNTIL=20261231"
    made = create_series(store, sec, draft(rule=rule), now=NOW)
    commit_series(
        store, world.actor("U1"), made["id"], CommitmentRequest(offering_id=world.offerings["U1"]), now=NOW
    )
    expected = expand(rule, FIRST)
    later = "2026-05-20T00:00:00Z"
    counts = extend_series(store, now=later)
    assert counts["occurrences"] == due(expected, later) - len(made["occurrences"]) > 0
    seen = get_series(store, sec, made["id"])
    assert starts(seen) == expected[: due(expected, later)]
    future = [o for o in seen["occurrences"] if o["window_start"] > later]
    assert future and all(servers(seen)[o["id"]] == ["U1"] for o in future)  # the commitment applied
    audits, needs = count(store, "AuditEntry"), count(store, "Need")
    again = extend_series(store, now=later)
    assert again["occurrences"] == 0 and again["claims"] == 0
    assert (count(store, "AuditEntry"), count(store, "Need")) == (audits, needs)


def test_a_series_ends_after_its_last_occurrence(world: World) -> None:
    store, sec = world.store, world.actor("sec1")
    made = create_series(store, sec, draft(rule="FREQ=WEEKLY;BYDAY=WE;COUNT=2"), now=NOW)
    commit_series(
        store, world.actor("M1"), made["id"], CommitmentRequest(offering_id=world.offerings["M1"]), now=NOW
    )
    assert made["generated_all"] is True
    assert extend_series(store, now="2026-03-11T09:00:00Z")["ended"] == 0  # the last one is under way
    assert extend_series(store, now="2026-03-12T00:00:00Z")["ended"] == 1
    seen = get_series(store, sec, made["id"])
    assert seen["status"] == "ended" and [c["status"] for c in seen["commitments"]] == ["ended"]
    assert extend_series(store, now="2026-03-13T00:00:00Z")["ended"] == 0
    with pytest.raises(Conflict):
        commit_series(
            store,
            world.actor("U1"),
            made["id"],
            CommitmentRequest(offering_id=world.offerings["U1"]),
            now=NOW,
        )


def test_cancelling_a_series_keeps_the_past_and_tells_committed_providers(world: World) -> None:
    store, sec = world.store, world.actor("sec1")
    accounts(store, ("M1", "member"), ("U1", "unit"), ("U2", "unit"))
    made = create_series(store, sec, draft(rule="FREQ=WEEKLY;BYDAY=WE;COUNT=6", people_wanted=2), now=NOW)
    occ = [o["id"] for o in made["occurrences"]]
    commit_series(
        store, world.actor("M1"), made["id"], CommitmentRequest(offering_id=world.offerings["M1"]), now=NOW
    )
    claim_need(
        store, world.actor("U1"), ClaimRequest(need_id=occ[4], offering_id=world.offerings["U1"]), now=NOW
    )
    claim_need(
        store, world.actor("U2"), ClaimRequest(need_id=occ[0], offering_id=world.offerings["U2"]), now=NOW
    )
    first = get_series(store, sec, made["id"])["occurrences"][0]
    start_project(store, world.actor("M1"), first["project_id"], now=shift(first["window_start"], 0.1))
    at = "2026-03-15T00:00:00Z"  # after the first two Wednesdays
    before = get_series(store, sec, made["id"])["occurrences"]
    with pytest.raises(Forbidden):
        cancel_series(store, world.actor("sec2"), made["id"], "场地维修", now=at)
    with pytest.raises(Invalid):
        cancel_series(store, sec, made["id"], "  ", now=at)
    done = cancel_series(store, sec, made["id"], "场地维修,暂停三个月", now=at)
    assert done["status"] == "cancelled" and done["cancelled_occurrences"] == 4
    assert done["status_reason"] == "场地维修,暂停三个月"
    after = {o["id"]: o for o in done["occurrences"]}
    for o in before:
        if o["window_start"] <= at:
            assert after[o["id"]] == o  # past occurrences untouched, their servers kept
        else:
            assert after[o["id"]]["status"] == "cancelled" and after[o["id"]]["servers"] == []
    assert [c["status"] for c in done["commitments"]] == ["ended"]
    told = store.run(node_stmt("list", "Notification"), {"skip": 0, "limit": 100})
    cancelled = sorted(r["node"]["account_id"] for r in told if r["node"]["kind"] == "series_cancelled")
    assert cancelled == ["acc-M1", "acc-U1"]  # serving a cancelled one or committed; U2 served the past
    with pytest.raises(Conflict):
        cancel_series(store, sec, made["id"], "再次取消", now=at)
    assert extend_series(store, now="2026-06-30T00:00:00Z")["occurrences"] == 0  # nothing after a cancel


def test_a_provider_withdraws_its_commitment_and_the_future_occurrences_reopen(world: World) -> None:
    store, sec = world.store, world.actor("sec1")
    accounts(store, ("M1", "member"), ("U2", "unit"))
    store.run(
        node_stmt("bulk_create", "Account"),
        {
            "rows": [
                {
                    "id": "acc-sec1",
                    "display_name": "书记",
                    "role": "secretary",
                    "scope_org_id": "C1",
                    "password_hash": "x",
                    "active": True,
                }
            ]
        },
    )
    made = create_series(store, sec, draft(rule="FREQ=WEEKLY;BYDAY=WE;COUNT=5"), now=NOW)
    occ = [o["id"] for o in made["occurrences"]]
    m1 = world.actor("M1")
    commitment = commit_series(
        store, m1, made["id"], CommitmentRequest(offering_id=world.offerings["M1"]), now=NOW
    )
    first = get_series(store, sec, made["id"])["occurrences"][0]
    start_project(store, m1, first["project_id"], now=shift(first["window_start"], 0.1))
    at = "2026-03-05T00:00:00Z"  # after the first Wednesday
    with pytest.raises(Forbidden):  # another provider, another community's secretary
        withdraw_commitment(store, world.actor("U2"), made["id"], commitment["id"], "不便", now=at)
    with pytest.raises(Forbidden):
        withdraw_commitment(store, world.actor("sec2"), made["id"], commitment["id"], "不便", now=at)
    with pytest.raises(Invalid):
        withdraw_commitment(store, m1, made["id"], commitment["id"], "   ", now=at)
    with pytest.raises(NotFound):
        withdraw_commitment(store, m1, made["id"], "no-such-commitment", "不便", now=at)
    done = withdraw_commitment(store, m1, made["id"], commitment["id"], "工作调动,无法继续", now=at)
    later = [o for o in done["occurrences"] if o["window_start"] > at]
    assert done["withdrawn_claims"] == len(later) == len(occ) - 1
    assert all(o["status"] == "open" and o["servers"] == [] and not o.get("project_id") for o in later)
    kept = done["occurrences"][0]  # started before the withdrawal: M1 still serves it
    assert kept["status"] == "in_progress" and [s["provider_id"] for s in kept["servers"]] == ["M1"]
    assert [(c["status"], c["provider_id"]) for c in done["commitments"]] == [("withdrawn", "M1")]
    told = store.run(node_stmt("list", "Notification"), {"skip": 0, "limit": 100})
    assert [r["node"]["account_id"] for r in told if r["node"]["kind"] == "series_withdrawn"] == ["acc-sec1"]
    with pytest.raises(Conflict):
        withdraw_commitment(store, m1, made["id"], commitment["id"], "再次撤回", now=at)
    # the place is free again: another provider commits and takes every future occurrence
    again = commit_series(
        store, world.actor("U2"), made["id"], CommitmentRequest(offering_id=world.offerings["U2"]), now=at
    )
    assert again["claims_made"] == len(later)


# ---- properties -------------------------------------------------------------------------------

RULE = st.builds(
    lambda freq, interval, bound, n, days: ";".join(
        [f"FREQ={freq}", f"INTERVAL={interval}"]
        + ([f"BYDAY={','.join(days)}"] if freq == "WEEKLY" and days else [])
        + ([f"COUNT={n}"] if bound == "count" else [f"UNTIL=2026{3 + n % 9:02d}28"])
    ),
    st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]),
    st.integers(1, 3),
    st.sampled_from(["count", "until"]),
    st.integers(1, 12),
    st.lists(st.sampled_from(["MO", "WE", "FR", "SA"]), max_size=2, unique=True),
)


@settings(max_examples=40, deadline=None)
@given(rule=RULE, hours=st.integers(1, 24 * 60), now_days=st.integers(0, 300))
def test_materialised_occurrences_are_the_rules_expansion_within_the_horizon(
    rule: str, hours: int, now_days: int
) -> None:
    dtstart = shift(NOW, hours)
    try:
        every = expand(rule, dtstart)
    except Invalid:
        return
    now = shift(NOW, now_days * 24)
    k = due(every, now)
    horizon = shift(now, 90 * 24)
    assert every == sorted(every) and len(set(every)) == len(every)
    assert every[:k] == [s for s in every if s < horizon] or (k == 1 and every[0] >= horizon)


OPS = st.lists(
    st.tuples(st.sampled_from(["U1", "U2", "M1", "M2", "M3"]), st.one_of(st.just(-1), st.integers(0, 5))),
    max_size=8,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rule=RULE,
    people=st.integers(1, 2),
    hours=st.integers(1, 24 * 20),
    ops=OPS,
    jobs=st.lists(st.integers(1, 120), max_size=2),
    cancel_day=st.integers(0, 150),
)
def test_invariants_over_random_series_commitments_claims_and_cancels(
    world: World,
    rule: str,
    people: int,
    hours: int,
    ops: list[tuple[str, int]],
    jobs: list[int],
    cancel_day: int,
) -> None:
    store, sec = world.store, world.actor("sec1")
    offers = world.offerings
    if "big" not in offers:  # offerings whose period capacity never refuses (once per test)
        for p in ("U1", "U2", "M1", "M2", "M3"):
            offers[f"big-{p}"] = register_offering(
                store, world.actor(p), offering_draft(capacity=10000, period="year"), now=NOW
            )["id"]
        offers["big"] = "yes"
    dtstart = shift(NOW, hours)
    try:
        every = expand(rule, dtstart)
    except Invalid:
        return
    made = create_series(store, sec, draft(rule=rule, dtstart=dtstart, people_wanted=people), now=NOW)
    generated = due(every, NOW)
    for op_provider, which in ops:
        actor = world.actor(op_provider)
        occ = get_series(store, sec, made["id"])["occurrences"]
        try:
            if which < 0:
                commit_series(
                    store,
                    actor,
                    made["id"],
                    CommitmentRequest(offering_id=offers[f"big-{op_provider}"]),
                    now=NOW,
                )
            elif which < len(occ):
                claim_need(
                    store,
                    actor,
                    ClaimRequest(need_id=occ[which]["id"], offering_id=offers[f"big-{op_provider}"]),
                    now=NOW,
                )
        except Conflict:
            pass
    now = NOW
    for days in sorted(jobs):
        now = shift(NOW, days * 24)
        extend_series(store, now=now)
        generated = max(generated, due(every, now))
        seen = get_series(store, sec, made["id"])
        if seen["status"] == "active":
            assert starts(seen) == every[:generated]  # the rule's expansion within the horizon
    seen = get_series(store, sec, made["id"])
    for o in seen["occurrences"]:  # no occurrence served past its capacity, nobody twice
        ids = [s["provider_id"] for s in o["servers"]]
        assert len(ids) <= people and len(set(ids)) == len(ids)
    assert len([c for c in seen["commitments"] if c["status"] == "active"]) <= people
    at = max(now, shift(NOW, cancel_day * 24))
    try:
        cancel_series(store, sec, made["id"], "测试取消", now=at)
    except DomainError:
        assert seen["status"] != "active"
        return
    after = {o["id"]: o for o in get_series(store, sec, made["id"])["occurrences"]}
    for o in seen["occurrences"]:
        if o["window_start"] <= at:
            assert after[o["id"]] == o  # cancel never touches past occurrences
        elif o["status"] in ("open", "claimed"):
            assert after[o["id"]]["status"] == "cancelled" and after[o["id"]]["servers"] == []


def test_the_worker_runs_the_horizon_job(world: World) -> None:
    from engine.notify.worker import jobs

    store = world.store
    made = create_series(store, world.actor("sec1"), draft(), now=NOW)
    assert len(made["occurrences"]) < 20
    ran = jobs(store, RULES, None)["extend_series"]()  # at the clock's time, long after the 20 Wednesdays
    assert ran["series"] == 1 and ran["occurrences"] == 20 - len(made["occurrences"])
    assert starts(get_series(store, world.actor("sec1"), made["id"])) == expand(WEDNESDAYS, FIRST)


def test_csv_export_round_trips_the_rule_and_the_occurrences(
    world: World, tmp_path: Path, falkordb_server: EmbeddedFalkorDB
) -> None:
    store, sec = world.store, world.actor("sec1")
    made = create_series(store, sec, draft(rule="FREQ=MONTHLY;BYMONTHDAY=15;UNTIL=20261231"), now=NOW)
    report = export_graph(store, tmp_path / "csv", "csv")
    assert "series.csv" in [p.name for p in report.files]
    fresh = make_store("falkordb", falkordb_server)
    try:
        apply_schema(fresh)
        import_files(fresh, report.files)
        again = get_series(fresh, SYSTEM, made["id"])
        assert again["rule"] == made["rule"] and again["dtstart"] == made["dtstart"]
        assert again["occurrences"] == made["occurrences"] and again["org_id"] == "C1"
        assert again["area_id"] == "A1" and again["occurrences_generated"] == made["occurrences_generated"]
        # the imported series goes on: the job generates what follows from where it was
        extend_series(fresh, now="2026-08-01T00:00:00Z")
        later = get_series(fresh, SYSTEM, made["id"])
        every = expand(made["rule"], made["dtstart"])
        assert starts(later) == every[: due(every, "2026-08-01T00:00:00Z")]
        assert len(starts(later)) > len(starts(again))
    finally:
        fresh.drop_all()
        fresh.close()
