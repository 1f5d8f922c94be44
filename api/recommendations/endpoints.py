"""Recommendations with reasons over HTTP: the open needs the signed-in unit or member fits best,
and the best providers for a need (to its secretary, planners and admins)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from api.deps import ActorDep, SettingsDep, StoreDep
from api.recommendations.schemas import RecommendationOut
from engine.services.dispatch import needs_for_me, providers_for_need
from engine.services.dispatch.recommend import MAX_RECOMMENDATIONS
from engine.services.personal import with_provider_names

router = APIRouter(prefix="/recommendations", tags=["recommendations 推荐"])

K = Query(10, ge=1, le=MAX_RECOMMENDATIONS, description="推荐条数")


@router.get("/needs", response_model=list[RecommendationOut], summary="为我推荐的需求")
def for_me(store: StoreDep, settings: SettingsDep, actor: ActorDep, k: int = K) -> list[dict[str, Any]]:
    """The open needs the signed-in unit or member fits best, best first, with reasons."""
    rows = needs_for_me(store, actor, k, weights=settings.match_weights)
    return with_provider_names(store, actor, rows)


@router.get("/needs/{need_id}/providers", response_model=list[RecommendationOut], summary="为需求推荐服务方")
def for_need(
    store: StoreDep, settings: SettingsDep, actor: ActorDep, need_id: str, k: int = K
) -> list[dict[str, Any]]:
    """The best offerings and providers for an open need, best first, with reasons."""
    rows = providers_for_need(store, actor, need_id, k, weights=settings.match_weights)
    return with_provider_names(store, actor, rows)
