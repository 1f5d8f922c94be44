"""Projects 项目清单: a fully claimed need's project is started, providers log their hours,
it is completed with a short report (points per hour served, by the settings' rule) or a
problem is reported (问题上报) that the secretary resolves. Statuses: claimed → in_progress
⇄ problem, in_progress → completed → evaluated; cancelled when its need is cancelled,
expires or loses a claimant before work starts."""

from __future__ import annotations

from typing import Any, ClassVar

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.services.clock import resolve
from engine.services.inputs import SchemaInput, checked, id_field, prop_field
from engine.services.records import audit_record, check_page, json_head, new_id, public
from engine.services.scope import jurisdiction
from engine.settings import Settings, get_settings
from engine.store.base import GraphStore, Row
from graph_schema.domain import PROJECT_STATUSES


class HoursEntry(SchemaInput):
    """Hours served on a project; ``provider_id`` only when a secretary or admin logs for a provider."""

    schema_label: ClassVar[str] = "WorkLog"

    hours: float = prop_field("WorkLog", "hours")
    note: str | None = prop_field("WorkLog", "note", None)
    provider_id: str | None = id_field("Unit", None, description="代为登记时的服务方(单位或党员)编号")


def project_row(store: GraphStore, project_id: str) -> Row:
    """The stored project with its need, org, providers and problems; NotFound when none."""
    row = store.one("loop.project.detail", {"id": project_id})
    if row is None:
        raise NotFound("项目不存在")
    return row


def project_view(row: Row) -> dict[str, Any]:
    """A project as callers see it: its properties, need, org, providers and problem reports."""
    return {
        **public(row["project"]),
        "need_id": row["need_id"],
        "need_title": row["need_title"],
        "need_status": row["need_status"],
        "category": row["category"],
        "org_id": row["org_id"],
        "org_name": row["org_name"],
        "providers": sorted(row["providers"], key=lambda p: p["provider_id"]),
        "problems": sorted((public(p) for p in row["problems"]), key=lambda p: p["created_at"]),
    }


def serves(actor: Actor, row: Row) -> bool:
    """Whether ``actor`` is a provider serving the project."""
    return any(
        p["provider_id"] == actor.subject_id and p["provider_kind"] == actor.provider_label
        for p in row["providers"]
    )


def may_see_project(store: GraphStore, actor: Actor, row: Row) -> bool:
    """Its providers, and the jurisdiction of the need's org, see a project."""
    if actor.is_provider:
        return serves(actor, row)
    return jurisdiction(store, actor).covers(row["org_id"])


def visible_project(store: GraphStore, actor: Actor, project_id: str) -> Row:
    """The project, if ``actor`` may see it (Forbidden otherwise)."""
    row = project_row(store, project_id)
    if not may_see_project(store, actor, row):
        raise Forbidden("无权查看该项目")
    return row


def _runnable(store: GraphStore, actor: Actor, project_id: str) -> Row:
    """The project, if ``actor`` may run it: a serving provider, the need's secretary, an admin."""
    row = project_row(store, project_id)
    if actor.is_provider:
        if not serves(actor, row):
            raise Forbidden("只能操作本单位或本人参与的项目")
    elif actor.role not in (Role.ADMIN, Role.SECRETARY):
        raise Forbidden("规划人员只能查看项目,不能操作")
    elif not jurisdiction(store, actor).covers(row["org_id"]):
        raise Forbidden("只能操作本社区及下属网格、楼栋的项目")
    return row


def refuse_status(status: str, doing_zh: str) -> Conflict:
    """The Conflict for doing ``doing_zh`` to a project in ``status``."""
    return Conflict(
        f"项目当前状态为“{PROJECT_STATUSES.get(status, status)}”,不能{doing_zh}", "illegal_transition"
    )


def _transition(
    store: GraphStore,
    project_id: str,
    statement: str,
    params: dict[str, Any],
    doing_zh: str,
) -> Row:
    """Run a project write that checks the project's status itself; a refusal is explained by
    re-reading the status (the callers' pre-checks only save a write)."""
    if (row := store.one(statement, {"id": project_id, **params})) is None:
        raise refuse_status(project_row(store, project_id)["project"]["status"], doing_zh)
    return row


def get_project(store: GraphStore, actor: Actor, project_id: str) -> dict[str, Any]:
    """One project with its providers, problem reports and the hours logged on it."""
    row = visible_project(store, actor, project_id)
    logs = [
        {**public(r["log"]), "provider_id": r["provider_id"], "provider_kind": r["provider_kind"]}
        for r in store.run("loop.project.work_logs", {"id": project_id})
    ]
    return {**project_view(row), "work_logs": logs}


def list_projects(
    store: GraphStore,
    actor: Actor,
    *,
    status: str | None = None,
    provider_id: str | None = None,
    skip: int = 0,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Projects newest first: those a provider serves, or of needs in the actor's jurisdiction."""
    check_page(skip, limit)
    if status is not None and status not in PROJECT_STATUSES:
        raise Invalid(f"项目状态“{status}”不存在")
    org_ids = None if actor.is_provider else jurisdiction(store, actor).filter
    if actor.is_provider:
        if provider_id not in (None, actor.subject_id):
            raise Forbidden("只能查看本单位或本人参与的项目")
        provider_id = actor.subject_id
    params = {"org_ids": org_ids, "status": status, "provider_id": provider_id, "skip": skip, "limit": limit}
    rows = store.run("loop.project.list", params)
    return [project_view(r) for r in rows if not actor.is_provider or serves(actor, r)]


def start_project(
    store: GraphStore, actor: Actor, project_id: str, *, now: str | None = None
) -> dict[str, Any]:
    """Start a claimed project: it and its need go in progress."""
    at = resolve(now)
    row = _runnable(store, actor, project_id)
    if row["project"]["status"] != "claimed":
        raise refuse_status(row["project"]["status"], "开始")
    after = {"status": "in_progress", "started_at": at, "need_status": "in_progress"}
    before = {"status": "claimed", "need_status": "claimed"}
    audit = audit_record(actor, "project.start", "Project", project_id, at, before=before, after=after)
    _transition(store, project_id, "loop.project.start", {"now": at, "audit": audit}, "开始")
    return project_view(project_row(store, project_id))


def log_hours(
    store: GraphStore, actor: Actor, project_id: str, entry: HoursEntry, *, now: str | None = None
) -> dict[str, Any]:
    """Log hours a provider served on a project in progress; returns the log with the
    provider's and the project's totals."""
    at = resolve(now)
    row = _runnable(store, actor, project_id)
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
    log_id = new_id()
    log = {
        "id": log_id,
        "hours": entry.hours,
        "logged_at": at,
        **({"note": entry.note} if entry.note else {}),
    }
    after = {**log, "project_id": project_id, "provider_id": provider_id}
    params = {
        "provider_id": provider_id,
        "hours": entry.hours,
        "log": log,
        "now": at,
        "audit": audit_record(actor, "project.log_hours", "WorkLog", log_id, at, before=None, after=after),
    }
    done = _transition(
        store,
        project_id,
        f"loop.project.log_hours.{crew[provider_id]}",
        params,
        "登记服务时长",
    )
    return {
        **log,
        "project_id": project_id,
        "provider_id": provider_id,
        "provider_hours": done["provider_hours"],
        "hours_total": done["hours_total"],
    }


def complete_project(
    store: GraphStore,
    actor: Actor,
    project_id: str,
    report: str,
    *,
    now: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Complete a project in progress with a short report: it and its need are completed and
    each provider is credited ``points_per_hour`` × its hours (rounded) in the points ledger."""
    at = resolve(now)
    rules = settings or get_settings()
    report = checked("Project", "report", report)
    if not report:
        raise Invalid("请填写完成情况")
    row = _runnable(store, actor, project_id)
    if row["project"]["status"] != "in_progress":
        raise refuse_status(row["project"]["status"], "完成")
    after = {"status": "completed", "completed_at": at, "report": report, "need_status": "completed"}
    params = {
        "now": at,
        "report": report,
        "points_per_hour": rules.points_per_hour,
        "rule": f"points_per_hour={rules.points_per_hour:g}",
        "note": "项目完成,按服务时长记入积分",
        "audit": audit_record(
            actor,
            "project.complete",
            "Project",
            project_id,
            at,
            before={"status": "in_progress"},
            after=after,
        ),
    }
    done = _transition(store, project_id, "loop.project.complete", params, "完成")
    return {**project_view(project_row(store, project_id)), "credited": done["credited"]}


def report_problem(
    store: GraphStore, actor: Actor, project_id: str, description: str, *, now: str | None = None
) -> dict[str, Any]:
    """Report a problem (问题上报) on a project in progress; the project waits in ``problem``
    until the secretary resolves every open report."""
    at = resolve(now)
    description = checked("ProblemReport", "description", description)
    row = _runnable(store, actor, project_id)
    if row["project"]["status"] not in ("in_progress", "problem"):
        raise refuse_status(row["project"]["status"], "上报问题")
    problem = {"id": new_id(), "description": description, "status": "open", "created_at": at}
    after = {**problem, "project_id": project_id, "project_status": "problem"}
    params = {
        "now": at,
        "problem": problem,
        "audit": audit_record(
            actor, "project.report_problem", "ProblemReport", problem["id"], at, before=None, after=after
        ),
    }
    _transition(store, project_id, "loop.project.report_problem", params, "上报问题")
    return {**problem, "project_id": project_id}


def resolve_problem(
    store: GraphStore, actor: Actor, problem_id: str, resolution: str, *, now: str | None = None
) -> dict[str, Any]:
    """The need's secretary (or an admin) resolves an open problem report; the project goes
    back in progress when no report is left open."""
    at = resolve(now)
    resolution = checked("ProblemReport", "resolution", resolution)
    if not resolution:
        raise Invalid("请填写处理结果")
    found = store.one("loop.project.problem_detail", {"id": problem_id})
    if found is None:
        raise NotFound("问题上报不存在")
    if actor.role not in (Role.ADMIN, Role.SECRETARY) or not jurisdiction(store, actor).covers(
        found["org_id"]
    ):
        raise Forbidden("只有需求所属社区的书记可以处理问题上报")
    if found["problem"]["status"] != "open":
        raise Conflict("该问题已处理,不能重复处理", "illegal_transition")
    after = {"status": "resolved", "resolution": resolution, "resolved_at": at}
    before = {"status": "open"}
    audit = audit_record(
        actor, "project.resolve_problem", "ProblemReport", problem_id, at, before=before, after=None
    )
    written = store.one(
        "loop.project.resolve_problem",
        {
            "id": problem_id,
            "resolution": resolution,
            "now": at,
            "audit": audit,
            "after_head": json_head(after),
        },
    )
    if written is None:
        raise Conflict("该问题已处理,不能重复处理", "illegal_transition")
    return {
        **after,
        "id": problem_id,
        "project_id": written["project_id"],
        "project_status": written["project_status"],
    }
