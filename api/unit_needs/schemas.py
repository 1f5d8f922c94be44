"""Schemas of units' own needs (双向服务) and of the 允许跨类认领 switches."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.needs.schemas import NeedOut
from engine.services.inputs import StrictInput


class UnitNeedOut(NeedOut):
    """A unit's own need: the need, the org it was posted to and the unit that asked for it."""

    requester_id: str = Field(description="提出需求的驻区单位")
    requester_name: str | None = Field(None, description="驻区单位名称")


class TargetOrg(BaseModel):
    """An org a unit may post its own needs to."""

    id: str
    name: str
    level: str = Field(description="community 社区党委 · street 街道党工委 …")


class Counts(BaseModel):
    """Needs in a period: how many, how many resolved, by status."""

    needs: int
    resolved: int
    by_status: dict[str, int]


class UnitReport(BaseModel):
    """A unit's side of 双向服务 in a period: what it asked for and what it served."""

    unit_id: str
    name: str | None = None
    start: str
    end: str
    asked: Counts = Field(description="本单位向社区、街道提出的需求(时段内发布)")
    served: Counts = Field(description="本单位认领服务的需求(时段内认领,有效认领)")


class CrossCategory(StrictInput):
    """Whether providers may claim with an offering that does not fit the need (允许跨类认领)."""

    allow: bool = Field(description="是否允许跨类认领")


class CrossCategoryOut(BaseModel):
    """The switch as stored."""

    need_id: str | None = None
    org_id: str | None = None
    allow_cross_category: bool
