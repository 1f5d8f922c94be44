"""Schemas of the evaluations resource (the inputs are the engine's Rating and ProviderRating)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class EvaluationOut(BaseModel):
    """One evaluation of a project: who rated whom, how many stars, and the comment."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b6f1c1e-4d0a-4a57-9a51-5d6c8d1e2f3a",
                    "direction": "community_to_provider",
                    "rating": 5,
                    "comment": "服务及时,老人很满意",
                    "created_at": "2026-11-24T08:00:00Z",
                    "project_id": "P-0001",
                    "rater_id": "ORG-C001",
                    "rater_kind": "Org",
                    "ratee_id": "U-0001",
                    "ratee_kind": "Unit",
                }
            ]
        }
    )

    id: str
    direction: Literal["community_to_provider", "provider_to_community"] = Field(
        description="community_to_provider 社区评服务方;provider_to_community 服务方评社区"
    )
    rating: int = Field(ge=1, le=5, description="星级 1–5")
    comment: str | None = Field(None, description="评语")
    created_at: str = Field(description="评价时间(UTC)")
    project_id: str
    rater_id: str = Field(description="评价方编号(社区党组织或服务方)")
    rater_kind: str | None = Field(None, description="评价方类型:Org、Unit 或 Member")
    ratee_id: str = Field(description="被评价方编号")
    ratee_kind: str | None = Field(None, description="被评价方类型:Org、Unit 或 Member")


class EvaluationWritten(EvaluationOut):
    """A new evaluation, with the project's status after it (evaluated once every provider is rated)."""

    project_status: str = Field(description="评价后的项目状态", examples=["evaluated"])
