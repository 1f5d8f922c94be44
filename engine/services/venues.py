"""Venues by time slot, and goods and funds with amounts (issue 12, point 2).

A venue offering (场所共享) has opening hours per weekday in Beijing time (stored as a list such as
``["mon 09:00-17:00", "sat 09:00-12:00"]``) and a use mode (free 免费, by reservation 预约, paid 收费
with a price per hour). A booking reserves the half-open slot [start, end): an overlapping active
booking refuses it with that slot named ("该场所 12月12日 09:00–11:00 已被预约"), back-to-back slots
are fine, and a slot outside the opening hours is refused. Goods (物资) and funds (资金) carry an
amount and what is left; an allocation takes part of it, refused when it exceeds what is left.

Who may book or take: the offering's provider, an admin, and a planner or secretary whose
jurisdiction reaches the provider (the community that uses the unit's venue or goods); the booker
may cancel its own booking. Every write is one statement that locks the offering first.

A claim of a need with a venue offering books the need's window itself, in the claim's statement
(engine/services/claims.py: windows of at most a day; its Booking carries ``claim_id``, and ends
with the claim or the need).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from pydantic import Field

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.services.clock import parse, resolve
from engine.services.inputs import SchemaInput, StrictInput, checked, id_field, prop_field
from engine.services.needs import need_row
from engine.services.offerings import offering_row
from engine.services.records import audit_record, check_page, json_head, new_id, present, public
from engine.services.scope import jurisdiction, provider_orgs
from engine.services.venue_hours import hours_text, slot_text, within_hours
from engine.store.base import GraphStore, Row
from engine.store.queries import venues as venue_queries
from graph_schema.domain import ALLOCATION_STATUSES, BOOKING_STATUSES, OFFERING_STATUSES

MAX_BOOKING_DAYS = 31
HORIZON_DAYS = 730  # how far ahead a slot may be booked
CLOSED_NEED = ("completed", "evaluated", "cancelled", "expired")


# ---------------------------------------------------------------------------------------------
# Inputs.


class BookingDraft(SchemaInput):
    """A booking of a venue's slot [start, end); without times, the need's window is booked."""

    schema_label: ClassVar[str] = "Booking"

    start: str | None = prop_field("Booking", "start", None)
    end: str | None = prop_field("Booking", "end", None)
    need_id: str | None = id_field("Need", None, description="使用该场所的需求编号(可选)")
    purpose: str | None = prop_field("Booking", "purpose", None)


class AllocationDraft(SchemaInput):
    """An amount taken from a goods or funds offering, optionally for a need."""

    schema_label: ClassVar[str] = "Allocation"

    amount: int = prop_field("Allocation", "amount")
    need_id: str | None = id_field("Need", None, description="领用用于的需求编号(可选)")
    purpose: str | None = prop_field("Allocation", "purpose", None)


class Reason(StrictInput):
    """Why a booking is cancelled or an allocation returned (optional)."""

    reason: str | None = Field(None, max_length=500, description="原因")


class AmountChange(SchemaInput):
    """A goods or funds offering's new total (what is left moves by the same difference)."""

    schema_label: ClassVar[str] = "Offering"

    amount: int = prop_field("Offering", "amount")
    amount_unit: str | None = prop_field("Offering", "amount_unit", None)


# ---------------------------------------------------------------------------------------------
# Who may use an offering.


def _booker(actor: Actor) -> dict[str, Any]:
    return present(
        {
            "booker_role": actor.role.value,
            "booker_id": actor.subject_id if actor.is_provider else actor.scope_org_id,
        }
    )


def may_use(store: GraphStore, actor: Actor, provider_kind: str, provider_id: str) -> bool:
    """Whether ``actor`` may book or take from an offering of this provider (module doc)."""
    if actor.is_admin:
        return True
    if actor.is_provider:
        return actor.provider_label == provider_kind and actor.subject_id == provider_id
    if actor.role in (Role.PLANNER, Role.SECRETARY):
        return jurisdiction(store, actor).covers_any(provider_orgs(store, provider_kind, provider_id))
    return False


def _usable(store: GraphStore, actor: Actor, offering_id: str, at: str, doing_zh: str) -> Row:
    row = offering_row(store, offering_id, at)
    if not may_use(store, actor, row["provider_kind"], row["provider_id"]):
        raise Forbidden(f"只能{doing_zh}本人、本单位或本辖区单位、党员提供的资源")
    status = row["offering"]["status"]
    if status != "active":
        raise Conflict(
            f"该资源当前状态为“{OFFERING_STATUSES.get(status, status)}”,不能{doing_zh}", "illegal_transition"
        )
    return row


def _need_for(store: GraphStore, actor: Actor, need_id: str | None) -> Row | None:
    """The need a booking or allocation is for, after checking the actor may act for it."""
    if need_id is None:
        return None
    row = need_row(store, need_id)
    mine = actor.is_provider and actor.subject_id in (row["claimant_ids"] or [])
    if not (mine or jurisdiction(store, actor).covers(row["org_id"])):
        raise Forbidden("只能为本辖区的需求或本人认领的需求使用资源")
    if row["need"]["status"] in CLOSED_NEED:
        raise Conflict("该需求已结束,不能再为它使用资源", "illegal_transition")
    return row


# ---------------------------------------------------------------------------------------------
# Bookings.


def booking_view(row: Row) -> dict[str, Any]:
    """A booking as callers see it: its properties, venue, need and the slot in Chinese."""
    booking = public(row["booking"])
    return {
        **booking,
        "offering_id": row["offering_id"],
        "offering_title": row["offering_title"],
        "need_id": row["need_id"],
        "need_title": row["need_title"],
        "slot_zh": slot_text(booking["start"], booking["end"]),
    }


def _booking_row(store: GraphStore, booking_id: str) -> Row:
    row = store.one(venue_queries.BOOKING_DETAIL, {"id": booking_id})
    if row is None:
        raise NotFound("预约不存在")
    return row


def book_venue(
    store: GraphStore, actor: Actor, offering_id: str, draft: BookingDraft, *, now: str | None = None
) -> dict[str, Any]:
    """Book [start, end) of a venue (module doc); refused with the clashing slot named."""
    at = resolve(now)
    row = _usable(store, actor, offering_id, at, "预约")
    venue = row["offering"]
    if venue["kind"] != "venue":
        raise Invalid("该资源不是场所,不能按时段预约", "not_a_venue")
    need = _need_for(store, actor, draft.need_id)
    start, end = draft.start, draft.end
    if need is not None and start is None and end is None:
        start, end = need["need"]["window_start"], need["need"]["window_end"]
    if start is None or end is None:
        raise Invalid("请填写预约的开始和结束时间")
    if end <= start:
        raise Invalid("预约的结束时间须晚于开始时间")
    if start < at:
        raise Invalid("不能预约已经开始或已过去的时段")
    if parse(start) - parse(at) > timedelta(days=HORIZON_DAYS):
        raise Invalid(f"只能预约 {HORIZON_DAYS // 365} 年内的时段")
    if parse(end) - parse(start) > timedelta(days=MAX_BOOKING_DAYS):
        raise Invalid(f"一次预约不能超过 {MAX_BOOKING_DAYS} 天")
    if not within_hours(venue.get("opening_hours"), start, end):
        opening = hours_text(venue.get("opening_hours"))
        raise Invalid(
            f"{slot_text(start, end)} 不在该场所开放时间内(开放时间:{opening})",
            "outside_hours",
        )
    hours = (parse(end) - parse(start)).total_seconds() / 3600
    paid = venue.get("access") == "paid" and venue.get("price") is not None
    fee = round(float(venue["price"]) * hours, 2) if paid else None
    booking_id = new_id()
    booking = present(
        {
            "id": booking_id,
            "start": start,
            "end": end,
            "status": "active",
            "purpose": draft.purpose,
            "fee": fee,
            "booked_by": actor.account_id,
            **_booker(actor),
            "created_at": at,
            "updated_at": at,
        }
    )
    after = {**booking, "offering_id": offering_id, "need_id": draft.need_id}
    written = store.one(
        venue_queries.BOOK,
        {
            "offering_id": offering_id,
            "start": start,
            "end": end,
            "need_id": draft.need_id,
            "booking": booking,
            "audit": audit_record(
                actor, "booking.create", "Booking", booking_id, at, before=None, after=after
            ),
        },
    )
    if written is None:
        clashes = store.run(venue_queries.CLASHES, {"offering_id": offering_id, "start": start, "end": end})
        if clashes:
            first = clashes[0]
            raise Conflict(f"该场所 {slot_text(first['start'], first['end'])} 已被预约", "slot_taken")
        current = offering_row(store, offering_id, at)["offering"]["status"]
        raise Conflict(
            f"该资源当前状态为“{OFFERING_STATUSES.get(current, current)}”,不能预约", "illegal_transition"
        )
    return booking_view(_booking_row(store, booking_id))


def cancel_booking(
    store: GraphStore, actor: Actor, booking_id: str, reason: str | None = None, *, now: str | None = None
) -> dict[str, Any]:
    """Cancel an active booking: its booker, the venue's provider or whoever may book the venue."""
    at = resolve(now)
    row = _booking_row(store, booking_id)
    booking = row["booking"]
    own = booking.get("booked_by") == actor.account_id
    if not (own or may_use(store, actor, row["provider_kind"], row["provider_id"])):
        raise Forbidden("只能取消本人的预约或本辖区场所的预约")
    if booking["status"] != "active":
        raise Conflict("该预约已取消", "illegal_transition")
    written = store.one(
        venue_queries.CANCEL,
        {
            "id": booking_id,
            "reason": reason,
            "now": at,
            "audit": audit_record(
                actor,
                "booking.cancel",
                "Booking",
                booking_id,
                at,
                before={"status": "active"},
                after=present({"status": "cancelled", "status_reason": reason}),
            ),
        },
    )
    if written is None:
        raise Conflict("该预约已取消", "illegal_transition")
    return booking_view(_booking_row(store, booking_id))


def list_bookings(
    store: GraphStore,
    actor: Actor,
    offering_id: str,
    *,
    status: str | None = None,
    start: str | None = None,
    end: str | None = None,
    skip: int = 0,
    limit: int = 100,
    now: str | None = None,
) -> list[dict[str, Any]]:
    """A venue's bookings in time order (slots are public to every signed-in role, like offerings)."""
    check_page(skip, limit)
    if status is not None and status not in BOOKING_STATUSES:
        raise Invalid(f"预约状态“{status}”不存在")
    offering_row(store, offering_id, resolve(now))
    params = {
        "offering_id": offering_id,
        "status": status,
        "from": checked("Booking", "start", start) if start else None,
        "to": checked("Booking", "end", end) if end else None,
        "skip": skip,
        "limit": limit,
    }
    return [booking_view(r) for r in store.run(venue_queries.BOOKINGS, params)]


# ---------------------------------------------------------------------------------------------
# Goods and funds.


def allocation_view(row: Row) -> dict[str, Any]:
    """An allocation with its offering, need and what is left of the offering."""
    return {
        **public(row["allocation"]),
        "offering_id": row["offering_id"],
        "offering_title": row["offering_title"],
        "amount_left": row["amount_left"],
        "amount_unit": row["amount_unit"],
        "need_id": row["need_id"],
        "need_title": row["need_title"],
    }


def _allocation_row(store: GraphStore, allocation_id: str) -> Row:
    row = store.one(venue_queries.ALLOCATION_DETAIL, {"id": allocation_id})
    if row is None:
        raise NotFound("领用记录不存在")
    return row


def _left_text(offering: dict[str, Any], left: Any) -> str:
    unit = offering.get("amount_unit") or ("元" if offering.get("kind") == "funds" else "份")
    return f"¥{left:,}" if offering.get("kind") == "funds" and unit == "元" else f"{left} {unit}"


def allocate(
    store: GraphStore, actor: Actor, offering_id: str, draft: AllocationDraft, *, now: str | None = None
) -> dict[str, Any]:
    """Take ``draft.amount`` of a goods or funds offering; refused when more than is left."""
    at = resolve(now)
    row = _usable(store, actor, offering_id, at, "领用")
    offering = row["offering"]
    if offering["kind"] not in ("goods", "funds") or offering.get("amount") is None:
        raise Invalid("只有登记了总量的物资或资金类资源可以领用", "not_countable")
    _need_for(store, actor, draft.need_id)
    allocation_id = new_id()
    allocation = present(
        {
            "id": allocation_id,
            "amount": draft.amount,
            "status": "active",
            "purpose": draft.purpose,
            "allocated_by": actor.account_id,
            **_booker(actor),
            "created_at": at,
            "updated_at": at,
        }
    )
    after = {**allocation, "offering_id": offering_id, "need_id": draft.need_id}
    written = store.one(
        venue_queries.ALLOCATE,
        {
            "offering_id": offering_id,
            "amount": draft.amount,
            "need_id": draft.need_id,
            "now": at,
            "allocation": allocation,
            "after_head": json_head(present(after)),
            "audit": audit_record(
                actor, "allocation.create", "Allocation", allocation_id, at, before=None, after=None
            ),
        },
    )
    if written is None:
        current = offering_row(store, offering_id, at)["offering"]
        if current["status"] != "active":
            raise Conflict("该资源已暂停或下架,不能领用", "illegal_transition")
        raise Conflict(
            f"领用数量超过剩余量:仅剩 {_left_text(current, current.get('amount_left', 0))}", "amount_exceeded"
        )
    return allocation_view(_allocation_row(store, allocation_id))


def return_allocation(
    store: GraphStore, actor: Actor, allocation_id: str, reason: str | None = None, *, now: str | None = None
) -> dict[str, Any]:
    """Return an active allocation (its taker, the provider or whoever may take from it)."""
    at = resolve(now)
    row = _allocation_row(store, allocation_id)
    own = row["allocation"].get("allocated_by") == actor.account_id
    if not (own or may_use(store, actor, row["provider_kind"], row["provider_id"])):
        raise Forbidden("只能退回本人的领用或本辖区资源的领用")
    if row["allocation"]["status"] != "active":
        raise Conflict("该领用已退回", "illegal_transition")
    written = store.one(
        venue_queries.RETURN_ALLOCATION,
        {
            "id": allocation_id,
            "reason": reason,
            "now": at,
            "after_head": json_head(present({"status": "returned", "status_reason": reason})),
            "audit": audit_record(
                actor,
                "allocation.return",
                "Allocation",
                allocation_id,
                at,
                before={"status": "active"},
                after=None,
            ),
        },
    )
    if written is None:
        raise Conflict("该领用已退回", "illegal_transition")
    return allocation_view(_allocation_row(store, allocation_id))


def list_allocations(
    store: GraphStore,
    actor: Actor,
    offering_id: str,
    *,
    status: str | None = None,
    skip: int = 0,
    limit: int = 100,
    now: str | None = None,
) -> list[dict[str, Any]]:
    """The allocations of a goods or funds offering, newest first."""
    check_page(skip, limit)
    if status is not None and status not in ALLOCATION_STATUSES:
        raise Invalid(f"领用状态“{status}”不存在")
    offering_row(store, offering_id, resolve(now))
    params = {"offering_id": offering_id, "status": status, "skip": skip, "limit": limit}
    return [allocation_view(r) for r in store.run(venue_queries.ALLOCATIONS, params)]


def set_amount(
    store: GraphStore, actor: Actor, offering_id: str, change: AmountChange, *, now: str | None = None
) -> dict[str, Any]:
    """Set the total of a goods or funds offering (its provider or an admin); what is already
    taken stays taken, so the total may not fall below it."""
    at = resolve(now)
    row = offering_row(store, offering_id, at)
    mine = actor.provider_label == row["provider_kind"] and actor.subject_id == row["provider_id"]
    if not (actor.is_admin or mine):
        raise Forbidden("只能管理本单位或本人登记的资源")
    offering = row["offering"]
    if offering["kind"] not in ("goods", "funds"):
        raise Invalid("只有物资和资金类资源有总量", "not_countable")
    if offering["status"] == "retired":
        raise Conflict("该资源已下架,不能再修改", "illegal_transition")
    written = store.one(
        venue_queries.SET_AMOUNT,
        {
            "id": offering_id,
            "amount": change.amount,
            "unit": change.amount_unit,
            "now": at,
            "audit": audit_record(
                actor,
                "offering.amount",
                "Offering",
                offering_id,
                at,
                before=None,
                after=present({"amount": change.amount, "amount_unit": change.amount_unit}),
            ),
        },
    )
    if written is None:
        current = offering_row(store, offering_id, at)["offering"]
        taken = int(current.get("amount") or 0) - int(current.get("amount_left") or 0)
        raise Conflict(f"总量不能少于已领用的 {_left_text(current, taken)}", "amount_exceeded")
    return public(offering_row(store, offering_id, at)["offering"])
