"""Venues by time slot and goods and funds with amounts (issue 12, point 2), on both backends.

Bookings reserve [start, end) of a venue: overlaps are refused with the slot named, back-to-back
slots are fine, opening hours hold, a cancelled slot is free again, and 100 simultaneous
overlapping bookings let exactly one win; a property test checks that the accepted bookings of a
venue never overlap and that a booking is refused exactly when it overlaps an accepted one.
Goods and funds: a take beyond what is left is refused, concurrent takes never exceed the amount.
"""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from test_services_concurrency import store_per_thread
from test_services_world import (
    NOW,
    World,
    count,
    need_draft,
    nodes,
    world_fixture,  # noqa: F401  (the fixture "world")
)

from engine.actors import Actor
from engine.errors import Conflict, Forbidden, Invalid
from engine.services import (
    NeedDraft,
    OfferingDraft,
    OfferingEdit,
    edit_offering,
    post_need,
    register_offering,
)
from engine.services.venue_hours import hours_table, hours_text, normalize_hours, slot_text, within_hours
from engine.services.venues import (
    AllocationDraft,
    AmountChange,
    BookingDraft,
    allocate,
    book_venue,
    cancel_booking,
    list_allocations,
    list_bookings,
    return_allocation,
    set_amount,
)
from engine.store.base import GraphStore
from engine.store.embedded import EmbeddedFalkorDB

DAY = "2026-03-04"  # a Wednesday, two days after NOW


def at(clock: str, day: str = DAY) -> str:
    """A Beijing time on ``day`` as the API takes it."""
    return f"{day}T{clock}:00+08:00"


def slot(start: str, end: str, **extra: Any) -> BookingDraft:
    """A booking of ``start``–``end`` (Beijing clock times) on DAY."""
    return BookingDraft(start=at(start), end=at(end), **extra)


def venue(w: World, provider: str = "U1", **overrides: Any) -> str:
    """A new venue of ``provider``: open Monday to Friday 09:00–17:00, by reservation."""
    draft = {
        "title": "社区活动室共享",
        "kind": "venue",
        "access": "reservation",
        "category": "culture",
        "capacity": 20,
        "period": "month",
        "opening_hours": ["mon-fri 09:00-17:00"],
        **overrides,
    }
    return str(register_offering(w.store, w.actor(provider), OfferingDraft(**draft), now=NOW)["id"])


def goods(w: World, provider: str = "U1", amount: int = 200, kind: str = "goods") -> str:
    """A new goods (or funds) offering of ``provider`` with ``amount``."""
    draft = OfferingDraft(
        title="爱心物资" if kind == "goods" else "共建资金",
        kind=kind,
        category="elderly",
        capacity=100,
        period="year",
        amount=amount,
        amount_unit="份" if kind == "goods" else "元",
    )
    return str(register_offering(w.store, w.actor(provider), draft, now=NOW)["id"])


# ---------------------------------------------------------------------------------------------
# Opening hours (pure).


def test_opening_hours_are_parsed_normalised_and_checked() -> None:
    assert normalize_hours(["mon-wed 09:00-12:00", "sat 14:00-18:00", "mon 13:00-17:00"]) == [
        "mon 09:00-12:00",
        "mon 13:00-17:00",
        "tue 09:00-12:00",
        "wed 09:00-12:00",
        "sat 14:00-18:00",
    ]
    assert hours_table(["sun 08:00-24:00"]) == {"sun": [(480, 1440)]}
    for bad in ["monday 09:00-17:00", "mon 17:00-09:00", "mon 09:00-25:00", "fri-mon 09:00-10:00"]:
        with pytest.raises(ValueError):
            normalize_hours([bad])
    with pytest.raises(ValueError, match="重叠"):
        normalize_hours(["mon 09:00-12:00", "mon 11:00-13:00"])
    hours = ["mon-fri 09:00-17:00"]
    assert within_hours(hours, "2026-03-04T01:00:00Z", "2026-03-04T09:00:00Z")  # 09:00–17:00
    assert not within_hours(hours, "2026-03-04T00:30:00Z", "2026-03-04T02:00:00Z")  # 08:30
    assert not within_hours(hours, "2026-03-07T01:00:00Z", "2026-03-07T02:00:00Z")  # Saturday
    assert within_hours(None, "2026-03-07T01:00:00Z", "2026-03-07T02:00:00Z")
    assert slot_text("2026-12-12T01:00:00Z", "2026-12-12T03:00:00Z") == "12月12日 09:00–11:00"
    assert hours_text(
        ["mon-fri 09:00-12:00", "mon-fri 14:00-17:00", "sat 09:00-12:00", "sun 09:00-12:00"]
    ) == ("周一至周五 09:00–12:00、14:00–17:00;周六至周日 09:00–12:00")
    assert hours_text(["mon 09:00-10:00", "wed 09:00-10:00"]) == "周一 09:00–10:00;周三 09:00–10:00"


def test_a_venue_keeps_its_hours_mode_and_price_and_bad_ones_are_refused(world: World) -> None:
    w = world
    vid = venue(w, access="paid", price=50.0, opening_hours=["sat-sun 09:00-12:00", "mon-fri 18:00-21:00"])
    made = next(n for n in nodes(w.store, "Offering") if n["id"] == vid)
    assert made["price"] == 50.0 and made["access"] == "paid"
    assert made["opening_hours"][0] == "mon 18:00-21:00" and len(made["opening_hours"]) == 7
    with pytest.raises(ValidationError, match="收费标准"):
        OfferingDraft(
            title="礼堂", kind="venue", access="paid", category="culture", capacity=1, period="week"
        )
    with pytest.raises(ValidationError, match="开放时间"):
        OfferingDraft(
            title="礼堂",
            kind="service",
            category="culture",
            capacity=1,
            period="week",
            opening_hours=["mon 09:00-10:00"],
        )
    with pytest.raises(ValidationError, match="格式"):
        OfferingDraft(
            title="礼堂",
            kind="venue",
            category="culture",
            capacity=1,
            period="week",
            opening_hours=["周一全天"],
        )
    # The owner edits the hours and the mode; a price without a paid mode is refused, nothing changes.
    edited = edit_offering(
        w.store, w.actor("U1"), vid, OfferingEdit(opening_hours=["mon 08:00-10:00"]), now=NOW
    )
    assert edited["opening_hours"] == ["mon 08:00-10:00"]
    audits = count(w.store, "AuditEntry")
    with pytest.raises(Invalid, match="收费标准"):
        edit_offering(w.store, w.actor("U1"), vid, OfferingEdit(access="free"), now=NOW)
    assert count(w.store, "AuditEntry") == audits
    with pytest.raises(Forbidden):
        edit_offering(w.store, w.actor("U2"), vid, OfferingEdit(price=10.0), now=NOW)


# ---------------------------------------------------------------------------------------------
# Bookings.


def test_overlaps_are_refused_with_the_slot_named_and_back_to_back_is_fine(world: World) -> None:
    w, s = world, world.store
    vid = venue(w)
    first = book_venue(s, w.actor("sec1"), vid, slot("09:00", "11:00", purpose="智能手机培训"), now=NOW)
    assert first["slot_zh"] == "3月4日 09:00–11:00" and first["status"] == "active"
    assert first["booker_id"] == "C1" and first["start"] == "2026-03-04T01:00:00Z"
    before = (count(s, "Booking"), count(s, "AuditEntry"))
    for start, end in [("09:00", "11:00"), ("10:00", "10:30"), ("10:59", "12:00"), ("09:00", "09:01")]:
        with pytest.raises(Conflict) as refused:
            book_venue(s, w.actor("U1"), vid, slot(start, end), now=NOW)
        assert refused.value.code == "slot_taken"
        assert refused.value.message_zh == "该场所 3月4日 09:00–11:00 已被预约"
    assert (count(s, "Booking"), count(s, "AuditEntry")) == before  # nothing written
    # Half-open: 11:00–12:00 right after is fine; 08:00–09:00 is before opening.
    book_venue(s, w.actor("U1"), vid, slot("11:00", "12:00"), now=NOW)
    with pytest.raises(Invalid) as outside:
        book_venue(s, w.actor("U1"), vid, slot("08:00", "09:00"), now=NOW)
    assert outside.value.code == "outside_hours" and "周一至周五 09:00–17:00" in outside.value.message_zh
    with pytest.raises(Invalid):
        book_venue(s, w.actor("U1"), vid, BookingDraft(start=at("14:00"), end=at("13:00")), now=NOW)
    with pytest.raises(Invalid, match="已经开始或已过去"):
        book_venue(s, w.actor("U1"), vid, slot("14:00", "15:00"), now="2026-03-05T00:00:00Z")
    with pytest.raises(Invalid, match="2 年内"):
        book_venue(
            s,
            w.actor("U1"),
            vid,
            BookingDraft(start="2029-03-07T09:00:00+08:00", end="2029-03-07T10:00:00+08:00"),
            now=NOW,
        )
    with pytest.raises(Invalid):
        list_bookings(s, w.actor("U1"), vid, start="下周一")
    listed = list_bookings(s, w.actor("M2"), vid)  # slots are public to signed-in roles
    assert [b["slot_zh"] for b in listed] == ["3月4日 09:00–11:00", "3月4日 11:00–12:00"]
    # Cancelling frees the slot; a second cancel is refused.
    cancel_booking(s, w.actor("sec1"), first["id"], "活动改期", now=NOW)
    again = book_venue(s, w.actor("U1"), vid, slot("09:30", "10:30"), now=NOW)
    assert again["status"] == "active"
    with pytest.raises(Conflict):
        cancel_booking(s, w.actor("sec1"), first["id"], now=NOW)
    assert [b["status"] for b in list_bookings(s, w.actor("U1"), vid, status="cancelled")] == ["cancelled"]


def test_who_may_book_and_a_needs_window_is_booked_for_it(world: World) -> None:
    w, s = world, world.store
    vid = venue(w, opening_hours=None)
    for outsider in ("sec2", "M1", "U2"):  # another community's secretary, other providers
        with pytest.raises(Forbidden):
            book_venue(s, w.actor(outsider), vid, slot("09:00", "10:00"), now=NOW)
    need = post_need(
        s,
        w.actor("sec1"),
        NeedDraft(**need_draft("C1", window_start=at("14:00"), window_end=at("16:00"))),
        now=NOW,
    )
    made = book_venue(s, w.actor("sec1"), vid, BookingDraft(need_id=need["id"]), now=NOW)
    assert made["need_id"] == need["id"] and made["slot_zh"] == "3月4日 14:00–16:00"
    # The story: a second need with the identical window cannot take the same venue.
    other = post_need(
        s,
        w.actor("sec1"),
        NeedDraft(**need_draft("C1", window_start=at("14:00"), window_end=at("16:00"))),
        now=NOW,
    )
    with pytest.raises(Conflict, match="3月4日 14:00–16:00 已被预约"):
        book_venue(s, w.actor("sec1"), vid, BookingDraft(need_id=other["id"]), now=NOW)
    with pytest.raises(Forbidden):  # a need of another community
        need2 = post_need(s, w.actor("sec2"), NeedDraft(**need_draft("C2")), now=NOW)
        book_venue(s, w.actor("sec1"), vid, BookingDraft(need_id=need2["id"]), now=NOW)
    with pytest.raises(Invalid, match="不是场所"):
        book_venue(s, w.actor("U1"), w.offerings["U1"], slot("09:00", "10:00"), now=NOW)
    with pytest.raises(Forbidden):  # another community's secretary may not cancel it
        cancel_booking(s, w.actor("sec2"), made["id"], now=NOW)


def race(store: GraphStore, server: EmbeddedFalkorDB, jobs: list[Any]) -> list[Any]:
    """Run every job (store -> result) at once, each thread with its own store client; a job's
    Conflict is its result."""
    factory = store_per_thread(store, server)
    stores = [factory() for _ in jobs]
    gate = threading.Barrier(len(jobs))

    def attempt(i: int) -> Any:
        gate.wait()
        try:
            return jobs[i](stores[i])
        except Conflict as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(attempt, range(len(jobs))))
    for other in stores:
        if other is not store:
            other.close()
    return results


def test_a_hundred_simultaneous_overlapping_bookings_let_exactly_one_win(
    world: World, falkordb_server: EmbeddedFalkorDB
) -> None:
    w, s = world, world.store
    vid = venue(w, opening_hours=None)
    secretary = w.actor("sec1")
    # Every slot overlaps every other: each covers 12:00 (starts 09:00–11:59, ends 12:01–14:40).
    drafts = [
        BookingDraft(start=at(f"{9 + i % 3:02d}:{i % 60:02d}"), end=at(f"{12 + i % 3:02d}:{1 + i % 40:02d}"))
        for i in range(100)
    ]
    jobs = [lambda st, d=d: book_venue(st, secretary, vid, d, now=NOW) for d in drafts]
    audits = count(s, "AuditEntry")
    results = race(s, falkordb_server, jobs)
    wins = [r for r in results if isinstance(r, dict)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 99
    assert {e.code for e in losses} == {"slot_taken"}
    assert all(e.message_zh == f"该场所 {wins[0]['slot_zh']} 已被预约" for e in losses)
    assert count(s, "Booking") == 1 and count(s, "AuditEntry") == audits + 1


SLOTS = st.lists(
    st.tuples(st.integers(0, 15), st.integers(1, 6), st.booleans()), min_size=1, max_size=12
)  # (start in half hours after 09:00, length in half hours, cancel it afterwards when accepted)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=SLOTS)
def test_accepted_bookings_of_a_venue_never_overlap(world: World, plan: list[tuple[int, int, bool]]) -> None:
    w, s = world, world.store
    vid = venue(w, opening_hours=["mon-sun 09:00-17:00"])
    base = datetime.fromisoformat(at("09:00"))
    accepted: list[tuple[datetime, datetime]] = []  # the model: active bookings
    for start, length, cancel in plan:
        a = base + timedelta(minutes=30 * start)
        b = min(a + timedelta(minutes=30 * length), base + timedelta(hours=8))
        clash = any(x < b and a < y for x, y in accepted)
        try:
            made = book_venue(
                s, w.actor("U1"), vid, BookingDraft(start=a.isoformat(), end=b.isoformat()), now=NOW
            )
        except Conflict as exc:
            assert clash, f"refused without an overlap: {exc.message_zh}"
            continue
        assert not clash, "accepted an overlapping booking"
        if cancel:
            cancel_booking(s, w.actor("U1"), made["id"], now=NOW)
        else:
            accepted.append((a, b))
    active = list_bookings(s, w.actor("U1"), vid, status="active")
    spans = sorted((b["start"], b["end"]) for b in active)
    assert all(e1 <= s2 for (_, e1), (s2, _) in itertools.pairwise(spans))
    assert len(spans) == len(accepted)


# ---------------------------------------------------------------------------------------------
# Goods and funds.


def test_goods_carry_an_amount_and_a_take_beyond_what_is_left_is_refused(world: World) -> None:
    w, s = world, world.store
    gid = goods(w, amount=200)
    need = post_need(s, w.actor("sec1"), NeedDraft(**need_draft("C1")), now=NOW)
    taken = allocate(s, w.actor("sec1"), gid, AllocationDraft(amount=150, need_id=need["id"]), now=NOW)
    assert taken["amount_left"] == 50 and taken["need_id"] == need["id"]
    before = (count(s, "Allocation"), count(s, "AuditEntry"))
    with pytest.raises(Conflict) as refused:
        allocate(s, w.actor("U1"), gid, AllocationDraft(amount=51), now=NOW)
    assert refused.value.code == "amount_exceeded" and "仅剩 50 份" in refused.value.message_zh
    assert (count(s, "Allocation"), count(s, "AuditEntry")) == before
    with pytest.raises(Forbidden):
        allocate(s, w.actor("sec2"), gid, AllocationDraft(amount=1), now=NOW)
    with pytest.raises(ValidationError):
        AllocationDraft(amount=0)
    # Returning gives the amount back; the total may not fall below what is taken.
    back = return_allocation(s, w.actor("sec1"), taken["id"], "活动取消", now=NOW)
    assert back["status"] == "returned" and back["amount_left"] == 200
    allocate(s, w.actor("U1"), gid, AllocationDraft(amount=120), now=NOW)
    with pytest.raises(Conflict, match="不能少于已领用的 120 份"):
        set_amount(s, w.actor("U1"), gid, AmountChange(amount=100), now=NOW)
    changed = set_amount(s, w.actor("U1"), gid, AmountChange(amount=300), now=NOW)
    assert changed["amount"] == 300 and changed["amount_left"] == 180
    with pytest.raises(Forbidden):
        set_amount(s, w.actor("sec1"), gid, AmountChange(amount=500), now=NOW)
    assert sorted(a["amount"] for a in list_allocations(s, w.actor("M1"), gid)) == [120, 150]
    funds = goods(w, amount=50000, kind="funds")
    with pytest.raises(Conflict, match="仅剩 ¥50,000"):
        allocate(s, w.actor("U1"), funds, AllocationDraft(amount=50001), now=NOW)


def test_concurrent_takes_never_exceed_what_is_left(world: World, falkordb_server: EmbeddedFalkorDB) -> None:
    w, s = world, world.store
    gid = goods(w, amount=200)
    secretary: Actor = w.actor("sec1")
    jobs = [lambda st: allocate(st, secretary, gid, AllocationDraft(amount=15), now=NOW) for _ in range(30)]
    results = race(s, falkordb_server, jobs)
    wins = [r for r in results if isinstance(r, dict)]
    assert len(wins) == 13  # 13 × 15 = 195 ≤ 200 < 210
    assert sorted(r["amount_left"] for r in wins)[0] == 5
    assert {e.code for e in results if isinstance(e, Conflict)} == {"amount_exceeded"}
    left = next(n for n in nodes(s, "Offering") if n["id"] == gid)["amount_left"]
    assert left == 5 and count(s, "Allocation") == 13
