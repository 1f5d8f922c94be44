"""Schemas of the posts resource."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PostOut(BaseModel):
    """A post: who holds which role at which org, since when (and until when, once ended)."""

    id: str = Field(description="职务编号")
    role: str = Field(description="职务编码")
    role_zh: str = Field(description="职务")
    since: str | None = Field(None, description="任职日期")
    until: str | None = Field(None, description="离任日期(现任为空)")
    current: bool = Field(description="是否现任")
    unit_id: str | None = Field(None, description="来自单位(兼职委员)")
    unit_name: str | None = None
    note: str | None = None
    ended_reason: str | None = Field(None, description="离任原因")
    member_id: str
    member_name: str | None = Field(None, description="姓名(按权限脱敏)")
    member_phone: str | None = Field(None, description="手机号(按权限脱敏)")
    org_id: str
    org_name: str | None = None
