"""Recommendations with reasons over the store: for the signed-in unit or member the open needs
it fits best, for a need the best providers (to its community's secretary, planners, admins)."""

from __future__ import annotations

from typing import Any

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, Invalid
from engine.matching import Candidate, ScoreWeights, needs_for_provider, offerings_for_need
from engine.services.clock import resolve
from engine.services.dispatch.reading import read_partition, street_of
from engine.services.dispatch.runs import match_weights
from engine.services.needs import need_row
from engine.services.scope import jurisdiction, require_role
from engine.store.base import GraphStore
from engine.store.queries import matching as matching_queries

MAX_RECOMMENDATIONS = 50


def _view(c: Candidate, kinds: dict[str, str]) -> dict[str, Any]:
    return {
        "need_id": c.need_id,
        "offering_id": c.offering_id,
        "provider_id": c.provider_id,
        "provider_kind": kinds.get(c.provider_id),
        "score": c.score,
        "parts": dict(c.parts),
        "path_words": c.path_words,
        "reasons": c.reasons(),
        "distance_km": c.distance_km,
    }


def _check_k(k: int) -> None:
    if not 1 <= k <= MAX_RECOMMENDATIONS:
        raise Invalid(f"推荐条数须在 1 到 {MAX_RECOMMENDATIONS} 之间")


def providers_for_need(
    store: GraphStore,
    actor: Actor,
    need_id: str,
    k: int = 10,
    *,
    now: str | None = None,
    weights: ScoreWeights | None = None,
) -> list[dict[str, Any]]:
    """The ``k`` best offerings (and their providers) for an open need, best first, with reasons."""
    _check_k(k)
    require_role(
        actor,
        (Role.ADMIN, Role.PLANNER, Role.SECRETARY),
        "只有社区书记、规划人员或管理员可以查看推荐的服务方",
    )
    need = need_row(store, need_id)
    if not jurisdiction(store, actor).covers(need["org_id"]):
        raise Forbidden("只能查看本辖区需求的推荐")
    partition = read_partition(store, street_of(store, need["org_id"]), resolve(now), [need["org_id"]])
    unscorable = partition.skipped_need(need_id)
    if unscorable is not None:
        raise Conflict(f"该需求的数据有误,无法计算推荐:{unscorable.reason}。请先修改需求", "unscorable")
    best = offerings_for_need(partition.arcs(weights or match_weights()), need_id, k)
    return [_view(c, dict(partition.provider_kind)) for c in best]


def needs_for_me(
    store: GraphStore,
    actor: Actor,
    k: int = 10,
    *,
    now: str | None = None,
    weights: ScoreWeights | None = None,
) -> list[dict[str, Any]]:
    """The ``k`` open needs the signed-in unit or member fits best (through its best offering for
    each), over the streets where it is placed or registered, best first, with reasons."""
    _check_k(k)
    if not actor.is_provider or not actor.subject_id or not actor.provider_label:
        raise Forbidden("只有驻区单位或党员可以查看为自己推荐的需求")
    at = resolve(now)
    me = actor.subject_id
    rows = store.run(matching_queries.PROVIDER_STREETS[actor.provider_label], {"id": me})
    streets = sorted({r["id"] for r in rows})
    found: list[dict[str, Any]] = []
    for street_id in streets:
        partition = read_partition(store, street_id, at)
        if partition.provider_kind.get(me) not in (None, actor.provider_label):
            continue  # an id shared by a unit and a member: not this actor's offerings
        found += [
            _view(c, dict(partition.provider_kind))
            for c in needs_for_provider(partition.arcs(weights or match_weights()), me, k)
        ]
    found.sort(key=lambda r: (-r["score"], r["need_id"], r["offering_id"]))
    return found[:k]
