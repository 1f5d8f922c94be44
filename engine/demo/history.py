"""The closed-loop history of the demo's projects: the claims, work logs, evaluations and point
entries the services would have written (see engine/services/claims, projects, evaluations).

It reads the projects, needs and offerings already generated and draws from its own seeded
random source, so the rest of the demo stays exactly as it was without history.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine.demo.builder import Builder, Weighted
from engine.demo.sizes import REFERENCE
from engine.services.fit import misfit
from engine.settings import Settings
from graph_schema.validation import BEIJING

ISO = "%Y-%m-%dT%H:%M:%SZ"
PROVIDER_LABELS = ("Unit", "Member")
RESPONDED_IN_TIME = 0.8  # share of projects whose first claim came within the response hours
DISPATCHED = 0.3  # share of claims made by a secretary or planner (派单) rather than the provider
PROVIDER_RATES = 0.4  # share of providers of a finished project that rate the community back
LOG_MAX_HOURS = 8.0  # a work log covers at most one working day
RATINGS = Weighted([(5, 55), (4, 30), (3, 10), (2, 3), (1, 2)])
COMMENTS = {
    5: ("服务非常周到,居民十分满意。", "响应快、服务好,点赞!", "党员志愿者热心负责,值得表扬。"),
    4: ("服务到位,总体满意。", "按约完成,居民反映良好。"),
    3: ("基本完成,时间安排可以更灵活。", "服务一般,沟通还需加强。"),
    2: ("到场较晚,部分事项未完成。",),
    1: ("未按约定提供服务,居民意见较大。",),
}
COMMUNITY_COMMENTS = {
    5: ("社区组织有序,对接顺畅。", "社区提前摸排,服务对象清楚。"),
    4: ("社区配合良好。", "对接及时,场地安排到位。"),
    3: ("信息对接还可以更及时。",),
    2: ("服务对象信息不全,耽误了时间。",),
    1: ("现场无人对接,组织混乱。",),
}


def _default(name: str) -> Any:
    """A points or response rule as the settings define it by default (the demo reads no environment)."""
    return Settings.model_fields[name].default


POINTS_PER_HOUR: float = _default("points_per_hour")
POINTS_PER_STAR: int = _default("points_per_rating_star")
POINTS_FOR_EVALUATING: int = _default("points_for_evaluating")
RESPONSE_HOURS: int = _default("response_hours")


def _parse(text: str) -> datetime:
    return datetime.strptime(text, ISO).replace(tzinfo=REFERENCE.tzinfo)


def _iso(when: datetime) -> str:
    return when.strftime(ISO)


def period_key(period: str, at: str) -> str:
    """The capacity period (Beijing calendar, weeks from Monday) a claim made at ``at`` counts in."""
    local = _parse(at).astimezone(BEIJING).date()
    if period == "week":
        return (local - timedelta(days=local.weekday())).isoformat()
    if period == "month":
        return f"{local.year}-{local.month:02d}"
    if period == "quarter":
        return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
    if period == "year":
        return str(local.year)
    return "once"


@dataclass(eq=False, slots=True)
class _Serving:
    """One SERVES row of a project: the provider, its kind and the relationship's props."""

    kind: str
    provider: str
    row: dict[str, Any]

    @property
    def props(self) -> dict[str, Any]:
        props: dict[str, Any] = self.row["props"]
        return props


class _History:
    """Writes the history into the builder's dataset; ids are numbered per label in creation order."""

    def __init__(self, b: Builder) -> None:
        self.b = b
        self.rng = random.Random(f"{b.dataset.seed}-history")
        ds = b.dataset
        self.needs = {n["id"]: n for n in ds.nodes["Need"]}
        self.offerings = {o["id"]: o for o in ds.nodes["Offering"]}
        self.need_of = {x["start"]: x["end"] for x in ds.rels.get(("FULFILLS", "Project", "Need"), [])}
        self.poster = {x["start"]: x["end"] for x in ds.rels.get(("POSTED_BY", "Need", "Org"), [])}
        self.crew: dict[str, list[_Serving]] = defaultdict(list)
        self.by_category: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        self.offered: dict[str, list[str]] = defaultdict(list)
        for kind in PROVIDER_LABELS:
            for x in ds.rels.get(("SERVES", kind, "Project"), []):
                self.crew[x["end"]].append(_Serving(kind, x["start"], x))
            for x in ds.rels.get(("OFFERS", kind, "Offering"), []):
                self.offered[f"{kind}:{x['start']}"].append(x["end"])
                if self.active(x["end"]):
                    self.by_category[(kind, self.category(x["end"]))].append((x["start"], x["end"]))
        self.used: dict[tuple[str, str], int] = defaultdict(int)  # (offering, period key) -> active claims
        self.serial: dict[str, int] = defaultdict(int)

    def node(self, label: str, prefix: str, props: dict[str, Any]) -> str:
        self.serial[label] += 1
        node_id = f"{prefix}-{self.serial[label]:05d}"
        self.b.add(label, {"id": node_id, **props})
        return node_id

    def credit(
        self, points: int, reason: str, rule: str, note: str, at: str, holder: tuple[str, str], pid: str
    ) -> None:
        """A ledger entry credited to ``holder`` for project ``pid``, as the services attach it."""
        if points <= 0:
            return
        entry = self.node(
            "PointEntry", "pte", {"points": points, "reason": reason, "rule": rule, "note": note, "at": at}
        )
        self.b.link("CREDITS", ("PointEntry", entry), holder)
        self.b.link("FOR_PROJECT", ("PointEntry", entry), ("Project", pid))

    def project(self, project: dict[str, Any]) -> None:
        pid = str(project["id"])
        need = self.needs[self.need_of[pid]]
        crew = self.crew[pid]
        made = ""
        for serving, at in zip(crew, self.claim_times(need, len(crew)), strict=True):
            made = self.claim(need, crew, serving, max(at, made))
        project["created_at"] = made  # the claim that filled the need created the project
        if project["status"] == "claimed":
            project["updated_at"] = made
        # Past logs are confirmed by the community (so SERVES and project hours, which count
        # confirmed hours, hold them all): the points of a finished project's logs are credited
        # when the project completed, those of a project in progress when its logs were made.
        project["hours_logged"] = project.get("hours_total")
        for serving in crew:
            serving.props["hours_logged"] = serving.props.get("hours", 0.0)
            points, last = self.work_logs(project, serving)
            if project["status"] in ("completed", "evaluated", "in_progress"):
                at = str(project.get("completed_at") or last)
                self.credit(
                    points,
                    "service_hours",
                    f"points_per_hour={POINTS_PER_HOUR:g}",
                    "服务时长经社区确认",
                    at,
                    (serving.kind, serving.provider),
                    pid,
                )
        if project["status"] in ("completed", "evaluated"):
            self.evaluations(project, need, crew)

    def claim_times(self, need: dict[str, Any], count: int) -> list[str]:
        """When each provider claimed: the first mostly within the response hours, all before work starts."""
        rng = self.rng
        posted = _parse(str(need["created_at"]))
        latest = _parse(str(need["window_start"])) - timedelta(hours=1)
        if rng.random() < RESPONDED_IN_TIME:
            first = posted + timedelta(minutes=rng.randint(20, RESPONSE_HOURS * 60 - 10))
        else:
            first = posted + timedelta(minutes=rng.randint(RESPONSE_HOURS * 60 + 30, 70 * 60))
        first = min(first, latest)
        out = [first]
        for _ in range(count - 1):
            out.append(min(out[-1] + timedelta(minutes=rng.randint(10, 36 * 60)), latest))
        return [_iso(t) for t in out]

    def claim(self, need: dict[str, Any], crew: list[_Serving], serving: _Serving, at: str) -> str:
        """An active claim of the need with the provider's offering, within that offering's capacity;
        when every fitting offering is used up that period, the claim comes a day later (until
        work starts). Returns when the claim was made."""
        latest = _iso(_parse(str(need["window_start"])) - timedelta(hours=1))
        found = self.with_room(crew, serving, at)
        while found is None and at < latest:
            at = min(_iso(_parse(at) + timedelta(days=1)), latest)
            found = self.with_room(crew, serving, at)
        if found is None:
            raise ValueError(f"no provider of {need['category']} has capacity left before {latest}")
        offering_id = found
        serving.props["offering_id"] = offering_id
        dispatched = self.rng.random() < DISPATCHED
        offering = self.offerings[offering_id]  # a self-claim must fit the need (issue 12): else dispatched
        fits = (
            misfit(need["category"], need.get("skills"), offering["category"], offering.get("skills")) is None
        )
        dispatched = dispatched or not fits
        claim = self.node(
            "Claim",
            "clm",
            {
                "status": "active",
                "via": "dispatch" if dispatched else "self",
                "offering_id": offering_id,
                "note": "社区书记派单" if dispatched else None,
                "created_at": at,
                "updated_at": at,
            },
        )
        self.b.link("MAKES", (serving.kind, serving.provider), ("Claim", claim))
        self.b.link("FOR", ("Claim", claim), ("Need", str(need["id"])))
        self.b.link("USES", ("Claim", claim), ("Offering", offering_id))
        return at

    def with_room(self, crew: list[_Serving], serving: _Serving, at: str) -> str | None:
        """The serving offering when its period has room at ``at``, else another active offering of
        the provider (nearest category first), else a same-kind provider of the category not yet on
        the crew takes its place; counts the claim against the offering used."""
        chosen = str(serving.props["offering_id"])
        category = str(self.offerings[chosen]["category"])
        top = category.split(".")[0]
        own = sorted(
            (o for o in self.offered[f"{serving.kind}:{serving.provider}"] if o != chosen and self.active(o)),
            key=lambda o: (self.category(o) != category, self.category(o).split(".")[0] != top, o),
        )
        for offering_id in (chosen, *own):
            if self.take(offering_id, at):
                return offering_id
        taken = {s.provider for s in crew}
        others = [x for x in self.by_category[(serving.kind, category)] if x[0] not in taken]
        self.rng.shuffle(others)
        for provider, offering_id in others:
            if self.take(offering_id, at):
                serving.provider = provider
                serving.row["start"] = provider
                return offering_id
        return None

    def active(self, offering_id: str) -> bool:
        return self.offerings[offering_id]["status"] == "active"

    def category(self, offering_id: str) -> str:
        return str(self.offerings[offering_id]["category"])

    def take(self, offering_id: str, at: str) -> bool:
        """Count a claim at ``at`` against the offering when its capacity period has room."""
        offering = self.offerings[offering_id]
        key = (offering_id, period_key(str(offering["period"]), at))
        if self.used[key] >= int(offering["capacity"]):
            return False
        self.used[key] += 1
        return True

    def work_logs(self, project: dict[str, Any], serving: _Serving) -> tuple[int, str]:
        """Confirmed work logs summing (in tenths of an hour) to the provider's hours on the
        project; the points they earned (per log, as the confirmation credits them) and the last
        log's time."""
        tenths = round(float(serving.props.get("hours", 0.0)) * 10)
        if tenths <= 0:
            return 0, ""
        earned, logged_at = 0, ""
        begin = _parse(str(project["started_at"]))
        finish = _parse(str(project.get("completed_at") or _iso(REFERENCE)))
        parts = -(-tenths // round(LOG_MAX_HOURS * 10))
        span = (finish - begin) / (parts + 1)
        for i in range(parts):
            share = tenths // parts + (1 if i < tenths % parts else 0)
            at = begin + span * (i + 1)
            logged_at = _iso(at.replace(minute=0, second=0))
            points = math.floor(share / 10 * POINTS_PER_HOUR + 0.5)
            earned += points
            log = self.node(
                "WorkLog",
                "wlg",
                {
                    "hours": share / 10,
                    "note": "按计划到场服务",
                    "logged_at": logged_at,
                    "status": "confirmed",
                    "confirmed_at": logged_at,
                    "confirmed_by": "secretary",
                    "points": points,
                },
            )
            self.b.link("ON", ("WorkLog", log), ("Project", str(project["id"])))
            self.b.link("LOGGED", (serving.kind, serving.provider), ("WorkLog", log))
        return earned, logged_at

    def evaluations(self, project: dict[str, Any], need: dict[str, Any], crew: list[_Serving]) -> None:
        """一事一评: the community rates every provider of an evaluated project; some providers rate back."""
        rng = self.rng
        pid = str(project["id"])
        org = ("Org", self.poster[str(need["id"])])
        done = _parse(str(project["completed_at"]))
        cutoff = REFERENCE - timedelta(hours=1)
        for serving in crew:
            provider = (serving.kind, serving.provider)
            if project["status"] == "evaluated":
                at = _iso(min(done + timedelta(hours=rng.randint(2, 96)), cutoff))
                self.evaluation(pid, "community_to_provider", org, provider, COMMENTS, at)
            if rng.random() < PROVIDER_RATES:
                at = _iso(min(done + timedelta(hours=rng.randint(2, 120)), cutoff))
                self.evaluation(pid, "provider_to_community", provider, org, COMMUNITY_COMMENTS, at)

    def evaluation(
        self,
        pid: str,
        direction: str,
        rater: tuple[str, str],
        ratee: tuple[str, str],
        comments: dict[int, tuple[str, ...]],
        at: str,
    ) -> None:
        """One evaluation with its points: per star to the rated party, a fixed amount to the rater."""
        rating = RATINGS.draw(self.rng)
        comment = self.rng.choice(comments[rating]) if self.rng.random() < 0.7 else None
        evaluation = self.node(
            "Evaluation",
            "evl",
            {"direction": direction, "rating": rating, "comment": comment, "created_at": at},
        )
        self.b.link("ABOUT", ("Evaluation", evaluation), ("Project", pid))
        self.b.link("RATES", ("Evaluation", evaluation), ratee)
        self.b.link("GAVE", rater, ("Evaluation", evaluation))
        star_rule = f"points_per_rating_star={POINTS_PER_STAR}"
        self.credit(rating * POINTS_PER_STAR, "rating", star_rule, f"获得 {rating} 星评价", at, ratee, pid)
        eval_rule = f"points_for_evaluating={POINTS_FOR_EVALUATING}"
        self.credit(POINTS_FOR_EVALUATING, "evaluating", eval_rule, "参与评价", at, rater, pid)


def build_history(b: Builder) -> None:
    """Claims, work logs, evaluations and point entries for every generated project."""
    history = _History(b)
    for project in b.dataset.nodes["Project"]:
        history.project(project)
