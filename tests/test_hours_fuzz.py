"""Property-based (issue 16.1): no sequence of a provider's own calls (claim, start, log any hours
at any time, complete, report problems, ask for corrections, and try the secretary's steps) raises
its balance for hours; only the secretary's confirmation does, by exactly the points of the hours
it confirms, and the hours confirmed stay within the window and the daily cap."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hypothesis import HealthCheck, event, given, settings
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
    CorrectionRequest,
    HoursEntry,
    NeedDraft,
    Rating,
    balance,
    claim_need,
    complete_project,
    confirm_hours,
    decide_correction,
    get_project,
    ledger,
    log_hours,
    post_need,
    rate_community,
    register_offering,
    report_problem,
    request_correction,
    start_project,
)
from engine.services.clock import parse, shift
from graph_schema.validation import BEIJING

ACTIONS = (*("start",) * 2, *("log",) * 4, "complete", "problem", "correct", "confirm", "accept", "rate")
HOUR_POINTS = ("service_hours", "hours_correction")

step = st.tuples(
    st.sampled_from(ACTIONS),
    st.sampled_from([0, 0, 0, 1]),  # which need (mostly the first, so its project gets far)
    st.one_of(st.sampled_from([0.5, 1, 2, 4, 8, 12, 24]), st.floats(0.1, 24).map(lambda h: round(h, 1))),
    st.sampled_from([0, 0.5, 1, 2, 4, 8, 13, 24]),  # hours that pass before the step
)


def hour_points(w: World, holder: str) -> int:
    """The points a provider holds for hours (service hours and their corrections)."""
    return sum(e["points"] for e in ledger(w.store, SYSTEM, holder, limit=500) if e["reason"] in HOUR_POINTS)


def provider_call(w: World, action: str, project: str, log: str, hours: float, at: str) -> None:
    """The unit ``U1`` does ``action`` on ``project`` (``log``: its latest work log) at ``at``."""
    s, me = w.store, w.actor("U1")
    if action == "start":
        start_project(s, me, project, now=at)
    elif action == "log":
        log_hours(s, me, project, HoursEntry(hours=hours), now=at, settings=RULES)
    elif action == "complete":
        complete_project(s, me, project, "完成", now=at)
    elif action == "problem":
        report_problem(s, me, project, "问题", now=at)
    elif action == "correct":
        request_correction(s, me, project, log, CorrectionRequest(hours=hours, reason="更正"), now=at)
    elif action == "confirm":  # the secretary's steps, tried by the provider
        confirm_hours(s, me, project, now=at, settings=RULES)
    elif action == "accept":
        decide_correction(s, me, project, log, accept=True, now=at, settings=RULES)
    elif action == "rate":
        rate_community(s, me, project, Rating(rating=5), now=at, settings=RULES)
    else:
        raise ValueError(action)


def evaluations(w: World) -> int:
    """How many ledger entries the unit got for giving an evaluation (a fixed amount each)."""
    return sum(1 for e in ledger(w.store, SYSTEM, "U1", limit=500) if e["reason"] == "evaluating")


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    windows=st.lists(st.integers(1, 72), min_size=2, max_size=2),
    steps=st.lists(step, min_size=8, max_size=40),
)
def test_only_the_secretary_turns_a_providers_hours_into_points(
    world: World, windows: list[int], steps: list[Any]
) -> None:
    w, s, me = world, world.store, world.actor("U1")
    needs = [
        post_need(
            s,
            w.actor("sec1"),
            NeedDraft(**need_draft("G1", window_start=NOW, window_end=shift(NOW, h))),
            now=NOW,
        )["id"]
        for h in windows
    ]
    offering = register_offering(s, me, offering_draft(capacity=5, period="once"), now=NOW)["id"]
    projects = [
        str(claim_need(s, me, ClaimRequest(need_id=n, offering_id=offering), now=NOW)["project_id"])
        for n in needs
    ]
    points0, balance0 = hour_points(w, "U1"), balance(s, SYSTEM, "U1")["balance"]
    rated0 = evaluations(w)
    at = NOW
    for action, i, hours, wait in steps:
        at = shift(at, wait)
        project = projects[i]
        logs = get_project(s, SYSTEM, project)["work_logs"]
        mine = ([g["id"] for g in logs if g["provider_id"] == "U1"] or ["none"])[-1]
        audits = count(s, "AuditEntry")
        try:
            provider_call(w, action, project, mine, hours, at)
        except DomainError as refused:
            event(f"{action} refused: {refused.code}")
            assert action not in ("confirm", "accept") or refused.http_status == 403
            assert count(s, "AuditEntry") == audits  # refused: nothing written
        else:
            event(f"{action} done")
        # the provider's own calls never earn it points for hours; evaluating earns a fixed amount once
        assert hour_points(w, "U1") == points0
        rated = evaluations(w) - rated0
        assert rated <= len(projects)
        assert balance(s, SYSTEM, "U1")["balance"] - balance0 == rated * RULES.points_for_evaluating

    # The other side confirms: the balance moves by exactly the points of the hours it confirms,
    # and those hours stay within the window (per provider) and the daily cap.
    daily: dict[str, float] = defaultdict(float)
    for i, project in enumerate(projects):
        pending = [g for g in get_project(s, SYSTEM, project)["work_logs"] if g["status"] == "pending"]
        total = sum(g["hours"] for g in get_project(s, SYSTEM, project)["work_logs"])
        assert total <= windows[i] + 1e-6
        for g in get_project(s, SYSTEM, project)["work_logs"]:
            daily[parse(g["logged_at"]).astimezone(BEIJING).date().isoformat()] += g["hours"]
        if not pending:
            continue
        before = hour_points(w, "U1")
        confirm_hours(s, w.actor("sec1"), project, now=shift(at, 1), settings=RULES)
        want = sum(int(g["hours"] * RULES.points_per_hour + 0.5) for g in pending)
        assert hour_points(w, "U1") - before == want
    assert all(h <= RULES.daily_hours_cap + 1e-6 for h in daily.values()), daily
