"""一事一评 and 双向评价: the community rates each provider of a completed project, each
provider rates the community; both directions are listed per project (述评公开)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from api.deps import ActorDep, SettingsDep, StoreDep
from api.evaluations.schemas import EvaluationOut, EvaluationWritten
from engine.services.evaluations import (
    ProviderRating,
    Rating,
    list_evaluations,
    rate_community,
    rate_provider,
)

router = APIRouter(prefix="/projects/{project_id}/evaluations", tags=["evaluations 评价"])

ProviderRatingBody = Annotated[
    ProviderRating,
    Body(
        openapi_examples={
            "五星": {
                "summary": "书记给服务单位五星好评",
                "value": {"provider_id": "unit-00001", "rating": 5, "comment": "服务及时,老人很满意"},
            }
        }
    ),
]
RatingBody = Annotated[
    Rating,
    Body(
        openapi_examples={
            "四星": {"summary": "服务方评价社区组织", "value": {"rating": 4, "comment": "组织有序"}}
        }
    ),
]


@router.get("", response_model=list[EvaluationOut], summary="项目的评价(双向)")
def list_(store: StoreDep, actor: ActorDep, project_id: str) -> list[dict[str, Any]]:
    """Every evaluation of the project, both directions, to whoever may see the project."""
    return list_evaluations(store, actor, project_id)


@router.post(
    "/provider", response_model=EvaluationWritten, status_code=201, summary="社区评价服务方(一事一评)"
)
def rate_a_provider(
    store: StoreDep, settings: SettingsDep, actor: ActorDep, project_id: str, body: ProviderRatingBody
) -> dict[str, Any]:
    """The need's secretary rates one provider of the completed project, once (points by rule)."""
    return rate_provider(store, actor, project_id, body, settings=settings)


@router.post(
    "/community", response_model=EvaluationWritten, status_code=201, summary="服务方评价社区(双向评价)"
)
def rate_the_community(
    store: StoreDep, settings: SettingsDep, actor: ActorDep, project_id: str, body: RatingBody
) -> dict[str, Any]:
    """A provider of the completed project rates the community's organisation of it, once."""
    return rate_community(store, actor, project_id, body, settings=settings)
