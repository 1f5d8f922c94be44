"""Projects 项目清单: a fully claimed need's project is started, providers log their hours
(engine/services/hours.py: points only once the secretary confirms them), it is completed
with a short report or a problem is reported (问题上报) that the secretary resolves.
Statuses: claimed → in_progress ⇄ problem, in_progress → completed → evaluated; cancelled
when its need is cancelled, expires or loses a claimant before work starts."""

from __future__ import annotations

from typing import Any

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.services.clock import resolve
from engine.services.inputs import checked
from engine.services.records import audit_record, check_page, json_head, new_id, public
from engine.services.scope import jurisdiction
from engine.store.base import GraphStore, Row
from engine.store.queries.closed_loop import projects as projects_queries
from engine.store.registry import Statement
from graph_schema.domain import PROJECT_STATUSES


def project_row(store: GraphStore, project_id: str) -> Row:
    """The stored project with its need, org, providers and problems; NotFound when none."""
    row = store.one(projects_queries.DETAIL, {"id": project_id})
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


def runnable(store: GraphStore, actor: Actor, project_id: str) -> Row:
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


def transition(
    store: GraphStore,
    project_id: str,
    statement: Statement,
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
        for r in store.run(projects_queries.WORK_LOGS, {"id": project_id})
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
    rows = store.run(projects_queries.LIST, params)
    return [project_view(r) for r in rows if not actor.is_provider or serves(actor, r)]


def start_project(
    store: GraphStore, actor: Actor, project_id: str, *, now: str | None = None
) -> dict[str, Any]:
    """Start a claimed project: it and its need go in progress."""
    at = resolve(now)
    row = runnable(store, actor, project_id)
    if row["project"]["status"] != "claimed":
        raise refuse_status(row["project"]["status"], "开始")
    after = {"status": "in_progress", "started_at": at, "need_status": "in_progress"}
    before = {"status": "claimed", "need_status": "claimed"}
    audit = audit_record(actor, "project.start", "Project", project_id, at, before=before, after=after)
    transition(store, project_id, projects_queries.START, {"now": at, "audit": audit}, "开始")
    return project_view(project_row(store, project_id))


def complete_project(
    store: GraphStore,
    actor: Actor,
    project_id: str,
    report: str,
    *,
    now: str | None = None,
) -> dict[str, Any]:
    """Complete a project in progress with a short report: it and its need are completed. No points
    here: hours earn points when the need's secretary confirms them (hours.confirm_hours)."""
    at = resolve(now)
    report = checked("Project", "report", report)
    if not report:
        raise Invalid("请填写完成情况")
    row = runnable(store, actor, project_id)
    if row["project"]["status"] != "in_progress":
        raise refuse_status(row["project"]["status"], "完成")
    after = {"status": "completed", "completed_at": at, "report": report, "need_status": "completed"}
    params = {
        "now": at,
        "report": report,
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
    transition(store, project_id, projects_queries.COMPLETE, params, "完成")
    return project_view(project_row(store, project_id))


def report_problem(
    store: GraphStore, actor: Actor, project_id: str, description: str, *, now: str | None = None
) -> dict[str, Any]:
    """Report a problem (问题上报) on a project in progress; the project waits in ``problem``
    until the secretary resolves every open report."""
    at = resolve(now)
    description = checked("ProblemReport", "description", description)
    row = runnable(store, actor, project_id)
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
    transition(store, project_id, projects_queries.REPORT_PROBLEM, params, "上报问题")
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
    found = store.one(projects_queries.PROBLEM_DETAIL, {"id": problem_id})
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
        projects_queries.RESOLVE_PROBLEM,
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
