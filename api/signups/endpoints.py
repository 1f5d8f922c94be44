"""Sign-up, waitlist, check-in and volunteer records over HTTP: a member signs up for a need and
withdraws; the organiser sees the roster, shows the check-in code, confirms hours and answers
corrections; the volunteer checks in and out with the code and downloads its 志愿服务记录证明."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import ActorDep, StoreDep
from api.signups.schemas import (
    CheckinCode,
    CodeBody,
    ConfirmBody,
    CorrectionBody,
    DecisionBody,
    Roster,
    RosterSummary,
    SignupOut,
)
from engine.reporting.volunteer_record import render_record_docx
from engine.services import signups as su

router = APIRouter(prefix="/signups", tags=["signups 报名签到"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PeriodQ = Annotated[
    str | None,
    Query(
        max_length=10, description="时段:年 2026、季度 2026-Q4 或月份 2026-11(与 start/end 二选一;默认今年)"
    ),
]
StartQ = Annotated[str | None, Query(max_length=40, description="开始(含),ISO 日期时间;无时区按北京时间")]
EndQ = Annotated[str | None, Query(max_length=40, description="结束(不含),ISO 日期时间;无时区按北京时间")]


@router.post("/needs/{need_id}", response_model=SignupOut, status_code=201, summary="报名参加(党员)")
def sign_up(store: StoreDep, actor: ActorDep, need_id: str) -> dict[str, Any]:
    """Sign up for the need: signed while places are free, else on the waitlist in order."""
    return su.sign_up(store, actor, need_id)


@router.get("/needs/{need_id}", response_model=RosterSummary, summary="报名情况(人数与我的报名)")
def summary(store: StoreDep, actor: ActorDep, need_id: str) -> dict[str, Any]:
    """How many are signed up and waiting, and the reader's own sign-up (no names, no code)."""
    return su.need_summary(store, actor, need_id)


@router.get("/needs/{need_id}/roster", response_model=Roster, summary="报名名单(组织方)")
def roster(store: StoreDep, actor: ActorDep, need_id: str) -> dict[str, Any]:
    """Every sign-up in order with attendance and hours, and the check-in code."""
    return su.roster(store, actor, need_id)


@router.post("/needs/{need_id}/code", response_model=CheckinCode, summary="生成签到码(组织方)")
def new_code(store: StoreDep, actor: ActorDep, need_id: str) -> dict[str, Any]:
    """A fresh check-in code for the activity (the old one stops working)."""
    return su.issue_code(store, actor, need_id)


@router.get("/mine", response_model=list[SignupOut], summary="我的报名(党员)")
def mine(store: StoreDep, actor: ActorDep) -> list[dict[str, Any]]:
    """The signed-in member's sign-ups, latest activity first."""
    return su.my_signups(store, actor)


@router.post("/check-in", response_model=SignupOut, summary="签到(党员输入签到码)")
def check_in(store: StoreDep, actor: ActorDep, body: CodeBody) -> dict[str, Any]:
    """Check in with the code on the organiser's phone, within the activity's window."""
    return su.check_in(store, actor, body.code)


@router.post("/check-out", response_model=SignupOut, summary="签退(党员输入签到码)")
def check_out(store: StoreDep, actor: ActorDep, body: CodeBody) -> dict[str, Any]:
    """Check out with the code; the share of the activity attended is recorded."""
    return su.check_out(store, actor, body.code)


@router.post("/{signup_id}/withdraw", response_model=SignupOut, summary="退出报名(本人或组织方)")
def withdraw(store: StoreDep, actor: ActorDep, signup_id: str) -> dict[str, Any]:
    """Withdraw before check-in; the first waitlisted moves up and is notified."""
    return su.withdraw(store, actor, signup_id)


@router.post("/{signup_id}/confirm", response_model=SignupOut, summary="确认志愿服务时长(组织方)")
def confirm(store: StoreDep, actor: ActorDep, signup_id: str, body: ConfirmBody) -> dict[str, Any]:
    """Confirm the volunteer's hours (by default the time attended within the activity)."""
    return su.confirm_hours(store, actor, signup_id, body.hours)


@router.post("/{signup_id}/correction", response_model=SignupOut, summary="申请更正时长(党员)")
def correction(store: StoreDep, actor: ActorDep, signup_id: str, body: CorrectionBody) -> dict[str, Any]:
    """Ask for confirmed hours to be corrected; the organiser is notified."""
    return su.request_correction(store, actor, signup_id, body.hours, body.reason)


@router.post("/{signup_id}/correction/decision", response_model=SignupOut, summary="处理更正申请(组织方)")
def decide(store: StoreDep, actor: ActorDep, signup_id: str, body: DecisionBody) -> dict[str, Any]:
    """Accept (the hours become the corrected ones) or decline a correction."""
    return su.decide_correction(store, actor, signup_id, body.accept, body.answer)


@router.get(
    "/members/{member_id}/record.docx",
    response_class=Response,
    summary="志愿服务记录证明(Word)",
    responses={200: {"content": {DOCX: {}}, "description": "志愿服务记录证明 .docx"}},
)
def record_docx(
    store: StoreDep,
    actor: ActorDep,
    member_id: str,
    period: PeriodQ = None,
    start: StartQ = None,
    end: EndQ = None,
) -> Response:
    """The member's confirmed volunteer service of the period (民政部令第67号), for the member
    itself, its community's secretary or an admin."""
    record = su.volunteer_record(store, actor, member_id, period=period, start=start, end=end)
    name = f"志愿服务记录证明-{record['period_label']}.docx"
    disposition = f"attachment; filename=\"volunteer-record.docx\"; filename*=UTF-8''{quote(name)}"
    return Response(render_record_docx(record), media_type=DOCX, headers={"Content-Disposition": disposition})
