"""Pledges 公开承诺 ("1+3", issue 12, point 6): a member or unit commits in public to one of its
orgs (a title, what it will do, a target, a due date); it records progress as a ledger of entries
(percent and a note; the percent never goes back, 100% completes the pledge); the org's secretary
reviews it (approved: shown on the org's public results page, members masked; or returned with a
note). Each write is one audited statement; the secretaries are told of a new pledge, the
provider of the review."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.privacy import mask_value
from engine.services.clock import resolve
from engine.services.editing import edit_node
from engine.services.inputs import SchemaInput, StrictInput, checked, id_field, prop_field
from engine.services.records import audit_record, check_page, new_id, present, public
from engine.services.scope import jurisdiction
from engine.store.base import GraphStore, Row
from engine.store.queries import pledges as queries
from graph_schema.domain import PLEDGE_REVIEWS, PLEDGE_STATUSES
from graph_schema.validation import validate_node

PUBLIC_LIMIT = 100


class PledgeDraft(SchemaInput):
    """A new public commitment; ``org_id`` one of the provider's orgs (default: the first)."""

    schema_label: ClassVar[str] = "Pledge"

    org_id: str | None = id_field("Org", None, description="公示承诺的党组织(本人所在支部、报到社区等)")
    title: str = prop_field("Pledge", "title")
    content: str | None = prop_field("Pledge", "content", None)
    target: str | None = prop_field("Pledge", "target", None)
    due_on: str | None = prop_field("Pledge", "due_on", None)


class PledgeEdit(SchemaInput):
    """Changes to an active pledge; only the fields given change (None clears an optional one)."""

    schema_label: ClassVar[str] = "Pledge"

    title: str | None = prop_field("Pledge", "title", None)
    content: str | None = prop_field("Pledge", "content", None)
    target: str | None = prop_field("Pledge", "target", None)
    due_on: str | None = prop_field("Pledge", "due_on", None)


class PledgeProgressEntry(SchemaInput):
    """A progress entry: the percent reached so far and what was done."""

    schema_label: ClassVar[str] = "PledgeProgress"

    percent: int = prop_field("PledgeProgress", "percent")
    note: str = prop_field("PledgeProgress", "note")


class PledgeReview(StrictInput):
    """The secretary's review: approve (公示) or return, with a note."""

    approve: bool = Field(description="true 审核通过并公示;false 退回")
    note: str | None = prop_field("Pledge", "review_note", None)


def pledge_view(row: Row, *, masked: bool) -> dict[str, Any]:
    """A pledge as callers see it: its fields, its provider (a member's name masked when
    ``masked``), its org and, when read, its progress entries oldest first."""
    kind = row["provider_kind"]
    name = (
        row["unit_name"] if kind == "Unit" else (mask_value("name", row["name"]) if masked else row["name"])
    )
    out = {
        **public(row["pledge"]),
        "provider_id": row["provider_id"],
        "provider_kind": kind,
        "provider_name": name,
        "org_id": row["org_id"],
        "org_name": row["org_name"],
    }
    if "progress" in row:
        out["progress"] = sorted((public(e) for e in row["progress"]), key=lambda e: (e["at"], e["percent"]))
    return out


def _provider(actor: Actor) -> tuple[str, str]:
    if not actor.is_provider:
        raise Forbidden("只有党员或驻区单位可以作出公开承诺")
    return actor.provider_label or "", actor.subject_id or ""


def pledge_orgs(store: GraphStore, actor: Actor) -> list[dict[str, Any]]:
    """The orgs the signed-in member or unit may pledge to."""
    kind, provider_id = _provider(actor)
    return [dict(r) for r in store.run(queries.ORGS[kind], {"provider_id": provider_id})]


def _row(store: GraphStore, pledge_id: str) -> Row:
    row = store.one(queries.DETAIL, {"id": pledge_id})
    if row is None:
        raise NotFound("公开承诺不存在")
    return row


def _own(actor: Actor, row: Row) -> bool:
    return actor.provider_label == row["provider_kind"] and actor.subject_id == row["provider_id"]


def _may_review(store: GraphStore, actor: Actor, row: Row) -> bool:
    return actor.role in (Role.ADMIN, Role.SECRETARY) and jurisdiction(store, actor).covers(row["org_id"])


def make_pledge(
    store: GraphStore, actor: Actor, draft: PledgeDraft, *, now: str | None = None
) -> dict[str, Any]:
    """A member or unit makes a public commitment (active, 0%, pending review)."""
    at = resolve(now)
    kind, provider_id = _provider(actor)
    orgs = [r["id"] for r in store.run(queries.ORGS[kind], {"provider_id": provider_id})]
    org_id = draft.org_id or (orgs[0] if orgs else None)
    if org_id is None or org_id not in orgs:
        raise Forbidden("只能向本人所在或报到的党组织作出公开承诺")
    if draft.due_on is not None and draft.due_on < at[:10]:
        raise Invalid("完成期限不能早于今天")
    pledge_id = new_id()
    props = present(
        {
            **draft.props(),
            "org_id": None,
            "id": pledge_id,
            "status": "active",
            "percent": 0,
            "review": "pending",
            "created_at": at,
            "updated_at": at,
        }
    )
    problems = validate_node("Pledge", props)
    if problems:
        raise Invalid(problems[0].message)
    after = {**props, "org_id": org_id, "provider_id": provider_id}
    row = store.one(
        queries.CREATE[kind],
        {
            "provider_id": provider_id,
            "org_id": org_id,
            "props": props,
            "now": at,
            "audit": audit_record(actor, "pledge.create", "Pledge", pledge_id, at, before=None, after=after),
        },
    )
    if row is None:
        raise NotFound("党组织不存在")
    return pledge_view(_row(store, pledge_id), masked=False)


def get_pledge(store: GraphStore, actor: Actor, pledge_id: str) -> dict[str, Any]:
    """One pledge with its progress: to its provider and to the org's jurisdiction."""
    row = _row(store, pledge_id)
    scope = jurisdiction(store, actor)
    if not (_own(actor, row) or (not actor.is_provider and scope.covers(row["org_id"]))):
        raise Forbidden("无权查看该公开承诺")
    return pledge_view(row, masked=False)


def list_pledges(
    store: GraphStore,
    actor: Actor,
    *,
    review: str | None = None,
    status: str | None = None,
    skip: int = 0,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """A provider's own pledges; those made to a jurisdiction's orgs for secretaries and planners."""
    check_page(skip, limit)
    if review is not None and review not in PLEDGE_REVIEWS:
        raise Invalid(f"审核状态“{review}”不存在")
    if status is not None and status not in PLEDGE_STATUSES:
        raise Invalid(f"承诺状态“{status}”不存在")
    params: dict[str, Any] = {
        "provider_id": None,
        "provider_kind": None,
        "org_ids": None,
        "review": review,
        "status": status,
        "skip": skip,
        "limit": limit,
    }
    if actor.is_provider:
        params["provider_kind"], params["provider_id"] = _provider(actor)
    else:
        params["org_ids"] = jurisdiction(store, actor).filter
    return [pledge_view(r, masked=False) for r in store.run(queries.LIST, params)]


def record_progress(
    store: GraphStore, actor: Actor, pledge_id: str, entry: PledgeProgressEntry, *, now: str | None = None
) -> dict[str, Any]:
    """The provider records progress on its active pledge; the percent may not go back."""
    at = resolve(now)
    row = _row(store, pledge_id)
    if not _own(actor, row):
        raise Forbidden("只能记录本人或本单位承诺的进展")

    def refuse(current: Row) -> None:
        pledge = current["pledge"]
        if pledge["status"] != "active":
            state = PLEDGE_STATUSES.get(pledge["status"], pledge["status"])
            raise Conflict(f"该承诺{state},不能再记录进展", "illegal_transition")
        if entry.percent < (pledge.get("percent") or 0):
            raise Conflict(f"进度不能低于已记录的 {pledge.get('percent') or 0}%", "progress_back")

    refuse(row)
    record = {"id": new_id(), "percent": entry.percent, "note": entry.note, "at": at}
    after = {"percent": entry.percent, "note": entry.note}
    written = store.one(
        queries.PROGRESS,
        {
            "id": pledge_id,
            "entry": record,
            "now": at,
            "audit": audit_record(
                actor, "pledge.progress", "Pledge", pledge_id, at, before=None, after=after
            ),
        },
    )
    current = _row(store, pledge_id)
    if written is None:
        refuse(current)
    return pledge_view(current, masked=False)


def review_pledge(
    store: GraphStore, actor: Actor, pledge_id: str, review: PledgeReview, *, now: str | None = None
) -> dict[str, Any]:
    """The org's secretary (or an admin) approves a pledge for the public page or returns it."""
    at = resolve(now)
    row = _row(store, pledge_id)
    if not _may_review(store, actor, row):
        raise Forbidden("只有承诺所属党组织的社区书记可以审核")
    note = checked("Pledge", "review_note", review.note) if review.note else None
    if not review.approve and not note:
        raise Invalid("退回时请填写审核意见")
    verdict = "approved" if review.approve else "returned"
    after = {"review": verdict, "review_note": note}
    written = store.one(
        queries.REVIEW,
        {
            "id": pledge_id,
            "review": verdict,
            "note": note,
            "now": at,
            "audit": audit_record(actor, "pledge.review", "Pledge", pledge_id, at, before=None, after=after),
        },
    )
    if written is None:
        raise Conflict("该承诺已撤回,不能审核", "illegal_transition")
    return pledge_view(_row(store, pledge_id), masked=False)


def edit_pledge(
    store: GraphStore, actor: Actor, pledge_id: str, edit: PledgeEdit, *, now: str | None = None
) -> dict[str, Any]:
    """The provider corrects its active pledge. What the public page shows was reviewed: an edited
    pledge goes back to review (off the public page until approved again), and the secretaries are
    told. The write holds only if the pledge still has the values the change was based on."""
    at = resolve(now)
    changes = edit.props(only_set=True)
    if "title" in changes and not changes["title"]:
        raise Invalid("承诺事项不能为空")
    if changes.get("due_on") is not None and changes["due_on"] < at[:10]:
        raise Invalid("完成期限不能早于今天")

    def read() -> dict[str, Any]:
        row = _row(store, pledge_id)
        if not _own(actor, row):
            raise Forbidden("只能修改本人或本单位的承诺")
        if row["pledge"]["status"] != "active":
            state = PLEDGE_STATUSES.get(row["pledge"]["status"], "")
            raise Conflict(f"该承诺{state},不能修改", "illegal_transition")
        return public(row["pledge"])

    def check(current: dict[str, Any], merged: dict[str, Any]) -> None:
        """Nothing beyond the schema: any active pledge's text may be corrected."""

    edit_node(
        store,
        actor,
        label="Pledge",
        entity_id=pledge_id,
        action="pledge.edit",
        statement=queries.EDIT,
        changes={**changes, "review": "pending", "review_note": None, "reviewed_at": None} if changes else {},
        at=at,
        read=read,
        check=check,
    )
    return pledge_view(_row(store, pledge_id), masked=False)


def withdraw_pledge(
    store: GraphStore, actor: Actor, pledge_id: str, *, now: str | None = None
) -> dict[str, Any]:
    """The provider withdraws its active pledge (it leaves the public page)."""
    at = resolve(now)
    row = _row(store, pledge_id)
    if not _own(actor, row):
        raise Forbidden("只能撤回本人或本单位的承诺")
    audit = audit_record(
        actor,
        "pledge.withdraw",
        "Pledge",
        pledge_id,
        at,
        before={"status": row["pledge"]["status"]},
        after={"status": "withdrawn"},
    )
    if store.one(queries.WITHDRAW, {"id": pledge_id, "now": at, "audit": audit}) is None:
        state = PLEDGE_STATUSES.get(row["pledge"]["status"], "")
        raise Conflict(f"该承诺{state},不能撤回", "illegal_transition")
    return pledge_view(_row(store, pledge_id), masked=False)


def public_pledges(store: GraphStore, org_id: str) -> list[dict[str, Any]]:
    """The reviewed commitments of an org's subtree as the public reads them (members masked)."""
    rows = store.run(queries.PUBLIC, {"org_id": org_id, "limit": PUBLIC_LIMIT})
    return [pledge_view(r, masked=True) for r in rows]
