"""Projects 项目清单 over HTTP: start a claimed project, log hours (the need's secretary confirms
them, and only then are points credited; a provider may ask for a correction), complete it with
a report or report a problem (问题上报) that the need's secretary resolves."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from api.deps import ActorDep, SettingsDep, StoreDep
from api.params import status_query
from api.projects.schemas import (
    HOURS_EXAMPLES,
    Completion,
    CorrectionDecision,
    HoursConfirmed,
    HoursLogged,
    ProblemNew,
    ProblemReported,
    ProblemResolved,
    ProjectDetail,
    ProjectOut,
    Resolution,
    WorkLogOut,
)
from engine.services.hours import (
    CorrectionRequest,
    HoursConfirmation,
    HoursEntry,
    confirm_hours,
    decide_correction,
    log_hours,
    request_correction,
)
from engine.services.personal import with_provider_name, with_provider_names
from engine.services.projects import (
    complete_project,
    get_project,
    list_projects,
    report_problem,
    resolve_problem,
    start_project,
)
from engine.services.records import MAX_LIMIT
from graph_schema.domain import PROJECT_STATUSES

router = APIRouter(prefix="/projects", tags=["projects 项目"])
problems_router = APIRouter(prefix="/problems", tags=["projects 项目"])


@router.get("", response_model=list[ProjectOut], summary="项目列表")
def list_(
    store: StoreDep,
    actor: ActorDep,
    status: str | None = status_query(PROJECT_STATUSES, "in_progress"),
    provider_id: str | None = Query(None, description="只看该服务方参与的项目"),
    skip: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
) -> list[dict[str, Any]]:
    """Projects newest first: those a provider serves, or of needs in the actor's jurisdiction."""
    rows = list_projects(store, actor, status=status, provider_id=provider_id, skip=skip, limit=limit)
    return with_provider_names(store, actor, rows)


@router.get("/{project_id}", response_model=ProjectDetail, summary="项目详情")
def get(store: StoreDep, actor: ActorDep, project_id: str) -> dict[str, Any]:
    """One project with its providers, problem reports and the hours logged on it."""
    return with_provider_name(store, actor, get_project(store, actor, project_id))


@router.post("/{project_id}/start", response_model=ProjectOut, summary="开始服务")
def start(store: StoreDep, actor: ActorDep, project_id: str) -> dict[str, Any]:
    """Start a claimed project: it and its need go in progress."""
    return with_provider_name(store, actor, start_project(store, actor, project_id))


@router.post("/{project_id}/hours", response_model=HoursLogged, status_code=201, summary="登记服务时长")
def hours(
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
    project_id: str,
    body: Annotated[HoursEntry, Body(openapi_examples=HOURS_EXAMPLES)],
) -> dict[str, Any]:
    """Log hours a provider served on a project in progress (a secretary may log for a provider),
    within the time since start, the need's window and people, and the daily cap; no points until
    the need's secretary confirms them."""
    return log_hours(store, actor, project_id, body, settings=settings)


@router.post("/{project_id}/hours/confirm", response_model=HoursConfirmed, summary="确认服务时长")
def confirm(
    store: StoreDep, settings: SettingsDep, actor: ActorDep, project_id: str, body: HoursConfirmation
) -> dict[str, Any]:
    """The need's secretary confirms pending work logs (all, or those listed); providers are
    credited points for the confirmed hours."""
    return confirm_hours(store, actor, project_id, body.log_ids, settings=settings)


@router.post(
    "/{project_id}/hours/{log_id}/correction",
    response_model=WorkLogOut,
    status_code=201,
    summary="申请更正服务时长",
)
def correction(
    store: StoreDep, actor: ActorDep, project_id: str, log_id: str, body: CorrectionRequest
) -> dict[str, Any]:
    """The provider who logged the hours asks the need's secretary to correct them (new hours, reason)."""
    return request_correction(store, actor, project_id, log_id, body)


@router.post(
    "/{project_id}/hours/{log_id}/correction/accept", response_model=WorkLogOut, summary="接受服务时长更正"
)
def accept_correction(
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
    project_id: str,
    log_id: str,
    body: CorrectionDecision,
) -> dict[str, Any]:
    """The need's secretary accepts a correction: the log's hours replaced, points adjusted by a new entry."""
    return decide_correction(
        store, actor, project_id, log_id, accept=True, answer=body.answer, settings=settings
    )


@router.post(
    "/{project_id}/hours/{log_id}/correction/decline", response_model=WorkLogOut, summary="拒绝服务时长更正"
)
def decline_correction(
    store: StoreDep, actor: ActorDep, project_id: str, log_id: str, body: CorrectionDecision
) -> dict[str, Any]:
    """The need's secretary declines a correction request: the log keeps its hours."""
    return decide_correction(store, actor, project_id, log_id, accept=False, answer=body.answer)


@router.post("/{project_id}/complete", response_model=ProjectOut, summary="完成项目")
def complete(store: StoreDep, actor: ActorDep, project_id: str, body: Completion) -> dict[str, Any]:
    """Complete a project in progress with a short report (points come when hours are confirmed)."""
    done = complete_project(store, actor, project_id, body.report)
    return with_provider_name(store, actor, done)


@router.post("/{project_id}/problems", response_model=ProblemReported, status_code=201, summary="问题上报")
def problem(store: StoreDep, actor: ActorDep, project_id: str, body: ProblemNew) -> dict[str, Any]:
    """Report a problem on a project in progress; it waits until the secretary resolves it."""
    return report_problem(store, actor, project_id, body.description)


@problems_router.post("/{problem_id}/resolve", response_model=ProblemResolved, summary="处理问题上报")
def resolve(store: StoreDep, actor: ActorDep, problem_id: str, body: Resolution) -> dict[str, Any]:
    """The need's secretary resolves a problem report; the project resumes when none is left open."""
    return resolve_problem(store, actor, problem_id, body.resolution)
