"""Schemas of the projects resource (hours, confirmations and corrections are the engine's inputs)."""

from __future__ import annotations

from typing import Any

from fastapi.openapi.models import Example
from pydantic import BaseModel, ConfigDict, Field

from engine.services.inputs import StrictInput, prop_field

HOURS_EXAMPLES: dict[str, Example] = {
    "本人": Example(summary="服务方登记本次服务时长", value={"hours": 2.5, "note": "送餐 12 户"}),
    "代登记": Example(
        summary="社区书记代服务方登记", value={"hours": 3, "provider_id": "unit-00003", "note": "义诊"}
    ),
}
_PROJECT_EXAMPLE: dict[str, Any] = {
    "id": "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
    "title": "独居老人助餐送餐",
    "status": "in_progress",
    "started_at": "2026-11-24T01:00:00Z",
    "hours_total": 4.0,
    "hours_logged": 6.5,
    "created_at": "2026-11-20T03:00:00Z",
    "updated_at": "2026-11-24T09:00:00Z",
    "need_id": "2f9c5a0e-1b7d-4c4e-8f7e-0d2a9b3c4d5e",
    "need_title": "独居老人助餐送餐",
    "need_status": "in_progress",
    "category": "elderly.meals",
    "org_id": "org-s01-c01",
    "org_name": "中共桃岗社区委员会",
    "providers": [
        {
            "provider_id": "mem-000004",
            "provider_kind": "Member",
            "provider_name": "陈**",
            "offering_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
            "hours": 4.0,
            "hours_logged": 6.5,
        }
    ],
    "problems": [],
}


class Provider(BaseModel):
    """A provider serving a project (a member's name masked unless entitled) and its hours."""

    provider_id: str
    provider_kind: str = Field(description="Unit 或 Member")
    provider_name: str | None = Field(None, description="服务方名称;党员姓名除有权查看者外脱敏")
    offering_id: str | None = None
    hours: float | None = Field(None, description="已确认的服务小时(计积分、计入统计)")
    hours_logged: float | None = Field(None, description="已登记的服务小时(含待确认)")


class Problem(BaseModel):
    """A problem report (问题上报) on a project."""

    id: str
    description: str
    status: str = Field(description="open 待处理 · resolved 已解决")
    resolution: str | None = None
    created_at: str
    resolved_at: str | None = None


class WorkLog(BaseModel):
    """Hours a provider logged on a project, whether the secretary confirmed them, and a correction
    request if the provider made one."""

    id: str
    hours: float
    note: str | None = None
    logged_at: str
    status: str | None = Field(None, description="pending 待确认 · confirmed 已确认(已记积分)")
    confirmed_at: str | None = None
    points: int | None = Field(None, description="确认时记入的积分")
    correction_hours: float | None = Field(None, description="申请更正后的小时")
    correction_reason: str | None = None
    correction_status: str | None = Field(
        None, description="pending 待处理 · accepted 已接受 · declined 已拒绝"
    )
    correction_requested_at: str | None = None
    correction_decided_at: str | None = None
    correction_answer: str | None = None
    provider_id: str
    provider_kind: str
    provider_name: str | None = Field(None, description="服务方名称;党员姓名除有权查看者外脱敏")


class ProjectOut(BaseModel):
    """A project with its need, org, providers and problem reports."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PROJECT_EXAMPLE]})

    id: str
    title: str
    status: str = Field(description="claimed 已认领 · in_progress 服务中 · problem 问题待处理 · "
                        "completed 已完成 · evaluated 已评价 · cancelled 已取消")  # fmt: skip
    started_at: str | None = None
    completed_at: str | None = None
    hours_total: float | None = Field(None, description="已确认的服务小时")
    hours_logged: float | None = Field(None, description="已登记的服务小时(含待确认)")
    report: str | None = Field(None, description="完成情况")
    created_at: str | None = None
    updated_at: str | None = None
    need_id: str
    need_title: str | None = None
    need_status: str
    category: str | None = None
    org_id: str
    org_name: str | None = None
    providers: list[Provider]
    problems: list[Problem]


class ProjectDetail(ProjectOut):
    """A project with the hours logged on it."""

    work_logs: list[WorkLog]


class Credit(BaseModel):
    """Points a provider was credited for its hours when the secretary confirmed them."""

    provider_id: str
    points: int


class HoursLogged(BaseModel):
    """A new work log, pending the secretary's confirmation, with the logged totals."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                    "hours": 2.5,
                    "logged_at": "2026-11-24T09:00:00Z",
                    "status": "pending",
                    "note": "送餐 12 户",
                    "project_id": "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
                    "provider_id": "unit-00003",
                    "provider_hours_logged": 2.5,
                    "hours_logged": 2.5,
                }
            ]
        }
    )

    id: str
    hours: float
    logged_at: str
    status: str = Field(description="pending:待需求所属社区书记确认后才记积分")
    note: str | None = None
    project_id: str
    provider_id: str
    provider_hours_logged: float = Field(description="该服务方在本项目已登记的小时(含待确认)")
    hours_logged: float = Field(description="项目已登记的小时(含待确认)")


class HoursConfirmed(BaseModel):
    """Work logs the secretary confirmed, their hours and the points credited per provider."""

    project_id: str
    confirmed: list[str] = Field(description="已确认的服务记录编号")
    hours: float = Field(description="本次确认的小时")
    credited: list[Credit]


class CorrectionDecision(StrictInput):
    """The secretary's answer to a correction request (optional words)."""

    answer: str | None = prop_field("WorkLog", "correction_answer", None, examples=["已核实签到表"])


class WorkLogOut(WorkLog):
    """A work log after a correction request or its answer."""

    project_id: str


class Completion(StrictInput):
    """The short report that completes a project."""

    report: str = prop_field("Project", "report", examples=["已为 12 户独居老人送餐 20 天,无遗漏"])


class ProblemNew(StrictInput):
    """A problem to report on a project in progress."""

    description: str = prop_field("ProblemReport", "description", examples=["两户老人拒绝开门,需社区协调"])


class ProblemReported(BaseModel):
    """A new problem report; the project waits in ``problem`` until it is resolved."""

    id: str
    description: str
    status: str
    created_at: str
    project_id: str


class Resolution(StrictInput):
    """How the secretary resolved a problem report."""

    resolution: str = prop_field("ProblemReport", "resolution", examples=["已联系家属,约定每日中午开门取餐"])


class ProblemResolved(BaseModel):
    """A resolved problem report and the project's status after it."""

    id: str
    status: str
    resolution: str
    resolved_at: str
    project_id: str
    project_status: str = Field(description="无未处理问题时恢复为 in_progress")
