"""Schemas of the reports resource."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ResponseRate(BaseModel):
    """响应率: needs first claimed within the configured hours of posting, over the cohort."""

    rate: float | None = Field(description="比率 0–1;无需求时为空", examples=[0.75])
    responded: int = Field(examples=[3])
    needs: int = Field(examples=[4])
    within_hours: float = Field(description="响应时限(小时)", examples=[24])


class ResolutionRate(BaseModel):
    """解决率: needs completed or evaluated, over the cohort."""

    rate: float | None = Field(examples=[0.5])
    resolved: int = Field(examples=[2])
    needs: int = Field(examples=[4])


class SatisfactionRate(BaseModel):
    """满意率: community ratings of 4 or 5 stars, over all community ratings of the cohort."""

    rate: float | None = Field(examples=[1.0])
    satisfied: int = Field(examples=[2])
    ratings: int = Field(examples=[2])


class HolderPoints(BaseModel):
    """Points one unit, member or org earned through the projects of the reported subtree."""

    holder_id: str = Field(examples=["unit-00001"])
    kind: str = Field(description="Unit / Member / Org", examples=["Unit"])
    name: str | None = Field(None, description="单位或党组织名称(党员不显示姓名)", examples=["区人民医院"])
    points: int = Field(examples=[35])
    entries: int = Field(description="积分条目数", examples=[3])


class TwoWayCounts(BaseModel):
    """Units' own needs (双向服务) in a period: how many, how many resolved, by status."""

    needs: int = Field(description="需求数", examples=[3])
    resolved: int = Field(description="已完成或已评价", examples=[2])
    by_status: dict[str, int] = Field(description="按状态计数", examples=[{"open": 1, "completed": 2}])
    units: int | None = Field(None, description="提出需求的单位数", examples=[2])


class OrgReport(BaseModel):
    """The report of an org and its subtree for needs posted in [start, end)."""

    org_id: str = Field(examples=["ORG-S01"])
    start: str = Field(description="统计开始(含,UTC)", examples=["2026-10-01T00:00:00Z"])
    end: str = Field(description="统计结束(不含,UTC)", examples=["2026-11-01T00:00:00Z"])
    needs: int = Field(description="时段内发布的需求数(含已取消)", examples=[5])
    by_status: dict[str, int] = Field(
        description="按状态计数", examples=[{"open": 1, "claimed": 0, "completed": 2, "cancelled": 1}]
    )
    by_category: dict[str, int] = Field(description="按服务类别计数", examples=[{"elderly.meals": 3}])
    by_top_category: dict[str, int] = Field(description="按一级类别计数", examples=[{"elderly": 3}])
    response: ResponseRate
    resolution: ResolutionRate
    satisfaction: SatisfactionRate
    points_total: int = Field(description="时段内本辖区项目产生的积分合计", examples=[120])
    points_by_holder: list[HolderPoints] = Field(description="按单位、党员、党组织的积分(时段内)")
    two_way_service: TwoWayCounts | None = Field(
        None, description="双向服务:驻区单位向本辖区提出的需求(时段内发布)及已解决数"
    )
