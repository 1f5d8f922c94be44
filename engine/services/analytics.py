"""Planners' analytics through the closed loop's rules: the caller's jurisdiction checked, its scope
projected (ProjectionCache, one per process), the pure analyses of ``engine.analytics`` called.

Roles: admins anywhere (the whole graph); planners within their district/street; secretaries
within their community; units and members are refused. An entity asked about must be in the
projection of the caller's scope; an org asked about must be inside the jurisdiction, and its
analyses see only its own scope. Mobilisation lists name members by the personal-data rule
(``mask_personal``: in full for admins and the member's own community secretary). The other
analyses show member names in full to admins only and mask them (张某) for everyone else, since
sentences such as a path in words carry names that cannot be unmasked per reader afterwards.
Projections are snapshots at most ``MAX_AGE_S`` old.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

import networkx as nx

from engine.actors import Actor, Role
from engine.analytics.coverage import (
    in_service_reporting_share,
    two_new_org_share,
    uncovered_areas,
    unit_reporting_share,
)
from engine.analytics.gaps import monthly_trends, needs_without_provider, supply_demand
from engine.analytics.mobilisation import Mobiliser
from engine.analytics.network import bridges, clusters, dependence, suggest_partnerships
from engine.analytics.relationships import council_composition, neighbourhood, paths_between, unit_ties
from engine.errors import Forbidden, Invalid, NotFound
from engine.services.analytics_projection import ProjectionCache
from engine.services.personal import mask_personal
from engine.services.scope import jurisdiction, require_role, subtree
from engine.store.base import GraphStore
from engine.store.queries import pipl as pipl_queries
from graph_schema.domain import REL_TYPES

MAX_AGE_S = 60.0
CACHE = ProjectionCache(max_age_s=MAX_AGE_S)
ANALYSTS = (Role.ADMIN, Role.PLANNER, Role.SECRETARY)
RELATIONSHIP_NAMES = frozenset(r.name for r in REL_TYPES)
AREA_LEVELS_OF_GAPS = ("street", "community", "grid")


def plain(value: Any) -> Any:
    """Records of the analyses as JSON-ready dicts and lists, with their computed properties
    (Share.rate, GapRow.balance) kept beside their fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name, attr in vars(type(value)).items():
            if isinstance(attr, property):
                out[name] = plain(getattr(value, name))
        return out
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _masks(actor: Actor) -> bool:
    """Whether member names are masked in analytics answers for ``actor`` (all but admins)."""
    return not actor.is_admin


def _scope_graph(store: GraphStore, actor: Actor) -> nx.MultiDiGraph:
    """The projection of the caller's whole scope (the whole graph for admins)."""
    require_role(actor, ANALYSTS, "只有管理员、组织部门和社区书记可以使用分析功能")
    jurisdiction(store, actor)  # refuses an account whose org no longer exists
    return CACHE.graph(store, None if actor.is_admin else actor.scope_org_id)


def org_graph(store: GraphStore, actor: Actor, org_id: str) -> nx.MultiDiGraph:
    """The projection of ``org_id``'s scope, when the org is inside the caller's jurisdiction."""
    require_role(actor, ANALYSTS, "只有管理员、组织部门和社区书记可以使用分析功能")
    if not jurisdiction(store, actor).covers(org_id):
        raise Forbidden("该党组织不在您的管辖范围内")
    if actor.is_admin and not subtree(store, org_id):
        raise NotFound("找不到该党组织")
    return CACHE.graph(store, org_id)


def require_entity(actor: Actor, graph: nx.MultiDiGraph, entity_id: str, label: str | None = None) -> None:
    """Refuse an entity absent from the caller's projection (or not of ``label``)."""
    if entity_id not in graph:
        if actor.is_admin:
            raise NotFound("找不到该对象")
        raise Forbidden("该对象不在您的管辖范围内")
    if label is not None and graph.nodes[entity_id].get("label") != label:
        raise NotFound({"Unit": "找不到该驻区单位", "Org": "找不到该党组织"}.get(label, "找不到该对象"))


def _rel_types(rel_types: Collection[str] | None) -> list[str] | None:
    """Relationship types asked for, each checked against the schema (None or empty: all)."""
    if not rel_types:
        return None
    unknown = sorted(set(rel_types) - RELATIONSHIP_NAMES)
    if unknown:
        raise Invalid(f"未知的关系类型:{'、'.join(unknown)}")
    return sorted(set(rel_types))


def entity_neighbourhood(
    store: GraphStore,
    actor: Actor,
    entity_id: str,
    *,
    hops: int = 1,
    rel_types: Collection[str] | None = None,
    max_nodes: int = 500,
) -> dict[str, Any]:
    """The entities within ``hops`` of ``entity_id`` (over ``rel_types``) in the caller's scope."""
    graph = _scope_graph(store, actor)
    require_entity(actor, graph, entity_id)
    found = neighbourhood(
        graph,
        entity_id,
        hops=hops,
        rel_types=_rel_types(rel_types),
        max_nodes=max_nodes,
        mask_pii=_masks(actor),
    )
    return plain(found)


def link_paths(
    store: GraphStore, actor: Actor, a: str, b: str, *, max_hops: int = 6, limit: int = 5
) -> list[dict[str, Any]]:
    """Up to ``limit`` shortest paths in words between two entities of the caller's scope."""
    graph = _scope_graph(store, actor)
    require_entity(actor, graph, a)
    require_entity(actor, graph, b)
    found = paths_between(graph, a, b, max_hops=max_hops, limit=limit, mask_pii=_masks(actor))
    return plain(found)


def council_of(store: GraphStore, actor: Actor, org_id: str) -> dict[str, Any]:
    """The composition of a 大工委/大党委: posts, 兼职委员 and the units they come from."""
    graph = org_graph(store, actor, org_id)
    require_entity(actor, graph, org_id, "Org")
    return plain(council_composition(graph, org_id, mask_pii=_masks(actor)))


def ties_of_unit(store: GraphStore, actor: Actor, unit_id: str) -> dict[str, Any]:
    """Every tie of a resident unit in the caller's scope."""
    graph = _scope_graph(store, actor)
    require_entity(actor, graph, unit_id, "Unit")
    return plain(unit_ties(graph, unit_id, mask_pii=_masks(actor)))


def coverage_of(store: GraphStore, actor: Actor, org_id: str) -> dict[str, Any]:
    """Uncovered areas, the 两新 share and the 双报到 share of an org's scope."""
    graph = org_graph(store, actor, org_id)
    return {
        "org_id": org_id,
        "areas": plain(uncovered_areas(graph)),
        "two_new": plain(two_new_org_share(graph)),
        "reporting": plain(in_service_reporting_share(graph)),
        "unit_reporting": plain(unit_reporting_share(graph)),
    }


def gaps_of(
    store: GraphStore, actor: Actor, org_id: str, *, level: str = "community", radius_km: float = 3.0
) -> dict[str, Any]:
    """Supply against demand by category × area, needs without a provider within ``radius_km``,
    and monthly trends, of an org's scope."""
    if level not in AREA_LEVELS_OF_GAPS:
        raise Invalid(f"区域层级应为 {'、'.join(AREA_LEVELS_OF_GAPS)} 之一")
    graph = org_graph(store, actor, org_id)
    return {
        "org_id": org_id,
        "supply_demand": plain(supply_demand(graph, level=level)),
        "unserved": plain(needs_without_provider(graph, radius_km=radius_km)),
        "trends": plain(monthly_trends(graph)),
    }


def diagnostics_of(store: GraphStore, actor: Actor, org_id: str, *, top: int = 20) -> dict[str, Any]:
    """Bridges, dependence, clusters and suggested partnerships of an org's scope."""
    graph = org_graph(store, actor, org_id)
    return {
        "org_id": org_id,
        "bridges": plain(bridges(graph, top=top, mask_pii=_masks(actor))),
        "dependence": plain(dependence(graph, top=top)),
        "clusters": plain(clusters(graph)),
        "suggestions": plain(suggest_partnerships(graph, top=top)),
    }


def mobilise(
    store: GraphStore,
    actor: Actor,
    org_id: str,
    *,
    area_id: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    skills: Collection[str] = (),
    limit: int = 20,
) -> list[dict[str, Any]]:
    """Members and units of an org's scope to call for ``skills`` near an area or a point, best first,
    with their phones (a unit's contact phone) masked unless the caller may see them (break-glass:
    ``engine.services.pipl.reveal_phones``)."""
    if area_id is None and (lat is None or lon is None):
        raise Invalid("请给出地点:区域编号,或经纬度")
    graph = org_graph(store, actor, org_id)
    place: str | tuple[float, float]
    if area_id is not None:
        require_entity(actor, graph, area_id, "Area")
        place = area_id
    else:
        place = (float(lat or 0.0), float(lon or 0.0))
    mob = CACHE.derived(store, "mobiliser", Mobiliser.from_graph, org_id=org_id)
    try:
        found: list[dict[str, Any]] = plain(mob.find(place, skills, limit=limit))
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    phones = {
        r["id"]: r["phone"] for r in store.run(pipl_queries.CALLEE_PHONES, {"ids": [c["id"] for c in found]})
    }
    members = [
        {"id": c["id"], "name": c["name"], "phone": phones.get(c["id"])}
        for c in found
        if c["label"] == "Member"
    ]
    units = [{"id": c["id"], "contact_phone": phones.get(c["id"])} for c in found if c["label"] == "Unit"]
    shown = {m["id"]: m for m in mask_personal(store, actor, "Member", members)}
    shown |= {u["id"]: {"phone": u["contact_phone"]} for u in mask_personal(store, actor, "Unit", units)}
    return [{**c, **shown.get(c["id"], {})} for c in found]
