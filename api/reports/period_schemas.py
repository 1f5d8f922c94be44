"""Schemas of the period reports: time series by month or quarter and child orgs side by side."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.public.schemas import OrgRef, PeriodFigures


class SeriesPoint(PeriodFigures):
    """The figures of one month or quarter (clipped to the requested period)."""

    key: str = Field(examples=["2026-11"])
    label: str = Field(examples=["2026年11月"])
    start: str = Field(examples=["2026-10-31T16:00:00Z"])
    end: str = Field(examples=["2026-11-30T16:00:00Z"])


class OrgSeries(BaseModel):
    """An org's subtree per month or quarter of a period; the points add up to ``total``."""

    org_id: str = Field(examples=["org-00002"])
    by: str = Field(examples=["month"])
    start: str = Field(examples=["2026-09-30T16:00:00Z"])
    end: str = Field(examples=["2026-12-31T16:00:00Z"])
    total: PeriodFigures
    series: list[SeriesPoint]


class ChildFigures(PeriodFigures):
    """One org led directly by the reported org, with its own subtree's figures."""

    org_id: str = Field(examples=["org-00003"])
    name: str = Field(examples=["中共康川社区委员会"])
    level: str | None = Field(None, examples=["community"])
    level_zh: str | None = Field(None, examples=["社区党委"])


class ChildComparison(BaseModel):
    """Child orgs side by side; ``own`` is what the org posted itself: children + own = total."""

    org: OrgRef
    start: str = Field(examples=["2026-09-30T16:00:00Z"])
    end: str = Field(examples=["2026-12-31T16:00:00Z"])
    total: PeriodFigures
    own: PeriodFigures
    children: list[ChildFigures]
