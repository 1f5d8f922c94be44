"""Schemas of the public results (述评公开) and of the period figures the reports share with them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.reports.schemas import ResolutionRate, ResponseRate, SatisfactionRate


class PeriodFigures(BaseModel):
    """Counts and rates of an org's subtree (or part of it) for needs posted in a period."""

    needs: int = Field(description="时段内发布的需求数(含已取消)", examples=[12])
    projects: int = Field(description="这些需求的项目数", examples=[8])
    projects_completed: int = Field(description="已完成(含已评价)的项目数", examples=[6])
    people_served: int = Field(
        description="服务人次:已完成项目所服务需求的受益人数(beneficiary_count)之和", examples=[86]
    )
    hours: float = Field(description="服务时长:社区已确认的小时(项目 hours_total 之和)", examples=[64.5])
    response: ResponseRate
    resolution: ResolutionRate
    satisfaction: SatisfactionRate


class OrgRef(BaseModel):
    """An org's public name and level."""

    id: str = Field(examples=["org-00002"])
    name: str = Field(examples=["中共春城区祥源街道工作委员会"])
    level: str | None = Field(None, examples=["street"])


class PeriodRef(BaseModel):
    """The period: its key, its label in Chinese and its UTC bounds [start, end)."""

    key: str = Field(examples=["2026-Q4"])
    label: str = Field(examples=["2026年第四季度"])
    start: str = Field(examples=["2026-09-30T16:00:00Z"])
    end: str = Field(examples=["2026-12-31T16:00:00Z"])


class TopUnit(BaseModel):
    """A unit that served the period's projects, by confirmed hours."""

    unit_id: str = Field(examples=["unit-00024"])
    name: str | None = Field(examples=["区人民医院"])
    hours: float = Field(description="已确认服务小时", examples=[16.0])
    projects: int = Field(description="参与项目数", examples=[2])
    completed: int = Field(description="其中已完成项目数", examples=[1])


class PublicRating(BaseModel):
    """One rating of 一事一评: stars and the provider's public name (党员姓名已隐去,如 张**)."""

    stars: int = Field(ge=1, le=5, examples=[5])
    provider_kind: str = Field(examples=["Unit"])
    provider_name: str | None = Field(examples=["区人民医院"])


class ProjectRatings(BaseModel):
    """A completed project and the community's ratings of its providers."""

    project_id: str = Field(examples=["prj-00001"])
    title: str = Field(examples=["和庄公馆2栋健康体检志愿者招募项目"])
    category: str = Field(examples=["health.checkup"])
    completed_at: str | None = Field(examples=["2026-07-30T10:00:00Z"])
    hours: float = Field(examples=[16.0])
    ratings: list[PublicRating]
    average: float | None = Field(description="平均星级;未评价时为空", examples=[4.5])


class PledgeStep(BaseModel):
    """One progress entry of a pledge."""

    percent: int = Field(description="完成进度(%)")
    note: str = Field(description="进展说明")
    at: str = Field(description="记录时间")


class PublicPledge(BaseModel):
    """A public commitment as anyone may read it: no phone, a member's name masked (张**)."""

    id: str
    title: str = Field(description="承诺事项")
    content: str | None = None
    target: str | None = None
    due_on: str | None = Field(None, description="完成期限")
    status: str = Field(description="active 进行中 · completed 已完成")
    percent: int | None = Field(None, description="完成进度(%)")
    provider_kind: str = Field(description="Unit 驻区单位 或 Member 党员")
    provider_name: str | None = Field(None, description="单位名称;党员姓名脱敏")
    org_id: str
    org_name: str | None = None
    progress: list[PledgeStep] = Field(default_factory=list)


class PublicResults(PeriodFigures):
    """述评公开: the results of an org and its subtree for a period, without personal data."""

    org: OrgRef
    period: PeriodRef
    top_units: list[TopUnit] = Field(description="服务较多的驻区单位(按已确认时长)")
    project_ratings: list[ProjectRatings] = Field(description="一事一评:已完成项目及其评价")
    pledges: list[PublicPledge] = Field(
        default_factory=list, description="公开承诺(已审核公示;党员姓名脱敏)及其进展"
    )
