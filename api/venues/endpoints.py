"""Venues by time slot and goods and funds with amounts over HTTP: a venue's bookings (public to
every signed-in role), book and cancel a slot; take from and return to a goods or funds offering;
its provider sets the total."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from api.deps import ActorDep, StoreDep
from api.offerings.schemas import OfferingOut
from api.params import status_query
from api.venues.schemas import ALLOCATION_EXAMPLES, BOOKING_EXAMPLES, AllocationOut, BookingOut
from engine.services.offerings import get_offering
from engine.services.personal import with_provider_name
from engine.services.records import MAX_LIMIT
from engine.services.venues import (
    AllocationDraft,
    AmountChange,
    BookingDraft,
    Reason,
    allocate,
    book_venue,
    cancel_booking,
    list_allocations,
    list_bookings,
    return_allocation,
    set_amount,
)
from graph_schema.domain import ALLOCATION_STATUSES, BOOKING_STATUSES

router = APIRouter(tags=["venues 场所预约与物资资金"])


@router.get("/offerings/{offering_id}/bookings", response_model=list[BookingOut], summary="场所预约时段")
def bookings(
    store: StoreDep,
    actor: ActorDep,
    offering_id: str,
    status: str | None = status_query(BOOKING_STATUSES, "active"),
    start: Annotated[str | None, Query(alias="from", description="只看此时间之后结束的预约")] = None,
    end: Annotated[str | None, Query(alias="to", description="只看此时间之前开始的预约")] = None,
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> list[dict[str, Any]]:
    """A venue's bookings in time order, by status and overlapping [from, to)."""
    return list_bookings(
        store, actor, offering_id, status=status, start=start, end=end, skip=skip, limit=limit
    )


@router.post(
    "/offerings/{offering_id}/bookings", response_model=BookingOut, status_code=201, summary="预约场所时段"
)
def book(
    store: StoreDep,
    actor: ActorDep,
    offering_id: str,
    body: Annotated[BookingDraft, Body(openapi_examples=BOOKING_EXAMPLES)],
) -> dict[str, Any]:
    """Book [start, end) of a venue; 409 naming the slot it overlaps, 422 outside opening hours."""
    return book_venue(store, actor, offering_id, body)


@router.post("/bookings/{booking_id}/cancel", response_model=BookingOut, summary="取消场所预约")
def cancel(
    store: StoreDep, actor: ActorDep, booking_id: str, body: Annotated[Reason | None, Body()] = None
) -> dict[str, Any]:
    """Cancel an active booking: its slot is free again."""
    return cancel_booking(store, actor, booking_id, body.reason if body else None)


@router.get(
    "/offerings/{offering_id}/allocations", response_model=list[AllocationOut], summary="物资资金领用记录"
)
def allocations(
    store: StoreDep,
    actor: ActorDep,
    offering_id: str,
    status: str | None = status_query(ALLOCATION_STATUSES, "active"),
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> list[dict[str, Any]]:
    """The allocations of a goods or funds offering, newest first."""
    return list_allocations(store, actor, offering_id, status=status, skip=skip, limit=limit)


@router.post(
    "/offerings/{offering_id}/allocations",
    response_model=AllocationOut,
    status_code=201,
    summary="领用物资或资金",
)
def take(
    store: StoreDep,
    actor: ActorDep,
    offering_id: str,
    body: Annotated[AllocationDraft, Body(openapi_examples=ALLOCATION_EXAMPLES)],
) -> dict[str, Any]:
    """Take an amount; 409 with what is left when it is more than that."""
    return allocate(store, actor, offering_id, body)


@router.post("/allocations/{allocation_id}/return", response_model=AllocationOut, summary="退回领用")
def give_back(
    store: StoreDep, actor: ActorDep, allocation_id: str, body: Annotated[Reason | None, Body()] = None
) -> dict[str, Any]:
    """Return an active allocation: its amount is left again."""
    return return_allocation(store, actor, allocation_id, body.reason if body else None)


@router.put("/offerings/{offering_id}/amount", response_model=OfferingOut, summary="设置物资资金总量")
def amount(store: StoreDep, actor: ActorDep, offering_id: str, body: AmountChange) -> dict[str, Any]:
    """Set the total of a goods or funds offering (its provider); what is left moves with it."""
    set_amount(store, actor, offering_id, body)
    return with_provider_name(store, actor, get_offering(store, actor, offering_id))
