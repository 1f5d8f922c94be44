"""Schemas of the branches resource."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Ref(BaseModel):
    """An org by id and name."""

    id: str
    name: str | None = None


class BranchOut(BaseModel):
    """A 三缘 feature branch."""

    id: str
    name: str | None = None
    level: str | None = None
    kind: str | None = None
    basis: str | None = Field(
        None, description="三缘类别:territorial 地缘 · occupational 业缘 · interest 趣缘"
    )
    basis_zh: str | None = None
    parent_ids: list[str] = Field(default_factory=list, description="上级组织")
    joined: int = Field(description="参加人数")


class JoinedBranch(BaseModel):
    """A branch a member joined, and since when."""

    id: str
    name: str | None = None
    level: str | None = None
    kind: str | None = None
    basis: str | None = None
    basis_zh: str | None = None
    since: str | None = Field(None, description="参加日期")


class RosterEntry(BaseModel):
    """A member on a branch's roster, with the formal affiliation that joining does not change."""

    id: str
    name: str | None = Field(None, description="姓名(按权限脱敏)")
    phone: str | None = Field(None, description="手机号(按权限脱敏)")
    since: str | None = Field(None, description="参加日期")
    belongs_to: list[Ref] = Field(description="所属党组织(隶属关系,不因参加支部而改变)")
