"""Schemas of the sign-up resource: a sign-up with its attendance and hours, a need's roster and
its counts, the check-in code, and the bodies of check-in, confirmation and correction."""

from __future__ import annotations

from pydantic import BaseModel, Field

from engine.services.inputs import StrictInput, prop_field

_STATUSES = "signed 已报名 · waitlisted 候补 · withdrawn 已退出"


class SignupOut(BaseModel):
    """A sign-up: who (name and phone masked unless the reader is entitled), its place in line,
    its attendance (check-in, check-out, the share of the activity covered) and its hours."""

    id: str
    need_id: str
    member_id: str
    member_name: str | None = None
    member_phone: str | None = None
    status: str = Field(description=_STATUSES)
    status_zh: str
    seq: int = Field(description="报名顺序(候补按此递补)")
    need_title: str
    need_status: str
    window_start: str
    window_end: str
    people_wanted: int
    org_id: str
    org_name: str
    created_at: str | None = None
    updated_at: str | None = None
    promoted_at: str | None = Field(None, description="候补转正时间")
    withdrawn_at: str | None = None
    withdrawn_by: str | None = None
    checkin_at: str | None = Field(None, description="签到时间")
    checkout_at: str | None = Field(None, description="签退时间")
    coverage: float | None = Field(None, description="到场时长占活动时长的比例")
    low_attendance: bool | None = Field(None, description="到场不足活动时长六成")
    hours: float | None = Field(None, description="已确认的志愿服务时长")
    hours_status: str | None = Field(None, description="pending 待确认 · confirmed 已确认")
    hours_status_zh: str | None = None
    confirmed_at: str | None = None
    confirmed_by: str | None = None
    correction_hours: float | None = None
    correction_reason: str | None = None
    correction_status: str | None = Field(
        None, description="pending 待处理 · accepted 已接受 · declined 已拒绝"
    )
    correction_status_zh: str | None = None
    correction_requested_at: str | None = None
    correction_decided_at: str | None = None
    correction_answer: str | None = None
    promoted: list[str] | None = Field(None, description="这次退出后递补转正的报名")


class RosterSummary(BaseModel):
    """A need's roster in figures (every signed-in role), with the reader's own sign-up."""

    need_id: str
    need_title: str
    need_status: str
    org_id: str
    org_name: str
    people_wanted: int
    window_start: str
    window_end: str
    signed: int
    waitlisted: int
    checked_in: int
    checkin_code: str | None = Field(None, description="签到码(仅组织方可见)")
    my_signup_id: str | None = None
    my_waitlist_position: int | None = Field(None, description="我的候补顺位")


class Roster(RosterSummary):
    """A need's roster for its organiser: the figures, the code and every sign-up in order."""

    signups: list[SignupOut]


class CheckinCode(BaseModel):
    """The activity's check-in code (shown on the organiser's phone)."""

    need_id: str
    code: str


class CodeBody(StrictInput):
    """The code the volunteer reads off the organiser's phone."""

    code: str = Field(min_length=4, max_length=16, description="签到码", examples=["K7M2QX"])


class ConfirmBody(StrictInput):
    """The hours the organiser confirms; omitted: the time attended within the activity."""

    hours: float | None = prop_field("Signup", "hours", None)


class CorrectionBody(StrictInput):
    """The hours the volunteer says are right, and why."""

    hours: float = prop_field("Signup", "correction_hours")
    reason: str = prop_field("Signup", "correction_reason", min_length=2)


class DecisionBody(StrictInput):
    """The organiser's answer to a correction."""

    accept: bool = Field(description="true 接受更正 · false 不予更正")
    answer: str | None = prop_field("Signup", "correction_answer", None)
