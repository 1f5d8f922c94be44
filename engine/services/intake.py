"""Requests 诉求 from residents and grid workers (issue 11): a request enters the intake queue of
the community nearest its place, gets an unguessable tracking code and a public timeline; the
community's secretary turns it into a need, merges it into an open need, or closes it with a
reason. Submissions are bounded per contact and per address and day; the contact is personal data.

Where a request lands: with a latitude and longitude, the community whose covered or contained
area (community, grid, compound or building, by its centre in the graph) is nearest (haversine),
refused beyond ``MAX_DISTANCE_M``; with an address only, the area whose name the address contains
(the longest such name wins), refused when none does. A grid worker's submission lands the same way.

Likely duplicates (``DUPLICATE_RULE``): another request of the same category in the same community,
still open (queued, or its need not yet completed, cancelled or expired), within ``DUPLICATE_METRES``
of it (both with coordinates; else the same normalised address), whose description shares at least
``DUPLICATE_SIMILARITY`` of its character bigrams (Jaccard).
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import model_validator

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from engine.services.categories import require_offered
from engine.services.clock import resolve, shift
from engine.services.inputs import Category, SchemaInput, checked, id_field, prop_field
from engine.services.needs import NeedFields, status_zh
from engine.services.personal import mask_personal
from engine.services.records import audit_record, check_page, new_id, present, public
from engine.services.scope import jurisdiction, require_role
from engine.store.base import GraphStore, Row
from engine.store.queries import intake as intake_queries
from engine.store.queries.closed_loop import needs as needs_queries
from graph_schema.domain import REQUEST_STATUSES, SCHEMA
from graph_schema.taxonomy import CATEGORY_BY_ID
from graph_schema.validation import validate_node

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
CODE_LENGTH = 10  # 50 random bits
MAX_DISTANCE_M = 20_000.0
DUPLICATE_METRES = 200.0
DUPLICATE_SIMILARITY = 0.3
DUPLICATE_RULE = (
    f"同一社区、同一类别、尚未办结,相距不超过 {DUPLICATE_METRES:.0f} 米(无坐标时为同一地址),"
    f"描述的相邻两字组合重合度(Jaccard)不低于 {DUPLICATE_SIMILARITY}"
)
DUPLICATE_NOTICE = "已有相同诉求,可关注"
OPEN_NEEDS = ("open", "claimed", "in_progress")
NEED_DAYS = 30  # a need made from a request is open for this many days unless the secretary says otherwise
_WRITERS = (Role.ADMIN, Role.SECRETARY)
_READERS = (Role.ADMIN, Role.SECRETARY, Role.PLANNER)
_NOT_WRITER = "只有社区书记可以处理居民诉求"
_INTERNAL = ("contact_key", "address_key")
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,28}[0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NOT_TEXT = re.compile(r"[\s\W_]+")


@dataclass(frozen=True, slots=True)
class IntakeLimits:
    """How many requests one contact, and one address, may submit in 24 hours (engine.settings)."""

    per_contact: int = 5
    per_address: int = 10


class RequestDraft(SchemaInput):
    """What a resident (or a grid worker for them) submits: a category, what is wanted, where,
    and optionally how to reach them (personal data, seen only by the community's secretary)."""

    schema_label: ClassVar[str] = "Request"

    category: Category = prop_field("Request", "category")
    description: str = prop_field("Request", "description", min_length=2)
    lat: float | None = prop_field("Request", "lat", None)
    lon: float | None = prop_field("Request", "lon", None)
    address: str | None = prop_field("Request", "address", None)
    contact_first_name: str | None = prop_field("Request", "contact_first_name", None)
    contact_last_name: str | None = prop_field("Request", "contact_last_name", None)
    contact_phone: str | None = prop_field("Request", "contact_phone", None)
    contact_email: str | None = prop_field("Request", "contact_email", None)

    @model_validator(mode="after")
    def _place_and_contact(self) -> RequestDraft:
        if self.lat is None and not self.address:
            raise ValueError("请提供位置(纬度和经度)或地址")
        if self.contact_phone and not _PHONE.match(self.contact_phone):
            raise ValueError("“联系电话”格式不正确")
        if self.contact_email and not _EMAIL.match(self.contact_email):
            raise ValueError("“电子邮箱”格式不正确")
        return self


class NeedFromRequest(NeedFields):
    """The need a secretary makes of a request: every field defaults to the request's (or to the
    community, normal urgency, one person, the next 30 days); the fields given override them."""

    org_id: str | None = id_field("Org", None, description="发布需求的党组织(默认为诉求所在社区)")
    title: str | None = prop_field("Need", "title", None)
    description: str | None = prop_field("Need", "description", None)
    category: Category | None = prop_field("Need", "category", None)
    skills: list[str] | None = prop_field("Need", "skills", None)
    people_wanted: int | None = prop_field("Need", "people_wanted", None)
    hours_wanted: float | None = prop_field("Need", "hours_wanted", None)
    urgency: str | None = prop_field("Need", "urgency", None)
    beneficiaries: list[str] | None = prop_field("Need", "beneficiaries", None)
    beneficiary_count: int | None = prop_field("Need", "beneficiary_count", None)
    window_start: str | None = prop_field("Need", "window_start", None)
    window_end: str | None = prop_field("Need", "window_end", None)

    @model_validator(mode="after")
    def _window(self) -> NeedFromRequest:
        self._window_ok()
        return self


# ---------------------------------------------------------------------------------------------
# Pure rules: codes, distance, similarity, keys.


def tracking_code() -> str:
    """A fresh tracking code (查询码): 10 characters of Crockford base32, 50 random bits."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000.0 * math.asin(math.sqrt(a))


def bigrams(text: str) -> frozenset[str]:
    """The character bigrams of ``text`` without spaces and punctuation (a single character alone)."""
    t = _NOT_TEXT.sub("", text.lower())
    return frozenset(t[i : i + 2] for i in range(len(t) - 1)) or frozenset({t} if t else ())


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the character bigrams of two texts (0 to 1)."""
    x, y = bigrams(a), bigrams(b)
    return len(x & y) / len(x | y) if x | y else 0.0


def contact_key(phone: str | None, email: str | None) -> str | None:
    """The limit's key of a contact: a hash of the phone's digits, else of the e-mail, else None."""
    raw = re.sub(r"\D", "", phone or "")[-11:] or (email or "").strip().lower()
    return hashlib.sha256(raw.encode()).hexdigest() if raw else None


def address_key(address: str | None, lat: float | None, lon: float | None) -> str:
    """The limit's key of a place: the address without spaces, else the point to about 100 m."""
    if address:
        return re.sub(r"\s+", "", address).lower()[:200]
    return f"{lat:.3f},{lon:.3f}"


def likely_duplicates(
    request: Mapping[str, Any], candidates: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The candidates that are likely duplicates of ``request`` (DUPLICATE_RULE), most similar first."""
    found = []
    for c in candidates:
        if c["id"] == request.get("id") or c["category"] != request["category"]:
            continue
        if c.get("org_id") and request.get("org_id") and c["org_id"] != request["org_id"]:
            continue
        if None not in (request.get("lat"), c.get("lat")):
            distance: float | None = metres(request["lat"], request["lon"], c["lat"], c["lon"])
            near = distance is not None and distance <= DUPLICATE_METRES
        else:
            distance, near = None, c.get("address_key") == request.get("address_key")
        score = similarity(request["description"], c["description"])
        if near and score >= DUPLICATE_SIMILARITY:
            found.append(
                {
                    "code": c["id"],
                    "similarity": round(score, 2),
                    "distance_m": None if distance is None else round(distance),
                }
            )
    return sorted(found, key=lambda d: (-d["similarity"], d["code"]))


# ---------------------------------------------------------------------------------------------
# Where a request lands.


@dataclass(frozen=True, slots=True)
class Landing:
    """The community (and the area in it) a request lands in."""

    org_id: str
    org_name: str
    area_id: str | None


def locate(store: GraphStore, lat: float | None, lon: float | None, address: str | None) -> Landing:
    """The community of a place: nearest area by coordinates, else the area the address names."""
    places = store.run(intake_queries.PLACES, {})
    if lat is not None and lon is not None:
        scored = [
            (metres(lat, lon, p["lat"], p["lon"]), p["area_id"], p)
            for p in places
            if p["lat"] is not None and p["lon"] is not None
        ]
        if not scored or min(scored)[0] > MAX_DISTANCE_M:
            raise Invalid("该位置不在本平台的服务范围内,请检查经纬度或改填地址", "outside_area")
        best = min(scored)[2]
    else:
        text = re.sub(r"\s+", "", address or "")
        named = [(len(p["area_name"]), p["area_id"], p) for p in places if p["area_name"] in text]
        if not named:
            raise Invalid(
                "无法根据地址确定所在社区,请写明社区或小区名称,或在地图上选择位置", "unknown_address"
            )
        best = max(named)[2]
    return Landing(best["org_id"], best["org_name"], best["area_id"])


# ---------------------------------------------------------------------------------------------
# Views.


def _need_of(row: Row) -> dict[str, Any] | None:
    needs = row["needs"] or []
    return dict(needs[0]) if needs else None


def staff_view(row: Row) -> dict[str, Any]:
    """A request as the secretary's queue shows it (personal data masked later as the reader may see)."""
    request = {k: v for k, v in public(row["request"]).items() if k not in _INTERNAL}
    need = _need_of(row)
    category = CATEGORY_BY_ID.get(request["category"])
    return {
        **request,
        "code": request["id"],
        "status_zh": REQUEST_STATUSES.get(request["status"], request["status"]),
        "category_name": category.name if category else request["category"],
        "org_id": row["org_id"],
        "org_name": row["org_name"],
        "need_id": need["id"] if need else None,
        "need_status": need["status"] if need else None,
    }


def _timeline(row: Row) -> list[dict[str, Any]]:
    """The public steps of a request: received, queued, decided, and its need's public status."""
    q, need = row["request"], _need_of(row)
    steps = [
        {"at": q["created_at"], "status": "received", "text": "诉求已受理"},
        {"at": q["created_at"], "status": "queued", "text": f"已进入{row['org_name']}待办"},
    ]
    decided = q.get("decided_at") or q.get("updated_at")
    if q["status"] == "converted" and need:
        steps.append({"at": decided, "status": "converted", "text": "社区已将诉求转为服务需求"})
    elif q["status"] == "merged" and need:
        steps.append({"at": decided, "status": "merged", "text": "社区已将诉求并入已有的服务需求"})
    elif q["status"] == "closed":
        reason = q.get("status_reason") or ""
        steps.append({"at": decided, "status": "closed", "text": f"社区已办结:{reason}"})
    if need and need["status"] != "open":
        words = {
            "claimed": "已有单位或党员认领,即将开始服务",
            "in_progress": "服务进行中",
            "completed": "服务已完成",
            "evaluated": "服务已完成并已评价",
            "cancelled": f"需求已取消:{need.get('status_reason') or ''}",
            "expired": f"需求已过期:{need.get('status_reason') or ''}",
        }
        steps.append(
            {
                "at": need.get("updated_at"),
                "status": f"need_{need['status']}",
                "text": words.get(need["status"], status_zh(need["status"])),
            }
        )
    return steps


def public_view(row: Row) -> dict[str, Any]:
    """What anyone with the tracking code sees: category, community, status and timeline; no
    description, place or contact (a code shown as a duplicate reaches other residents)."""
    q, need = row["request"], _need_of(row)
    category = CATEGORY_BY_ID.get(q["category"])
    return {
        "code": q["id"],
        "category": q["category"],
        "category_name": category.name if category else q["category"],
        "org_name": row["org_name"],
        "status": q["status"],
        "status_zh": REQUEST_STATUSES.get(q["status"], q["status"]),
        "status_reason": q.get("status_reason") if q["status"] == "closed" else None,
        "need_id": need["id"] if need else None,
        "need_status": need["status"] if need else None,
        "need_status_zh": status_zh(need["status"]) if need else None,
        "created_at": q["created_at"],
        "timeline": _timeline(row),
    }


def _with_duplicates(store: GraphStore, items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``items`` with their likely duplicates among the open requests of their communities."""
    queued = [i for i in items if i["status"] == "queued"]
    if not queued:
        return [{**i, "duplicates": []} for i in items]
    keys = {i["id"]: address_key(i.get("address"), i.get("lat"), i.get("lon")) for i in queued}
    candidates = store.run(
        intake_queries.OPEN_IN,
        {
            "org_ids": sorted({i["org_id"] for i in queued}),
            "categories": sorted({i["category"] for i in queued}),
            "open_needs": list(OPEN_NEEDS),
            "limit": 2000,
        },
    )
    return [
        {
            **i,
            "duplicates": likely_duplicates({**i, "address_key": keys[i["id"]]}, candidates)
            if i["id"] in keys
            else [],
        }
        for i in items
    ]


def _masked(store: GraphStore, actor: Actor, items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Contacts in full for admins and the community's secretary, masked for everyone else."""
    return mask_personal(store, actor, "Request", items)


# ---------------------------------------------------------------------------------------------
# Use cases.


def submit_request(
    store: GraphStore,
    actor: Actor | None,
    draft: RequestDraft,
    *,
    limits: IntakeLimits = IntakeLimits(),
    via: str = "public",
    now: str | None = None,
) -> dict[str, Any]:
    """Take a request (anyone; a grid worker submits for a resident): it lands in its community's
    queue with a tracking code; answers the code, the community and any likely duplicates.
    RateLimited (429) past the day's limits, and then nothing is written."""
    at = resolve(now)
    if actor is not None and actor.role is Role.GRID_WORKER:
        via = "grid_worker"
    require_offered(store, draft.category)  # a retired (or unknown) category is refused
    landing = locate(store, draft.lat, draft.lon, draft.address)
    code = tracking_code()
    keys = {
        "contact_key": contact_key(draft.contact_phone, draft.contact_email),
        "address_key": address_key(draft.address, draft.lat, draft.lon),
        "since": shift(at, -24),
    }
    props = present(
        {
            **draft.props(),
            **{k: keys[k] for k in ("contact_key", "address_key")},
            "id": code,
            "area_id": landing.area_id,
            "via": via,
            "submitted_by": actor.account_id if via == "grid_worker" and actor else None,
            "status": "queued",
            "created_at": at,
            "updated_at": at,
        }
    )
    problems = validate_node("Request", props)
    if problems:
        raise Invalid(problems[0].message)
    _within_limits(store.one(intake_queries.COUNTS, keys), limits)
    candidates = store.run(
        intake_queries.OPEN_IN,
        {
            "org_ids": [landing.org_id],
            "categories": [draft.category],
            "open_needs": list(OPEN_NEEDS),
            "limit": 2000,
        },
    )
    audit_after = {k: v for k, v in props.items() if k not in (*_INTERNAL, *_pii())}
    written = store.one(
        intake_queries.SUBMIT,
        {
            **keys,
            "org_id": landing.org_id,
            "contact_limit": limits.per_contact,
            "address_limit": limits.per_address,
            "props": props,
            "audit": audit_record(
                actor or _resident(), "request.submit", "Request", code, at, before=None, after=audit_after
            )
            | ({} if actor else {"role": "public"}),  # no account: the entry says a resident, not a role
        },
    )
    if written is None:  # the limits were reached meanwhile (or the community vanished)
        _within_limits(store.one(intake_queries.COUNTS, keys), limits)
        raise NotFound("诉求所在社区不存在")
    duplicates = likely_duplicates({**props, "org_id": landing.org_id}, candidates)
    notice = (
        f"{DUPLICATE_NOTICE}:查询码 {duplicates[0]['code']}"
        if duplicates
        else f"诉求已受理,已转{landing.org_name}处理;请凭查询码 {code} 查询进度"
    )
    return {
        "code": code,
        "status": "queued",
        "status_zh": REQUEST_STATUSES["queued"],
        "org_name": landing.org_name,
        "duplicates": duplicates,
        "notice": notice,
        "created_at": at,
    }


def _pii() -> tuple[str, ...]:
    return SCHEMA.label("Request").pii_props


def _resident() -> Actor:
    """The actor recorded in the audit for an anonymous submission."""
    return Actor("public", Role.MEMBER, subject_id="public", display_name="居民")


def _within_limits(counts: Row | None, limits: IntakeLimits) -> None:
    by_contact = int((counts or {}).get("by_contact") or 0)
    by_address = int((counts or {}).get("by_address") or 0)
    if by_contact >= limits.per_contact:
        raise RateLimited(
            f"同一联系方式 24 小时内最多提交 {limits.per_contact} 条诉求,请明天再试或关注已有诉求"
        )
    if by_address >= limits.per_address:
        raise RateLimited(f"同一地址 24 小时内最多提交 {limits.per_address} 条诉求,请关注已有诉求的进度")


def _row(store: GraphStore, code: str) -> Row:
    row = store.one(intake_queries.DETAIL, {"id": code.strip().upper()})
    if row is None:
        raise NotFound("查询码不存在,请核对后重试", "request_not_found")
    return row


def track_request(store: GraphStore, code: str) -> dict[str, Any]:
    """The public status and timeline of a request by its tracking code (no personal data)."""
    return public_view(_row(store, code))


def list_queue(
    store: GraphStore,
    actor: Actor,
    *,
    org_id: str | None = None,
    status: str | None = "queued",
    skip: int = 0,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The intake queue of the actor's jurisdiction (or of ``org_id`` in it), newest first, each
    request with its likely duplicates; contacts masked unless the reader is entitled."""
    require_role(actor, _READERS, "只有社区书记、规划人员和管理员可以查看诉求待办")
    check_page(skip, limit)
    if status is not None and status not in REQUEST_STATUSES:
        raise Invalid(f"诉求状态“{status}”不存在")
    scope = jurisdiction(store, actor)
    org_ids = scope.filter
    if org_id is not None:
        if not scope.covers(org_id):
            raise Forbidden("只能查看本辖区的诉求")
        org_ids = [org_id]
    rows = store.run(
        intake_queries.QUEUE,
        {"org_ids": org_ids, "status": status, "submitted_by": None, "skip": skip, "limit": limit},
    )
    return _masked(store, actor, _with_duplicates(store, [staff_view(r) for r in rows]))


def my_requests(store: GraphStore, actor: Actor, *, skip: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    """The requests a grid worker submitted, newest first (contacts masked)."""
    require_role(actor, (Role.GRID_WORKER,), "只有网格员账号有“我提交的诉求”")
    check_page(skip, limit)
    rows = store.run(
        intake_queries.QUEUE,
        {"org_ids": None, "status": None, "submitted_by": actor.account_id, "skip": skip, "limit": limit},
    )
    return _masked(store, actor, [{**staff_view(r), "duplicates": []} for r in rows])


def _writable(store: GraphStore, actor: Actor, code: str) -> Row:
    require_role(actor, _WRITERS, _NOT_WRITER)
    row = _row(store, code)
    if not jurisdiction(store, actor).covers(row["org_id"]):
        raise Forbidden("只能处理本社区的诉求")
    if row["request"]["status"] != "queued":
        raise Conflict(
            f"该诉求已处理(当前状态:{REQUEST_STATUSES.get(row['request']['status'])}),不能再次处理",
            "illegal_transition",
        )
    return row


def _decided(store: GraphStore, actor: Actor, code: str) -> dict[str, Any]:
    row = _row(store, code)
    return _masked(store, actor, _with_duplicates(store, [staff_view(row)]))[0]


def _title(request: Mapping[str, Any]) -> str:
    category = CATEGORY_BY_ID.get(request["category"])
    head = f"{category.name}:" if category else ""
    text = re.sub(r"\s+", " ", request["description"]).strip()
    return (head + text)[:40] + ("…" if len(head + text) > 40 else "")


def convert_request(
    store: GraphStore, actor: Actor, code: str, body: NeedFromRequest, *, now: str | None = None
) -> dict[str, Any]:
    """Turn a queued request into a need of the community (prefilled from the request; the body's
    fields override), in one statement with the link and both audit entries; returns the request."""
    at = resolve(now)
    row = _writable(store, actor, code)
    request = row["request"]
    org_id = body.org_id or row["org_id"]
    if not jurisdiction(store, actor).covers(org_id):
        raise Forbidden("只能为本社区及下属网格、楼栋发布需求")
    require_offered(store, body.category or request["category"])
    need_id = new_id()
    given = body.props(only_set=True)
    need = present(
        {
            "title": _title(request),
            "description": request["description"],
            "category": request["category"],
            "people_wanted": 1,
            "urgency": "normal",
            "window_start": at,
            "window_end": shift(at, 24 * NEED_DAYS),
            "lat": request.get("lat"),
            "lon": request.get("lon"),
            "address": request.get("address"),
            **{k: v for k, v in given.items() if v is not None},
            "id": need_id,
            "status": "open",
            "created_at": at,
            "updated_at": at,
        }
    )
    if need["window_end"] <= need["window_start"]:
        raise Invalid("“结束时间”必须晚于“开始时间”")
    problems = validate_node("Need", need)
    if problems:
        raise Invalid(problems[0].message)
    written = store.one(
        intake_queries.CONVERT,
        {
            "id": request["id"],
            "org_id": org_id,
            "area_id": request.get("area_id"),
            "need": need,
            "now": at,
            "actor": actor.account_id,
            "audit": audit_record(
                actor,
                "request.convert",
                "Request",
                request["id"],
                at,
                before={"status": "queued"},
                after={"status": "converted", "need_id": need_id},
            ),
            "need_audit": audit_record(
                actor,
                "need.post",
                "Need",
                need_id,
                at,
                before=None,
                after={**need, "org_id": org_id, "area_id": request.get("area_id"), "request": request["id"]},
            ),
        },
    )
    if written is None:
        _writable(store, actor, code)  # says why: decided meanwhile
        raise NotFound("发布需求的党组织不存在")
    return _decided(store, actor, code)


def merge_request(
    store: GraphStore, actor: Actor, code: str, need_id: str, *, now: str | None = None
) -> dict[str, Any]:
    """Merge a queued request into an open need (open, claimed or in progress) of the community."""
    at = resolve(now)
    row = _writable(store, actor, code)
    need = store.one(needs_queries.DETAIL, {"id": need_id})
    if need is None:
        raise NotFound("需求不存在")
    if not jurisdiction(store, actor).covers(need["org_id"]):
        raise Forbidden("只能并入本社区的需求")
    if need["need"]["status"] not in OPEN_NEEDS:
        raise Conflict(f"该需求当前状态为“{status_zh(need['need']['status'])}”,不能并入", "need_closed")
    written = store.one(
        intake_queries.MERGE_INTO,
        {
            "id": row["request"]["id"],
            "need_id": need_id,
            "open_needs": list(OPEN_NEEDS),
            "now": at,
            "actor": actor.account_id,
            "audit": audit_record(
                actor,
                "request.merge",
                "Request",
                row["request"]["id"],
                at,
                before={"status": "queued"},
                after={"status": "merged", "need_id": need_id},
            ),
        },
    )
    if written is None:
        _writable(store, actor, code)
        raise Conflict("该需求已不再进行中,不能并入", "need_closed")
    return _decided(store, actor, code)


def close_request(
    store: GraphStore, actor: Actor, code: str, reason: str, *, now: str | None = None
) -> dict[str, Any]:
    """Close a queued request with a reason the resident sees on the tracking page."""
    at = resolve(now)
    reason = checked("Request", "status_reason", reason)
    if not reason or len(reason.strip()) < 2:
        raise Invalid("请填写办结原因(居民可以看到)")
    row = _writable(store, actor, code)
    written = store.one(
        intake_queries.CLOSE,
        {
            "id": row["request"]["id"],
            "reason": reason,
            "reason_short": reason[:200],  # the notification's title (FalkorDB's substring mis-cuts)
            "now": at,
            "actor": actor.account_id,
            "audit": audit_record(
                actor,
                "request.close",
                "Request",
                row["request"]["id"],
                at,
                before={"status": "queued"},
                after={"status": "closed", "status_reason": reason},
            ),
        },
    )
    if written is None:
        _writable(store, actor, code)
    return _decided(store, actor, code)
