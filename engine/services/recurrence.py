"""Recurring needs 常态化共建项目 (issue 12, point 3).

A secretary creates a series: a need's template, an RFC 5545 rule (``engine.services.recurrence_rule``)
and the duration of each occurrence. Its occurrences are ordinary needs (``OCCURRENCE_OF`` the
series), materialised up to ``HORIZON_DAYS`` ahead when the series is created and then by the
worker's ``extend_series`` job, which is idempotent (it writes only when the count it read is still
the stored one). So each occurrence is claimed, served, confirmed (hours) and credited (points) on its
own, through the existing claims, projects, hours and points; a provider commits either to one
occurrence (an ordinary claim of it) or to the whole series (a ``Commitment``, at most
``people_wanted`` per series, applied to every open future occurrence by a claim of ``via = series``,
also to the occurrences the job generates later). A series ends when its last occurrence is over, or
is cancelled with a reason: future open or claimed occurrences are cancelled with their claims, the
providers serving or committed are notified, past and started occurrences are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import Field

from engine.actors import SYSTEM, Actor, Role
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.services.clock import parse, resolve
from engine.services.fit import check_self_claim
from engine.services.inputs import Category, SchemaInput, StrictInput, id_field, prop_field
from engine.services.offerings import offering_row
from engine.services.personal import with_provider_names
from engine.services.records import audit_record, check_page, json_head, new_id, present, public
from engine.services.recurrence_rule import HORIZON_DAYS, describe, due, expand, window_end
from engine.services.scope import jurisdiction, require_role
from engine.store.base import GraphStore, Row
from engine.store.queries import recurrence as q
from engine.store.queries.nodes import node_stmt
from graph_schema.domain import COMMITMENT_STATUSES, SERIES_STATUSES
from graph_schema.validation import BEIJING, validate_node

_WRITERS = (Role.ADMIN, Role.SECRETARY)
END_REASON = "最后一场已结束,常态化项目自动结束"
_TEMPLATE = (
    "description",
    "category",
    "skills",
    "people_wanted",
    "hours_wanted",
    "urgency",
    "beneficiaries",
    "beneficiary_count",
    "lat",
    "lon",
    "address",
)


class SeriesDraft(SchemaInput):
    """A recurring need: the need's fields, the rule, the first start and each occurrence's length."""

    schema_label: ClassVar[str] = "Series"

    org_id: str = id_field("Org", description="发布项目的党组织(本社区或下属网格、楼栋)")
    area_id: str | None = id_field("Area", None, description="项目所在区域")
    title: str = prop_field("Series", "title")
    description: str | None = prop_field("Series", "description", None)
    category: Category = prop_field("Series", "category")
    skills: list[str] = prop_field("Series", "skills", default_factory=list)
    people_wanted: int = prop_field("Series", "people_wanted", 1)
    hours_wanted: float | None = prop_field("Series", "hours_wanted", None)
    urgency: str = prop_field("Series", "urgency", "normal")
    beneficiaries: list[str] = prop_field("Series", "beneficiaries", default_factory=list)
    beneficiary_count: int | None = prop_field("Series", "beneficiary_count", None)
    lat: float | None = prop_field("Series", "lat", None)
    lon: float | None = prop_field("Series", "lon", None)
    address: str | None = prop_field("Series", "address", None)
    rule: str = Field(
        min_length=1,
        max_length=300,
        description="重复规则(RFC 5545 RRULE,北京时间),须有 COUNT 或 UNTIL,如 FREQ=WEEKLY;BYDAY=WE;COUNT=12",
    )
    dtstart: str = prop_field("Series", "dtstart")
    duration_minutes: int = prop_field("Series", "duration_minutes")


class CommitmentRequest(SchemaInput):
    """Commit to serve every occurrence of a series with one of the provider's own offerings."""

    schema_label: ClassVar[str] = "Commitment"

    offering_id: str = id_field("Offering", description="用于服务的资源编号(须为本单位或本人的资源)")
    note: str | None = prop_field("Commitment", "note", None)


class SeriesCancellation(StrictInput):
    """Why a series is cancelled (told to every provider serving or committed)."""

    reason: str = Field(min_length=1, max_length=500, description="取消原因")


class CommitmentWithdrawal(StrictInput):
    """Why a commitment to a series is withdrawn (told to the series' secretaries and the provider)."""

    reason: str = Field(min_length=1, max_length=500, description="撤回原因")


def _local_day(at: str) -> str:
    local = parse(at).astimezone(BEIJING)
    return f"{local.month}月{local.day}日"


def occurrence_props(series: Row, start: str, at: str) -> dict[str, Any]:
    """The props of the occurrence of ``series`` starting at ``start`` (a new open need)."""
    return present(
        {
            **{k: series.get(k) for k in _TEMPLATE},
            "id": new_id(),
            "title": f"{series['title']}({_local_day(start)})",
            "window_start": start,
            "window_end": window_end(start, int(series["duration_minutes"])),
            "status": "open",
            "created_at": at,
            "updated_at": at,
        }
    )


def series_row(store: GraphStore, series_id: str) -> Row:
    """The stored series with its org, area and commitments; NotFound when there is none."""
    row = store.one(q.DETAIL, {"id": series_id})
    if row is None:
        raise NotFound("常态化项目不存在")
    return row


def _may_see(store: GraphStore, actor: Actor, row: Row) -> bool:
    if row["series"]["status"] == "active":
        return True
    if actor.is_provider:
        return any(
            c["provider_id"] == actor.subject_id and c["provider_kind"] == actor.provider_label
            for c in row["commitments"]
        )
    return jurisdiction(store, actor).covers(row["org_id"])


def _commitment_order(c: Mapping[str, Any]) -> tuple[str, str]:
    return (c.get("created_at") or "", c["id"])


def _server_order(s: Mapping[str, Any]) -> tuple[str, str]:
    return (s["provider_kind"], s["provider_id"])


def series_view(store: GraphStore, actor: Actor, row: Row, occurrences: list[Row] | None) -> dict[str, Any]:
    """A series as callers see it; with its occurrences (each with who serves it) when given."""
    series = public(row["series"])
    out: dict[str, Any] = {
        **series,
        "rule_zh": describe(series["rule"]),
        "status_zh": SERIES_STATUSES.get(series["status"], series["status"]),
        "org_id": row["org_id"],
        "org_name": row["org_name"],
        "area_id": row["area_id"],
        "area_name": row["area_name"],
        "occurrence_count": row["occurrences"],
        "commitments": with_provider_names(store, actor, sorted(row["commitments"], key=_commitment_order)),
    }
    if occurrences is not None:
        out["occurrences"] = [
            {
                **public(o["occurrence"]),
                "servers": with_provider_names(store, actor, sorted(o["servers"], key=_server_order)),
                "project_id": (o["projects"] or [{}])[0].get("id"),
                "hours_total": (o["projects"] or [{}])[0].get("hours_total"),
            }
            for o in occurrences
        ]
    return out


def create_series(
    store: GraphStore, actor: Actor, draft: SeriesDraft, *, now: str | None = None
) -> dict[str, Any]:
    """Create a recurring need and its occurrences up to the horizon (at least the first one)."""
    at = resolve(now)
    require_role(actor, _WRITERS, "只有社区书记可以发布常态化项目")
    if not jurisdiction(store, actor).covers(draft.org_id):
        raise Forbidden("只能为本社区及下属网格、楼栋发布常态化项目")
    if draft.area_id and store.one(node_stmt("get", "Area"), {"id": draft.area_id}) is None:
        raise NotFound("项目所在区域不存在")
    if draft.dtstart <= at:
        raise Invalid("首次开始时间须晚于现在")
    starts = expand(draft.rule, draft.dtstart)
    count = due(starts, at)
    series_id = new_id()
    props = present(
        {
            **draft.props(),
            "rule": draft.rule.strip(),
            "id": series_id,
            "status": "active",
            "occurrences_generated": count,
            "generated_all": count == len(starts),
            "created_at": at,
            "updated_at": at,
        }
    )
    problems = validate_node("Series", props)
    occurrences = [occurrence_props(props, s, at) for s in starts[:count]]
    problems += validate_node("Need", occurrences[0])
    if problems:
        raise Invalid(problems[0].message)
    after = {**props, "org_id": draft.org_id, "area_id": draft.area_id, "occurrences": count}
    row = store.one(
        q.CREATE,
        {
            "org_id": draft.org_id,
            "area_id": draft.area_id,
            "props": props,
            "occurrences": occurrences,
            "audit": audit_record(actor, "series.create", "Series", series_id, at, before=None, after=after),
        },
    )
    if row is None:
        raise NotFound("发布项目的党组织不存在")
    return get_series(store, actor, series_id)


def get_series(store: GraphStore, actor: Actor, series_id: str) -> dict[str, Any]:
    """One series with its occurrences and who serves each: active series are public (providers
    browse them to commit); others to their jurisdiction and to the providers committed."""
    row = series_row(store, series_id)
    if not _may_see(store, actor, row):
        raise Forbidden("无权查看该常态化项目")
    return series_view(store, actor, row, store.run(q.OCCURRENCES, {"id": series_id}))


def list_series(
    store: GraphStore,
    actor: Actor,
    *,
    status: str | None = None,
    skip: int = 0,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Series newest first: providers browse the active ones anywhere; planners and secretaries
    see those of their jurisdiction, admins all."""
    check_page(skip, limit)
    if status is not None and status not in SERIES_STATUSES:
        raise Invalid(f"常态化项目状态“{status}”不存在")
    org_ids = jurisdiction(store, actor).filter
    if actor.is_provider:
        if status not in (None, "active"):
            raise Forbidden("服务方只能浏览进行中的常态化项目")
        status, org_ids = "active", None
    params = {"org_ids": org_ids, "status": status, "skip": skip, "limit": limit}
    return [series_view(store, actor, r, None) for r in store.run(q.LIST, params)]


def _apply(store: GraphStore, actor: Actor, series_id: str, at: str, only: str | None = None) -> list[str]:
    """Claim, for each active commitment (or only ``only``), every open future occurrence it does not
    serve yet and that has room; returns the ids of the claims made. Each claim is its own atomic
    statement: an occurrence filled meanwhile (a single claim won it) is simply skipped."""
    row = series_row(store, series_id)
    commitments = [
        c for c in row["commitments"] if c["status"] == "active" and (only is None or c["id"] == only)
    ]
    if not commitments:
        return []
    made: list[str] = []
    for occ in store.run(q.OCCURRENCES, {"id": series_id}):
        o = occ["occurrence"]
        if o["status"] != "open" or o["window_start"] <= at:
            continue
        serving = {(s["provider_kind"], s["provider_id"]) for s in occ["servers"]}
        for c in commitments:
            if len(serving) >= o["people_wanted"] or (c["provider_kind"], c["provider_id"]) in serving:
                continue
            claim_id = new_id()
            claim = {"id": claim_id, "status": "active", "via": "series", "offering_id": c["offering_id"],
                     "created_at": at, "updated_at": at}  # fmt: skip
            after = {**claim, "need_id": o["id"], "provider_id": c["provider_id"], "commitment_id": c["id"]}
            written = store.one(
                q.APPLY[c["provider_kind"]],
                {
                    "need_id": o["id"],
                    "commitment_id": c["id"],
                    "provider_id": c["provider_id"],
                    "offering_id": c["offering_id"],
                    "claim": claim,
                    "project_id": new_id(),
                    "now": at,
                    "audit": audit_record(
                        actor, "claim.create", "Claim", claim_id, at, before=None, after=None
                    ),
                    "after_head": json_head(after),
                },
            )
            if written is not None:
                made.append(claim_id)
                serving.add((c["provider_kind"], c["provider_id"]))
    return made


def commit_series(
    store: GraphStore, actor: Actor, series_id: str, req: CommitmentRequest, *, now: str | None = None
) -> dict[str, Any]:
    """A unit or member commits to serve the whole series with one of its own active offerings; the
    commitment claims every open future occurrence with room at once (and later ones as they are
    generated). Conflict codes: illegal_transition (series not active), series_full,
    duplicate_commitment, offering_unavailable, misfit (the offering does not fit the need, as for a
    claim)."""
    at = resolve(now)
    if not actor.is_provider:
        raise Forbidden("只有驻区单位或党员可以承诺服务常态化项目")
    kind, provider_id = actor.provider_label or "", actor.subject_id or ""
    row = series_row(store, series_id)
    offering = offering_row(store, req.offering_id, at)
    if offering["provider_id"] != provider_id or offering["provider_kind"] != kind:
        raise Forbidden("只能使用本单位或本人登记的资源承诺")
    occurrences = store.run(q.OCCURRENCES, {"id": series_id})
    if occurrences:  # the fit of a claim (category and skills), judged on the series' first occurrence
        check_self_claim(store, actor, occurrences[0]["occurrence"]["id"], req.offering_id)
    commitment_id = new_id()
    commitment = present({"id": commitment_id, "status": "active", "offering_id": req.offering_id,
                          "note": req.note, "created_at": at, "updated_at": at})  # fmt: skip
    after = {**commitment, "series_id": series_id, "provider_id": provider_id}
    written = store.one(
        q.COMMIT[kind],
        {
            "series_id": series_id,
            "provider_id": provider_id,
            "offering_id": req.offering_id,
            "commitment": commitment,
            "now": at,
            "audit": audit_record(
                actor, "series.commit", "Commitment", commitment_id, at, before=None, after=after
            ),
        },
    )
    if written is None:
        row = series_row(store, series_id)
        status = row["series"]["status"]
        if status != "active":
            state = SERIES_STATUSES.get(status, status)
            raise Conflict(f"该常态化项目{state},不能再承诺", "illegal_transition")
        active = [c for c in row["commitments"] if c["status"] == "active"]
        if any(c["provider_id"] == provider_id and c["provider_kind"] == kind for c in active):
            raise Conflict("已承诺服务该常态化项目,不能重复承诺", "duplicate_commitment")
        if offering_row(store, req.offering_id, at)["offering"]["status"] != "active":
            raise Conflict("该资源已暂停或下架,不能用于承诺", "offering_unavailable")
        raise Conflict("该常态化项目的长期承诺已满额", "series_full")
    claims = _apply(store, actor, series_id, at, only=commitment_id)
    return {**public(commitment), "series_id": series_id, "provider_id": provider_id,
            "provider_kind": kind, "claims_made": len(claims)}  # fmt: skip


def cancel_series(
    store: GraphStore, actor: Actor, series_id: str, reason: str, *, now: str | None = None
) -> dict[str, Any]:
    """Cancel an active series with a reason (its secretary or an admin): future open or claimed
    occurrences are cancelled with their active claims, commitments end, past ones are kept."""
    at = resolve(now)
    require_role(actor, _WRITERS, "只有社区书记可以取消常态化项目")
    reason = reason.strip()
    if not reason:
        raise Invalid("请填写取消原因")
    row = series_row(store, series_id)
    if not jurisdiction(store, actor).covers(row["org_id"]):
        raise Forbidden("只能管理本社区及下属网格、楼栋的常态化项目")
    title = f"常态化项目“{row['series']['title'][:40]}”已取消:{reason[:80]}"
    before = {"status": row["series"]["status"]}
    written = store.one(
        q.CANCEL,
        {
            "id": series_id,
            "reason": reason,
            "now": at,
            "title": title,
            "audit": audit_record(actor, "series.cancel", "Series", series_id, at, before=before, after=None),
            "after_head": json_head({"status": "cancelled", "status_reason": reason}),
        },
    )
    if written is None:
        status = series_row(store, series_id)["series"]["status"]
        raise Conflict(f"该常态化项目{SERIES_STATUSES.get(status, status)},不能取消", "illegal_transition")
    return {**get_series(store, actor, series_id), "cancelled_occurrences": len(written["cancelled"])}


def withdraw_commitment(
    store: GraphStore,
    actor: Actor,
    series_id: str,
    commitment_id: str,
    reason: str,
    *,
    now: str | None = None,
) -> dict[str, Any]:
    """Withdraw an active commitment with a reason: by the provider that made it, or by the series'
    secretary (or an admin). Its claims on future open or claimed occurrences are withdrawn and those
    occurrences reopen for others; past and started occurrences keep their claims."""
    at = resolve(now)
    reason = reason.strip()
    if not reason:
        raise Invalid("请填写撤回原因")
    row = series_row(store, series_id)
    commitment = next((c for c in row["commitments"] if c["id"] == commitment_id), None)
    if commitment is None:
        raise NotFound("没有找到该长期承诺")
    own = (
        actor.provider_label == commitment["provider_kind"] and actor.subject_id == commitment["provider_id"]
    )
    if not own and not (actor.role in _WRITERS and jurisdiction(store, actor).covers(row["org_id"])):
        raise Forbidden("只能撤回本单位或本人的长期承诺,或本社区常态化项目的承诺")
    if commitment["status"] != "active":
        state = COMMITMENT_STATUSES.get(commitment["status"], commitment["status"])
        raise Conflict(f"该长期承诺{state},不能撤回", "illegal_transition")
    title = f"常态化项目“{row['series']['title'][:40]}”的长期承诺已撤回:{reason[:80]}"
    before = {"status": "active"}
    written = store.one(
        q.WITHDRAW_COMMITMENT,
        {
            "series_id": series_id,
            "id": commitment_id,
            "reason": reason,
            "now": at,
            "title": title,
            "provider_id": commitment["provider_id"],
            "provider_role": str(commitment["provider_kind"]).lower(),
            "audit": audit_record(
                actor,
                "series.withdraw_commitment",
                "Commitment",
                commitment_id,
                at,
                before=before,
                after=None,
            ),
            "after_head": json_head({"status": "withdrawn", "status_reason": reason, "series_id": series_id}),
        },
    )
    if written is None:  # withdrawn or ended meanwhile
        raise Conflict("该长期承诺已不再有效,不能撤回", "illegal_transition")
    return {**get_series(store, actor, series_id), "withdrawn_claims": written["withdrawn"]}


def extend_series(
    store: GraphStore, *, now: str | None = None, horizon_days: int = HORIZON_DAYS, batch: int = 200
) -> dict[str, int]:
    """The worker's job: for every active series, generate the occurrences now inside the horizon,
    apply active commitments to open future occurrences, and end a series whose last occurrence is
    over. Idempotent: a second run at the same time changes nothing."""
    at = resolve(now)
    counts = {"series": 0, "occurrences": 0, "claims": 0, "ended": 0}
    after = ""
    while True:
        rows = store.run(q.DUE, {"after": after, "limit": batch})
        for due_row in rows:
            counts["series"] += 1
            if due_row["generated_all"]:
                if due_row["last_end"] and due_row["last_end"] < at:
                    counts["ended"] += _end(store, due_row["id"], at)
                    continue
            else:
                counts["occurrences"] += _extend(store, due_row, at, horizon_days)
            counts["claims"] += len(_apply(store, SYSTEM, due_row["id"], at))
        if len(rows) < batch:
            return counts
        after = rows[-1]["id"]


def _extend(store: GraphStore, due_row: Row, at: str, horizon_days: int) -> int:
    try:
        starts = expand(due_row["rule"], due_row["dtstart"])
    except Invalid:
        return 0  # an imported rule this version refuses: its occurrences stay as imported
    generated = int(due_row["generated"] or 0)
    count = max(generated, due(starts, at, horizon_days))
    if count == generated:
        return 0
    series = series_row(store, due_row["id"])["series"]
    occurrences = [occurrence_props(series, s, at) for s in starts[generated:count]]
    after = {"occurrences_generated": count, "generated_all": count == len(starts)}
    written = store.one(
        q.EXTEND,
        {
            "id": due_row["id"],
            "generated": generated,
            "occurrences": occurrences,
            "all": count == len(starts),
            "now": at,
            "audit": audit_record(
                SYSTEM,
                "series.extend",
                "Series",
                due_row["id"],
                at,
                before={"occurrences_generated": generated},
                after=after,
            ),
        },
    )
    return 0 if written is None else int(written["made"])


def _end(store: GraphStore, series_id: str, at: str) -> int:
    written = store.one(
        q.END,
        {
            "id": series_id,
            "reason": END_REASON,
            "now": at,
            "audit": audit_record(
                SYSTEM,
                "series.end",
                "Series",
                series_id,
                at,
                before={"status": "active"},
                after={"status": "ended", "status_reason": END_REASON},
            ),
        },
    )
    return 0 if written is None else 1
