"""Schemas of the intake resource: a submission's receipt, the public timeline, the queue's items."""

from __future__ import annotations

from pydantic import BaseModel, Field

from engine.services.inputs import StrictInput, id_field, prop_field


class Duplicate(BaseModel):
    """A likely duplicate: another open request of the same category nearby with similar words."""

    code: str = Field(description="已有诉求的查询码")
    similarity: float = Field(description="描述相邻两字组合的重合度(Jaccard)")
    distance_m: int | None = Field(None, description="相距米数(无坐标时为同一地址)")


class Receipt(BaseModel):
    """What a submission answers: the tracking code, where it went, and likely duplicates."""

    code: str = Field(description="查询码(凭此查询进度)", examples=["7K2M9QX4TB"])
    status: str
    status_zh: str
    org_name: str = Field(description="受理的社区")
    duplicates: list[Duplicate] = Field(description="可能相同的已有诉求(“已有相同诉求,可关注”)")
    notice: str = Field(description="给居民的提示")
    created_at: str


class Step(BaseModel):
    """One step of the public timeline."""

    at: str | None
    status: str
    text: str


_STATUSES = "queued 待处理 · converted 已转为需求 · merged 已并入需求 · closed 已办结"


class PublicRequest(BaseModel):
    """A request as anyone holding its tracking code sees it: no description, place or contact."""

    code: str
    category: str
    category_name: str
    org_name: str
    status: str = Field(description=_STATUSES)
    status_zh: str
    status_reason: str | None = Field(None, description="办结原因")
    need_id: str | None = None
    need_status: str | None = None
    need_status_zh: str | None = None
    created_at: str
    timeline: list[Step]


class QueueItem(BaseModel):
    """A request in the secretary's queue (contact masked unless the reader is entitled)."""

    code: str
    id: str
    status: str
    status_zh: str
    category: str
    category_name: str
    description: str
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    area_id: str | None = None
    contact_first_name: str | None = None
    contact_last_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    via: str = Field(description="public 居民自助 · open311 接口 · grid_worker 网格员代提交")
    submitted_by: str | None = None
    status_reason: str | None = None
    decided_at: str | None = None
    decided_by: str | None = None
    created_at: str
    updated_at: str | None = None
    org_id: str
    org_name: str
    need_id: str | None = None
    need_status: str | None = None
    duplicates: list[Duplicate] = Field(default_factory=list)


class MergeBody(StrictInput):
    """Which open need of the community the request joins."""

    need_id: str = id_field("Need", description="并入的需求(待认领、已认领或服务中)")


class CloseBody(StrictInput):
    """Why the request is closed; the resident reads it on the tracking page."""

    reason: str = prop_field("Request", "status_reason", examples=["已联系物业当日修复,无需再派单"])
