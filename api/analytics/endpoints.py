"""Planners' analytics over HTTP (issue 5): relationships, coverage, gaps, diagnostics, emergency
mobilisation and indicators. Scopes and masking are the engine's (engine.services.analytics)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.analytics.schemas import (
    Callee,
    CouncilComposition,
    Coverage,
    Diagnostics,
    Gaps,
    LinkPath,
    Neighbourhood,
    UnitTies,
)
from api.deps import ActorDep, SettingsDep, StoreDep
from api.reports.endpoints import End, Start
from api.reports.schemas import OrgReport
from engine.services.analytics import (
    council_of,
    coverage_of,
    diagnostics_of,
    entity_neighbourhood,
    gaps_of,
    link_paths,
    mobilise,
    ties_of_unit,
)
from engine.services.reports import org_report

router = APIRouter(prefix="/analytics", tags=["analytics 分析"])

Top = Annotated[int, Query(ge=1, le=200, description="每项最多返回条数")]


@router.get("/entities/{entity_id}/neighbourhood", response_model=Neighbourhood, summary="关系邻域")
def entity_neighbourhood_route(
    store: StoreDep,
    actor: ActorDep,
    entity_id: str,
    hops: Annotated[int, Query(ge=1, le=4, description="跳数")] = 1,
    rel_types: Annotated[
        list[str] | None, Query(description="关系类型,不填为全部", examples=[["LEADS", "COVERS"]])
    ] = None,
    max_nodes: Annotated[int, Query(ge=1, le=2000, description="最多节点数")] = 500,
) -> dict[str, Any]:
    """The organisations, units, members and needs within ``hops`` of an entity of one's scope."""
    return entity_neighbourhood(store, actor, entity_id, hops=hops, rel_types=rel_types, max_nodes=max_nodes)


@router.get("/paths", response_model=list[LinkPath], summary="两者之间的关系路径(文字)")
def paths_route(
    store: StoreDep,
    actor: ActorDep,
    a: Annotated[str, Query(description="起点编号", examples=["unit-0001"])],
    b: Annotated[str, Query(description="终点编号", examples=["org-c001"])],
    max_hops: Annotated[int, Query(ge=1, le=8, description="最长关系数")] = 6,
    limit: Annotated[int, Query(ge=1, le=20, description="最多路径数")] = 5,
) -> list[dict[str, Any]]:
    """The shortest paths linking two entities of one's scope, in words."""
    return link_paths(store, actor, a, b, max_hops=max_hops, limit=limit)


@router.get("/orgs/{org_id}/council", response_model=CouncilComposition, summary="大工委/大党委组成")
def council_route(store: StoreDep, actor: ActorDep, org_id: str) -> dict[str, Any]:
    """The posts of an org, its 兼职委员 and the units they come from."""
    return council_of(store, actor, org_id)


@router.get("/units/{unit_id}/ties", response_model=UnitTies, summary="驻区单位的全部联系")
def unit_ties_route(store: StoreDep, actor: ActorDep, unit_id: str) -> dict[str, Any]:
    """A unit's agreements, 双报到, projects, workers, embedded orgs and offerings."""
    return ties_of_unit(store, actor, unit_id)


@router.get(
    "/orgs/{org_id}/coverage", response_model=Coverage, summary="覆盖情况:空白区域、两新覆盖率、双报到率"
)
def coverage_route(store: StoreDep, actor: ActorDep, org_id: str) -> dict[str, Any]:
    """Areas no org covers, the 两新 share and the 双报到 share, by street and community."""
    return coverage_of(store, actor, org_id)


@router.get("/orgs/{org_id}/gaps", response_model=Gaps, summary="供需短板与月度趋势")
def gaps_route(
    store: StoreDep,
    actor: ActorDep,
    org_id: str,
    level: Annotated[str, Query(description="区域层级:street、community 或 grid")] = "community",
    radius_km: Annotated[float, Query(gt=0, le=50, description="服务半径(公里)")] = 3.0,
) -> dict[str, Any]:
    """Demand against supply by category × area, needs with no provider near, trends by month."""
    return gaps_of(store, actor, org_id, level=level, radius_km=radius_km)


@router.get(
    "/orgs/{org_id}/diagnostics", response_model=Diagnostics, summary="网络诊断:桥梁、依赖、聚类、共建建议"
)
def diagnostics_route(store: StoreDep, actor: ActorDep, org_id: str, top: Top = 20) -> dict[str, Any]:
    """Bridges between communities, units needs depend on, clusters, suggested partnerships."""
    return diagnostics_of(store, actor, org_id, top=top)


@router.get("/orgs/{org_id}/mobilisation", response_model=list[Callee], summary="平急结合:应急动员名单")
def mobilisation_route(
    store: StoreDep,
    actor: ActorDep,
    org_id: str,
    area_id: Annotated[str | None, Query(description="地点所在区域编号")] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90, description="纬度")] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180, description="经度")] = None,
    skills: Annotated[list[str] | None, Query(description="所需技能", examples=[["first_aid"]])] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="最多人数")] = 20,
) -> list[dict[str, Any]]:
    """Members and units of the org's scope to call near a place for skills, best first."""
    return mobilise(store, actor, org_id, area_id=area_id, lat=lat, lon=lon, skills=skills or (), limit=limit)


@router.get("/orgs/{org_id}/indicators", response_model=OrgReport, summary="考核指标:三率与积分")
def indicators_route(
    store: StoreDep, settings: SettingsDep, actor: ActorDep, org_id: str, start: Start, end: End
) -> dict[str, Any]:
    """The three rates and the points of an org and its subtree for a period (月查/季报/年度考核)."""
    return org_report(store, actor, org_id, start, end, settings=settings)
