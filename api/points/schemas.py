"""Schemas of the points resource (the correction input is the engine's PointCorrection)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class BalanceOut(BaseModel):
    """A holder's balance: the sum of its ledger, and how many entries it has."""

    holder_id: str = Field(examples=["U-0001"])
    holder_kind: str = Field(description="Unit、Member 或 Org", examples=["Unit"])
    balance: int = Field(description="积分余额(积分记录之和)", examples=[42])
    entries: int = Field(description="积分记录条数", examples=[5])


class PointEntryOut(BaseModel):
    """One ledger entry: how many points, why, by which rule, for which project."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5e0c4b0e-1f7a-4c0f-8a8e-1c2d3e4f5a6b",
                    "points": 20,
                    "reason": "service_hours",
                    "rule": "points_per_hour=10.0",
                    "note": "服务 2 小时",
                    "at": "2026-11-24T08:00:00Z",
                    "holder_id": "U-0001",
                    "project_id": "P-0001",
                }
            ]
        }
    )

    id: str
    points: int = Field(description="积分(更正可为负)")
    reason: str = Field(
        description="service_hours 服务时长、rating 服务获评、evaluating 参与评价、correction 积分更正"
    )
    rule: str | None = Field(None, description="记分规则")
    note: str | None = Field(None, description="说明")
    at: str = Field(description="记入时间(UTC)")
    holder_id: str
    project_id: str | None = None
