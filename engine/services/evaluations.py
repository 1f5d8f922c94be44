"""Evaluations 一事一评 and 双向评价: once a project is completed the need's secretary rates
each provider (1–5 with a comment) and each provider rates the community's organisation of
it. The project and need become ``evaluated`` when every provider has been rated. Ratings
earn points by rule (per star to the rated party, a fixed amount for evaluating) in the
same write. Evaluations are visible to whoever may see the project (述评公开)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, Invalid
from engine.services.clock import resolve
from engine.services.inputs import SchemaInput, id_field, prop_field
from engine.services.points import point_entry
from engine.services.projects import project_row, refuse_status, serves, visible_project
from engine.services.records import audit_record, json_head, new_id, present, public
from engine.services.scope import jurisdiction
from engine.settings import Settings, get_settings
from engine.store.base import GraphStore, Row
from engine.store.queries.closed_loop import evaluations as evaluations_queries


class Rating(SchemaInput):
    """A rating of 1–5 stars with an optional comment."""

    schema_label: ClassVar[str] = "Evaluation"

    rating: int = prop_field("Evaluation", "rating")
    comment: str | None = prop_field("Evaluation", "comment", None)


class ProviderRating(Rating):
    """The community's rating of one provider of a project."""

    provider_id: str = id_field("Unit", description="被评价的服务方(单位或党员)编号")


def _credits(rating: int, rules: Settings, at: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Ledger entries for the rated party (per star) and for the rater (for evaluating)."""
    ratee = rating * rules.points_per_rating_star
    rater = rules.points_for_evaluating
    rule_star = f"points_per_rating_star={rules.points_per_rating_star}"
    rule_eval = f"points_for_evaluating={rules.points_for_evaluating}"
    ratee_points = [point_entry(ratee, "rating", rule_star, f"获得 {rating} 星评价", at)] if ratee > 0 else []
    rater_points = [point_entry(rater, "evaluating", rule_eval, "参与评价", at)] if rater > 0 else []
    return ratee_points, rater_points


def _rated(store: GraphStore, project_id: str, direction: str) -> list[Row]:
    return [
        r
        for r in store.run(evaluations_queries.FOR_PROJECT, {"project_id": project_id})
        if r["evaluation"]["direction"] == direction
    ]


def _evaluate(
    store: GraphStore,
    actor: Actor,
    *,
    action: str,
    kind: str,
    project_id: str,
    provider_id: str,
    ratee_id: str,
    rater_id: str,
    rating: Rating,
    rules: Settings,
    at: str,
    refuse: Callable[[], None],
) -> dict[str, Any]:
    """Write one evaluation (and its points) with ``loop.evaluation.<action>.<kind>``; a refused
    write is explained by ``refuse``, which raises the precise Conflict."""
    refuse()
    eval_id = new_id()
    direction = "community_to_provider" if action == "rate_provider" else "provider_to_community"
    evaluation = present(
        {
            "id": eval_id,
            "direction": direction,
            "rating": rating.rating,
            "comment": rating.comment,
            "created_at": at,
        }
    )
    ratee_points, rater_points = _credits(rating.rating, rules, at)
    after = {**evaluation, "project_id": project_id, "ratee_id": ratee_id, "rater_id": rater_id}
    written = store.one(
        (
            evaluations_queries.RATE_PROVIDER
            if action == "rate_provider"
            else evaluations_queries.RATE_COMMUNITY
        )[kind],
        {
            "project_id": project_id,
            "provider_id": provider_id,
            "evaluation": evaluation,
            "ratee_points": ratee_points,
            "rater_points": rater_points,
            "now": at,
            "audit": audit_record(
                actor, f"evaluation.{action}", "Evaluation", eval_id, at, before=None, after=None
            ),
            "after_head": json_head(after),
        },
    )
    if written is None:
        refuse()
        raise Conflict("评价未成功,请重试", "busy")
    return {**after, "project_status": written["project_status"]}


def rate_provider(
    store: GraphStore,
    actor: Actor,
    project_id: str,
    rating: ProviderRating,
    *,
    now: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """一事一评: the need's secretary (or an admin) rates one provider of a completed project,
    once; returns the evaluation with the project's status after it (evaluated once every
    provider is rated)."""
    at = resolve(now)
    row = project_row(store, project_id)
    if actor.role not in (Role.ADMIN, Role.SECRETARY) or not jurisdiction(store, actor).covers(row["org_id"]):
        raise Forbidden("只有需求所属社区的书记可以评价服务方")
    crew = {p["provider_id"]: p["provider_kind"] for p in row["providers"]}
    if rating.provider_id not in crew:
        raise Invalid("该服务方没有参与这个项目")

    def refuse() -> None:
        current = project_row(store, project_id)["project"]["status"]
        if current != "completed":
            raise refuse_status(current, "评价服务方")
        if any(
            r["ratee_id"] == rating.provider_id for r in _rated(store, project_id, "community_to_provider")
        ):
            raise Conflict("已评价过该服务方,一事一评不能重复评价", "already_rated")

    return _evaluate(
        store,
        actor,
        action="rate_provider",
        kind=crew[rating.provider_id],
        project_id=project_id,
        provider_id=rating.provider_id,
        ratee_id=rating.provider_id,
        rater_id=row["org_id"],
        rating=rating,
        rules=settings or get_settings(),
        at=at,
        refuse=refuse,
    )


def rate_community(
    store: GraphStore,
    actor: Actor,
    project_id: str,
    rating: Rating,
    *,
    now: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """双向评价: a provider of a completed project rates the community's organisation of it, once."""
    at = resolve(now)
    row = project_row(store, project_id)
    if not (actor.is_provider and serves(actor, row)):
        raise Forbidden("只有参与项目的服务方可以评价社区")
    provider_id = actor.subject_id or ""

    def refuse() -> None:
        current = project_row(store, project_id)["project"]["status"]
        if current not in ("completed", "evaluated"):
            raise refuse_status(current, "评价社区")
        if any(r["rater_id"] == provider_id for r in _rated(store, project_id, "provider_to_community")):
            raise Conflict("已评价过该社区,一事一评不能重复评价", "already_rated")

    return _evaluate(
        store,
        actor,
        action="rate_community",
        kind=actor.provider_label or "",
        project_id=project_id,
        provider_id=provider_id,
        ratee_id=row["org_id"],
        rater_id=provider_id,
        rating=rating,
        rules=settings or get_settings(),
        at=at,
        refuse=refuse,
    )


def list_evaluations(store: GraphStore, actor: Actor, project_id: str) -> list[dict[str, Any]]:
    """Every evaluation of a project, both directions, to whoever may see the project."""
    visible_project(store, actor, project_id)
    return [
        {
            **public(r["evaluation"]),
            "project_id": project_id,
            "rater_id": r["rater_id"],
            "rater_kind": r["rater_kind"],
            "ratee_id": r["ratee_id"],
            "ratee_kind": r["ratee_kind"],
        }
        for r in store.run(evaluations_queries.FOR_PROJECT, {"project_id": project_id})
    ]
