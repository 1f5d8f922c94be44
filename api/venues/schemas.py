"""Schemas of bookings and allocations (the inputs are the engine's BookingDraft, AllocationDraft,
Reason and AmountChange)."""

from __future__ import annotations

from fastapi.openapi.models import Example
from pydantic import BaseModel, Field

BOOKING_EXAMPLES: dict[str, Example] = {
    "时段": Example(
        summary="预约 12月12日 09:00–11:00(北京时间)",
        value={
            "start": "2026-12-12T09:00:00+08:00",
            "end": "2026-12-12T11:00:00+08:00",
            "purpose": "老年人智能手机培训",
        },
    ),
    "按需求": Example(summary="为需求预约(不填时间则预约需求的时间窗)", value={"need_id": "need-00001"}),
}
ALLOCATION_EXAMPLES: dict[str, Example] = {
    "物资": Example(summary="领用 20 份物资", value={"amount": 20, "purpose": "独居老人慰问"}),
}


class BookingOut(BaseModel):
    """A booking of a venue's slot [start, end)."""

    id: str
    start: str = Field(description="开始时间(UTC)")
    end: str = Field(description="结束时间(UTC,不含)")
    slot_zh: str = Field(description="时段(北京时间),如 12月12日 09:00–11:00")
    status: str = Field(description="active 已预约 · cancelled 已取消")
    purpose: str | None = None
    fee: float | None = Field(None, description="收费场所按时长计的费用(元)")
    booked_by: str | None = Field(None, description="预约账号")
    booker_role: str | None = None
    booker_id: str | None = Field(None, description="预约方(党组织、单位或党员编号)")
    status_reason: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    offering_id: str
    offering_title: str
    need_id: str | None = None
    need_title: str | None = None


class AllocationOut(BaseModel):
    """An amount taken from a goods or funds offering, and what is left of it."""

    id: str
    amount: int
    status: str = Field(description="active 已领用 · returned 已退回")
    purpose: str | None = None
    allocated_by: str | None = None
    booker_role: str | None = None
    booker_id: str | None = None
    status_reason: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    offering_id: str
    offering_title: str
    amount_left: int | None = Field(None, description="该资源的剩余量")
    amount_unit: str | None = None
    need_id: str | None = None
    need_title: str | None = None
