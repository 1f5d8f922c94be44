"""Property-based: random sequences of workflow actions by random actors never break the
closed loop's invariants (claims ≤ people wanted, capacity held, statuses known and in step,
one audit entry per successful write, nothing written by a refused action). The invariants of
what a step touched are checked after every step, all of them at the end of an episode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from test_services_world import (
    NOW,
    RULES,
    World,
    count,
    need_draft,
    offering_draft,
    world_fixture,  # noqa: F401  (the fixture "world")
)

from engine.actors import SYSTEM
from engine.errors import DomainError
from engine.services import (
    ClaimRequest,
    HoursEntry,
    NeedDraft,
    NeedEdit,
    ProviderRating,
    Rating,
    cancel_need,
    claim_need,
    complete_project,
    edit_need,
    expire_needs,
    get_need,
    get_project,
    list_claims,
    list_offerings,
    log_hours,
    pause_offering,
    post_need,
    rate_community,
    rate_provider,
    register_offering,
    report_problem,
    resolve_problem,
    resume_offering,
    retire_offering,
    start_project,
    withdraw_claim,
)
from engine.services.clock import shift
from graph_schema.domain import NEED_STATUSES, PROJECT_STATUSES

ACTORS = ("admin", "planner", "sec1", "sec2", "U1", "U2", "M1", "M2", "M3")
PROVIDERS = ("U1", "U2", "M1", "M2", "M3")
ACTIONS = (  # repeated ones are drawn more often, so runs reach the later stages of the loop
    *("claim",) * 4,
    *("start", "log", "complete", "rate_provider", "rate_community") * 2,
    "problem",
    "resolve",
    "withdraw",
    "cancel",
    "edit",
    "pause",
    "resume",
    "retire",
    "expire",
)
# How a need's status and its live project's status go together.
IN_STEP = {
    "claimed": {"claimed"},
    "in_progress": {"in_progress", "problem"},
    "completed": {"completed"},
    "evaluated": {"evaluated"},
}

step = st.tuples(
    st.one_of(st.just("advance"), st.just("advance"), st.sampled_from(ACTIONS)),  # advance: the next stage
    st.one_of(
        st.just("fit"), st.just("fit"), st.just("fit"), st.sampled_from(ACTORS)
    ),  # fit: a plausible actor
    st.integers(0, 1),  # which need
    st.sampled_from(PROVIDERS),  # which provider (claims use the actor if it is one)
    st.integers(1, 5),  # stars, hours, people wanted
)


class Episode:
    """One example's needs and offerings on the shared world, and what it did."""

    def __init__(self, w: World, wanted: list[int], capacities: list[int], window_hours: int) -> None:
        self.w, self.s = w, w.store
        self.at = NOW
        self.needs = [
            post_need(
                self.s,
                w.actor("sec1" if i % 2 == 0 else "sec2"),
                NeedDraft(
                    **need_draft(
                        "G1" if i % 2 == 0 else "C2",
                        people_wanted=n,
                        window_start=NOW,
                        window_end=shift(NOW, window_hours),
                    )
                ),
                now=NOW,
            )["id"]
            for i, n in enumerate(wanted)
        ]
        self.offerings = {
            p: register_offering(self.s, w.actor(p), offering_draft(capacity=c, period="once"), now=NOW)["id"]
            for p, c in zip(PROVIDERS, capacities, strict=True)
        }
        self.capacity = dict(zip(PROVIDERS, capacities, strict=True))
        self.touched: tuple[str, str] = (self.needs[0], PROVIDERS[0])  # (need, provider) of the last step
        self.checked: dict[str, int] = {"needs": 0, "offerings": 0}  # invariant checks made, by kind

    def project(self, need_id: str) -> str:
        return str(get_need(self.s, SYSTEM, need_id)["project_id"] or "none")

    def next_stage(self, need_i: int, k: int) -> str:
        """The action that takes need ``need_i`` to its next stage (k picks among the options)."""
        need = get_need(self.s, SYSTEM, self.needs[need_i])
        status = need["status"]
        if status == "in_progress":
            project = get_project(self.s, SYSTEM, need["project_id"])
            if project["status"] == "problem":
                return "resolve"
            return {1: "log", 2: "log", 3: "complete", 4: "complete", 5: "problem"}[k]
        if status == "completed":
            return "rate_provider" if k <= 3 else "rate_community"
        return {"claimed": "start", "evaluated": "rate_community"}.get(status, "claim")

    def fit(self, action: str, need_i: int, provider: str) -> str:
        """A plausible actor for ``action``: the need's secretary, one of its claimants, an admin."""
        secretary = "sec1" if need_i % 2 == 0 else "sec2"
        if action in ("cancel", "edit", "resolve", "rate_provider"):
            return secretary
        if action == "expire":
            return "admin"
        if action in ("claim", "pause", "resume", "retire"):
            return provider
        claims = list_claims(self.s, SYSTEM, need_id=self.needs[need_i], status="active")
        return str(claims[0]["provider_id"]) if claims else secretary

    def act(self, action: str, who: str, need_i: int, provider: str, k: int) -> tuple[str, Callable[[], Any]]:
        """The action decided on and the call that performs it (raising DomainError when refused)."""
        need_i %= len(self.needs)
        if action == "advance":
            action = self.next_stage(need_i, k)
        if action == "rate_provider" and who == "fit":  # rate one of those who served
            crew = get_project(self.s, SYSTEM, self.project(self.needs[need_i]))["providers"]
            provider = crew[k % len(crew)]["provider_id"]
        who = self.fit(action, need_i, provider) if who == "fit" else who
        s, actor, at = self.s, self.w.actor(who), self.at
        need_id = self.needs[need_i]
        me = who if who in PROVIDERS else provider
        self.touched = (need_id, me)
        calls: dict[str, Callable[[], Any]] = {
            "claim": lambda: claim_need(
                s,
                actor,
                ClaimRequest(need_id=need_id, offering_id=self.offerings[me], provider_id=me),
                now=at,
            ),
            "withdraw": lambda: [
                withdraw_claim(s, actor, c["id"], now=at)
                for c in list_claims(s, SYSTEM, need_id=need_id, status="active")[:1]
            ],
            "cancel": lambda: cancel_need(s, actor, need_id, "随机取消", now=at),
            "start": lambda: start_project(s, actor, self.project(need_id), now=at),
            "log": lambda: log_hours(
                s,
                actor,
                self.project(need_id),
                HoursEntry(hours=k, provider_id=None if who in PROVIDERS else me),
                now=at,
                settings=RULES,
            ),
            "complete": lambda: complete_project(s, actor, self.project(need_id), "完成", now=at),
            "problem": lambda: report_problem(s, actor, self.project(need_id), "随机问题", now=at),
            "resolve": lambda: [
                resolve_problem(s, actor, p["id"], "已处理", now=at)
                for p in get_project(s, SYSTEM, self.project(need_id))["problems"]
                if p["status"] == "open"
            ][:1],
            "rate_provider": lambda: rate_provider(
                s,
                actor,
                self.project(need_id),
                ProviderRating(provider_id=me, rating=k),
                now=at,
                settings=RULES,
            ),
            "rate_community": lambda: rate_community(
                s, actor, self.project(need_id), Rating(rating=k), now=at, settings=RULES
            ),
            "edit": lambda: edit_need(s, actor, need_id, NeedEdit(people_wanted=k), now=at),
            "pause": lambda: pause_offering(s, actor, self.offerings[me], now=at),
            "resume": lambda: resume_offering(s, actor, self.offerings[me], now=at),
            "retire": lambda: retire_offering(s, actor, self.offerings[me], now=at),
            "expire": lambda: expire_needs(s, actor, now=at),
        }
        return action, calls[action]

    def writes_of(self, action: str, result: Any) -> int:
        """How many writes a successful call made (sweeps and 'first of' helpers make 0 or more)."""
        if action == "expire":
            return len(result)
        if action in ("withdraw", "resolve"):
            return len(result)
        return 1

    def check_need(self, need_id: str) -> None:
        """The invariants of one need: known status, claims counted and within people wanted, its
        project's status and crew in step with it."""
        need = get_need(self.s, SYSTEM, need_id)
        status = need["status"]
        assert status in NEED_STATUSES
        active = list_claims(self.s, SYSTEM, need_id=need_id, status="active")
        assert len(active) == need["claimed"] <= need["people_wanted"]
        if status == "open":
            assert need["claimed"] < need["people_wanted"] and need["project_id"] is None
        if status == "claimed":
            assert need["claimed"] == need["people_wanted"]
        if status in IN_STEP:
            project = get_project(self.s, SYSTEM, need["project_id"])
            assert project["status"] in PROJECT_STATUSES
            assert project["status"] in IN_STEP[status], (status, project["status"])
            assert {p["provider_id"] for p in project["providers"]} == {c["provider_id"] for c in active}
        if status in ("cancelled", "expired"):
            assert need["claimed"] == 0 and need["project_id"] is None
        self.checked["needs"] += 1

    def check_offering(self, provider: str) -> None:
        """``provider``'s offering of this episode is listed and used no more than its capacity."""
        listed = list_offerings(self.s, SYSTEM, provider_id=provider, limit=500, now=self.at)
        used = [o["used_in_period"] for o in listed if o["id"] == self.offerings[provider]]
        assert len(used) == 1, (provider, listed)
        assert used[0] <= self.capacity[provider], (provider, used[0], self.capacity[provider])
        self.checked["offerings"] += 1

    def check_step(self, action: str) -> None:
        """After a step: the invariants of the need and offering it touched (of every need after
        an expiry sweep, which may touch any)."""
        need_id, provider = self.touched
        for n in self.needs if action == "expire" else [need_id]:
            self.check_need(n)
        self.check_offering(provider)

    def check_invariants(self) -> None:
        """The invariants over all this episode's needs and offerings."""
        assert self.needs and set(self.offerings) == set(PROVIDERS)
        for need_id in self.needs:
            self.check_need(need_id)
        for provider in self.offerings:
            self.check_offering(provider)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# one need through the whole loop: claimed, started, completed, rated both ways, whatever Hypothesis draws
@example(
    wanted=[1, 1],
    capacities=[3] * len(PROVIDERS),
    window_hours=60,
    steps=[("advance", "fit", 0, "U1", k) for k in (1, 1, 3, 3, 4, 4)],
)
@given(
    wanted=st.lists(st.integers(1, 2), min_size=2, max_size=2),
    capacities=st.lists(st.integers(1, 3), min_size=len(PROVIDERS), max_size=len(PROVIDERS)),
    window_hours=st.integers(2, 60),
    steps=st.lists(step, min_size=5, max_size=40),
)
def test_random_workflows_keep_the_invariants(
    world: World, wanted: list[int], capacities: list[int], window_hours: int, steps: list[Any]
) -> None:
    episode = Episode(world, wanted, capacities, window_hours)
    audits = count(world.store, "AuditEntry")
    for i, (action, who, need_i, provider, k) in enumerate(steps):
        episode.at = shift(NOW, i / 6)  # ten minutes per step: long runs pass short windows
        try:
            action, call = episode.act(action, who, need_i, provider, k)
            result = call()
        except DomainError as refused:
            event(f"{action} refused: {refused.code}")
            assert refused.message_zh and refused.http_status in (403, 404, 409, 422)
            assert count(world.store, "AuditEntry") == audits, f"{action} by {who} refused but wrote"
            episode.check_step(action)
            continue
        event(f"{action} done")
        audits += episode.writes_of(action, result)
        assert count(world.store, "AuditEntry") == audits, f"{action} by {who}: audit entries ≠ writes"
        episode.check_step(action)
    assert episode.checked["needs"] >= len(steps) and episode.checked["offerings"] == len(steps)
    episode.check_invariants()
    # Every need ends in a known state: past every window, the sweep leaves none open or claimed.
    expire_needs(world.store, SYSTEM, now=shift(NOW, 1000))
    for need_id in episode.needs:
        assert get_need(world.store, SYSTEM, need_id)["status"] not in ("open", "claimed")
    episode.check_invariants()
