"""Venues with opening hours and bookings, goods and funds with amounts (issue 12, point 2).

Deterministic from each offering's place in the list (no draw from the shared random stream, so
the rest of the demo stays as it was): every venue gets opening hours (and a price when paid),
goods and funds an amount; the venues of the first community's units get a few bookings in the
weeks after the reference date (within their hours, never overlapping) and its first goods an
allocation.
"""

from __future__ import annotations

from engine.demo.builder import Builder
from engine.services.venue_hours import normalize_hours, within_hours

HOURS = (
    ["mon-fri 09:00-17:00"],
    ["mon-sun 08:00-21:00"],
    ["sat-sun 09:00-17:00", "mon-fri 18:00-21:00"],
)
SLOTS = (("01", "03"), ("06", "08"), ("11", "13"))  # UTC hours: 09–11, 14–16, 19–21 in 昆明
BOOKED_DAYS = range(36, 46)  # 12-07 … 12-16 after the reference date 11-01
BOOKINGS_PER_VENUE = 3
PURPOSES = ("党员学习教育", "老年人智能手机培训", "社区议事会", "四点半课堂", "居民文艺排练")


def build_venues(b: Builder) -> None:
    """Hours, prices and amounts on the offerings; bookings and an allocation in the first community."""
    offerings = b.dataset.nodes["Offering"]
    for n, o in enumerate(offerings):
        if o["kind"] == "venue":
            o["opening_hours"] = normalize_hours(HOURS[n % len(HOURS)])
            if o.get("access") == "paid":
                o["price"] = float(20 + 10 * (n % 5))
        elif o["kind"] == "goods":
            o["amount"] = o["amount_left"] = 50 * (1 + n % 10)
            o["amount_unit"] = "份"
        elif o["kind"] == "funds":
            o["amount"] = o["amount_left"] = 10000 * (1 + n % 5)
            o["amount_unit"] = "元"
    community = next((o for o in b.dataset.nodes["Org"] if o["level"] == "community"), None)
    if community is None:
        return
    units = {
        r["start"]
        for r in b.dataset.rels.get(("REPORTS_TO", "Unit", "Org"), [])
        if r["end"] == community["id"]
    }
    owned = {r["end"] for r in b.dataset.rels.get(("OFFERS", "Unit", "Offering"), []) if r["start"] in units}
    mine = [o for o in offerings if o["id"] in owned and o["status"] == "active"]
    for o in (o for o in mine if o["kind"] == "venue"):
        _book(b, o, community["id"])
    goods = next((o for o in mine if o["kind"] == "goods"), None)
    if goods is not None:
        taken = goods["amount"] // 5
        goods["amount_left"] = goods["amount"] - taken
        b.add(
            "Allocation",
            {
                "id": f"alloc-{goods['id']}-01",
                "amount": taken,
                "status": "active",
                "purpose": "独居老人节日慰问",
                "allocated_by": "secretary",
                "booker_role": "secretary",
                "booker_id": community["id"],
                **b.stamps(20),
            },
        )
        b.link("DRAWS_ON", ("Allocation", f"alloc-{goods['id']}-01"), ("Offering", goods["id"]))


def _book(b: Builder, venue: dict[str, object], org_id: str) -> None:
    """A few bookings of ``venue`` within its opening hours, none overlapping (one slot per day)."""
    hours = venue.get("opening_hours")
    made = 0
    for day in BOOKED_DAYS:
        for k, (start_h, end_h) in enumerate(SLOTS):
            start, end = b.moment(day, int(start_h)), b.moment(day, int(end_h))
            if not within_hours(hours if isinstance(hours, list) else None, start, end):
                continue
            booking_id = f"booking-{venue['id']}-{made + 1:02d}"
            price = venue.get("price")
            b.add(
                "Booking",
                {
                    "id": booking_id,
                    "start": start,
                    "end": end,
                    "status": "active",
                    "purpose": PURPOSES[(day + k) % len(PURPOSES)],
                    "fee": 2 * float(price) if isinstance(price, float) else None,
                    "booked_by": "secretary",
                    "booker_role": "secretary",
                    "booker_id": org_id,
                    **b.stamps(30),
                },
            )
            b.link("RESERVES", ("Booking", booking_id), ("Offering", str(venue["id"])))
            made += 1
            break
        if made == BOOKINGS_PER_VENUE:
            return
