"""Schemas of pledges 公开承诺 (inputs are the engine's PledgeDraft, PledgeProgressEntry, PledgeReview)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PledgeStepOut(BaseModel):
    """One progress entry."""

    id: str
    percent: int = Field(description="完成进度(%)")
    note: str = Field(description="进展说明")
    at: str = Field(description="记录时间")


class PledgeOut(BaseModel):
    """A pledge with its provider (a member's name to those entitled), org and review."""

    id: str
    title: str = Field(description="承诺事项")
    content: str | None = None
    target: str | None = None
    due_on: str | None = Field(None, description="完成期限")
    status: str = Field(description="active 进行中 · completed 已完成 · withdrawn 已撤回")
    percent: int | None = Field(None, description="完成进度(%)")
    review: str | None = Field(None, description="pending 待审核 · approved 已审核公示 · returned 已退回")
    review_note: str | None = None
    reviewed_at: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    provider_id: str
    provider_kind: str = Field(description="Unit 或 Member")
    provider_name: str | None = Field(None, description="服务方名称;党员姓名除有权查看者外脱敏")
    org_id: str
    org_name: str | None = None
    progress: list[PledgeStepOut] | None = Field(None, description="进展记录(详情中给出,按时间先后)")


class PledgeOrg(BaseModel):
    """An org the provider may pledge to."""

    id: str
    name: str
    level: str
