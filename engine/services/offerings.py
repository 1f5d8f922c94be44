"""Offerings 资源清单: a unit or member registers what it can give (services, venues, goods,
funds) with a capacity per period; edits, pauses, resumes and retires it. The list is public
to every signed-in role; a member provider's name (personal data) is never in it."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import field_validator, model_validator

from engine.actors import Actor
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.services.categories import require_offered
from engine.services.clock import period_starts, resolve
from engine.services.editing import edit_node
from engine.services.inputs import Category, SchemaInput, id_field, prop_field
from engine.services.records import audit_record, check_page, new_id, present, public
from engine.services.scope import holder_kind
from engine.services.venue_hours import amount_rules, normalize_hours, venue_rules
from engine.store.base import GraphStore, Row
from engine.store.queries.closed_loop import offerings as offerings_queries
from graph_schema.domain import OFFERING_STATUSES, PROVIDERS
from graph_schema.validation import validate_node


class OfferingFields(SchemaInput):
    """What a provider writes about an offering (shared by a new one and an edit)."""

    schema_label: ClassVar[str] = "Offering"

    def _consistent(self) -> None:
        start, end = getattr(self, "available_from", None), getattr(self, "available_to", None)
        if start and end and end <= start:
            raise ValueError("“可用结束”必须晚于“可用开始”")
        kind = getattr(self, "kind", None)
        if getattr(self, "access", None) and kind is not None and kind != "venue":
            raise ValueError("只有场所类资源需要填写“场所使用方式”")
        if kind is not None:  # a new offering (an edit's are checked on the merged offering)
            venue_rules(kind, getattr(self, "access", None), getattr(self, "price", None), self.hours)
            amount_rules(kind, getattr(self, "amount", None), getattr(self, "amount_unit", None))

    @property
    def hours(self) -> list[str] | None:
        """The opening hours given (a venue's), normalised."""
        value: list[str] | None = getattr(self, "opening_hours", None)
        return value

    @field_validator("opening_hours", mode="after", check_fields=False)
    @classmethod
    def _hours(cls, value: list[str] | None) -> list[str] | None:
        return normalize_hours(value)


class OfferingDraft(OfferingFields):
    """A new offering; ``provider_id`` only when an admin registers it for a provider."""

    provider_id: str | None = id_field(
        "Unit", None, description="服务方(单位或党员)编号,仅管理员代登记时填写"
    )
    title: str = prop_field("Offering", "title")
    description: str | None = prop_field("Offering", "description", None)
    kind: str = prop_field("Offering", "kind", "service")
    access: str | None = prop_field("Offering", "access", None)
    category: Category = prop_field("Offering", "category")
    skills: list[str] = prop_field("Offering", "skills", default_factory=list)
    capacity: int = prop_field("Offering", "capacity", 1)
    period: str = prop_field("Offering", "period", "month")
    available_from: str | None = prop_field("Offering", "available_from", None)
    available_to: str | None = prop_field("Offering", "available_to", None)
    radius_km: float | None = prop_field("Offering", "radius_km", None)
    lat: float | None = prop_field("Offering", "lat", None)
    lon: float | None = prop_field("Offering", "lon", None)
    address: str | None = prop_field("Offering", "address", None)
    opening_hours: list[str] | None = prop_field("Offering", "opening_hours", None)
    price: float | None = prop_field("Offering", "price", None)
    amount: int | None = prop_field("Offering", "amount", None)
    amount_unit: str | None = prop_field("Offering", "amount_unit", None)

    @model_validator(mode="after")
    def _rules(self) -> OfferingDraft:
        self._consistent()
        return self


class OfferingEdit(OfferingFields):
    """Changes to an offering; only the fields given are changed (None clears an optional one)."""

    title: str | None = prop_field("Offering", "title", None)
    description: str | None = prop_field("Offering", "description", None)
    access: str | None = prop_field("Offering", "access", None)
    category: Category | None = prop_field("Offering", "category", None)
    skills: list[str] | None = prop_field("Offering", "skills", None)
    capacity: int | None = prop_field("Offering", "capacity", None)
    period: str | None = prop_field("Offering", "period", None)
    available_from: str | None = prop_field("Offering", "available_from", None)
    available_to: str | None = prop_field("Offering", "available_to", None)
    radius_km: float | None = prop_field("Offering", "radius_km", None)
    lat: float | None = prop_field("Offering", "lat", None)
    lon: float | None = prop_field("Offering", "lon", None)
    address: str | None = prop_field("Offering", "address", None)
    opening_hours: list[str] | None = prop_field("Offering", "opening_hours", None)
    price: float | None = prop_field("Offering", "price", None)
    amount_unit: str | None = prop_field("Offering", "amount_unit", None)

    @model_validator(mode="after")
    def _rules(self) -> OfferingEdit:
        self._consistent()
        return self


# action -> (statuses it starts from, status it leads to, what it is called)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "pause": (("active",), "paused", "暂停"),
    "resume": (("paused",), "active", "恢复"),
    "retire": (("active", "paused"), "retired", "下架"),
}


def offering_view(row: Row) -> dict[str, Any]:
    """An offering as callers see it: its properties, provider, and use in the current period."""
    return {
        **public(row["offering"]),
        "provider_id": row["provider_id"],
        "provider_kind": row["provider_kind"],
        "provider_name": row["provider_name"],
        "used_in_period": row["used_in_period"],
    }


def offering_row(store: GraphStore, offering_id: str, at: str) -> Row:
    """The stored offering with its provider and the active claims of its period; NotFound."""
    row = store.one(offerings_queries.DETAIL, {"id": offering_id, **period_starts(at)})
    if row is None:
        raise NotFound("资源不存在")
    return row


def _owned(store: GraphStore, actor: Actor, offering_id: str, at: str) -> Row:
    """The offering, after checking that ``actor`` is its provider or an admin."""
    row = offering_row(store, offering_id, at)
    mine = actor.provider_label == row["provider_kind"] and actor.subject_id == row["provider_id"]
    if not (actor.is_admin or mine):
        raise Forbidden("只能管理本单位或本人登记的资源")
    return row


def register_offering(
    store: GraphStore, actor: Actor, draft: OfferingDraft, *, now: str | None = None
) -> dict[str, Any]:
    """Register an offering (status active) for the acting unit or member, or by an admin for
    ``draft.provider_id``; returns the offering."""
    at = resolve(now)
    if actor.is_provider:
        if draft.provider_id not in (None, actor.subject_id):
            raise Forbidden("只能为本单位或本人登记资源")
        kind, provider_id = actor.provider_label or "", actor.subject_id or ""
    elif actor.is_admin:
        if not draft.provider_id:
            raise Invalid("请指定登记资源的单位或党员")
        provider_id = draft.provider_id
        kind = holder_kind(store, provider_id)
        if kind not in PROVIDERS:
            raise Invalid("资源只能登记在驻区单位或党员名下")
    else:
        raise Forbidden("只有驻区单位、党员或管理员可以登记资源")
    require_offered(store, draft.category)  # a retired (or unknown) category is refused
    offering_id = new_id()
    props = present(
        {**draft.props(), "id": offering_id, "status": "active", "created_at": at, "updated_at": at}
    )
    if props.get("amount") is not None:  # goods and funds: all of it is left at first
        props["amount_left"] = props["amount"]
    problems = validate_node("Offering", props)
    if problems:
        raise Invalid(problems[0].message)
    after = {**props, "provider_id": provider_id}
    written = store.one(
        offerings_queries.REGISTER[kind],
        {
            "provider_id": provider_id,
            "props": props,
            "audit": audit_record(
                actor, "offering.register", "Offering", offering_id, at, before=None, after=after
            ),
        },
    )
    if written is None:
        raise NotFound("服务方不存在")
    return offering_view(offering_row(store, offering_id, at))


def get_offering(
    store: GraphStore, actor: Actor, offering_id: str, *, now: str | None = None
) -> dict[str, Any]:
    """One offering (offerings are public to every signed-in role)."""
    return offering_view(offering_row(store, offering_id, resolve(now)))


def list_offerings(
    store: GraphStore,
    actor: Actor,
    *,
    status: str | None = None,
    category: str | None = None,
    provider_id: str | None = None,
    skip: int = 0,
    limit: int = 50,
    now: str | None = None,
) -> list[dict[str, Any]]:
    """Offerings newest first, by status, category (a top category includes its items) and provider."""
    check_page(skip, limit)
    if status is not None and status not in OFFERING_STATUSES:
        raise Invalid(f"资源状态“{status}”不存在")
    params = {
        "status": status,
        "category": category,
        "category_prefix": f"{category}." if category else None,
        "provider_id": provider_id,
        "skip": skip,
        "limit": limit,
        **period_starts(resolve(now)),
    }
    return [offering_view(r) for r in store.run(offerings_queries.LIST, params)]


def edit_offering(
    store: GraphStore, actor: Actor, offering_id: str, edit: OfferingEdit, *, now: str | None = None
) -> dict[str, Any]:
    """Change an offering that is not retired (its provider or an admin)."""
    at = resolve(now)

    def read() -> dict[str, Any]:
        row = _owned(store, actor, offering_id, at)
        _require_not_retired(row)
        return public(row["offering"])

    def check(current: dict[str, Any], merged: dict[str, Any]) -> None:
        if merged.get("category") != current.get("category"):
            require_offered(store, merged.get("category"))  # keeping a retired one is fine
        start, end = merged.get("available_from"), merged.get("available_to")
        if start and end and end <= start:
            raise Invalid("“可用结束”必须晚于“可用开始”")
        if merged.get("access") and merged["kind"] != "venue":
            raise Invalid("只有场所类资源需要填写“场所使用方式”")
        try:
            venue_rules(
                merged["kind"], merged.get("access"), merged.get("price"), merged.get("opening_hours")
            )
            amount_rules(merged["kind"], merged.get("amount"), merged.get("amount_unit"))
        except ValueError as exc:
            raise Invalid(str(exc)) from exc

    edit_node(
        store,
        actor,
        label="Offering",
        entity_id=offering_id,
        action="offering.edit",
        statement=offerings_queries.EDIT,
        changes=edit.props(only_set=True),
        at=at,
        read=read,
        check=check,
    )
    return offering_view(offering_row(store, offering_id, at))


def _require_not_retired(row: Row) -> None:
    if row["offering"]["status"] == "retired":
        raise Conflict("该资源已下架,不能再修改", "illegal_transition")


def _transition(
    store: GraphStore, actor: Actor, offering_id: str, action: str, now: str | None
) -> dict[str, Any]:
    at = resolve(now)
    sources, target, name_zh = TRANSITIONS[action]
    row = _owned(store, actor, offering_id, at)

    def refuse(status: str) -> Conflict:
        return Conflict(
            f"该资源当前状态为“{OFFERING_STATUSES.get(status, status)}”,不能{name_zh}", "illegal_transition"
        )

    if row["offering"]["status"] not in sources:
        raise refuse(row["offering"]["status"])
    written = store.one(
        offerings_queries.SET_STATUS,
        {
            "id": offering_id,
            "from_statuses": list(sources),
            "to_status": target,
            "now": at,
            "audit": audit_record(
                actor,
                f"offering.{action}",
                "Offering",
                offering_id,
                at,
                before=None,
                after={"status": target},
            ),
        },
    )
    current = offering_row(store, offering_id, at)
    if written is None:
        raise refuse(current["offering"]["status"])
    return offering_view(current)


def pause_offering(
    store: GraphStore, actor: Actor, offering_id: str, *, now: str | None = None
) -> dict[str, Any]:
    """Pause an active offering: no new claims until resumed (existing claims stand)."""
    return _transition(store, actor, offering_id, "pause", now)


def resume_offering(
    store: GraphStore, actor: Actor, offering_id: str, *, now: str | None = None
) -> dict[str, Any]:
    """Make a paused offering active again."""
    return _transition(store, actor, offering_id, "resume", now)


def retire_offering(
    store: GraphStore, actor: Actor, offering_id: str, *, now: str | None = None
) -> dict[str, Any]:
    """Retire an offering for good (existing claims stand, no new ones, no more edits)."""
    return _transition(store, actor, offering_id, "retire", now)
