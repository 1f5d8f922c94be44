"""The permission matrix over HTTP: every role (admin, planner, secretary, unit, member, grid worker,
anonymous) × every operation of the live OpenAPI × inside and outside the role's scope.

Inside is the tiny demo's street and the demo accounts' community, unit and member. Outside is a
second street with its own community, unit and member (and their secretary and provider
accounts, made through the admin API) built here. Each operation has one row in ``ROWS``: the
roles that succeed inside their scope (the others get 403), and what outside means for it:
- ``deny``: 403 (reads may say 404), and a refused write writes nothing;
- ``public``: readable by every signed-in role by design (directory, offerings, Open311);
- ``filter``: a list that may answer, but holds nothing outside the viewer's scope;
- ``none``: the operation names nothing that has a scope (own account, admin-only lists).
Every refused write is checked to have written nothing (the closed loop's nodes, relationship
counts, audit entries and accounts), and every answer to a non-admin is searched for phone
numbers its reader may not see in full. A test also checks that the table covers exactly the
operations of the live ``/openapi.json``.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pyotp
import pytest
from api_world import ROLES as WORLD_ROLES
from api_world import ApiWorld, shared_world
from conftest import BACKENDS
from test_api_concurrency import need_body, offering_body
from test_api_series import series_body
from test_services_world import nodes, snapshot

from engine.actors import SYSTEM, Actor, Role
from engine.demo.accounts import DEMO_PASSWORD
from engine.errors import Conflict
from engine.services import (
    ClaimRequest,
    CorrectionRequest,
    HoursEntry,
    NeedDraft,
    OfferingDraft,
    claim_need,
    complete_project,
    log_hours,
    pause_offering,
    post_need,
    register_offering,
    report_problem,
    request_correction,
    start_project,
)
from engine.services import signups as signup_service
from engine.services.accounts import get_account, to_actor
from engine.services.agreements import AgreementDraft, create_agreement
from engine.services.branches import JoinRequest, join_branch
from engine.services.categories import CategoryDraft, add_category, retire_category
from engine.services.clock import shift, utc_now
from engine.services.dispatch import list_proposals, start_run
from engine.services.intake import RequestDraft, submit_request
from engine.services.pledges import PledgeDraft, make_pledge
from engine.services.posts import PostDraft, assign_post
from engine.services.recurrence import CommitmentRequest, SeriesDraft, commit_series, create_series
from engine.services.registrations import RegistrationDraft, submit_registration
from engine.services.secret_box import SecretBox
from engine.services.signin_guard import totp_confirm, totp_off, totp_setup
from engine.services.venues import AllocationDraft, BookingDraft, allocate, book_venue
from engine.store.base import GraphStore
from engine.store.embedded import EmbeddedFalkorDB
from engine.store.queries.nodes import node_stmt, rel_stmt

ROLES = (*WORLD_ROLES, "grid_worker")  # the grid worker (网格员) may only submit requests for residents
PROVIDER_ROLES = ("unit", "member")
EVERYONE = frozenset(WORLD_ROLES)
PUBLIC = EVERYONE | {"grid_worker"}  # routes without sign-in and the signed-in account's own
GRID_WORKER = frozenset({"grid_worker"})
ORG_ROLES = frozenset({"admin", "planner", "secretary"})
RUNNERS = frozenset({"admin", "secretary", "unit", "member"})  # who may run a project it is part of
SECRETARIES = frozenset({"admin", "secretary"})
OWNERS = frozenset({"admin", "unit", "member"})  # an offering's provider (or an admin)
ADMIN = frozenset({"admin"})
MEMBER = frozenset({"member"})
DISPATCH = ("DispatchRun", "Proposal")
PERIOD = {"start": "2026-01-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"}
SLOT = {"start": shift(utc_now(), 24 * 30), "end": shift(utc_now(), 24 * 30 + 1)}  # a venue's booking


# ---------------------------------------------------------------------------------------------
# The two sides: records made through the engine by each side's secretary and providers.


@dataclass
class Side:
    """One street's community, its secretary and providers, and records in several states."""

    store: GraphStore
    box: SecretBox  # the server's data key (TOTP secrets are stored sealed)
    inside: bool
    community: str
    secretary: Actor
    unit: Actor
    member: Actor
    place: dict[str, float] = field(default_factory=dict)  # a point in the community (requests land there)
    offerings: dict[str, str] = field(default_factory=dict)  # provider id -> a roomy offering
    shared: dict[str, Any] = field(default_factory=dict)
    logs: dict[tuple[str, str], str] = field(default_factory=dict)  # (project, provider id) -> work log

    def provider(self, role: str) -> Actor:
        """The provider a role acts as or for: the member for ``member``, else the unit."""
        return self.member if role == "member" else self.unit

    def offering(self, provider: Actor) -> str:
        """A new active offering of ``provider`` with room for many claims."""
        draft = OfferingDraft(**offering_body(capacity=100))
        return str(register_offering(self.store, provider, draft)["id"])

    def paused_offering(self, provider: Actor) -> str:
        """A new offering of ``provider``, paused."""
        offering = self.offering(provider)
        pause_offering(self.store, provider, offering)
        return offering

    def need(self, people: int = 1) -> str:
        """A new open need of the community."""
        return str(
            post_need(self.store, self.secretary, NeedDraft(**need_body(self.community, people)))["id"]
        )

    def claim(self, provider: Actor, need_id: str) -> dict[str, Any]:
        """``provider`` claims ``need_id`` with its roomy offering."""
        offering = self.offerings[provider.subject_id or ""]
        return claim_need(self.store, provider, ClaimRequest(need_id=need_id, offering_id=offering))

    def claimed(self) -> tuple[str, str, dict[str, str]]:
        """A need claimed by the unit and the member: (need, its project, claim per provider id)."""
        need = self.need(people=2)
        claims = {p.subject_id or "": self.claim(p, need) for p in (self.unit, self.member)}
        project = next(c["project_id"] for c in claims.values() if c["project_id"])
        return need, project, {k: c["id"] for k, c in claims.items()}

    def running(self) -> str:
        """A project in progress, served by the unit and the member."""
        project = self.claimed()[1]
        start_project(self.store, self.secretary, project, now=shift(utc_now(), -6))  # hours may be logged
        return project

    def logged(self) -> str:
        """A project in progress on which the unit and the member each logged half an hour (pending)."""
        project = self.running()
        for p in (self.unit, self.member):
            made = log_hours(self.store, p, project, HoursEntry(hours=0.5))
            self.logs[(project, p.subject_id or "")] = made["id"]
        return project

    def correcting(self, project: str, provider: Actor) -> str:
        """``provider``'s work log on ``project``, with a correction request pending."""
        log = self.logs[(project, provider.subject_id or "")]
        request_correction(self.store, provider, project, log, CorrectionRequest(hours=0.2, reason="多记了"))
        return log

    def done(self) -> str:
        """A completed project, not yet evaluated."""
        project = self.running()
        complete_project(self.store, self.secretary, project, "服务已完成")
        return project

    def problem(self) -> str:
        """An open problem report on a project in progress."""
        return str(report_problem(self.store, self.secretary, self.running(), "有住户联系不上")["id"])

    def run(self) -> str:
        """A dispatch run over the community, by its secretary."""
        return str(start_run(self.store, self.secretary, self.community)["id"])

    def proposal(self) -> str:
        """A pending dispatch proposal for a new need (a run over the community proposes it)."""
        need = self.need()
        run = self.run()
        found = list_proposals(self.store, self.secretary, run_id=run, need_id=need, status="pending")
        assert found, "the dispatch run proposed no provider for a new need"
        return str(found[0]["id"])

    def request(self) -> str:
        """A resident's request queued in the community (its tracking code)."""
        draft = RequestDraft(**intake_body(self.place))
        return str(submit_request(self.store, None, draft)["code"])

    def venue(self, provider: Actor) -> str:
        """A new venue of ``provider`` (open at any hour)."""
        body = {**offering_body(5), "kind": "venue", "access": "reservation"}
        body["category"] = "venue.meeting_room"
        return str(register_offering(self.store, provider, OfferingDraft(**body))["id"])

    def booking(self, provider: Actor) -> str:
        """An active booking of a new venue of ``provider``, made by the provider."""
        return str(book_venue(self.store, provider, self.venue(provider), BookingDraft(**SLOT))["id"])

    def goods(self, provider: Actor) -> str:
        """A new goods offering of ``provider`` with 1,000 份."""
        body = {**offering_body(5), "kind": "goods", "amount": 1000, "amount_unit": "份"}
        return str(register_offering(self.store, provider, OfferingDraft(**body))["id"])

    def allocation(self, provider: Actor) -> str:
        """An active allocation of 10 from a new goods offering of ``provider``, taken by the provider."""
        return str(allocate(self.store, provider, self.goods(provider), AllocationDraft(amount=10))["id"])

    def agreement(self) -> str:
        """An agreement in force between the community and the side's unit (issue 12)."""
        draft = AgreementDraft(
            org_id=self.community,
            unit_id=self.unit.subject_id or "",
            title="矩阵测试共建协议",
            valid_from="2026-01-01",
            valid_to="2030-12-31",
            obligations_a=["提供活动场地"],
            obligations_b=["每月一次志愿服务"],
        )
        return str(create_agreement(self.store, self.secretary, draft)["id"])

    def registration(self) -> str:
        """A pending 双报到 registration of a new unit with the community (issue 12)."""
        uid = f"unit-reg-{uuid.uuid4().hex[:10]}"
        props = {"id": uid, "name": "矩阵测试报到单位", "type": "private_firm"}
        self.store.run(node_stmt("create", "Unit"), {"props": props})
        registrant = Actor(f"acc-{uid}", self.unit.role, subject_id=uid)
        draft = RegistrationDraft(org_id=self.community)
        return str(submit_registration(self.store, registrant, draft)["id"])

    def series(self) -> str:
        """A new active weekly series of the community (issue 12, point 3)."""
        draft = SeriesDraft(**series_body(self.community))
        return str(create_series(self.store, self.secretary, draft)["id"])

    def commitment(self, provider: Actor) -> tuple[str, str]:
        """A new active series of the community and ``provider``'s commitment to it: (series, commitment)."""
        series = self.series()
        made = commit_series(
            self.store, provider, series, CommitmentRequest(offering_id=self.offering(provider))
        )
        return series, str(made["id"])

    def pledge(self, provider: Actor) -> str:
        """A new pledge 公开承诺 of ``provider`` to the community, pending review (issue 12)."""
        draft = PledgeDraft(org_id=self.community, title="每月为独居老人送餐两次", target="全年 24 次")
        return str(make_pledge(self.store, provider, draft)["id"])

    def pending_claim(self, provider: Actor) -> str:
        """An active claim of ``provider`` on a need that still wants another provider."""
        return str(self.claim(provider, self.need(people=2))["id"])

    def signup(self, stage: str = "signed") -> str:
        """The member's sign-up for a new need of the community (issue 12), taken to ``stage``:
        ``signed``, ``checked`` (checked in and out), ``confirmed`` (hours confirmed) or
        ``correcting`` (a correction pending)."""
        need = self.need(people=2)
        made = str(signup_service.sign_up(self.store, self.member, need)["id"])
        if stage == "signed":
            return made
        code = str(signup_service.issue_code(self.store, self.secretary, need)["code"])
        signup_service.check_in(self.store, self.member, code)
        signup_service.check_out(self.store, self.member, code)
        if stage in ("confirmed", "correcting"):
            signup_service.confirm_hours(self.store, self.secretary, made, 0.5)
        if stage == "correcting":
            signup_service.request_correction(self.store, self.member, made, 1.0, "签退晚了")
        return made

    def checkin_code(self, checked_in: bool = False) -> str:
        """The check-in code of a new need the member signed up for (checked in when asked)."""
        need = self.need(people=2)
        signup_service.sign_up(self.store, self.member, need)
        code = str(signup_service.issue_code(self.store, self.secretary, need)["code"])
        if checked_in:
            signup_service.check_in(self.store, self.member, code)
        return code

    def build(self) -> Side:
        """Make the roomy offerings and one record of every kind the rows use."""
        for p in (self.unit, self.member):
            self.offerings[p.subject_id or ""] = self.offering(p)
        need, project, claims = self.claimed()
        self.shared = {
            "need_open": self.need(),
            "need_seen": need,
            "project_seen": project,
            "claims": claims,
            "project_claimed": self.claimed()[1],
            "project_running": self.running(),
            "project_done": self.done(),
            "problem_open": self.problem(),
            "project_logged": self.logged(),
            "paused": {p.subject_id: self.paused_offering(p) for p in (self.unit, self.member)},
            "request_queued": self.request(),
        }
        self.shared.update(
            {
                f"signup_{stage}": self.signup(stage)
                for stage in ("signed", "checked", "confirmed", "correcting")
            }
            | {"checkin_code": self.checkin_code(), "checkout_code": self.checkin_code(checked_in=True)}
        )
        self.shared["log_correcting"] = {
            p.subject_id: self.correcting(self.shared["project_logged"], p) for p in (self.unit, self.member)
        }
        self.shared["proposal"] = self.proposal()  # its run covers every open need made above
        self.shared["run"] = self.run()
        self.shared |= {"agreement": self.agreement(), "registration_pending": self.registration()}
        self.shared |= {  # issue 12, point 2: a venue, a booking, goods, an allocation per provider
            name: {p.subject_id: make(p) for p in (self.unit, self.member)}
            for name, make in (("venue_own", self.venue), ("booking_own", self.booking),
                               ("goods_own", self.goods), ("allocation_own", self.allocation))
        }  # fmt: skip
        self.shared |= {"post": self.post(), "branch": self.branch(), "branch_joined": self.joined_branch()}
        self.shared |= {"category_fresh": new_category(self.store)}
        self.shared |= {"pledges": {p.subject_id: self.pledge(p) for p in (self.unit, self.member)}}
        self.shared |= {"series_active": self.series()}
        self.shared |= {"commitments": {p.subject_id: self.commitment(p) for p in (self.unit, self.member)}}
        self.shared |= {"category_retired": new_category(self.store, retired=True)}
        return self

    def post(self) -> str:
        """A current post (楼长) at the community, held by a new member (issue 12)."""
        draft = PostDraft(org_id=self.community, member_id=fresh_member(self.store), role="building_head")
        return str(assign_post(self.store, SYSTEM, draft)["id"])

    def branch(self) -> str:
        """A new 三缘 branch led by the community."""
        bid = f"org-branch-{uuid.uuid4().hex[:10]}"
        props = {"id": bid, "name": "矩阵测试趣缘党支部", "level": "other", "kind": "feature"}
        self.store.run(node_stmt("create", "Org"), {"props": props})
        link = {"start": self.community, "end": bid, "props": {}}
        self.store.run(rel_stmt("bulk_create", "LEADS", "Org", "Org"), {"rows": [link]})
        BRANCH_PARENT[bid] = self.community
        return bid

    def joined_branch(self) -> str:
        """A new branch the side's member joined."""
        bid = self.branch()
        join_branch(self.store, SYSTEM, bid, JoinRequest(member_id=self.member.subject_id))
        return bid


BRANCH_PARENT: dict[str, str] = {}  # branches made here -> the community leading them


def fresh_member(store: GraphStore) -> str:
    """A new member with no ties (member nodes are not part of what a refused write must keep)."""
    mid = f"mem-t-{uuid.uuid4().hex[:10]}"
    store.run(node_stmt("create", "Member"), {"props": {"id": mid, "name": "测试党员"}})
    return mid


def new_category(store: GraphStore, retired: bool = False) -> str:
    """A new top-level category added by an admin (and retired if asked)."""
    tag = uuid.uuid4().hex[:10]
    code = str(add_category(store, SYSTEM, CategoryDraft(code=f"t{tag}", name=f"矩阵测试{tag}"))["id"])
    if retired:
        retire_category(store, SYSTEM, code)
    return code


@dataclass
class Ctx:
    """One case: a role acting on one side; ``fresh`` makes new records for a write that succeeds."""

    side: Side
    role: str
    fresh: bool
    made: dict[str, str] = field(default_factory=dict)

    @property
    def provider(self) -> str:
        """The id of the provider the role acts as or for on this side."""
        return self.side.provider(self.role).subject_id or ""

    def get(self, kind: str) -> str:
        """The id of a record of ``kind`` for this case (made once per case when fresh)."""
        if kind not in self.made:
            self.made[kind] = self._find(kind)
        return self.made[kind]

    def _find(self, kind: str) -> str:
        s, me = self.side, self.side.provider(self.role)
        fixed = {
            "org": s.community,
            "unit": s.unit.subject_id,
            "member": s.member.subject_id,
            "holder": self.provider if self.role in PROVIDER_ROLES else s.unit.subject_id,
            "account": "unit",
            "account_unused": "member-x",  # signed in by no client: revoking its sessions ends none
            "member_unused": "mem-x",  # its account member-x is signed in by no client: anonymise it
            "need_seen": s.shared["need_seen"],
            "project_seen": s.shared["project_seen"],
            "run": s.shared["run"],
            "category": "elderly.meals",
        }
        if kind in fixed:
            return str(fixed[kind])
        if kind == "notification_own":  # one in the inbox of the account the role signs in as
            note = {"id": f"note-{uuid.uuid4().hex[:12]}", "account_id": self.role, "kind": "claim",
                    "title": "测试通知", "created_at": "2026-05-01T00:00:00Z",
                    "delivery": "none"}  # fmt: skip
            s.store.run(node_stmt("create", "Notification"), {"props": note})
            return str(note["id"])
        if kind in ("series_committed", "commitment_own"):  # a commitment and its series, made together
            pair = s.commitment(me) if self.fresh else s.shared["commitments"][self.provider]
            self.made |= {"series_committed": pair[0], "commitment_own": pair[1]}
            return pair[kind == "commitment_own"]
        if kind == "log_own":
            return s.logs[(self.get("project_logged"), me.subject_id or "")]
        if kind == "log_correcting" and not self.fresh:
            return str(s.shared["log_correcting"][me.subject_id])
        if not self.fresh:
            if kind == "claim_own":
                return str(s.shared["claims"][self.provider])
            if kind == "pledge_own":
                return str(s.shared["pledges"][self.provider])
            if kind == "offering_own":
                return s.offerings[self.provider]
            if kind == "offering_paused":
                return str(s.shared["paused"][self.provider])
            if kind in ("venue_own", "booking_own", "goods_own", "allocation_own"):
                return str(s.shared[kind][self.provider])
            return str(s.shared[kind])
        makers: dict[str, Callable[[], str]] = {
            "need_open": s.need,
            "project_claimed": lambda: s.claimed()[1],
            "project_running": s.running,
            "project_done": s.done,
            "problem_open": s.problem,
            "project_logged": s.logged,
            "log_correcting": lambda: s.correcting(self.get("project_logged"), me),
            "claim_own": lambda: s.pending_claim(me),
            "pledge_own": lambda: s.pledge(me),
            "proposal": s.proposal,
            "request_queued": s.request,
            "agreement": s.agreement,
            "registration_pending": s.registration,
            "offering_own": lambda: s.offering(me),
            "offering_paused": lambda: s.paused_offering(me),
            "venue_own": lambda: s.venue(me),
            "booking_own": lambda: s.booking(me),
            "goods_own": lambda: s.goods(me),
            "allocation_own": lambda: s.allocation(me),
            "signup_signed": s.signup,
            "signup_checked": lambda: s.signup("checked"),
            "signup_confirmed": lambda: s.signup("confirmed"),
            "signup_correcting": lambda: s.signup("correcting"),
            "checkin_code": s.checkin_code,
            "checkout_code": lambda: s.checkin_code(checked_in=True),
            "post": s.post,
            "branch": s.branch,
            "branch_joined": s.joined_branch,
            "category_fresh": lambda: new_category(s.store),
            "series_active": s.series,
            "category_retired": lambda: new_category(s.store, retired=True),
        }
        return makers[kind]()


# ---------------------------------------------------------------------------------------------
# The table.

Body = Callable[[Ctx], dict[str, Any]]


@dataclass(frozen=True)
class Row:
    """One operation: who succeeds inside scope, what outside means, and how to call it."""

    method: str
    path: str
    ok: frozenset[str]
    outside: str  # deny | public | filter | none
    params: Mapping[str, str] = field(default_factory=dict)  # path parameter -> kind of record
    body: Body | None = None
    query: Body | None = None
    form: bool = False
    anonymous: bool = False  # public without sign-in
    leak: Callable[[dict[str, Any], Viewer], bool] | None = None  # list items the viewer may not see
    reveals: bool = False  # break-glass: answers full phones by design (audited), not a leak

    @property
    def name(self) -> str:
        """``METHOD /path`` as the OpenAPI names it."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Viewer:
    """Who reads a list: the role, its orgs (None: all) and, for a provider, itself."""

    role: str
    orgs: frozenset[str] | None
    provider: tuple[str, str] | None  # (kind, id)


def _need_leaks(item: dict[str, Any], v: Viewer) -> bool:
    return v.orgs is not None and item["org_id"] not in v.orgs and item["status"] != "open"


def _series_leaks(item: dict[str, Any], v: Viewer) -> bool:
    return v.orgs is not None and item["org_id"] not in v.orgs and item["status"] != "active"


PLEDGE = {"pledge_id": "pledge_own"}


def _pledge_leaks(item: dict[str, Any], v: Viewer) -> bool:
    if v.provider:
        return (item["provider_kind"], item["provider_id"]) != v.provider
    return v.orgs is not None and item["org_id"] not in v.orgs


def _unit_need_leaks(item: dict[str, Any], v: Viewer) -> bool:
    if v.provider:
        mine = item["requester_id"] == v.provider[1]
        return item["status"] != "open" if v.provider[0] == "Member" else not mine
    return v.orgs is not None and item["org_id"] not in v.orgs


def _claim_leaks(item: dict[str, Any], v: Viewer) -> bool:
    if v.provider:
        return (item["provider_kind"], item["provider_id"]) != v.provider
    return v.orgs is not None and item["org_id"] not in v.orgs


def _project_leaks(item: dict[str, Any], v: Viewer) -> bool:
    if v.provider:
        return v.provider not in {(p["provider_kind"], p["provider_id"]) for p in item["providers"]}
    return v.orgs is not None and item["org_id"] not in v.orgs


def _agreement_leaks(item: dict[str, Any], v: Viewer) -> bool:
    if v.provider:
        return bool(item["unit_id"] != v.provider[1])
    return v.orgs is not None and item["org_id"] not in v.orgs


def _registration_leaks(item: dict[str, Any], v: Viewer) -> bool:
    if v.provider:
        return bool(item["registrant_id"] != v.provider[1])
    return v.orgs is not None and item["org_id"] not in v.orgs


def _agreement_body(c: Ctx) -> dict[str, Any]:
    return {"org_id": c.get("org"), "unit_id": c.get("unit"), "title": "矩阵测试共建协议",
            "valid_from": "2027-01-01", "valid_to": "2027-12-31", "obligations_a": ["提供活动场地"],
            "obligations_b": ["每月一次志愿服务"]}  # fmt: skip


def _org_leaks(key: str) -> Callable[[dict[str, Any], Viewer], bool]:
    """Items of a list for org roles only, whose ``key`` org must be in the viewer's scope."""
    return lambda item, v: v.orgs is not None and item[key] not in v.orgs


def _own_or_org_leaks(key: str) -> Callable[[dict[str, Any], Viewer], bool]:
    """Items of a member's own list (a member sees all of its own, and every branch to choose one),
    or else outside an org role's scope (a branch made here is where its community is)."""

    def leaks(item: dict[str, Any], v: Viewer) -> bool:
        org = BRANCH_PARENT.get(item[key], item[key])
        return v.role != "member" and v.orgs is not None and item[key] not in v.orgs and org not in v.orgs

    return leaks


def _join_body(c: Ctx) -> dict[str, Any]:
    return {} if c.role == "member" else {"member_id": fresh_member(c.side.store)}


def intake_body(place: Mapping[str, float]) -> dict[str, Any]:
    """A resident's request at ``place`` from a fresh phone and address (below every limit)."""
    tag = uuid.uuid4().int
    return {"category": "environment.cleanup", "description": "楼道杂物堆积需要清理", **place,
            "address": f"矩阵测试{tag % 10**8}号", "contact_phone": f"139{tag % 10**8:08d}"}  # fmt: skip


def _open311_form(c: Ctx) -> dict[str, Any]:
    b = intake_body(c.side.place)
    return {"service_code": b["category"], "description": b["description"], "lat": b["lat"],
            "long": b["lon"], "address_string": b["address"], "phone": b["contact_phone"]}  # fmt: skip


def _claim_body(c: Ctx) -> dict[str, Any]:
    return {"need_id": c.get("need_open"), "offering_id": c.get("offering_own"), "provider_id": c.provider}


def _totp(c: Ctx, wanted: str, account_id: str | None = None) -> str:
    """Bring the TOTP of ``account_id`` (the role's own account by default) to ``wanted`` (off,
    pending or on) when the case's call must succeed (a refused write must change nothing); a
    current code of its secret ("000000" when there is none)."""
    store, box, who = c.side.store, c.side.box, account_id or c.role
    if c.fresh or account_id == "planner":  # (signing in changes nothing: planner's is always off)
        with contextlib.suppress(Conflict):
            totp_off(store, Actor("matrix", Role.ADMIN), who, box=box)
        if wanted != "off":
            totp_setup(store, to_actor(get_account(store, who) or {}), box=box)
        if wanted == "on":
            code = _code(store, box, who, "totp_pending")
            totp_confirm(store, to_actor(get_account(store, who) or {}), code, box=box)
    return _code(store, box, who, "totp_secret" if wanted == "on" else "totp_pending")


def _totp_only(c: Ctx, wanted: str, account_id: str | None = None) -> dict[str, Any]:
    """``_totp`` before a call that sends no body."""
    _totp(c, wanted, account_id)
    return {}


def _code(store: GraphStore, box: SecretBox, account_id: str, key: str) -> str:
    """The current code of the account's secret ``key`` ("000000" when it has none)."""
    secret = (get_account(store, account_id) or {}).get(key)
    return pyotp.TOTP(box.open(secret, owner=account_id)).now() if secret else "000000"


def _account_body(c: Ctx) -> dict[str, Any]:
    return {"id": f"new-{uuid.uuid4().hex[:8]}", "display_name": "新党员账号", "role": "member",
            "subject_id": c.get("member"), "password": "a-long-password"}  # fmt: skip


NEED, PROJECT, OFFERING = (
    {"need_id": "need_open"},
    {"project_id": "project_seen"},
    {"offering_id": "offering_own"},
)
ROWS: tuple[Row, ...] = (
    # health, sign-in, own account
    Row("GET", "/health", PUBLIC, "none", anonymous=True),
    Row("GET", "/health/live", PUBLIC, "none", anonymous=True),
    Row("GET", "/health/ready", PUBLIC, "none", anonymous=True),
    Row("GET", "/metrics", PUBLIC, "none", anonymous=True),  # open unless LIANJIAN_METRICS_TOKEN/_NETWORKS
    Row("POST", "/auth/token", PUBLIC, "none", anonymous=True, form=True,
        body=lambda c: {"username": "planner", "password": DEMO_PASSWORD, "otp": _totp(c, "off", "planner")}),
    Row("GET", "/auth/me", PUBLIC, "none"),
    Row("POST", "/auth/password", PUBLIC, "none", body=lambda c: {"password": DEMO_PASSWORD}),
    # accounts and audit: administrators only
    Row("POST", "/accounts", ADMIN, "none", body=_account_body),
    Row("GET", "/accounts", ADMIN, "none"),
    Row("PUT", "/accounts/{account_id}/active", ADMIN, "none", {"account_id": "account"},
        body=lambda c: {"active": True}),
    Row("DELETE", "/accounts/{account_id}/sessions", ADMIN, "none", {"account_id": "account_unused"}),
    Row("POST", "/accounts/{account_id}/unlock", ADMIN, "none", {"account_id": "account_unused"}),
    Row("DELETE", "/accounts/{account_id}/totp", ADMIN, "none", {"account_id": "account_unused"},
        body=lambda c: _totp_only(c, "pending", "member-x")),
    Row("PUT", "/accounts/{account_id}/totp-required", ADMIN, "none", {"account_id": "account_unused"},
        body=lambda c: {"required": False}),
    # TOTP of the signed-in account (its state set first, only for a call that must succeed)
    Row("POST", "/auth/totp/setup", PUBLIC, "none", body=lambda c: _totp_only(c, "off")),
    Row("POST", "/auth/totp/confirm", PUBLIC, "none", body=lambda c: {"code": _totp(c, "pending")}),
    Row("DELETE", "/auth/totp", PUBLIC, "none", body=lambda c: {"code": _totp(c, "on")}),
    Row("GET", "/audit", ADMIN, "none"),
    Row("GET", "/audit/verify", ADMIN, "none"),
    # notifications: every signed-in account's own inbox (the grid worker's too)
    Row("GET", "/notifications", PUBLIC, "none"),
    Row("GET", "/notifications/unread-count", PUBLIC, "none"),
    Row("POST", "/notifications/read-all", PUBLIC, "none"),
    Row("POST", "/notifications/{notification_id}/read", PUBLIC, "none",
        {"notification_id": "notification_own"}),
    # needs
    Row("POST", "/needs", SECRETARIES, "deny", body=lambda c: need_body(c.get("org"), 1)),
    Row("GET", "/needs", EVERYONE, "filter", leak=_need_leaks,
        query=lambda c: {} if c.side.inside else {"org_id": c.get("org")}),
    Row("POST", "/needs/expire", ADMIN, "none"),
    Row("GET", "/needs/{need_id}", EVERYONE, "deny", {"need_id": "need_seen"}),
    Row("PATCH", "/needs/{need_id}", SECRETARIES, "deny", NEED, body=lambda c: {"title": "修改后的需求标题"}),
    Row("POST", "/needs/{need_id}/cancel", SECRETARIES, "deny", NEED,
        body=lambda c: {"reason": "居民已自行解决"}),
    # search (issue 12): every signed-in role, each kind filtered to what the role may see
    Row("GET", "/search", EVERYONE, "filter", query=lambda c: {"q": "楼道清理"}),
    # recurring needs 常态化项目 (issue 12): secretaries create and cancel; active series are public;
    # units and members commit with their own offering; an admin runs the horizon job
    Row("POST", "/series", SECRETARIES, "deny", body=lambda c: series_body(c.get("org"))),
    Row("GET", "/series", EVERYONE, "filter", leak=_series_leaks),
    Row("POST", "/series/extend", ADMIN, "none"),
    Row("GET", "/series/{series_id}", EVERYONE, "public", {"series_id": "series_active"}),
    Row("POST", "/series/{series_id}/commitments", frozenset(PROVIDER_ROLES), "deny",
        {"series_id": "series_active"}, body=lambda c: {"offering_id": c.get("offering_own")}),
    Row("POST", "/series/{series_id}/cancel", SECRETARIES, "deny", {"series_id": "series_active"},
        body=lambda c: {"reason": "场地维修,暂停活动"}),
    Row("POST", "/series/{series_id}/commitments/{commitment_id}/withdraw",
        SECRETARIES | frozenset(PROVIDER_ROLES), "deny",
        {"series_id": "series_committed", "commitment_id": "commitment_own"},
        body=lambda c: {"reason": "人手调整"}),
    # offerings: public to every signed-in role, managed by their provider
    Row("POST", "/offerings", OWNERS, "deny", body=lambda c: {**offering_body(2), "provider_id": c.provider}),
    Row("GET", "/offerings", EVERYONE, "public", query=lambda c: {"provider_id": c.get("unit")}),
    Row("GET", "/offerings/{offering_id}", EVERYONE, "public", OFFERING),
    Row("PATCH", "/offerings/{offering_id}", OWNERS, "deny", OFFERING,
        body=lambda c: {"title": "修改后的资源"}),
    Row("POST", "/offerings/{offering_id}/pause", OWNERS, "deny", OFFERING),
    Row("POST", "/offerings/{offering_id}/resume", OWNERS, "deny", {"offering_id": "offering_paused"}),
    Row("POST", "/offerings/{offering_id}/retire", OWNERS, "deny", OFFERING),
    # venues by time slot, goods and funds (issue 12): slots and takes public; the provider, or an
    # org role whose jurisdiction reaches the provider, books and takes
    Row("GET", "/offerings/{offering_id}/bookings", EVERYONE, "public", {"offering_id": "venue_own"}),
    Row("POST", "/offerings/{offering_id}/bookings", EVERYONE, "deny", {"offering_id": "venue_own"},
        body=lambda c: SLOT),
    Row("POST", "/bookings/{booking_id}/cancel", EVERYONE, "deny", {"booking_id": "booking_own"},
        body=lambda c: {"reason": "改期"}),
    Row("GET", "/offerings/{offering_id}/allocations", EVERYONE, "public", {"offering_id": "goods_own"}),
    Row("POST", "/offerings/{offering_id}/allocations", EVERYONE, "deny", {"offering_id": "goods_own"},
        body=lambda c: {"amount": 5, "purpose": "慰问"}),
    Row("POST", "/allocations/{allocation_id}/return", EVERYONE, "deny",
        {"allocation_id": "allocation_own"}),
    Row("PUT", "/offerings/{offering_id}/amount", OWNERS, "deny", {"offering_id": "goods_own"},
        body=lambda c: {"amount": 2000}),
    # claims: providers claim, org roles dispatch
    Row("POST", "/claims", EVERYONE, "deny", body=_claim_body),
    Row("GET", "/claims", EVERYONE, "filter", leak=_claim_leaks,
        query=lambda c: {} if c.side.inside else {"need_id": c.get("need_seen")}),
    Row("GET", "/claims/{claim_id}", EVERYONE, "deny", {"claim_id": "claim_own"}),
    Row("POST", "/claims/{claim_id}/withdraw", RUNNERS, "deny", {"claim_id": "claim_own"},
        body=lambda c: {"reason": "人员临时抽调"}),
    # units' own needs 双向服务, the 允许跨类认领 switches, pledges 公开承诺 (issue 12, points 5, 6, 8)
    Row("POST", "/unit-needs", frozenset({"unit"}), "deny", body=lambda c: need_body(c.get("org"), 1)),
    Row("GET", "/unit-needs", EVERYONE, "filter", leak=_unit_need_leaks),
    Row("GET", "/unit-needs/targets", ADMIN | {"unit"}, "deny", query=lambda c: {"unit_id": c.get("unit")}),
    Row("GET", "/unit-needs/report/{unit_id}", ORG_ROLES | {"unit"}, "deny", {"unit_id": "unit"},
        query=lambda c: PERIOD),
    Row("PUT", "/needs/{need_id}/cross-category", SECRETARIES, "deny", NEED, body=lambda c: {"allow": True}),
    Row("PUT", "/orgs/{org_id}/cross-category", SECRETARIES, "deny", {"org_id": "org"},
        body=lambda c: {"allow": True}),
    Row("GET", "/pledges/orgs", frozenset(PROVIDER_ROLES), "none"),
    Row("POST", "/pledges", frozenset(PROVIDER_ROLES), "deny",
        body=lambda c: {"title": "每季度义诊一次", "org_id": c.get("org")}),
    Row("GET", "/pledges", EVERYONE, "filter", leak=_pledge_leaks),
    Row("GET", "/pledges/{pledge_id}", EVERYONE, "deny", PLEDGE),
    Row("POST", "/pledges/{pledge_id}/progress", frozenset(PROVIDER_ROLES), "deny", PLEDGE,
        body=lambda c: {"percent": 10, "note": "已完成两次"}),
    Row("POST", "/pledges/{pledge_id}/review", SECRETARIES, "deny", PLEDGE,
        body=lambda c: {"approve": True}),
    Row("PATCH", "/pledges/{pledge_id}", frozenset(PROVIDER_ROLES), "deny", PLEDGE,
        body=lambda c: {"target": "全年 12 次"}),
    Row("POST", "/pledges/{pledge_id}/withdraw", frozenset(PROVIDER_ROLES), "deny", PLEDGE),
    # projects and problem reports
    Row("GET", "/projects", EVERYONE, "filter", leak=_project_leaks,
        query=lambda c: {} if c.side.inside else {"provider_id": c.get("unit")}),
    Row("GET", "/projects/{project_id}", EVERYONE, "deny", PROJECT),
    Row("POST", "/projects/{project_id}/start", RUNNERS, "deny", {"project_id": "project_claimed"}),
    Row("POST", "/projects/{project_id}/hours", RUNNERS, "deny", {"project_id": "project_running"},
        body=lambda c: {"hours": 2, "provider_id": c.provider}),
    Row("POST", "/projects/{project_id}/hours/confirm", SECRETARIES, "deny", {"project_id": "project_logged"},
        body=lambda c: {}),
    Row("POST", "/projects/{project_id}/hours/{log_id}/correction", frozenset(PROVIDER_ROLES), "deny",
        {"project_id": "project_logged", "log_id": "log_own"},
        body=lambda c: {"hours": 0.3, "reason": "多记了"}),
    Row("POST", "/projects/{project_id}/hours/{log_id}/correction/accept", SECRETARIES, "deny",
        {"project_id": "project_logged", "log_id": "log_correcting"}, body=lambda c: {"answer": "已核实"}),
    Row("POST", "/projects/{project_id}/hours/{log_id}/correction/decline", SECRETARIES, "deny",
        {"project_id": "project_logged", "log_id": "log_correcting"}, body=lambda c: {}),
    Row("POST", "/projects/{project_id}/complete", RUNNERS, "deny", {"project_id": "project_running"},
        body=lambda c: {"report": "服务已完成"}),
    Row("POST", "/projects/{project_id}/problems", RUNNERS, "deny", {"project_id": "project_running"},
        body=lambda c: {"description": "有住户联系不上"}),
    Row("POST", "/problems/{problem_id}/resolve", SECRETARIES, "deny", {"problem_id": "problem_open"},
        body=lambda c: {"resolution": "已电话联系住户"}),
    # evaluations
    Row("GET", "/projects/{project_id}/evaluations", EVERYONE, "deny", PROJECT),
    Row("POST", "/projects/{project_id}/evaluations/provider", SECRETARIES, "deny",
        {"project_id": "project_done"}, body=lambda c: {"provider_id": c.get("unit"), "rating": 5}),
    Row("POST", "/projects/{project_id}/evaluations/community", frozenset(PROVIDER_ROLES), "deny",
        {"project_id": "project_done"}, body=lambda c: {"rating": 4, "comment": "组织有序"}),
    # points
    Row("POST", "/points/corrections", ADMIN, "none",
        body=lambda c: {"holder_id": c.get("unit"), "points": 3, "note": "补记"}),
    Row("GET", "/points/{holder_id}", EVERYONE, "deny", {"holder_id": "holder"}),
    Row("GET", "/points/{holder_id}/ledger", EVERYONE, "deny", {"holder_id": "holder"}),
    # reports
    Row("GET", "/reports/orgs/{org_id}", ORG_ROLES, "deny", {"org_id": "org"}, query=lambda c: PERIOD),
    Row("GET", "/reports/orgs/{org_id}/series", ORG_ROLES, "deny", {"org_id": "org"},
        query=lambda c: {**PERIOD, "by": "quarter"}),
    Row("GET", "/reports/orgs/{org_id}/children", ORG_ROLES, "deny", {"org_id": "org"},
        query=lambda c: PERIOD),
    Row("GET", "/reports/orgs/{org_id}/duty-report.docx", ORG_ROLES, "deny", {"org_id": "org"},
        query=lambda c: {"period": "2026-Q4"}),
    Row("GET", "/reports/orgs/{org_id}/duty-report.xlsx", ORG_ROLES, "deny", {"org_id": "org"},
        query=lambda c: {"period": "2026-Q4"}),
    # 述评公开: public results of any org, without sign-in and without personal data
    Row("GET", "/public/orgs/{org_id}/results", PUBLIC, "public", {"org_id": "org"},
        query=lambda c: {"period": "2026"}, anonymous=True),
    # directory
    Row("GET", "/orgs/{org_id}", EVERYONE, "public", {"org_id": "org"}),
    Row("GET", "/orgs/{org_id}/tree", ORG_ROLES, "deny", {"org_id": "org"}),
    Row("GET", "/orgs/{org_id}/members", ORG_ROLES, "deny", {"org_id": "org"}),
    Row("GET", "/units/{unit_id}", EVERYONE, "public", {"unit_id": "unit"}),
    Row("GET", "/members/{member_id}", EVERYONE - {"unit"}, "deny", {"member_id": "member"}),
    # dispatch runs and proposals, recommendations
    Row("POST", "/dispatch/runs", ORG_ROLES, "deny", body=lambda c: {"scope_org_id": c.get("org")}),
    Row("GET", "/dispatch/runs", ORG_ROLES, "none", leak=_org_leaks("scope_org_id")),
    Row("GET", "/dispatch/runs/{run_id}", ORG_ROLES, "deny", {"run_id": "run"}),
    Row("GET", "/dispatch/proposals", ORG_ROLES, "filter", leak=_org_leaks("org_id"),
        query=lambda c: {} if c.side.inside else {"run_id": c.get("run")}),
    Row("GET", "/dispatch/proposals/{proposal_id}", ORG_ROLES, "deny", {"proposal_id": "proposal"}),
    Row("POST", "/dispatch/proposals/{proposal_id}/accept", SECRETARIES, "deny", {"proposal_id": "proposal"}),
    Row("POST", "/dispatch/proposals/{proposal_id}/reject", SECRETARIES, "deny", {"proposal_id": "proposal"},
        body=lambda c: {"reason": "该单位本周已有安排"}),
    Row("GET", "/recommendations/needs", frozenset(PROVIDER_ROLES), "none"),
    Row("GET", "/recommendations/needs/{need_id}/providers", ORG_ROLES, "deny", NEED),
    # planners' analytics: org roles within their jurisdiction
    Row("GET", "/analytics/entities/{entity_id}/neighbourhood", ORG_ROLES, "deny", {"entity_id": "org"}),
    Row("GET", "/analytics/paths", ORG_ROLES, "deny",
        query=lambda c: {"a": c.get("unit"), "b": c.get("org")}),
    Row("GET", "/analytics/orgs/{org_id}/council", ORG_ROLES, "deny", {"org_id": "org"}),
    Row("GET", "/analytics/units/{unit_id}/ties", ORG_ROLES, "deny", {"unit_id": "unit"}),
    Row("GET", "/analytics/orgs/{org_id}/coverage", ORG_ROLES, "deny", {"org_id": "org"}),
    Row("GET", "/analytics/orgs/{org_id}/gaps", ORG_ROLES, "deny", {"org_id": "org"}),
    Row("GET", "/analytics/orgs/{org_id}/diagnostics", ORG_ROLES, "deny", {"org_id": "org"}),
    Row("GET", "/analytics/orgs/{org_id}/mobilisation", ORG_ROLES, "deny", {"org_id": "org"},
        query=lambda c: {"lat": 25.042, "lon": 102.7117}),
    Row("GET", "/analytics/orgs/{org_id}/indicators", ORG_ROLES, "deny", {"org_id": "org"},
        query=lambda c: PERIOD),
    # personal data (PIPL): one's own data, anonymising (admins), break-glass phones (full by design)
    Row("GET", "/me/personal-data", frozenset({"unit", "member"}), "none"),
    Row("POST", "/members/{member_id}/anonymise", ADMIN, "none", {"member_id": "member_unused"},
        body=lambda c: {"reason": "本人申请注销个人信息"}),
    Row("POST", "/intake/requests/{code}/anonymise", ADMIN, "none", {"code": "request_queued"},
        body=lambda c: {"reason": "居民申请删除联系方式"}),
    Row("POST", "/analytics/orgs/{org_id}/mobilisation/reveal", frozenset({"admin", "planner"}), "deny",
        {"org_id": "org"}, body=lambda c: {"people": [c.get("member")], "reason": "突发险情需紧急联系"},
        reveals=True),
    # Open311: public without sign-in
    Row("GET", "/open311/v2/services.json", PUBLIC, "none", anonymous=True),
    Row("GET", "/open311/v2/requests.json", PUBLIC, "none", anonymous=True),
    Row("GET", "/open311/v2/requests/{service_request_id}.json", PUBLIC, "public",
        {"service_request_id": "need_open"}, anonymous=True),
    Row("POST", "/open311/v2/requests.json", PUBLIC, "none", anonymous=True, form=True, body=_open311_form),
    # agreements 共建协议 (issue 12): secretaries sign, renew, terminate; org roles and the unit read
    Row("POST", "/agreements", SECRETARIES, "deny", body=_agreement_body),
    Row("GET", "/agreements", ORG_ROLES | {"unit"}, "filter", leak=_agreement_leaks,
        query=lambda c: {} if c.side.inside else {"org_id": c.get("org")}),
    Row("GET", "/agreements/{agreement_id}", ORG_ROLES | {"unit"}, "deny", {"agreement_id": "agreement"}),
    Row("POST", "/agreements/{agreement_id}/renew", SECRETARIES, "deny", {"agreement_id": "agreement"},
        body=lambda c: {"valid_to": "2031-12-31"}),
    Row("POST", "/agreements/{agreement_id}/terminate", SECRETARIES, "deny", {"agreement_id": "agreement"},
        body=lambda c: {"reason": "单位搬迁出辖区"}),
    # 双报到 (issue 12): units and members register with a community, its secretary decides
    Row("POST", "/registrations", frozenset(PROVIDER_ROLES), "none", body=lambda c: {"org_id": "org-x-c"}),
    Row("GET", "/registrations", EVERYONE, "filter", leak=_registration_leaks,
        query=lambda c: {} if c.side.inside else {"org_id": c.get("org")}),
    Row("POST", "/registrations/{registration_id}/accept", SECRETARIES, "deny",
        {"registration_id": "registration_pending"}, body=lambda c: {}),
    Row("POST", "/registrations/{registration_id}/decline", SECRETARIES, "deny",
        {"registration_id": "registration_pending"}, body=lambda c: {"reason": "请向居住地社区报到"}),
    # requests 诉求: anyone submits and tracks; the community's secretary works the queue
    Row("POST", "/intake/requests", PUBLIC, "none", anonymous=True, body=lambda c: intake_body(c.side.place)),
    Row("GET", "/intake/requests/{code}", PUBLIC, "public", {"code": "request_queued"}, anonymous=True),
    Row("GET", "/intake/queue", ORG_ROLES, "filter", leak=_org_leaks("org_id"),
        query=lambda c: {} if c.side.inside else {"org_id": c.get("org")}),
    Row("GET", "/intake/mine", GRID_WORKER, "none"),
    Row("POST", "/intake/requests/{code}/need", SECRETARIES, "deny", {"code": "request_queued"},
        body=lambda c: {}),
    Row("POST", "/intake/requests/{code}/merge", SECRETARIES, "deny", {"code": "request_queued"},
        body=lambda c: {"need_id": c.get("need_open")}),
    Row("POST", "/intake/requests/{code}/close", SECRETARIES, "deny", {"code": "request_queued"},
        body=lambda c: {"reason": "已电话回复居民"}),
    # sign-up, waitlist, check-in and volunteer records (issue 12): members sign up for any open
    # need; the need's secretary manages the roster; the 志愿服务记录证明 for the member, its
    # secretary or an admin
    Row("POST", "/signups/needs/{need_id}", MEMBER, "public", NEED),
    Row("GET", "/signups/needs/{need_id}", EVERYONE, "public", NEED),
    Row("GET", "/signups/needs/{need_id}/roster", ORG_ROLES, "deny", NEED),
    Row("POST", "/signups/needs/{need_id}/code", SECRETARIES, "deny", NEED),
    Row("GET", "/signups/mine", MEMBER, "none"),
    Row("POST", "/signups/check-in", MEMBER, "none", body=lambda c: {"code": c.get("checkin_code")}),
    Row("POST", "/signups/check-out", MEMBER, "none", body=lambda c: {"code": c.get("checkout_code")}),
    Row("POST", "/signups/{signup_id}/withdraw", SECRETARIES | MEMBER, "deny",
        {"signup_id": "signup_signed"}),
    Row("POST", "/signups/{signup_id}/confirm", SECRETARIES, "deny", {"signup_id": "signup_checked"},
        body=lambda c: {"hours": 0.5}),
    Row("POST", "/signups/{signup_id}/correction", MEMBER, "deny", {"signup_id": "signup_confirmed"},
        body=lambda c: {"hours": 1.0, "reason": "签退晚了一小时"}),
    Row("POST", "/signups/{signup_id}/correction/decision", SECRETARIES, "deny",
        {"signup_id": "signup_correcting"}, body=lambda c: {"accept": True, "answer": "已核实"}),
    Row("GET", "/signups/members/{member_id}/record.docx", SECRETARIES | MEMBER, "deny",
        {"member_id": "member"}, query=lambda c: {"period": "2026"}),
    # posts 职务 (issue 12): a secretary for its own orgs, an admin anywhere; org roles read in scope
    Row("GET", "/posts", ORG_ROLES, "deny", query=lambda c: {"org_id": c.get("org")}),
    Row("POST", "/posts", SECRETARIES, "deny",
        body=lambda c: {"org_id": c.get("org"), "member_id": fresh_member(c.side.store),
                        "role": "building_head"}),
    Row("GET", "/posts/of-member/{member_id}", ORG_ROLES | MEMBER, "filter", {"member_id": "member"},
        leak=_own_or_org_leaks("org_id")),
    Row("GET", "/posts/{post_id}", ORG_ROLES, "deny", {"post_id": "post"}),
    Row("PATCH", "/posts/{post_id}", SECRETARIES, "deny", {"post_id": "post"},
        body=lambda c: {"note": "矩阵测试"}),
    Row("POST", "/posts/{post_id}/end", SECRETARIES, "deny", {"post_id": "post"},
        body=lambda c: {"reason": "矩阵测试"}),
    # 三缘 branches: members join those of their communities, the branch's secretary for them
    Row("GET", "/branches", ORG_ROLES | MEMBER, "none", leak=_own_or_org_leaks("id")),
    Row("GET", "/branches/of-member/{member_id}", ORG_ROLES | MEMBER, "filter", {"member_id": "member"},
        leak=_own_or_org_leaks("id")),
    Row("GET", "/branches/{org_id}/members", ORG_ROLES, "deny", {"org_id": "branch"}),
    Row("POST", "/branches/{org_id}/join", SECRETARIES | MEMBER, "deny", {"org_id": "branch"},
        body=_join_body),
    Row("POST", "/branches/{org_id}/leave", SECRETARIES | MEMBER, "deny", {"org_id": "branch_joined"},
        body=lambda c: {} if c.role == "member" else {"member_id": c.side.member.subject_id}),
    # the service taxonomy: every signed-in role reads it, administrators change it
    Row("GET", "/categories", EVERYONE, "none"),
    Row("GET", "/categories/{code}", EVERYONE, "none", {"code": "category"}),
    Row("POST", "/categories", ADMIN, "none",
        body=lambda c: {"code": f"t{uuid.uuid4().hex[:10]}", "name": f"矩阵{uuid.uuid4().hex[:10]}"}),
    Row("PATCH", "/categories/{code}", ADMIN, "none", {"code": "category_fresh"},
        body=lambda c: {"name": f"改名{uuid.uuid4().hex[:10]}"}),
    Row("POST", "/categories/{code}/retire", ADMIN, "none", {"code": "category_fresh"}),
    Row("POST", "/categories/{code}/restore", ADMIN, "none", {"code": "category_retired"}),
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The world: the demo, a second street, both sides' records, who may see which phone.


@dataclass
class Matrix:
    """The running server, the two sides and the oracle of personal data."""

    api: ApiWorld
    inside: Side
    outside: Side
    orgs: dict[str, frozenset[str]]  # role -> the orgs it reaches (admin: absent)
    phones: dict[str, frozenset[str]]  # phone -> the orgs whose secretary may see it
    own_phone: dict[str, str]  # role -> its own phone (unit contact, member)

    def viewer(self, role: str) -> Viewer:
        """The viewer of lists for a role of the demo accounts."""
        subject = str(self.api.accounts[role].get("subject_id"))
        kind = {"unit": "Unit", "member": "Member"}.get(role)
        return Viewer(role, self.orgs.get(role), (kind, subject) if kind else None)

    def forbidden_phones(self, role: str) -> list[str]:
        """Phones ``role`` may not read in full."""
        if role == "admin":
            return []
        mine = self.orgs.get(role, frozenset()) if role == "secretary" else frozenset()
        return [p for p, ties in self.phones.items() if p != self.own_phone.get(role) and not ties & mine]


def _subtree(leads: list[tuple[str, str]], root: str) -> frozenset[str]:
    found, todo = {root}, [root]
    while todo:
        parent = todo.pop()
        for child in (c for p, c in leads if p == parent and c not in found):
            found.add(child)
            todo.append(child)
    return frozenset(found)


def second_street(api: ApiWorld) -> dict[str, str]:
    """A street, its community, a unit and a member (with a phone) outside the demo's street,
    and their secretary and provider accounts made by the admin API; returns the ids."""
    now, top = utc_now(), next(o["id"] for o in api.dataset.nodes["Org"] if o["level"] == "district")
    ids = {"street": "org-x", "community": "org-x-c", "unit": "unit-x", "member": "mem-x"}
    stamps = {"created_at": now, "updated_at": now}
    api.store.run(
        node_stmt("bulk_create", "Org"),
        {
            "rows": [
                {
                    "id": ids["street"],
                    "name": "中共春城区外街道工作委员会",
                    "level": "street",
                    "kind": "big_council",
                    **stamps,
                },
                {
                    "id": ids["community"],
                    "name": "中共外街社区委员会",
                    "level": "community",
                    "kind": "big_council",
                    **stamps,
                },
            ]
        },
    )
    api.store.run(
        node_stmt("bulk_create", "Unit"),
        {
            "rows": [
                {
                    "id": ids["unit"],
                    "name": "外街小学",
                    "type": "school",
                    "contact_name": "赵老师",
                    "contact_phone": "13912345678",
                    **stamps,
                }
            ]
        },
    )
    api.store.run(
        node_stmt("bulk_create", "Member"),
        {"rows": [{"id": ids["member"], "name": "钱多多", "phone": "13787654321", **stamps}]},
    )
    api.store.run(
        node_stmt("bulk_create", "Area"),
        {"rows": [{"id": "area-x-c", "name": "外街社区", "level": "community", "lat": 30.0, "lon": 110.0,
                   **stamps}]},
    )  # fmt: skip
    links = [
        ("COVERS", "Org", "Area", ids["community"], "area-x-c"),
        ("LEADS", "Org", "Org", top, ids["street"]),
        ("LEADS", "Org", "Org", ids["street"], ids["community"]),
        ("REPORTS_TO", "Unit", "Org", ids["unit"], ids["community"]),
        ("BELONGS_TO", "Member", "Org", ids["member"], ids["community"]),
    ]
    for rel, start, end, a, b in links:
        api.store.run(
            rel_stmt("bulk_create", rel, start, end), {"rows": [{"start": a, "end": b, "props": {}}]}
        )
    accounts = [
        {"id": "secretary-x", "role": "secretary", "scope_org_id": ids["community"]},
        {"id": "unit-x", "role": "unit", "subject_id": ids["unit"]},
        {"id": "member-x", "role": "member", "subject_id": ids["member"]},
    ]
    for account in accounts:
        made = api.client("admin").post(
            "/accounts", json={**account, "display_name": account["id"], "password": "a-long-password"}
        )
        assert made.status_code == 201, made.text
    return ids  # fmt: skip


def build_matrix(api: ApiWorld) -> Matrix:
    """The demo world plus the second street and every record the rows name."""
    x = second_street(api)
    actor = {
        a: to_actor(get_account(api.store, a) or {}) for a in (*ROLES, "secretary-x", "unit-x", "member-x")
    }
    community = api.accounts["secretary"]["scope_org_id"]
    covered = {r["end"] for r in api.dataset.rels[("COVERS", "Org", "Area")] if r["start"] == community}
    area = next(a for a in api.dataset.nodes["Area"] if a["id"] in covered)
    inside = Side(
        api.store, api.box, True, community, actor["secretary"], actor["unit"], actor["member"],
        place={"lat": area["lat"], "lon": area["lon"]},
    ).build()  # fmt: skip
    outside = Side(
        api.store, api.box, False, x["community"], actor["secretary-x"], actor["unit-x"], actor["member-x"],
        place={"lat": 30.0, "lon": 110.0},
    ).build()  # fmt: skip

    rels, data = api.dataset.rels, api.dataset.nodes
    leads = [(r["start"], r["end"]) for r in rels[("LEADS", "Org", "Org")]] + [
        (next(o["id"] for o in data["Org"] if o["level"] == "district"), x["street"]),
        (x["street"], x["community"]),
    ]
    orgs = {
        "planner": _subtree(leads, api.accounts["planner"]["scope_org_id"]),
        "secretary": _subtree(leads, community),
        "unit": frozenset(),
        "member": frozenset(),
    }
    ties: dict[str, set[str]] = {}
    for key in (
        ("BELONGS_TO", "Member", "Org"),
        ("REPORTS_TO", "Member", "Org"),
        ("REPORTS_TO", "Unit", "Org"),
    ):
        for r in rels[key]:
            ties.setdefault(r["start"], set()).add(r["end"])
    for r in rels[("EMBEDDED_IN", "Org", "Unit")]:
        ties.setdefault(r["end"], set()).add(r["start"])
    ties.setdefault(x["unit"], set()).add(x["community"])
    ties.setdefault(x["member"], set()).add(x["community"])
    phones = {m["phone"]: frozenset(ties.get(m["id"], ())) for m in data["Member"] if m.get("phone")}
    phones |= {
        u["contact_phone"]: frozenset(ties.get(u["id"], ())) for u in data["Unit"] if u.get("contact_phone")
    }
    phones |= {"13912345678": frozenset({x["community"]}), "13787654321": frozenset({x["community"]})}
    by_id = {m["id"]: m.get("phone") for m in data["Member"]} | {
        u["id"]: u.get("contact_phone") for u in data["Unit"]
    }
    own_phone = {r: str(by_id[api.accounts[r]["subject_id"]]) for r in PROVIDER_ROLES}
    return Matrix(api, inside, outside, orgs, phones, own_phone)


@pytest.fixture(scope="module", params=BACKENDS)
def matrix(
    request: pytest.FixtureRequest,
    falkordb_server: EmbeddedFalkorDB,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Matrix]:
    """The matrix world on each backend, built once for the module (each row only adds records of its own)."""
    for api in shared_world(falkordb_server, tmp_path_factory, request.param):
        yield build_matrix(api)


# ---------------------------------------------------------------------------------------------
# Running a row.


def is_write(row: Row) -> bool:
    """Whether the operation may change something (sign-in changes nothing)."""
    return row.method != "GET" and row.path != "/auth/token"


def expected(row: Row, role: str, where: str) -> str:
    """What the answer must be: ``2xx``, ``401``, ``403``, ``denied`` (403, or 404 for a read) or
    ``filtered`` (2xx without outside items, 403 or 404)."""
    if role == "anonymous":
        return "2xx" if row.anonymous else "401"
    if role not in row.ok:
        return "403"
    if where == "inside" or row.outside == "public":
        return "2xx"
    return "filtered" if row.outside == "filter" else ("403" if is_write(row) else "denied")


def accepts(expect: str, status: int) -> bool:
    """Whether ``status`` fits what ``expected`` said."""
    return {
        "2xx": 200 <= status < 300,
        "401": status == 401,
        "403": status == 403,
        "denied": status in (403, 404),
        "filtered": status in (200, 403, 404),
    }[expect]


def cases(row: Row) -> list[tuple[str, str]]:
    """(role, inside|outside) pairs of a row: anonymous once, every role inside, and every role
    but the admin (whose scope is everything) outside, unless outside means nothing here."""
    out = [] if row.outside == "none" else [(r, "outside") for r in ROLES if r != "admin"]
    return [("anonymous", "inside"), *((r, "inside") for r in ROLES), *out]


def state(m: Matrix) -> dict[str, Any]:
    """What a refused write must leave as it was: the closed loop, dispatch, audit count, accounts."""
    labels = ("Account", "Request", "Agreement", "Registration", *DISPATCH)
    return {**snapshot(m.api.store), **{label: nodes(m.api.store, label) for label in labels}}


def call(m: Matrix, row: Row, role: str, where: str, fresh: bool) -> httpx.Response:
    """Send the row's request as ``role`` on the inside or outside records."""
    ctx = Ctx(m.inside if where == "inside" else m.outside, role if role != "anonymous" else "admin", fresh)
    path = row.path.format(**{p: ctx.get(kind) for p, kind in row.params.items()})
    body = row.body(ctx) if row.body else None
    query = row.query(ctx) if row.query else None
    client = m.api.anonymous() if role == "anonymous" else m.api.client(role)
    if row.form:
        return client.request(row.method, path, data=body, params=query)
    answer = client.request(row.method, path, json=body, params=query)
    if row.path == "/auth/password" and answer.status_code == 200:  # older tokens ended: go on with it
        client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return answer


def check(m: Matrix, row: Row, role: str, where: str) -> list[str]:
    """Run one case; the problems found (empty when it behaved)."""
    expect = expected(row, role, where)
    writes_nothing = is_write(row) and expect != "2xx"
    before = state(m) if writes_nothing else None
    answer = call(m, row, role, where, fresh=expect == "2xx" and is_write(row))
    problems = []
    if not accepts(expect, answer.status_code):
        problems.append(f"expected {expect}, got {answer.status_code}: {answer.text[:200]}")
    elif answer.status_code >= 400 and not answer.json().get("message"):
        problems.append(f"{answer.status_code} without a message")
    if before is not None and state(m) != before:
        problems.append("a refused write changed the graph")
    if row.leak and answer.status_code == 200:
        viewer = m.viewer(role)
        leaked = [i.get("id") for i in answer.json() if row.leak(i, viewer)]
        if leaked:
            problems.append(f"the list shows records outside scope: {leaked[:5]}")
    if role != "anonymous" and not row.reveals:
        shown = [p for p in m.forbidden_phones(role) if p in answer.text]
        if shown:
            problems.append(f"full phone numbers it may not see: {shown[:3]}")
    return [f"{role:>9} {where:<7} {row.name}: {p}" for p in problems]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_permission_matrix(matrix: Matrix, row: Row) -> None:
    problems = [p for role, where in cases(row) for p in check(matrix, row, role, where)]
    assert not problems, "\n".join(problems)


def test_the_table_covers_every_operation_of_the_live_openapi(matrix: Matrix) -> None:
    document = httpx.get(f"{matrix.api.url}/openapi.json", timeout=30).json()
    live = {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item}
    table = {row.name for row in ROWS}
    assert len(table) == len(ROWS), "a row appears twice"
    assert live - table == set(), f"operations without a row in ROWS: {sorted(live - table)}"
    assert table - live == set(), f"rows of operations the API no longer has: {sorted(table - live)}"


def test_a_planner_never_sees_a_full_phone_number(matrix: Matrix) -> None:
    """The roll, member and unit pages of the planner's own street show masked phones only."""
    planner, inside = matrix.api.client("planner"), matrix.inside
    pages = [
        planner.get(f"/orgs/{inside.community}/members", params={"limit": 500}),
        planner.get(f"/members/{inside.member.subject_id}"),
        planner.get(f"/units/{inside.unit.subject_id}"),
    ]
    assert all(p.status_code == 200 for p in pages), [p.text for p in pages]
    roll = pages[0].json()
    assert roll and all("*" in (m.get("phone") or "*") for m in roll)
    assert all("*" in page.text for page in pages)
    text = "".join(p.text for p in pages)
    assert not [p for p in matrix.phones if p in text]
