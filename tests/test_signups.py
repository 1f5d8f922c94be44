"""Sign-up, waitlist, check-in and volunteer records (issue 12 point 4) through the engine on both
backends: a need wanting N takes N sign-ups and waitlists the rest in order; a withdrawal moves
the first waitlisted up in the same statement (audited, notified); many simultaneous sign-ups never
exceed N; random sign-ups and withdrawals keep the invariants (property-based); check-in with the
organiser's code only within the activity's window; hours confirmed, short attendance flagged, a
correction asked and accepted; the 志愿服务记录证明 of a member and period."""

from __future__ import annotations

import io
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_services_concurrency import store_per_thread
from test_services_world import (
    NOW,
    World,
    count,
    need_draft,
    nodes,
    world_fixture,  # noqa: F401  (the fixture "world")
)

from engine.actors import Actor, Role
from engine.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from engine.exporting import export_graph
from engine.importing import import_files
from engine.reporting.volunteer_record import render_record_docx
from engine.services import NeedDraft, post_need
from engine.services import signups as su
from engine.services.clock import shift
from engine.store import apply_schema
from engine.store.embedded import EmbeddedFalkorDB
from engine.store.queries.nodes import node_stmt, rel_stmt

START, END = "2026-03-07T01:00:00Z", "2026-03-07T05:00:00Z"  # 09:00–13:00 in Beijing, four hours


def members(w: World, n: int, prefix: str = "V") -> list[Actor]:
    """``n`` new members of G1 with member accounts (so promotions reach an inbox)."""
    ids = [f"{prefix}{i:03d}" for i in range(n)]
    stamp = {"created_at": NOW, "updated_at": NOW}
    w.store.run(
        node_stmt("bulk_create", "Member"),
        {"rows": [{"id": i, "name": f"志愿者{i}", "phone": f"1370000{i[-3:]:0>4}", **stamp} for i in ids]},
    )
    w.store.run(
        rel_stmt("bulk_create", "BELONGS_TO", "Member", "Org"),
        {"rows": [{"start": i, "end": "G1", "props": {}} for i in ids]},
    )
    w.store.run(
        node_stmt("bulk_create", "Account"),
        {
            "rows": [
                {
                    "id": f"acc-{i}",
                    "display_name": i,
                    "role": "member",
                    "subject_id": i,
                    "password_hash": "x",
                    "active": True,
                    **stamp,
                }
                for i in ids
            ]
        },
    )
    return [Actor(f"acc-{i}", Role.MEMBER, subject_id=i) for i in ids]


def activity(w: World, people: int, **extra: Any) -> str:
    """A need of G1 wanting ``people`` on the morning of 7 March."""
    draft = need_draft("G1", people_wanted=people, window_start=START, window_end=END, **extra)
    return str(post_need(w.store, w.actor("sec1"), NeedDraft(**draft), now=NOW)["id"])


def statuses(w: World, need_id: str) -> list[tuple[str, str]]:
    """(member, status) of a need's roster in sign-up order."""
    roster = su.roster(w.store, w.actor("sec1"), need_id)
    return [(s["member_id"], s["status"]) for s in roster["signups"]]


def test_fill_to_n_then_waitlist_and_a_withdrawal_moves_the_first_up(world: World) -> None:
    w = world
    crowd = members(w, 5)
    need = activity(w, 3)
    made = [su.sign_up(w.store, m, need, now=NOW) for m in crowd]
    assert [s["status"] for s in made] == ["signed"] * 3 + ["waitlisted"] * 2
    assert [s["seq"] for s in made] == [1, 2, 3, 4, 5]
    summary = su.need_summary(w.store, crowd[4], need)
    assert (summary["signed"], summary["waitlisted"], summary["my_waitlist_position"]) == (3, 2, 2)
    assert summary["checkin_code"] is None and "member_name" not in str(summary)

    with pytest.raises(Conflict) as twice:
        su.sign_up(w.store, crowd[0], need, now=NOW)
    assert twice.value.code == "already_signed_up"

    audits, notes = count(w.store, "AuditEntry"), count(w.store, "Notification")
    out = su.withdraw(w.store, crowd[1], made[1]["id"], now=NOW)
    assert out["status"] == "withdrawn" and out["promoted"] == [made[3]["id"]]
    assert statuses(w, need) == [
        ("V000", "signed"),
        ("V001", "withdrawn"),
        ("V002", "signed"),
        ("V003", "signed"),
        ("V004", "waitlisted"),
    ]
    assert count(w.store, "AuditEntry") == audits + 2  # the withdrawal and the promotion
    inbox = [n for n in nodes(w.store, "Notification") if n["kind"] == "signup_promoted"]
    assert count(w.store, "Notification") == notes + 1
    assert [(n["account_id"], n["entity_id"]) for n in inbox] == [("acc-V003", need)]

    # A waitlisted withdrawal promotes nobody; someone else's sign-up cannot be withdrawn by a member.
    with pytest.raises(Forbidden):
        su.withdraw(w.store, crowd[0], made[4]["id"], now=NOW)
    assert su.withdraw(w.store, crowd[4], made[4]["id"], now=NOW)["promoted"] == []
    with pytest.raises(Conflict):
        su.withdraw(w.store, crowd[4], made[4]["id"], now=NOW)
    # Signing up again after withdrawing goes to the end of the line.
    again = su.sign_up(w.store, crowd[1], need, now=NOW)
    assert (again["status"], again["seq"]) == ("waitlisted", 6)
    # The organiser may take someone off the roster; another community's secretary may not.
    with pytest.raises(Forbidden):
        su.withdraw(w.store, w.actor("sec2"), made[0]["id"], now=NOW)
    moved = su.withdraw(w.store, w.actor("sec1"), made[0]["id"], now=NOW)
    assert moved["promoted"] == [again["id"]]


def test_refusals_write_nothing(world: World) -> None:
    w = world
    (m,) = members(w, 1)
    need = activity(w, 1)
    before = count(w.store, "AuditEntry"), count(w.store, "Signup")
    with pytest.raises(Forbidden):
        su.sign_up(w.store, w.actor("U1"), need, now=NOW)  # units are not volunteers here
    with pytest.raises(NotFound):
        su.sign_up(w.store, m, "no-such-need", now=NOW)
    with pytest.raises(Conflict) as late:
        su.sign_up(w.store, m, need, now=shift(END, 1))
    assert late.value.code == "activity_over"
    with pytest.raises(Forbidden):
        su.roster(w.store, w.actor("sec2"), need)
    with pytest.raises(Forbidden):
        su.issue_code(w.store, w.actor("sec2"), need, now=NOW)
    assert (count(w.store, "AuditEntry"), count(w.store, "Signup")) == before


def test_check_in_and_out_with_the_code_within_the_window_then_hours(world: World) -> None:
    w = world
    a, b, c = members(w, 3)
    need = activity(w, 2)
    sa = su.sign_up(w.store, a, need, now=NOW)
    sb = su.sign_up(w.store, b, need, now=NOW)
    su.sign_up(w.store, c, need, now=NOW)  # waitlisted
    code = su.issue_code(w.store, w.actor("sec1"), need, now=NOW)["code"]
    assert len(code) == su.CODE_LENGTH and set(code) <= set(su.CODE_ALPHABET)
    assert su.roster(w.store, w.actor("sec1"), need)["checkin_code"] == code

    with pytest.raises(Conflict) as early:
        su.check_in(w.store, a, code, now=shift(START, -1))
    assert early.value.code == "outside_window"
    with pytest.raises(Conflict) as after:
        su.check_in(w.store, a, code, now=shift(END, 0.1))
    assert after.value.code == "outside_window"
    with pytest.raises(NotFound):
        su.check_in(w.store, a, "ZZZZZZ", now=START)
    with pytest.raises(Conflict) as waiting:
        su.check_in(w.store, c, code, now=START)
    assert waiting.value.code == "waitlisted"

    came = su.check_in(w.store, a, code.lower(), now=shift(START, -0.25))  # 15 minutes early is fine
    assert came["checkin_at"] == shift(START, -0.25)
    with pytest.raises(Conflict):
        su.check_in(w.store, a, code, now=START)
    with pytest.raises(Conflict):
        su.withdraw(w.store, a, sa["id"], now=START)  # checked in: stays on the roster
    left = su.check_out(w.store, a, code, now=shift(START, 3.5))
    assert left["coverage"] == pytest.approx(3.5 / 4) and left["low_attendance"] is False
    su.check_in(w.store, b, code, now=shift(START, 2))
    short = su.check_out(w.store, b, code, now=shift(START, 3))  # one hour of four: 25%
    assert short["coverage"] == pytest.approx(0.25) and short["low_attendance"] is True
    flagged = {
        s["member_id"]: s.get("low_attendance") for s in su.roster(w.store, w.actor("sec1"), need)["signups"]
    }
    assert flagged == {"V000": False, "V001": True, "V002": None}

    # Hours: the organiser confirms; by default the time attended within the window, to the tenth.
    with pytest.raises(Forbidden):
        su.confirm_hours(w.store, a, sa["id"], now=END)
    with pytest.raises(Invalid):
        su.confirm_hours(w.store, w.actor("sec1"), sa["id"], 4.5, now=END)  # beyond the activity
    done = su.confirm_hours(w.store, w.actor("sec1"), sa["id"], now=END)
    assert (done["hours"], done["hours_status"]) == (3.5, "confirmed")
    with pytest.raises(Conflict):
        su.confirm_hours(w.store, w.actor("sec1"), sa["id"], now=END)
    low = su.confirm_hours(w.store, w.actor("sec1"), sb["id"], now=END)
    assert low["hours"] == 1.0 and low["low_attendance"] is True

    # A correction: the volunteer asks, the secretary is notified and accepts.
    w.store.run(
        node_stmt("bulk_create", "Account"),
        {"rows": [{"id": "acc-sec1", "display_name": "东园书记", "role": "secretary",
                   "scope_org_id": "C1", "password_hash": "x", "active": True}]},
    )  # fmt: skip
    with pytest.raises(Invalid):
        su.request_correction(w.store, b, sb["id"], 1.5, " ", now=END)
    asked = su.request_correction(w.store, b, sb["id"], 1.5, "签退时手机没电,实际服务到 12:00", now=END)
    assert asked["correction_status"] == "pending"
    assert [n["kind"] for n in nodes(w.store, "Notification") if n["account_id"] == "acc-sec1"] == [
        "signup_correction"
    ]
    with pytest.raises(Conflict):
        su.request_correction(w.store, b, sb["id"], 2.0, "再次申请", now=END)
    fixed = su.decide_correction(w.store, w.actor("sec1"), sb["id"], True, "已核实", now=END)
    assert (fixed["hours"], fixed["correction_status"]) == (1.5, "accepted")
    # Points follow the confirmed hours (10 an hour by default): 35 and 10, then +5 for the correction.
    ledger = sorted((e["reason"], e["points"]) for e in nodes(w.store, "PointEntry"))
    assert ledger == [("hours_correction", 5), ("service_hours", 10), ("service_hours", 35)]

    # The 志愿服务记录证明: the member's confirmed service of the period, the issuer and the total.
    record = su.volunteer_record(w.store, b, "V001", period="2026-03", now=END)
    assert record["name"] == "志愿者V001" and record["total_hours"] == 1.5 and record["count"] == 1
    assert record["activities"][0]["corrected"] is True and record["phone_masked"].count("*") == 4
    assert su.volunteer_record(w.store, b, "V001", period="2026-04", now=END)["count"] == 0
    with pytest.raises(Forbidden):
        su.volunteer_record(w.store, a, "V001", period="2026-03", now=END)
    with pytest.raises(Forbidden):
        su.volunteer_record(w.store, w.actor("sec2"), "V001", period="2026-03", now=END)
    issued = su.volunteer_record(w.store, w.actor("sec1"), "V001", period="2026-03", now=END)
    assert issued["issuer"] == "东园社区党委"
    text = "\n".join(p.text for p in Document(io.BytesIO(render_record_docx(issued))).paragraphs)
    assert "志愿服务记录证明" in text and "志愿者V001" in text and "东园社区党委" in text
    assert "1.5" in text and "1370000" not in text  # the phone masked


def test_simultaneous_sign_ups_never_exceed_the_people_wanted(
    world: World, falkordb_server: EmbeddedFalkorDB
) -> None:
    w = world
    crowd = members(w, 24)
    need = activity(w, 5)
    factory = store_per_thread(w.store, falkordb_server)
    stores = [factory() for _ in crowd]
    gate = threading.Barrier(len(crowd))

    def attempt(i: int) -> Any:
        gate.wait()
        try:
            return su.sign_up(stores[i], crowd[i], need, now=NOW)
        except DomainError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(crowd)) as pool:
        results = list(pool.map(attempt, range(len(crowd))))
    for s in stores:
        if s is not w.store:
            s.close()
    assert all(isinstance(r, dict) for r in results), [r for r in results if not isinstance(r, dict)]
    roster = su.roster(w.store, w.actor("sec1"), need)["signups"]
    assert sum(1 for s in roster if s["status"] == "signed") == 5
    assert sorted(s["seq"] for s in roster) == list(range(1, 25))
    # The signed are exactly the five first in sign-up order.
    assert [s["status"] for s in roster] == ["signed"] * 5 + ["waitlisted"] * 19


def check_invariants(w: World, need: str, people: int) -> None:
    """signed ≤ N; signed = min(N, active); the signed are the first active ones in sign-up order
    and the waitlist keeps that order."""
    roster = su.roster(w.store, w.actor("sec1"), need)["signups"]
    active = [s for s in roster if s["status"] != "withdrawn"]
    assert [s["seq"] for s in roster] == sorted(s["seq"] for s in roster)
    assert len({s["seq"] for s in roster}) == len(roster)
    assert [s["status"] for s in active] == su.roster_order([s["status"] for s in active], people)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    people=st.integers(min_value=1, max_value=3),
    steps=st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=5)), min_size=1, max_size=14),
)
def test_random_sign_ups_and_withdrawals_keep_the_roster_invariants(
    roster_world: tuple[World, list[Actor]], people: int, steps: list[tuple[bool, int]]
) -> None:
    w, crowd = roster_world
    need = activity(w, people)
    mine: dict[int, str] = {}
    for join, who in steps:
        try:
            if join:
                mine[who] = su.sign_up(w.store, crowd[who], need, now=NOW)["id"]
            elif who in mine:
                had = su.need_summary(w.store, crowd[who], need)
                su.withdraw(w.store, crowd[who], mine.pop(who), now=NOW)
                after = su.need_summary(w.store, crowd[who], need)
                total = had["signed"] + had["waitlisted"] - 1
                assert after["signed"] == min(people, total)
        except Conflict as refused:
            assert join and who in mine and refused.code == "already_signed_up"
        check_invariants(w, need, people)


@pytest.fixture(name="roster_world")
def roster_world_fixture(world: World) -> tuple[World, list[Actor]]:
    """The hand-built world with six member volunteers (one need per hypothesis example)."""
    return world, members(world, 6, "R")


def test_the_roster_model_itself() -> None:
    assert su.roster_order(["x"] * 4, 2) == ["signed", "signed", "waitlisted", "waitlisted"]
    assert su.coverage(3, START, END) == 0.75 and su.coverage(9, START, END) == 1.0
    assert su.attended(shift(START, -1), shift(START, 1), START, END) == 1.0
    assert su.tenths(1.26) == 1.2


def test_sign_ups_and_attendance_round_trip_through_csv(world: World, tmp_path: Path) -> None:
    w = world
    a, b, c = members(w, 3)
    need = activity(w, 2)
    made = [su.sign_up(w.store, m, need, now=NOW) for m in (a, b, c)]
    su.withdraw(w.store, b, made[1]["id"], now=NOW)  # c moves up
    code = su.issue_code(w.store, w.actor("sec1"), need, now=NOW)["code"]
    su.check_in(w.store, a, code, now=START)
    su.check_out(w.store, a, code, now=shift(START, 2))  # half the activity: flagged
    su.confirm_hours(w.store, w.actor("sec1"), made[0]["id"], now=END)

    def mine(doc: dict[str, Any]) -> tuple[list[Any], list[Any]]:
        signups = sorted((n for n in doc["nodes"] if n["label"] == "Signup"), key=lambda n: n["id"])
        rels = sorted(
            (r["type"], r["start"], r["end"])
            for r in doc["relationships"]
            if r["type"] in ("SIGNED_UP", "SIGNUP_FOR")
        )
        return signups, rels

    before = json.loads(
        export_graph(w.store, tmp_path / "a.json", "json").files[0].read_text(encoding="utf-8")
    )
    files = export_graph(w.store, tmp_path / "csv", "csv").files
    assert any(f.name == "signups.csv" for f in files)
    w.store.drop_all()
    apply_schema(w.store)
    import_files(w.store, files)
    after = json.loads(
        export_graph(w.store, tmp_path / "b.json", "json").files[0].read_text(encoding="utf-8")
    )
    signups, rels = mine(after)
    assert (signups, rels) == mine(before) and len(signups) == 3 and len(rels) == 6
    kept = {n["id"]: n for n in signups}[made[0]["id"]]
    assert kept["props"]["low_attendance"] is True and kept["props"]["hours"] == 2.0
    assert next(n for n in after["nodes"] if n["id"] == need)["props"]["checkin_code"] == code
    # A scoped export of the community holds its members' sign-ups.
    scoped = json.loads(
        export_graph(w.store, tmp_path / "c.json", "json", scope_org_id="C1")
        .files[0]
        .read_text(encoding="utf-8")
    )
    assert mine(scoped)[0] == signups
