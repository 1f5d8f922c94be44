"""Hours served on a project 服务时长: a provider logs them within plausible limits, the need's
secretary (or an admin) confirms them and only then are points credited; a provider may ask
for a log to be corrected, and the secretary accepts (hours replaced, points adjusted by a new
ledger entry) or declines. Each write is one statement with its check, points and audit entry."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Annotated, Any, ClassVar

from pydantic import Field

from engine.actors import Actor, Role
from engine.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from engine.services.clock import ISO, parse, resolve
from engine.services.inputs import SchemaInput, StrictInput, checked, id_field, prop_field
from engine.services.points import point_entry
from engine.services.projects import project_row, refuse_status, runnable
from engine.services.records import audit_record, new_id, present
from engine.services.scope import jurisdiction
from engine.settings import Settings, get_settings
from engine.store.base import GraphStore, Row
from engine.store.queries.closed_loop import projects as projects_queries
from graph_schema.validation import BEIJING

EPSILON = 1e-6  # hours are floats: a sum of tenths may exceed its limit by rounding only
CONFIRMABLE = ("in_progress", "problem", "completed", "evaluated")


class HoursEntry(SchemaInput):
    """Hours served on a project; ``provider_id`` only when a secretary or admin logs for a provider."""

    schema_label: ClassVar[str] = "WorkLog"

    hours: float = prop_field("WorkLog", "hours")
    note: str | None = prop_field("WorkLog", "note", None)
    provider_id: str | None = id_field("Unit", None, description="代为登记时的服务方(单位或党员)编号")


class HoursConfirmation(StrictInput):
    """Which pending work logs to confirm: all of the project's when ``log_ids`` is omitted."""

    log_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        None, min_length=1, max_length=500, description="要确认的服务记录编号;不填则确认该项目全部待确认记录"
    )


class CorrectionRequest(SchemaInput):
    """A provider's request to correct one of its work logs: the right hours and why."""

    schema_label: ClassVar[str] = "WorkLog"

    hours: float = prop_field("WorkLog", "correction_hours")
    reason: str = prop_field("WorkLog", "correction_reason")


def points_for(hours: float, rules: Settings) -> int:
    """Points for ``hours`` by the settings' rule, rounded half up (as the demo history does)."""
    return math.floor(hours * rules.points_per_hour + 0.5)


def _h(hours: float) -> str:
    """Hours for a message: at most one decimal, rounded down (what is still allowed)."""
    return f"{max(math.floor(hours * 10 + EPSILON) / 10, 0.0):g}"


@dataclass(frozen=True, slots=True)
class Limits:
    """What a provider's hours on a project may reach at a moment, and the day they count in."""

    elapsed: float  # hours since the project started
    window: float  # length of the need's window in hours
    people: int
    daily_cap: float
    day_start: str  # the Beijing calendar day, as UTC bounds
    day_end: str

    @property
    def provider_max(self) -> float:
        """A provider's hours on the project: no more than the time since start and the window."""
        return min(self.elapsed, self.window)

    @property
    def total_max(self) -> float:
        """The project's hours: no more than the window's length × the people wanted."""
        return self.window * self.people

    def params(self) -> dict[str, Any]:
        """The statement parameters that enforce these limits under the locks."""
        return {
            "provider_max": self.provider_max,
            "total_max": self.total_max,
            "daily_cap": self.daily_cap,
            "day_start": self.day_start,
            "day_end": self.day_end,
        }


def limits_at(row: Row, at: str, day_of: str, rules: Settings) -> Limits:
    """The limits of project ``row`` at ``at``, the daily cap counted on ``day_of``'s Beijing day."""
    started = row["project"].get("started_at")
    elapsed = (parse(at) - parse(started)).total_seconds() / 3600 if started else 0.0
    window = (parse(row["window_end"]) - parse(row["window_start"])).total_seconds() / 3600
    local = parse(day_of).astimezone(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
    return Limits(
        elapsed=max(elapsed, 0.0),
        window=max(window, 0.0),
        people=int(row["people_wanted"] or 1),
        daily_cap=rules.daily_hours_cap,
        day_start=local.astimezone(UTC).strftime(ISO),
        day_end=(local + timedelta(days=1)).astimezone(UTC).strftime(ISO),
    )


def over_limit(
    store: GraphStore, row: Row, provider_id: str, kind: str, delta: float, limits: Limits
) -> DomainError | None:
    """Why adding ``delta`` hours to the provider's logs breaks a limit, or None when it does not."""
    if delta <= 0:
        return None
    used = store.one(
        projects_queries.HOURS_USED[kind],
        {"id": row["project"]["id"], "provider_id": provider_id, **limits.params()},
    )
    if used is None:
        return Invalid("该服务方没有参与这个项目")
    mine, total, today = float(used["provider_logged"]), float(used["total_logged"]), float(used["today"])
    if mine + delta > limits.elapsed + EPSILON:
        return Conflict(
            f"登记的服务时长不能超过项目开始以来经过的时间:项目开始至今约 {_h(limits.elapsed)} 小时,"
            f"该服务方已登记 {_h(mine)} 小时,本次最多还能登记 {_h(limits.elapsed - mine)} 小时",
            "hours_limit",
        )
    if mine + delta > limits.window + EPSILON:
        return Conflict(
            f"每个服务方登记的时长不能超过需求时段的长度({_h(limits.window)} 小时):"
            f"该服务方已登记 {_h(mine)} 小时",
            "hours_limit",
        )
    if total + delta > limits.total_max + EPSILON:
        return Conflict(
            f"项目登记的总时长不能超过需求时段长度 × 所需人数({_h(limits.window)} × {limits.people} = "
            f"{_h(limits.total_max)} 小时):已登记 {_h(total)} 小时",
            "hours_limit",
        )
    if today + delta > limits.daily_cap + EPSILON:
        return Conflict(
            f"每个服务方每天(北京时间)最多登记 {_h(limits.daily_cap)} 小时:当天已登记 {_h(today)} 小时,"
            f"最多还能登记 {_h(limits.daily_cap - today)} 小时",
            "hours_limit",
        )
    return None


def _refusal(
    store: GraphStore,
    project_id: str,
    provider_id: str,
    kind: str,
    delta: float,
    limits: Limits,
    doing_zh: str,
) -> DomainError:
    """Why a limited hours write that wrote nothing was refused: a limit, else the project's status."""
    row = project_row(store, project_id)
    if (status := row["project"]["status"]) not in CONFIRMABLE[:2] and doing_zh == "登记服务时长":
        return refuse_status(status, doing_zh)
    return over_limit(store, row, provider_id, kind, delta, limits) or Conflict(
        "服务时长已被他人同时修改,请刷新后重试", "stale"
    )


def log_hours(
    store: GraphStore,
    actor: Actor,
    project_id: str,
    entry: HoursEntry,
    *,
    now: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Log hours a provider served on a project in progress, within the limits (time since start,
    the need's window and people, the daily cap); the log waits for the secretary's confirmation
    and earns nothing until then. Returns the log with the provider's and the project's logged totals."""
    at = resolve(now)
    rules = settings or get_settings()
    row = runnable(store, actor, project_id)
    if actor.is_provider:
        if entry.provider_id not in (None, actor.subject_id):
            raise Forbidden("只能登记本单位或本人的服务时长")
        provider_id = actor.subject_id or ""
    elif not entry.provider_id:
        raise Invalid("代为登记时须指定服务方")
    else:
        provider_id = entry.provider_id
    crew = {p["provider_id"]: p["provider_kind"] for p in row["providers"]}
    if provider_id not in crew or (actor.is_provider and crew[provider_id] != actor.provider_label):
        raise Invalid("该服务方没有参与这个项目")
    if row["project"]["status"] not in ("in_progress", "problem"):
        raise refuse_status(row["project"]["status"], "登记服务时长")
    kind = crew[provider_id]
    limits = limits_at(row, at, at, rules)
    if (refused := over_limit(store, row, provider_id, kind, entry.hours, limits)) is not None:
        raise refused
    log_id = new_id()
    log = {
        "id": log_id,
        "hours": entry.hours,
        "logged_at": at,
        "status": "pending",
        **({"note": entry.note} if entry.note else {}),
    }
    after = {**log, "project_id": project_id, "provider_id": provider_id}
    params = {
        "id": project_id,
        "provider_id": provider_id,
        "delta": entry.hours,
        "log": log,
        "now": at,
        "audit": audit_record(actor, "project.log_hours", "WorkLog", log_id, at, before=None, after=after),
        **limits.params(),
    }
    done = store.one(projects_queries.LOG_HOURS[kind], params)
    if done is None:
        raise _refusal(store, project_id, provider_id, kind, entry.hours, limits, "登记服务时长")
    return {
        **log,
        "project_id": project_id,
        "provider_id": provider_id,
        "provider_hours_logged": done["provider_hours_logged"],
        "hours_logged": done["hours_logged"],
    }


def _work_logs(store: GraphStore, project_id: str) -> list[dict[str, Any]]:
    """The project's work logs with their provider's id and kind."""
    return [
        {**r["log"], "provider_id": r["provider_id"], "provider_kind": r["provider_kind"]}
        for r in store.run(projects_queries.WORK_LOGS, {"id": project_id})
    ]


def _secretary_of(store: GraphStore, actor: Actor, row: Row, doing_zh: str) -> None:
    """Only the need's secretary (its community's jurisdiction) or an admin may ``doing_zh``."""
    if actor.role not in (Role.ADMIN, Role.SECRETARY) or not jurisdiction(store, actor).covers(row["org_id"]):
        raise Forbidden(f"只有需求所属社区的书记或管理员可以{doing_zh}")


def confirm_hours(
    store: GraphStore,
    actor: Actor,
    project_id: str,
    log_ids: list[str] | None = None,
    *,
    now: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The need's secretary (or an admin) confirms pending work logs (all, or those named): each
    provider is credited points for its confirmed hours in the same statement as the audit entry."""
    at = resolve(now)
    rules = settings or get_settings()
    row = project_row(store, project_id)
    _secretary_of(store, actor, row, "确认服务时长")
    if row["project"]["status"] not in CONFIRMABLE:
        raise refuse_status(row["project"]["status"], "确认服务时长")
    logs = _work_logs(store, project_id)
    pending = {w["id"]: w for w in logs if w.get("status") == "pending"}
    if log_ids is not None:
        unknown = [i for i in log_ids if i not in {w["id"] for w in logs}]
        if unknown:
            raise NotFound("服务记录不存在或不属于该项目")
        done = [i for i in log_ids if i not in pending]
        if done:
            raise Conflict("所选服务记录已确认,不能重复确认", "illegal_transition")
        chosen = [pending[i] for i in dict.fromkeys(log_ids)]
    else:
        chosen = list(pending.values())
    if not chosen:
        raise Conflict("该项目没有待确认的服务时长", "nothing_to_confirm")
    confirmed = [
        {"id": w["id"], "hours": w["hours"], "points": points_for(w["hours"], rules)} for w in chosen
    ]
    per: dict[tuple[str, str], dict[str, Any]] = defaultdict(lambda: {"hours": 0.0, "points": 0, "logs": 0})
    for w, c in zip(chosen, confirmed, strict=True):
        mine = per[(w["provider_id"], w["provider_kind"])]
        mine["hours"] += w["hours"]
        mine["points"] += c["points"]
        mine["logs"] += 1
    rule = f"points_per_hour={rules.points_per_hour:g}"
    providers = []
    for (provider_id, kind), got in sorted(per.items()):
        note = f"服务时长经社区确认:{got['logs']} 条记录,共 {got['hours']:g} 小时"
        providers.append(
            {
                "provider_id": provider_id,
                "provider_kind": kind,
                "hours": got["hours"],
                "points": got["points"],
                "entry": point_entry(got["points"], "service_hours", rule, note, at),
            }
        )
    credited = [
        {"provider_id": p["provider_id"], "points": p["points"]} for p in providers if p["points"] > 0
    ]
    hours = sum(c["hours"] for c in confirmed)
    after = {"log_ids": [c["id"] for c in confirmed], "hours": hours, "credited": credited, "rule": rule}
    params = {
        "id": project_id,
        "logs": confirmed,
        "providers": providers,
        "hours": hours,
        "now": at,
        "by": actor.account_id,
        "audit": audit_record(
            actor, "project.confirm_hours", "Project", project_id, at, before=None, after=after
        ),
    }
    if store.one(projects_queries.CONFIRM_HOURS, params) is None:
        status = project_row(store, project_id)["project"]["status"]
        if status not in CONFIRMABLE:
            raise refuse_status(status, "确认服务时长")
        raise Conflict("服务记录已被他人同时确认或更正,请刷新后重试", "stale")
    return {
        "project_id": project_id,
        "confirmed": [c["id"] for c in confirmed],
        "hours": hours,
        "credited": credited,
    }


def _log_of(store: GraphStore, project_id: str, log_id: str) -> dict[str, Any]:
    """One work log of the project (NotFound otherwise)."""
    found = next((w for w in _work_logs(store, project_id) if w["id"] == log_id), None)
    if found is None:
        raise NotFound("服务记录不存在或不属于该项目")
    return found


def request_correction(
    store: GraphStore,
    actor: Actor,
    project_id: str,
    log_id: str,
    request: CorrectionRequest,
    *,
    now: str | None = None,
) -> dict[str, Any]:
    """The provider who logged hours asks for the log to be corrected (new hours and a reason);
    the need's secretary accepts or declines it. One open request per log."""
    at = resolve(now)
    reason = checked("WorkLog", "correction_reason", request.reason)
    if not reason:
        raise Invalid("请填写更正理由")
    row = project_row(store, project_id)
    log = _log_of(store, project_id, log_id)
    if not actor.is_provider or (log["provider_id"], log["provider_kind"]) != (
        actor.subject_id,
        actor.provider_label,
    ):
        raise Forbidden("只有登记该服务时长的服务方可以申请更正")
    if row["project"]["status"] not in CONFIRMABLE:
        raise refuse_status(row["project"]["status"], "申请更正服务时长")
    if log.get("correction_status") == "pending":
        raise Conflict("该服务记录已有待处理的更正申请", "illegal_transition")
    if abs(request.hours - float(log["hours"])) < EPSILON:
        raise Invalid("更正后的时长与原登记相同")
    wanted = {"correction_hours": request.hours, "correction_reason": reason, "correction_status": "pending"}
    before = present({k: log.get(k) for k in ("hours", "correction_status")})
    params = {
        "id": project_id,
        "log_id": log_id,
        "provider_id": log["provider_id"],
        "provider_kind": log["provider_kind"],
        "hours": request.hours,
        "reason": reason,
        "now": at,
        "audit": audit_record(
            actor, "project.request_correction", "WorkLog", log_id, at, before=before, after=wanted
        ),
    }
    if store.one(projects_queries.REQUEST_CORRECTION, params) is None:
        raise Conflict("该服务记录已有待处理的更正申请或项目状态已变化,请刷新后重试", "stale")
    return {**log, **wanted, "correction_requested_at": at, "project_id": project_id}


def decide_correction(
    store: GraphStore,
    actor: Actor,
    project_id: str,
    log_id: str,
    *,
    accept: bool,
    answer: str | None = None,
    now: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The need's secretary (or an admin) accepts a pending correction (the log's hours replaced,
    totals moved, and for a confirmed log the points difference as a new ledger entry) or declines it."""
    at = resolve(now)
    rules = settings or get_settings()
    answer = checked("WorkLog", "correction_answer", answer) or None
    row = project_row(store, project_id)
    _secretary_of(store, actor, row, "处理服务时长更正")
    log = _log_of(store, project_id, log_id)
    if log.get("correction_status") != "pending":
        raise Conflict("该服务记录没有待处理的更正申请", "illegal_transition")
    old, new = float(log["hours"]), float(log["correction_hours"])
    before = present({"hours": old, "status": log.get("status"), "correction_status": "pending"})
    if not accept:
        after = present({"correction_status": "declined", "correction_answer": answer})
        params = {
            "id": project_id,
            "log_id": log_id,
            "now": at,
            "answer": answer,
            "audit": audit_record(
                actor, "project.decline_correction", "WorkLog", log_id, at, before=before, after=after
            ),
        }
        if store.one(projects_queries.DECLINE_CORRECTION, params) is None:
            raise Conflict("该服务记录没有待处理的更正申请", "illegal_transition")
        return {**log, **after, "correction_decided_at": at, "project_id": project_id}
    confirmed = log.get("status") == "confirmed"
    delta = new - old
    points_delta = points_for(new, rules) - int(log.get("points") or 0) if confirmed else 0
    kind, provider_id = log["provider_kind"], log["provider_id"]
    limits = limits_at(row, at, log["logged_at"], rules)
    if (refused := over_limit(store, row, provider_id, kind, delta, limits)) is not None:
        raise refused
    entry = point_entry(
        points_delta,
        "hours_correction",
        f"points_per_hour={rules.points_per_hour:g}",
        f"服务时长更正:{old:g} 小时改为 {new:g} 小时",
        at,
    )
    after = present(
        {
            "hours": new,
            "correction_status": "accepted",
            "correction_answer": answer,
            "points_delta": points_delta if confirmed else None,
            "entry_id": entry["id"] if points_delta else None,
        }
    )
    params = {
        "id": project_id,
        "log_id": log_id,
        "new_hours": new,
        "old_hours": old,
        "log_status": log.get("status"),
        "delta": delta,
        "confirmed_delta": delta if confirmed else 0.0,
        "points_delta": points_delta,
        "entry": entry,
        "answer": answer,
        "now": at,
        "audit": audit_record(
            actor, "project.accept_correction", "WorkLog", log_id, at, before=before, after=after
        ),
        **limits.params(),
    }
    if store.one(projects_queries.ACCEPT_CORRECTION, params) is None:
        raise _refusal(store, project_id, provider_id, kind, delta, limits, "处理服务时长更正")
    return {
        **log,
        **after,
        "correction_decided_at": at,
        "points": int(log.get("points") or 0) + points_delta if confirmed else log.get("points"),
        "project_id": project_id,
    }


__all__ = [
    "CorrectionRequest",
    "HoursConfirmation",
    "HoursEntry",
    "confirm_hours",
    "decide_correction",
    "log_hours",
    "request_correction",
]
