"""A claim of a venue books its slot (issue 12, point 2 follow-up), on both backends.

The issue's story: the same venue was claimed for two needs with the identical window (12-12
09:00–11:00) and both were accepted. Now a claim (self-claim or a secretary's dispatch) with a
venue offering books the need's window in the claim's own statement: the second claim is refused
naming the slot and writes nothing, of 20 simultaneous claims of overlapping windows exactly one
wins, withdrawing the claim or cancelling the need frees the slot, a window outside the opening
hours is refused, and a window longer than a day is claimed without a booking (the provider books
explicitly). A hypothesis property: claims and withdrawals on one venue accept a claim exactly when
its window overlaps no active claim's, and the active bookings are exactly those windows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from api_world import ApiWorld, api_fixture  # noqa: F401  (the fixture "api")
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_api_loop import ok
from test_services_world import (
    NOW,
    World,
    count,
    need_draft,
    nodes,
    world_fixture,  # noqa: F401  (the fixture "world")
)
from test_venues import race

from engine.errors import Conflict, Invalid
from engine.services import (
    ClaimRequest,
    NeedDraft,
    OfferingDraft,
    cancel_need,
    claim_need,
    post_need,
    register_offering,
    withdraw_claim,
)
from engine.services.venues import BookingDraft, book_venue, list_bookings
from engine.store.base import GraphStore
from engine.store.embedded import EmbeddedFalkorDB

DAY = "2026-12-12"  # the issue's day, a Saturday
SLOT_ZH = "12月12日 09:00–11:00"


def bj(clock: str, day: str = DAY) -> str:
    """A Beijing clock time on ``day`` as UTC, the way needs store their window."""
    hour, minute = (int(x) for x in clock.split(":"))
    total = hour * 60 + minute - 8 * 60  # Beijing is UTC+8; the tests' times stay on the same day
    return f"{day}T{total // 60:02d}:{total % 60:02d}:00Z"


def venue(w: World, **overrides: Any) -> str:
    """A venue of U1 (a culture offering, like its needs), open every day 08:00–21:00."""
    draft = {
        "title": "党群服务中心多功能厅",
        "kind": "venue",
        "access": "reservation",
        "category": "culture",
        "capacity": 50,
        "period": "month",
        "opening_hours": ["mon-sun 08:00-21:00"],
        **overrides,
    }
    return str(register_offering(w.store, w.actor("U1"), OfferingDraft(**draft), now=NOW)["id"])


VENUE = {"title": "党群服务中心多功能厅", "kind": "venue", "access": "free", "category": "culture",
         "capacity": 10, "period": "month"}  # fmt: skip


def need(w: World, start: str, end: str, title: str = "党员政治生日集中活动") -> str:
    """A culture need of C1 wanting one provider, with the Beijing window ``start``–``end`` on DAY."""
    draft = need_draft(title=title, category="culture", skills=[], window_start=bj(start), window_end=bj(end))
    return str(post_need(w.store, w.actor("sec1"), NeedDraft(**draft), now=NOW)["id"])


def written(store: GraphStore) -> tuple[int, ...]:
    """What a claim writes: claims, bookings, projects, audit entries."""
    return tuple(count(store, label) for label in ("Claim", "Booking", "Project", "AuditEntry"))


def booking_of(store: GraphStore, booking_id: str) -> dict[str, Any]:
    return next(b for b in nodes(store, "Booking") if b["id"] == booking_id)


def test_the_issues_story_the_second_claim_of_the_same_slot_is_refused(world: World) -> None:
    w, s = world, world.store
    vid = venue(w)
    first, second = need(w, "09:00", "11:00"), need(w, "09:00", "11:00", "四点半课堂开班仪式")
    made = claim_need(s, w.actor("U1"), ClaimRequest(need_id=first, offering_id=vid), now=NOW)
    assert made["need_status"] == "claimed" and made["booking_id"]
    booking = booking_of(s, made["booking_id"])
    assert (booking["start"], booking["end"]) == (bj("09:00"), bj("11:00"))
    assert booking["status"] == "active" and booking["claim_id"] == made["id"]
    [listed] = list_bookings(s, w.actor("U2"), vid, now=NOW)
    assert listed["need_id"] == first and listed["slot_zh"] == SLOT_ZH
    audit = [a for a in nodes(s, "AuditEntry") if a.get("entity_id") == made["booking_id"]]
    assert [a["action"] for a in audit] == ["booking.create"]

    before = written(s)
    # The provider's own claim and a secretary's dispatch of the second need are both refused.
    for actor, provider in (("U1", None), ("sec1", "U1")):
        req = ClaimRequest(need_id=second, offering_id=vid, provider_id=provider)
        with pytest.raises(Conflict) as refused:
            claim_need(s, w.actor(actor), req, now=NOW)
        assert refused.value.code == "slot_taken"
        assert refused.value.message_zh == f"该场所 {SLOT_ZH} 已被预约"
    assert written(s) == before  # nothing written
    assert next(n for n in nodes(s, "Need") if n["id"] == second)["status"] == "open"
    # The explicit booking path sees the claim's booking too; back to back after it is fine.
    with pytest.raises(Conflict, match=SLOT_ZH):
        book_venue(s, w.actor("U1"), vid, BookingDraft(start=bj("10:00"), end=bj("10:30")), now=NOW)
    after = need(w, "11:00", "12:00", "读书分享会")
    assert claim_need(s, w.actor("U1"), ClaimRequest(need_id=after, offering_id=vid), now=NOW)["booking_id"]


def test_withdrawing_the_claim_or_cancelling_the_need_frees_the_slot(world: World) -> None:
    w, s = world, world.store
    vid = venue(w)
    first, second = need(w, "09:00", "11:00"), need(w, "10:00", "12:00", "四点半课堂开班仪式")
    made = claim_need(s, w.actor("U1"), ClaimRequest(need_id=first, offering_id=vid), now=NOW)
    withdrawn = withdraw_claim(s, w.actor("U1"), made["id"], "活动改期", now=NOW)
    assert withdrawn["status"] == "withdrawn"
    assert booking_of(s, made["booking_id"])["status"] == "cancelled"
    assert list_bookings(s, w.actor("U1"), vid, status="active", now=NOW) == []
    # The freed slot is claimed for the overlapping need; cancelling that need frees it again.
    again = claim_need(s, w.actor("U1"), ClaimRequest(need_id=second, offering_id=vid), now=NOW)
    assert booking_of(s, again["booking_id"])["status"] == "active"
    cancel_need(s, w.actor("sec1"), second, "场地改用室外", now=NOW)
    assert booking_of(s, again["booking_id"])["status"] == "cancelled"
    # A secretary's cancellation of a dispatched claim frees it the same way.
    dispatched = claim_need(
        s, w.actor("sec1"), ClaimRequest(need_id=first, offering_id=vid, provider_id="U1"), now=NOW
    )
    assert booking_of(s, dispatched["booking_id"])["booker_role"] == "secretary"
    withdraw_claim(s, w.actor("sec1"), dispatched["id"], now=NOW)
    assert booking_of(s, dispatched["booking_id"])["status"] == "cancelled"
    book_venue(s, w.actor("U1"), vid, BookingDraft(start=bj("09:00"), end=bj("12:00")), now=NOW)


def test_outside_hours_is_refused_and_a_long_window_is_claimed_without_booking(world: World) -> None:
    w, s = world, world.store
    vid = venue(w, opening_hours=["mon-fri 09:00-17:00"])  # closed on Saturday 12-12
    weekend = need(w, "09:00", "11:00")
    before = written(s)
    with pytest.raises(Invalid) as outside:
        claim_need(s, w.actor("U1"), ClaimRequest(need_id=weekend, offering_id=vid), now=NOW)
    assert outside.value.code == "outside_hours" and SLOT_ZH in outside.value.message_zh
    assert written(s) == before
    # A window of 17 days is longer than a day: the claim is accepted and books nothing.
    long_need = post_need(s, w.actor("sec1"), NeedDraft(**need_draft(category="culture", skills=[])), now=NOW)
    made = claim_need(s, w.actor("U1"), ClaimRequest(need_id=long_need["id"], offering_id=vid), now=NOW)
    assert made["booking_id"] is None and made["need_status"] == "claimed"
    assert count(s, "Booking") == 0
    # A service offering (no venue) books nothing either.
    meals = need_draft(window_start=bj("09:00"), window_end=bj("11:00"))
    plain = post_need(s, w.actor("sec1"), NeedDraft(**meals), now=NOW)["id"]
    other = claim_need(s, w.actor("U2"), ClaimRequest(need_id=plain, offering_id=w.offerings["U2"]), now=NOW)
    assert other["booking_id"] is None and count(s, "Booking") == 0


def test_twenty_simultaneous_claims_of_overlapping_windows_let_exactly_one_win(
    world: World, falkordb_server: EmbeddedFalkorDB
) -> None:
    w, s = world, world.store
    vid = venue(w)
    # Every window covers 10:20–10:35: starts 09:00–10:16 (every 4 minutes), ends 10:35–10:54.
    starts = [f"{9 + i * 4 // 60:02d}:{i * 4 % 60:02d}" for i in range(20)]
    assert max(starts) == "10:16"
    needs = [need(w, start, f"10:{35 + i:02d}", f"活动{i}") for i, start in enumerate(starts)]
    unit = w.actor("U1")
    jobs = [
        lambda st, n=n: claim_need(st, unit, ClaimRequest(need_id=n, offering_id=vid), now=NOW) for n in needs
    ]
    claims, audits = count(s, "Claim"), count(s, "AuditEntry")
    results = race(s, falkordb_server, jobs)
    wins = [r for r in results if isinstance(r, dict)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 19
    assert {e.code for e in losses} == {"slot_taken"}
    won = booking_of(s, wins[0]["booking_id"])
    assert count(s, "Booking") == 1 and won["status"] == "active"
    assert count(s, "Claim") == claims + 1 and count(s, "AuditEntry") == audits + 2
    open_needs = [n for n in nodes(s, "Need") if n["id"] in needs and n["status"] == "open"]
    assert len(open_needs) == 19


def test_over_http_the_second_claim_answers_409_naming_the_slot(api: ApiWorld) -> None:
    sec, unit = api.client("secretary"), api.client("unit")
    community = ok(sec.get("/auth/me"))["scope_org_id"]
    # Five days ahead, 09:00–11:00 in Beijing (the server's clock cannot be wound to 12-12).
    day = (datetime.now(UTC) + timedelta(days=5)).strftime("%Y-%m-%d")
    window = {"window_start": bj("09:00", day), "window_end": bj("11:00", day)}
    slot_zh = f"{int(day[5:7])}月{int(day[8:10])}日 09:00–11:00"
    body = need_draft(community, category="culture", skills=[], **window)
    needs = [ok(sec.post("/needs", json=body | {"title": t}), 201)["id"] for t in ("政治生日", "开班仪式")]
    vid = ok(unit.post("/offerings", json=VENUE), 201)["id"]
    made = ok(unit.post("/claims", json={"need_id": needs[0], "offering_id": vid}), 201)
    assert made["booking_id"] and made["need_status"] == "claimed"
    before = written(api.store)
    refused = unit.post("/claims", json={"need_id": needs[1], "offering_id": vid})
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "slot_taken"
    assert refused.json()["message"] == f"该场所 {slot_zh} 已被预约"
    assert written(api.store) == before
    [booked] = ok(unit.get(f"/offerings/{vid}/bookings", params={"status": "active"}))
    assert (booked["id"], booked["need_id"], booked["slot_zh"]) == (made["booking_id"], needs[0], slot_zh)
    ok(unit.post(f"/claims/{made['id']}/withdraw", json={"reason": "活动改期"}))
    assert ok(unit.get(f"/offerings/{vid}/bookings", params={"status": "active"})) == []
    ok(unit.post("/claims", json={"need_id": needs[1], "offering_id": vid}), 201)


PLAN = st.lists(
    st.tuples(st.integers(0, 15), st.integers(1, 6), st.booleans()), min_size=1, max_size=8
)  # (start in half hours after 09:00, length in half hours, withdraw the claim afterwards)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=PLAN)
def test_claims_of_a_venue_book_exactly_the_windows_that_do_not_overlap(
    world: World, plan: list[tuple[int, int, bool]]
) -> None:
    """Invariant: a claim is accepted exactly when its window overlaps no active claim's window;
    the venue's active bookings are exactly the active claims' windows, never overlapping."""
    w, s = world, world.store
    vid = venue(w)
    held: dict[str, tuple[str, str]] = {}  # the model: active claim id -> its window
    for start, length, withdraw in plan:
        a, b = 9 * 60 + 30 * start, min(9 * 60 + 30 * (start + length), 17 * 60)
        window = (bj(f"{a // 60:02d}:{a % 60:02d}"), bj(f"{b // 60:02d}:{b % 60:02d}"))
        clash = any(x < window[1] and window[0] < y for x, y in held.values())
        nid = need(w, *(f"{m // 60:02d}:{m % 60:02d}" for m in (a, b)))
        try:
            made = claim_need(s, w.actor("U1"), ClaimRequest(need_id=nid, offering_id=vid), now=NOW)
        except Conflict as exc:
            assert clash and exc.code == "slot_taken", exc.message_zh
            continue
        assert not clash, "accepted a claim whose window overlaps an active one"
        if withdraw:
            withdraw_claim(s, w.actor("U1"), made["id"], now=NOW)
        else:
            held[made["id"]] = window
    active = list_bookings(s, w.actor("U1"), vid, status="active", now=NOW)
    assert sorted((k["start"], k["end"]) for k in active) == sorted(held.values())
    assert {booking_of(s, k["id"])["claim_id"] for k in active} == set(held)
