"""Sign-up, waitlist, check-in and volunteer records (issue 12 point 4).

A need wanting N people takes members' sign-ups: the first N are signed up (已报名), the rest wait
in sign-up order (候补). A withdrawal before check-in frees a place, and the first waitlisted moves
up in the withdrawal's own statement and is notified. The organiser (the need's community
secretary) shows a check-in code on the phone page; a signed-up volunteer enters it to check in
(from ``CHECKIN_EARLY_MINUTES`` before the activity's window until its end) and to check out.

Hours follow 民政部令第67号 (志愿服务记录与证明出具办法): the organiser confirms each volunteer's
hours (by default the time attended within the activity's window); attendance covering less than
``LOW_ATTENDANCE`` of the activity is flagged; the volunteer may ask for a correction, which the
organiser accepts or declines; a 志愿服务记录证明 lists a member's confirmed service in a period.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.privacy import mask_value
from engine.services.clock import parse, resolve, shift
from engine.services.hours import points_for
from engine.services.inputs import checked
from engine.services.periods import resolve_period
from engine.services.personal import entitled, mask_personal
from engine.services.points import point_entry
from engine.services.records import audit_record, json_head, new_id, public
from engine.services.scope import jurisdiction, require_role
from engine.settings import Settings, get_settings
from engine.store.base import GraphStore, Row
from engine.store.queries import signups as q
from engine.store.queries.closed_loop import needs as needs_queries
from graph_schema.domain import CORRECTION_STATUSES, SIGNUP_HOURS_STATUSES, SIGNUP_STATUSES
from graph_schema.validation import validate_node

OPEN_STATUSES = ("open", "claimed", "in_progress")
CHECKIN_EARLY_MINUTES = 30
LOW_ATTENDANCE = 0.6
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: easy to read off a phone
CODE_LENGTH = 6
_ORGANISERS = (Role.ADMIN, Role.SECRETARY)
_NOT_ORGANISER = "只有发布需求的社区书记可以管理报名和签到"


# ---------------------------------------------------------------------------------------------
# Pure rules.


def window_hours(start: str, end: str) -> float:
    """The activity's length in hours."""
    return max((parse(end) - parse(start)).total_seconds() / 3600, 0.0)


def attended(checkin: str, checkout: str, start: str, end: str) -> float:
    """Hours of [checkin, checkout) inside the activity's window [start, end)."""
    lo, hi = max(parse(checkin), parse(start)), min(parse(checkout), parse(end))
    return max((hi - lo).total_seconds() / 3600, 0.0)


def coverage(hours: float, start: str, end: str) -> float:
    """The share of the activity ``hours`` cover (0 to 1)."""
    length = window_hours(start, end)
    return round(min(max(hours / length, 0.0), 1.0), 4) if length > 0 else 0.0


def tenths(hours: float) -> float:
    """Hours rounded down to the tenth (what is credited of time attended)."""
    return math.floor(hours * 10 + 1e-6) / 10


def check_in_code() -> str:
    """A fresh check-in code: 6 characters easy to read off a phone (about 29 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def roster_order(statuses: Sequence[str], people_wanted: int) -> list[str]:
    """The statuses sign-ups in order would get one at a time on an empty roster (the model)."""
    signed, out = 0, []
    for _ in statuses:
        if signed < people_wanted:
            out.append("signed")
            signed += 1
        else:
            out.append("waitlisted")
    return out


# ---------------------------------------------------------------------------------------------
# Views.


def _view(row: Row) -> dict[str, Any]:
    s, need = public(row["signup"]), row["need"]
    return {
        **s,
        "status_zh": SIGNUP_STATUSES.get(s["status"], s["status"]),
        "hours_status_zh": SIGNUP_HOURS_STATUSES.get(s.get("hours_status") or "", None),
        "correction_status_zh": CORRECTION_STATUSES.get(s.get("correction_status") or "", None),
        "member_name": row["name"],
        "member_phone": row["phone"],
        "need_title": need["title"],
        "need_status": need["status"],
        "window_start": need["window_start"],
        "window_end": need["window_end"],
        "people_wanted": need["people_wanted"],
        "org_id": row["org_id"],
        "org_name": row["org_name"],
    }


def _masked(store: GraphStore, actor: Actor, items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Members' names and phones in full only for those entitled (the member, its secretary, admins)."""
    people = mask_personal(
        store,
        actor,
        "Member",
        [{"id": i["member_id"], "name": i["member_name"], "phone": i["member_phone"]} for i in items],
    )
    return [
        {**i, "member_name": p["name"], "member_phone": p["phone"]}
        for i, p in zip(items, people, strict=True)
    ]


def _row(store: GraphStore, signup_id: str) -> Row:
    row = store.one(q.DETAIL, {"id": signup_id})
    if row is None:
        raise NotFound("报名记录不存在", "signup_not_found")
    return row


def _shown(store: GraphStore, actor: Actor, signup_id: str, **extra: Any) -> dict[str, Any]:
    return {**_masked(store, actor, [_view(_row(store, signup_id))])[0], **extra}


def _need(store: GraphStore, need_id: str) -> Row:
    row = store.one(needs_queries.DETAIL, {"id": need_id})
    if row is None:
        raise NotFound("需求不存在")
    return row


def _organiser(store: GraphStore, actor: Actor, org_id: str) -> None:
    """Forbidden unless ``actor`` is an admin or the secretary whose jurisdiction holds ``org_id``."""
    require_role(actor, _ORGANISERS, _NOT_ORGANISER)
    if not jurisdiction(store, actor).covers(org_id):
        raise Forbidden("只能管理本社区需求的报名和签到")


def _member(actor: Actor) -> str:
    require_role(actor, (Role.MEMBER,), "只有党员可以报名参加志愿服务")
    return str(actor.subject_id)


# ---------------------------------------------------------------------------------------------
# Sign-up and withdrawal.


def sign_up(store: GraphStore, actor: Actor, need_id: str, *, now: str | None = None) -> dict[str, Any]:
    """The signed-in member signs up for a need: signed while places are free, else waitlisted."""
    at = resolve(now)
    member_id = _member(actor)
    row = _need(store, need_id)
    need = row["need"]
    if need["status"] not in OPEN_STATUSES:
        raise Conflict("该需求已结束或已取消,不能报名", "need_closed")
    if need["window_end"] <= at:
        raise Conflict("活动已结束,不能报名", "activity_over")
    signup_id = new_id()
    props = {
        "id": signup_id,
        "need_id": need_id,
        "member_id": member_id,
        "status": "waitlisted",  # the statement decides
        "seq": 1,  # the statement numbers it after the last one
        "created_at": at,
        "updated_at": at,
    }
    problems = validate_node("Signup", props)
    if problems:
        raise Invalid(problems[0].message)
    after = {"need_id": need_id, "member_id": member_id}
    written = store.one(
        q.SIGN_UP,
        {
            "need_id": need_id,
            "member_id": member_id,
            "open_statuses": list(OPEN_STATUSES),
            "now": at,
            "props": props,
            "audit": audit_record(actor, "signup.create", "Signup", signup_id, at, before=None, after=after),
            "after_head": json_head(after),
        },
    )
    if written is None:
        mine = [r for r in store.run(q.MINE, {"member_id": member_id}) if r["need"]["id"] == need_id]
        if any(r["signup"]["status"] != "withdrawn" for r in mine):
            raise Conflict("您已报名该活动", "already_signed_up")
        if store.one(q.VOLUNTEER, {"member_id": member_id}) is None:
            raise NotFound("党员不存在")
        raise Conflict("该需求已结束或已取消,不能报名", "need_closed")
    return _shown(store, actor, signup_id)


def withdraw(store: GraphStore, actor: Actor, signup_id: str, *, now: str | None = None) -> dict[str, Any]:
    """The member (or the organiser) withdraws a sign-up before check-in; the first waitlisted
    move up into the free places, in the same statement, and are notified."""
    at = resolve(now)
    row = _row(store, signup_id)
    s = row["signup"]
    if actor.role is Role.MEMBER:
        if s["member_id"] != actor.subject_id:
            raise Forbidden("只能退出自己的报名")
    else:
        _organiser(store, actor, row["org_id"])
    if s["status"] == "withdrawn":
        raise Conflict("该报名已退出", "illegal_transition")
    if s.get("checkin_at"):
        raise Conflict("已签到的报名不能退出", "illegal_transition")
    base = audit_record(
        actor, "signup.withdraw", "Signup", signup_id, at, before=None, after={"status": "withdrawn"}
    )
    promoted = audit_record(
        actor,
        "signup.promote",
        "Signup",
        signup_id,
        at,
        before={"status": "waitlisted"},
        after={"status": "signed"},
    )
    promoted_id = promoted.pop("id")
    written = store.one(
        q.WITHDRAW,
        {
            "id": signup_id,
            "now": at,
            "actor": actor.account_id,
            "audit": base,
            "promoted_audit": promoted,
            "promoted_id": promoted_id,  # each promotion's entry: this id + its sign-up's number
        },
    )
    if written is None:
        raise Conflict("该报名已退出或已签到,不能退出", "illegal_transition")
    return _shown(store, actor, signup_id, promoted=list(written["promoted"]))


# ---------------------------------------------------------------------------------------------
# Rosters.


def roster(store: GraphStore, actor: Actor, need_id: str) -> dict[str, Any]:
    """A need's roster for its organiser (and planners and admins in scope): counts, the check-in
    code, and every sign-up in order with its attendance and hours."""
    row = _need(store, need_id)
    require_role(
        actor, (Role.ADMIN, Role.SECRETARY, Role.PLANNER), "只有社区书记、规划人员和管理员可以查看报名名单"
    )
    if not jurisdiction(store, actor).covers(row["org_id"]):
        raise Forbidden("只能查看本辖区需求的报名名单")
    items = _masked(store, actor, [_view(r) for r in store.run(q.ROSTER, {"need_id": need_id})])
    return {**_summary(row, items), "signups": items}


def _summary(row: Row, items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    need = row["need"]
    return {
        "need_id": need["id"],
        "need_title": need["title"],
        "need_status": need["status"],
        "org_id": row["org_id"],
        "org_name": row["org_name"],
        "people_wanted": need["people_wanted"],
        "window_start": need["window_start"],
        "window_end": need["window_end"],
        "signed": sum(1 for i in items if i["status"] == "signed"),
        "waitlisted": sum(1 for i in items if i["status"] == "waitlisted"),
        "checked_in": sum(1 for i in items if i["status"] == "signed" and i.get("checkin_at")),
        "checkin_code": need.get("checkin_code"),
    }


def need_summary(store: GraphStore, actor: Actor, need_id: str) -> dict[str, Any]:
    """What any signed-in role sees of a need's roster: the counts and the reader's own sign-up
    (no names, no code)."""
    row = _need(store, need_id)
    items = [_view(r) for r in store.run(q.ROSTER, {"need_id": need_id})]
    mine = [
        i["id"]
        for i in items
        if actor.role is Role.MEMBER and i["member_id"] == actor.subject_id and i["status"] != "withdrawn"
    ]
    summary = _summary(row, items)
    summary["checkin_code"] = None
    position = None
    if mine:
        me = next(i for i in items if i["id"] == mine[0])
        if me["status"] == "waitlisted":
            position = 1 + sum(1 for i in items if i["status"] == "waitlisted" and i["seq"] < me["seq"])
    return {**summary, "my_signup_id": mine[0] if mine else None, "my_waitlist_position": position}


def my_signups(store: GraphStore, actor: Actor) -> list[dict[str, Any]]:
    """The signed-in member's sign-ups, latest activity first."""
    member_id = _member(actor)
    return _masked(store, actor, [_view(r) for r in store.run(q.MINE, {"member_id": member_id})])


# ---------------------------------------------------------------------------------------------
# Check-in and check-out.


def issue_code(store: GraphStore, actor: Actor, need_id: str, *, now: str | None = None) -> dict[str, Any]:
    """The organiser sets a fresh check-in code for the activity (a new one ends the old one)."""
    at = resolve(now)
    row = _need(store, need_id)
    _organiser(store, actor, row["org_id"])
    if row["need"]["status"] not in OPEN_STATUSES:
        raise Conflict("该需求已结束或已取消,不能签到", "need_closed")
    code = check_in_code()
    while store.run(q.BY_CODE, {"code": code}):
        code = check_in_code()
    written = store.one(
        q.SET_CODE,
        {
            "need_id": need_id,
            "code": code,
            "open_statuses": list(OPEN_STATUSES),
            "audit": audit_record(
                actor,
                "signup.code",
                "Need",
                need_id,
                at,
                before={"checkin_code": row["need"].get("checkin_code")},
                after={"checkin_code": code},
            ),
        },
    )
    if written is None:
        raise Conflict("该需求已结束或已取消,不能签到", "need_closed")
    return {"need_id": need_id, "code": code}


def _normal_code(code: str) -> str:
    text = "".join(code.split()).upper()
    if not 4 <= len(text) <= 16:
        raise Invalid("签到码应为 6 位字母或数字", "invalid_code")
    return text


def _by_code(store: GraphStore, actor: Actor, code: str) -> Row:
    member_id = _member(actor)
    row = store.one(q.FIND, {"member_id": member_id, "code": _normal_code(code)})
    if row is None:
        raise NotFound("签到码无效,或您没有报名该活动", "signup_not_found")
    if row["signup"]["status"] != "signed":
        raise Conflict("候补人员不能签到,请等待递补", "waitlisted")
    return row


def check_in(store: GraphStore, actor: Actor, code: str, *, now: str | None = None) -> dict[str, Any]:
    """A signed-up member checks in with the activity's code, within its window."""
    at = resolve(now)
    row = _by_code(store, actor, code)
    s, need = row["signup"], row["need"]
    if s.get("checkin_at"):
        raise Conflict("您已签到", "already_checked_in")
    if shift(at, CHECKIN_EARLY_MINUTES / 60) < need["window_start"]:
        raise Conflict(f"活动尚未开始,开始前 {CHECKIN_EARLY_MINUTES} 分钟内才能签到", "outside_window")
    if at > need["window_end"]:
        raise Conflict("活动已结束,不能签到", "outside_window")
    written = store.one(
        q.CHECK_IN,
        {
            "id": s["id"],
            "code": _normal_code(code),
            "now": at,
            "late": shift(at, CHECKIN_EARLY_MINUTES / 60),
            "audit": audit_record(
                actor, "signup.check_in", "Signup", s["id"], at, before=None, after={"checkin_at": at}
            ),
        },
    )
    if written is None:
        raise Conflict("签到未成功:报名状态或签到码已变化,请刷新后重试", "stale")
    return _shown(store, actor, s["id"])


def check_out(store: GraphStore, actor: Actor, code: str, *, now: str | None = None) -> dict[str, Any]:
    """A checked-in member checks out with the code: the share of the activity it covered is
    recorded, and flagged below 60%."""
    at = resolve(now)
    row = _by_code(store, actor, code)
    s, need = row["signup"], row["need"]
    if not s.get("checkin_at"):
        raise Conflict("请先签到", "not_checked_in")
    if s.get("checkout_at"):
        raise Conflict("您已签退", "already_checked_out")
    share = coverage(attended(s["checkin_at"], at, need["window_start"], need["window_end"]), **_window(need))
    written = store.one(
        q.CHECK_OUT,
        {
            "id": s["id"],
            "code": _normal_code(code),
            "checkin_at": s["checkin_at"],
            "now": at,
            "coverage": share,
            "low": share < LOW_ATTENDANCE,
            "audit": audit_record(
                actor,
                "signup.check_out",
                "Signup",
                s["id"],
                at,
                before=None,
                after={"checkout_at": at, "coverage": share, "low_attendance": share < LOW_ATTENDANCE},
            ),
        },
    )
    if written is None:
        raise Conflict("签退未成功:报名状态或签到码已变化,请刷新后重试", "stale")
    return _shown(store, actor, s["id"])


def _window(need: Mapping[str, Any]) -> dict[str, str]:
    return {"start": need["window_start"], "end": need["window_end"]}


# ---------------------------------------------------------------------------------------------
# Hours: confirmation and correction.


def confirm_hours(
    store: GraphStore,
    actor: Actor,
    signup_id: str,
    hours: float | None = None,
    *,
    now: str | None = None,
    rules: Settings | None = None,
) -> dict[str, Any]:
    """The organiser confirms a checked-in volunteer's hours: the time attended within the
    activity (to the tenth) unless ``hours`` is given; no more than the activity's length."""
    at = resolve(now)
    row = _row(store, signup_id)
    _organiser(store, actor, row["org_id"])
    s, need = row["signup"], row["need"]
    if s["status"] != "signed" or not s.get("checkin_at"):
        raise Conflict("该志愿者尚未签到,不能确认时长", "not_checked_in")
    if s.get("hours_status") == "confirmed":
        raise Conflict("时长已确认;如需调整,请由志愿者申请更正", "already_confirmed")
    length = window_hours(need["window_start"], need["window_end"])
    if hours is None:
        if not s.get("checkout_at"):
            raise Invalid("该志愿者未签退,请填写确认的服务时长", "hours_required")
        hours = tenths(attended(s["checkin_at"], s["checkout_at"], need["window_start"], need["window_end"]))
    hours = float(checked("Signup", "hours", hours))
    if hours <= 0 or hours > length + 1e-6:
        raise Invalid(f"确认的时长须大于 0 且不超过活动时长 {tenths(length):g} 小时", "hours_out_of_range")
    share = coverage(hours, **_window(need))
    if s.get("checkout_at"):
        share = min(
            share, coverage(attended(s["checkin_at"], s["checkout_at"], **_window(need)), **_window(need))
        )
    low = share < LOW_ATTENDANCE
    cfg = rules or get_settings()
    entry = point_entry(
        points_for(hours, cfg),
        "service_hours",
        f"points_per_hour={cfg.points_per_hour:g}",
        f"志愿服务:{need['title']}"[:500],
        at,
    )
    written = store.one(
        q.CONFIRM,
        {
            "id": signup_id,
            "entry": entry,
            "checkin_at": s["checkin_at"],
            "checkout_at": s.get("checkout_at") or "",
            "hours": hours,
            "coverage": share,
            "low": low,
            "now": at,
            "actor": actor.account_id,
            "audit": audit_record(
                actor,
                "signup.confirm",
                "Signup",
                signup_id,
                at,
                before={"hours_status": s.get("hours_status")},
                after={"hours": hours, "hours_status": "confirmed", "coverage": share, "low_attendance": low},
            ),
        },
    )
    if written is None:
        raise Conflict("确认未成功:该报名已变化,请刷新后重试", "stale")
    return _shown(store, actor, signup_id)


def request_correction(
    store: GraphStore, actor: Actor, signup_id: str, hours: float, reason: str, *, now: str | None = None
) -> dict[str, Any]:
    """The volunteer asks for its confirmed hours to be corrected (one request at a time)."""
    at = resolve(now)
    row = _row(store, signup_id)
    s = row["signup"]
    if _member(actor) != s["member_id"]:
        raise Forbidden("只能为自己的志愿服务记录申请更正")
    hours = float(checked("Signup", "correction_hours", hours))
    reason = str(checked("Signup", "correction_reason", reason) or "").strip()
    if len(reason) < 2:
        raise Invalid("请填写更正理由", "reason_required")
    length = window_hours(row["need"]["window_start"], row["need"]["window_end"])
    if hours <= 0 or hours > length + 1e-6:
        raise Invalid(f"更正后的时长须大于 0 且不超过活动时长 {tenths(length):g} 小时", "hours_out_of_range")
    if s.get("hours_status") != "confirmed":
        raise Conflict("时长尚未确认,不能申请更正", "not_confirmed")
    if s.get("correction_status") == "pending":
        raise Conflict("已有待处理的更正申请", "correction_pending")
    written = store.one(
        q.REQUEST_CORRECTION,
        {
            "id": signup_id,
            "hours": hours,
            "reason": reason,
            "now": at,
            "actor": actor.account_id,
            "audit": audit_record(
                actor,
                "signup.correction.request",
                "Signup",
                signup_id,
                at,
                before={"hours": s.get("hours")},
                after={"correction_hours": hours, "correction_reason": reason},
            ),
        },
    )
    if written is None:
        raise Conflict("申请未成功:该记录已变化,请刷新后重试", "stale")
    return _shown(store, actor, signup_id)


def decide_correction(
    store: GraphStore,
    actor: Actor,
    signup_id: str,
    accept: bool,
    answer: str | None = None,
    *,
    now: str | None = None,
    rules: Settings | None = None,
) -> dict[str, Any]:
    """The organiser accepts a correction (the hours become the corrected ones, the points follow
    by a new ledger entry) or declines it."""
    at = resolve(now)
    row = _row(store, signup_id)
    _organiser(store, actor, row["org_id"])
    s = row["signup"]
    answer = checked("Signup", "correction_answer", answer) if answer else None
    if s.get("correction_status") != "pending":
        raise Conflict("没有待处理的更正申请", "no_correction")
    cfg = rules or get_settings()
    old, corrected = float(s["hours"]), float(s["correction_hours"])
    entry = point_entry(
        points_for(corrected, cfg) - points_for(old, cfg),
        "hours_correction",
        f"points_per_hour={cfg.points_per_hour:g}",
        f"志愿服务时长更正:{old:g} → {corrected:g} 小时",
        at,
    )
    written = store.one(
        q.DECIDE_CORRECTION,
        {
            "id": signup_id,
            "hours": old,
            "corrected": corrected,
            "entry": entry,
            "accept": accept,
            "answer": answer,
            "now": at,
            "audit": audit_record(
                actor,
                "signup.correction.decide",
                "Signup",
                signup_id,
                at,
                before={"hours": s.get("hours")},
                after={
                    "correction_status": "accepted" if accept else "declined",
                    "hours": s.get("correction_hours") if accept else s.get("hours"),
                },
            ),
        },
    )
    if written is None:
        raise Conflict("处理未成功:该申请已被处理", "no_correction")
    return _shown(store, actor, signup_id)


# ---------------------------------------------------------------------------------------------
# 志愿服务记录证明.


def volunteer_record(
    store: GraphStore,
    actor: Actor,
    member_id: str,
    *,
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
    now: str | None = None,
) -> dict[str, Any]:
    """A member's confirmed volunteer service in a period, for the 志愿服务记录证明: the member
    itself, admins, and the secretary of the member's community may have it issued."""
    at = resolve(now)
    who = store.one(q.VOLUNTEER, {"member_id": member_id})
    if who is None:
        raise NotFound("党员不存在")
    own = actor.role is Role.MEMBER and actor.subject_id == member_id
    if not own:
        require_role(actor, _ORGANISERS, "只有本人、所在社区书记或管理员可以出具志愿服务记录证明")
        if member_id not in entitled(store, actor, "Member", [member_id]):
            raise Forbidden("只能为本社区的党员出具志愿服务记录证明")
    span = (
        resolve_period(period, start, end) if (period or start or end) else resolve_period(at[:4], None, None)
    )
    rows = store.run(q.RECORD, {"member_id": member_id, "start": span.start, "end": span.end})
    activities = [
        {
            "need_id": r["need"]["id"],
            "title": r["need"]["title"],
            "org_name": r["org_name"],
            "checkin_at": r["signup"]["checkin_at"],
            "checkout_at": r["signup"].get("checkout_at"),
            "hours": float(r["signup"]["hours"]),
            "low_attendance": bool(r["signup"].get("low_attendance")),
            "corrected": r["signup"].get("correction_status") == "accepted",
        }
        for r in rows
    ]
    issuer = actor.display_name if actor.role is Role.SECRETARY else None
    orgs = list(who["orgs"] or [])
    return {
        "member_id": member_id,
        "member_id_masked": mask_value("id", member_id),
        "name": who["name"],
        "phone_masked": mask_value("phone", who["phone"]) if who["phone"] else None,
        "orgs": orgs,
        "issuer": _issuer(store, actor) or issuer or (orgs[0] if orgs else "联建平台"),
        "period_label": span.label,
        "start": span.start,
        "end": span.end,
        "activities": activities,
        "count": len(activities),
        "total_hours": round(sum(a["hours"] for a in activities), 1),
        "issued_at": at,
    }


def _issuer(store: GraphStore, actor: Actor) -> str | None:
    """The org a secretary issues for (its community), else None."""
    if actor.role is not Role.SECRETARY or not actor.scope_org_id:
        return None
    row = store.one(q.ORG_NAME, {"id": actor.scope_org_id})
    return str(row["name"]) if row else None
