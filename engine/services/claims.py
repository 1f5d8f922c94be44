"""Claims 认领: a provider claims an open need with one of its active offerings (or a secretary,
planner or admin dispatches one, 派单); withdrawing before work starts reopens the need.

A need wanting d providers accepts exactly d active claims, one per provider; an offering
serves at most ``capacity`` claims per period (claims made since the start of the current
week/month/quarter/year on the Beijing calendar; ``once``: ever). The claim that fills the
need makes it ``claimed`` and creates its Project (status claimed) with every claimant
SERVING it: the project exists only once the need is fully staffed. All in one statement,
so concurrent claims let exactly the right number win.

A claim with a venue offering (``kind`` venue, 场所共享) books the venue for the need's window
[window_start, window_end) in that same statement (issue 12, point 2): the venue is locked, an
active booking overlapping the window refuses the claim (Conflict ``slot_taken`` naming the slot,
nothing written), a window outside the opening hours is refused before the statement (Invalid
``outside_hours``), and the Booking (``claim_id`` = the claim, BOOKED_FOR the need) is audited
beside the claim. Withdrawing or cancelling the claim, or cancelling or expiring the need, cancels
that booking in the same statement. Long windows: only a window of at most one day
(``CLAIM_BOOKING_MAX_HOURS``) is booked by the claim; a longer window (a month-long activity, say)
is claimed without a booking and the provider books the days it needs through the venue's
bookings (``/offerings/{id}/bookings``, at most ``MAX_BOOKING_DAYS`` each).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.services.clock import parse, period_starts, resolve
from engine.services.fit import check_self_claim
from engine.services.inputs import SchemaInput, checked, id_field, prop_field
from engine.services.needs import need_row, status_zh
from engine.services.offerings import offering_row
from engine.services.records import audit_record, check_page, json_head, linked, new_id, public
from engine.services.scope import jurisdiction
from engine.services.venue_hours import hours_text, slot_text, within_hours
from engine.store.base import GraphStore, Row
from engine.store.queries import venues as venue_queries
from engine.store.queries.closed_loop import claims as claims_queries
from graph_schema.domain import CLAIM_STATUSES, OFFERING_PERIODS

CLAIM_ATTEMPTS = 3
CLAIM_BOOKING_MAX_HOURS = 24  # a venue claimed for a longer window is not booked (module doc)


class ClaimRequest(SchemaInput):
    """Claim ``need_id`` with ``offering_id``; ``provider_id`` only when dispatching for a provider."""

    schema_label: ClassVar[str] = "Claim"

    need_id: str = id_field("Need")
    offering_id: str = id_field("Offering", description="用于认领的资源编号(须为服务方自己的资源)")
    provider_id: str | None = id_field("Unit", None, description="派单时指定的服务方(单位或党员)编号")
    note: str | None = prop_field("Claim", "note", None)


def claim_view(row: Row) -> dict[str, Any]:
    """A claim as callers see it: its properties, provider, need and offering."""
    return {**public(row["claim"]), **linked(row)}


def claim_row(store: GraphStore, claim_id: str) -> Row:
    """The stored claim with its provider, need, org and offering; NotFound when there is none."""
    row = store.one(claims_queries.DETAIL, {"id": claim_id})
    if row is None:
        raise NotFound("认领记录不存在")
    return row


def _claimant(store: GraphStore, actor: Actor, req: ClaimRequest, need: Row) -> tuple[str, str]:
    """(provider id, how: self or dispatch) after checking who may claim for whom."""
    if actor.is_provider:
        if req.provider_id not in (None, actor.subject_id):
            raise Forbidden("只能以本单位或本人的名义认领")
        return actor.subject_id or "", "self"
    if actor.role not in (Role.ADMIN, Role.SECRETARY, Role.PLANNER):
        raise Forbidden("无权认领或派单")
    if not jurisdiction(store, actor).covers(need["org_id"]):
        raise Forbidden("只能为本辖区的需求派单")
    if not req.provider_id:
        raise Invalid("派单须指定服务方")
    return req.provider_id, "dispatch"


def _venue_booking(
    store: GraphStore, actor: Actor, req: ClaimRequest, claim_id: str, at: str
) -> dict[str, Any] | None:
    """The Booking a claim of a venue for the need's window makes (module doc), or None when the
    offering is no venue, the need has no window or the window is longer than a day; a window
    outside the venue's opening hours is refused here, before the statement."""
    row = store.one(claims_queries.VENUE_WINDOW, {"offering_id": req.offering_id, "need_id": req.need_id})
    if row is None or row["kind"] != "venue" or not row["window_start"] or not row["window_end"]:
        return None
    start, end = row["window_start"], row["window_end"]
    length = parse(end) - parse(start)
    if length <= timedelta(0) or length > timedelta(hours=CLAIM_BOOKING_MAX_HOURS):
        return None
    if not within_hours(row["opening_hours"], start, end):
        opening = hours_text(row["opening_hours"])
        raise Invalid(
            f"{slot_text(start, end)} 不在该场所开放时间内(开放时间:{opening}),不能用该场所认领",
            "outside_hours",
        )
    paid = row["access"] == "paid" and row["price"] is not None
    fee = round(float(row["price"]) * length.total_seconds() / 3600, 2) if paid else None
    booking = {
        "id": new_id(),
        "start": start,
        "end": end,
        "status": "active",
        "purpose": f"认领需求:{row['need_title']}"[:200],
        "fee": fee,
        "booked_by": actor.account_id,
        "booker_role": actor.role.value,
        "booker_id": actor.subject_id if actor.is_provider else actor.scope_org_id,
        "claim_id": claim_id,
        "created_at": at,
        "updated_at": at,
    }
    return {k: v for k, v in booking.items() if v is not None}


def _slot_taken(store: GraphStore, offering_id: str, booking: dict[str, Any] | None) -> None:
    """Raise ``slot_taken`` naming the first active booking overlapping the claim's booking."""
    if booking is None:
        return
    params = {"offering_id": offering_id, "start": booking["start"], "end": booking["end"]}
    clashes = store.run(venue_queries.CLASHES, params)
    if clashes:
        first = clashes[0]
        raise Conflict(f"该场所 {slot_text(first['start'], first['end'])} 已被预约", "slot_taken")


def _why_not(store: GraphStore, need_id: str, offering_id: str, provider_id: str, at: str) -> None:
    """Raise the precise Conflict for a claim the statement refused; return if none applies now."""
    need = need_row(store, need_id)
    status = need["need"]["status"]
    if status == "claimed":
        raise Conflict("该需求已被认领满额,无法再认领", "need_full")
    if status != "open":
        raise Conflict(f"该需求当前状态为“{status_zh(status)}”,不能认领", "illegal_transition")
    if need["need"]["window_end"] <= at:
        raise Conflict("该需求的服务时间已过,不能再认领", "need_expired")
    if provider_id in need["active_providers"]:
        raise Conflict("该服务方已认领过这项需求,不能重复认领", "duplicate_claim")
    offering = offering_row(store, offering_id, at)
    props = offering["offering"]
    if props["status"] != "active":
        raise Conflict("该资源已暂停或下架,不能用于认领", "offering_unavailable")
    if offering["used_in_period"] >= props["capacity"]:
        period = OFFERING_PERIODS.get(props["period"], props["period"])
        raise Conflict(
            f"该资源的可服务次数已用完({period} {props['capacity']} 次),无法再认领", "capacity_exhausted"
        )
    if len(need["active_claims"]) >= need["need"]["people_wanted"]:
        raise Conflict("该需求已被认领满额,无法再认领", "need_full")


def _offering_kind(store: GraphStore, actor: Actor, req: ClaimRequest, provider_id: str, at: str) -> str:
    """The provider label of the offering, after checking it is ``provider_id``'s own."""
    offering = offering_row(store, req.offering_id, at)
    if offering["provider_id"] != provider_id:
        raise Forbidden("只能使用服务方自己登记的资源认领")
    kind: str = offering["provider_kind"]
    if actor.is_provider and kind != actor.provider_label:
        raise Forbidden("只能使用本单位或本人登记的资源认领")
    return kind


def claim_need(
    store: GraphStore, actor: Actor, req: ClaimRequest, *, now: str | None = None
) -> dict[str, Any]:
    """Claim an open need with one of the provider's active offerings; returns the claim with
    ``need_status`` after it and ``project_id`` when this claim filled the need.

    A provider claiming for itself goes straight to the statement, which matches only its own
    offering under its own label: the need and offering are read only to say why it refused
    (one statement instead of four on success; at 100 concurrent clients the reads queued behind
    the writes on FalkorDB). Dispatch checks jurisdiction and ownership first, as before.

    A venue offering claimed for a window of at most a day books that window in the same
    statement (module doc): ``slot_taken`` when it overlaps an active booking, Invalid
    ``outside_hours`` outside the opening hours; a longer window is claimed without a booking.

    Conflict codes: need_full, capacity_exhausted, duplicate_claim, offering_unavailable,
    need_expired (its window has ended), illegal_transition (need not open), slot_taken."""
    at = resolve(now)
    checked = not (actor.is_provider and req.provider_id in (None, actor.subject_id))
    if checked:
        need = need_row(store, req.need_id)
        provider_id, via = _claimant(store, actor, req, need)
        kind = _offering_kind(store, actor, req, provider_id, at)
    else:
        provider_id, via, kind = actor.subject_id or "", "self", actor.provider_label or ""
    # A self-claim must fit the need (category and skills) unless the secretary allows 跨类认领.
    warning = check_self_claim(store, actor, req.need_id, req.offering_id) if via == "self" else None
    claim_id, project_id = new_id(), new_id()
    claim = {
        "id": claim_id,
        "status": "active",
        "via": via,
        "offering_id": req.offering_id,
        "created_at": at,
        "updated_at": at,
    }
    if req.note:
        claim["note"] = req.note
    if warning:
        claim["fit_warning"] = warning
    booking = _venue_booking(store, actor, req, claim_id, at)
    after = {**claim, "need_id": req.need_id, "provider_id": provider_id}
    booking_audit = (
        audit_record(
            actor, "booking.create", "Booking", booking["id"], at, before=None,
            after={**booking, "offering_id": req.offering_id, "need_id": req.need_id},
        )
        if booking is not None
        else None
    )  # fmt: skip
    for _ in range(CLAIM_ATTEMPTS):
        row = store.one(
            claims_queries.CREATE[kind],
            {
                "need_id": req.need_id,
                "offering_id": req.offering_id,
                "provider_id": provider_id,
                "claim": claim,
                "project_id": project_id,
                "now": at,
                **period_starts(at),
                "audit": audit_record(actor, "claim.create", "Claim", claim_id, at, before=None, after=None),
                "after_head": json_head(after),
                "booking": booking,
                "book_start": booking["start"] if booking else None,
                "book_end": booking["end"] if booking else None,
                "booking_audit": booking_audit,
            },
        )
        if row is not None:
            view = {"claim": claim, "provider_id": provider_id, "provider_kind": kind, "need_id": req.need_id,
                    "offering_id": req.offering_id, **row}  # fmt: skip
            booked = booking["id"] if booking is not None else None
            return {**claim_view(view), "project_id": row["project_id"], "booking_id": booked}
        if not checked:  # the same errors, in the same order, as when checking first
            need_row(store, req.need_id)
            _offering_kind(store, actor, req, provider_id, at)
            checked = True
        _why_not(store, req.need_id, req.offering_id, provider_id, at)
        _slot_taken(store, req.offering_id, booking)
    raise Conflict("认领人数较多,请稍后重试", "busy")


def withdraw_claim(
    store: GraphStore, actor: Actor, claim_id: str, reason: str | None = None, *, now: str | None = None
) -> dict[str, Any]:
    """End an active claim before work starts: the provider withdraws it (withdrawn), or the
    need's secretary or an admin cancels it (cancelled). The need reopens; an unstarted
    project of it is cancelled."""
    at = resolve(now)
    reason = checked("Claim", "status_reason", reason) if reason else None
    row = claim_row(store, claim_id)
    own = actor.provider_label == row["provider_kind"] and actor.subject_id == row["provider_id"]
    if own:
        status = "withdrawn"
    elif actor.role in (Role.ADMIN, Role.SECRETARY) and jurisdiction(store, actor).covers(row["org_id"]):
        status = "cancelled"
    else:
        raise Forbidden("只能撤回本单位或本人的认领,或由需求所属社区书记取消")

    def refuse(current: Row) -> None:
        if current["claim"]["status"] != "active":
            state = CLAIM_STATUSES.get(current["claim"]["status"], "")
            raise Conflict(f"该认领{state},不能再撤回", "illegal_transition")
        if current["need_status"] not in ("open", "claimed"):
            raise Conflict("服务已开始,不能撤回认领;如有问题请上报", "work_started")

    refuse(row)
    after = {"status": status, "status_reason": reason, "need_status": "open"}
    written = store.one(
        claims_queries.WITHDRAW,
        {
            "id": claim_id,
            "status": status,
            "reason": reason,
            "now": at,
            "audit": audit_record(actor, f"claim.{status}", "Claim", claim_id, at, before=None, after=after),
        },
    )
    current = claim_row(store, claim_id)
    if written is None:
        refuse(current)
    return claim_view(current)


def _may_see(store: GraphStore, actor: Actor, row: Row) -> bool:
    if actor.is_provider:
        return actor.provider_label == row["provider_kind"] and actor.subject_id == row["provider_id"]
    return jurisdiction(store, actor).covers(row["org_id"])


def get_claim(store: GraphStore, actor: Actor, claim_id: str) -> dict[str, Any]:
    """One claim: to its provider, and to the jurisdiction of the need's org."""
    row = claim_row(store, claim_id)
    if not _may_see(store, actor, row):
        raise Forbidden("无权查看该认领")
    return claim_view(row)


def list_claims(
    store: GraphStore,
    actor: Actor,
    *,
    need_id: str | None = None,
    provider_id: str | None = None,
    status: str | None = None,
    skip: int = 0,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Claims newest first: a provider's own, or those on needs of the actor's jurisdiction."""
    check_page(skip, limit)
    if status is not None and status not in CLAIM_STATUSES:
        raise Invalid(f"认领状态“{status}”不存在")
    org_ids = None if actor.is_provider else jurisdiction(store, actor).filter
    if actor.is_provider:
        if provider_id not in (None, actor.subject_id):
            raise Forbidden("只能查看本单位或本人的认领")
        provider_id = actor.subject_id
    params = {
        "need_id": need_id,
        "provider_id": provider_id,
        "org_ids": org_ids,
        "status": status,
        "skip": skip,
        "limit": limit,
    }
    rows = store.run(claims_queries.LIST, params)
    if actor.is_provider:  # an id shared by a unit and a member never leaks the other's claims
        rows = [r for r in rows if r["provider_kind"] == actor.provider_label]
    return [claim_view(r) for r in rows]
