"""Dispatch runs 派单: a planner or secretary matches the open needs of its scope with offerings,
the proposals are stored pending, and the need's secretary accepts (the proposal becomes a
dispatch claim through ``claim_need``) or rejects each.

A run over one street solves it exactly (``plan_partition`` is the entry point that takes one
partition). A run over a district, city or province reads every street once (``read_snapshot``),
scores the candidates once, and fans the street partitions out on the executor the settings pick
(serial in this process, or the workers of a Dask cluster: ``engine.matching.distributed``), each
partition holding a share of the capacity of offerings that serve several streets; a reconciliation
solve and a residual pass then use what the split held back. So the proposals of one run never
promise an offering beyond its capacity, and the serial and the distributed run propose the same.
Every run reports its fairness (``engine.matching.fairness``): the share of needs with a proposal
per grid and community and the spread of work over providers; the ``spread`` mode steers it, and
its cost in total score is reported beside it.

Writes: the run (with its audit entry) and the superseding of earlier pending proposals of the
same needs, sent while the run is solved; the proposals in UNWIND batches, each sent as soon as it
is built; the run's outcome (all in order, on one thread of their own: ``GraphStore.pipeline``). A
crash between them leaves a ``running`` run whose proposals are still valid suggestions: accepting
re-checks everything. A solve that fails leaves the run ``failed``, its needs' earlier proposals
superseded (the planner runs it again).
Accepting calls ``claim_need`` first and changes the proposal only after the claim succeeded;
a crash in between leaves a pending proposal whose need is claimed by its provider, and
accepting it again is a harmless Conflict (duplicate_claim) that marks it superseded.
Separate runs (two communities of one street, or two streets) may count on the same offering's
capacity: the claim at acceptance decides, and a refused one is superseded with its Conflict.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.matching import URGENT, Assignment, MatchingError, MatchProblem, Method, ScoreWeights, solve
from engine.matching.distributed import Executor, Options, PartitionedResult, partitioned_select
from engine.matching.fairness import FairnessMode, Spread, fairness_figures
from engine.matching.greedy import greedy as greedy_select
from engine.matching.scoring import QUANTUM_STEPS, ScoredArcs
from engine.matching.solve import MIN_SHARE, assignment_of, check_options
from engine.observability.metrics import DISPATCH_SECONDS, timed
from engine.services.claims import ClaimRequest, claim_need
from engine.services.clock import resolve
from engine.services.dispatch.executors import executor_for
from engine.services.dispatch.reading import Partition, Snapshot, read_snapshot, streets_of
from engine.services.inputs import SchemaInput, checked, id_field, prop_field
from engine.services.records import audit_record, check_page, linked, new_id, new_ids, public
from engine.services.scope import jurisdiction, require_role, subtree
from engine.settings import Settings, get_settings
from engine.store.base import GraphStore, Row
from engine.store.queries import matching as matching_queries
from graph_schema.domain import PROPOSAL_STATUSES

RUNNERS = (Role.ADMIN, Role.PLANNER, Role.SECRETARY)
DECIDERS = (Role.ADMIN, Role.SECRETARY)
WRITE_BATCH = 2000
log = logging.getLogger(__name__)


class DispatchRequest(SchemaInput):
    """Start a dispatch run over a street, community or grid (default: the actor's own org)."""

    schema_label: ClassVar[str] = "DispatchRun"

    scope_org_id: str | None = id_field(
        "Org", None, description="派单范围:区(全部街道)、街道、社区或网格党组织编号"
    )
    method: Method = Field("optimal", description="optimal 最优 · stable 稳定匹配 · greedy 先到先得 等")
    urgent_first: bool = Field(True, description="先保证紧急需求得到服务,再求总得分最高")
    max_share: float | None = Field(
        None, ge=MIN_SHARE, le=1, description=f"任一服务方承接的建议占比上限({MIN_SHARE:g} 到 1)"
    )
    fairness_mode: FairnessMode = Field(
        "none",
        description="none 不调整 · spread 分散派单:同一服务方在本批次中越往后的建议得分越低(仅 optimal)",
    )


class ProposalDecision(SchemaInput):
    """Why a proposal is accepted or rejected (optional for accepting)."""

    schema_label: ClassVar[str] = "Proposal"

    reason: str | None = prop_field("Proposal", "reason", None, examples=["该单位本周已有安排"])


def match_weights(settings: Settings | None = None) -> ScoreWeights:
    """The score weights of the settings."""
    return (settings or get_settings()).match_weights


def _scope(
    store: GraphStore, actor: Actor, scope_org_id: str | None
) -> tuple[str, list[str], frozenset[str] | None]:
    """(scope org, its street partitions, orgs whose needs the run covers: None for every org of
    the partitions, when the scope is a street or above) after the scope checks."""
    require_role(actor, RUNNERS, "只有规划人员、社区书记或管理员可以发起派单")
    org_id = scope_org_id or actor.scope_org_id
    if not org_id:
        raise Invalid("请指定派单范围")
    if not jurisdiction(store, actor).covers(org_id):
        raise Forbidden("只能在本辖区内发起派单")
    streets = streets_of(store, org_id)
    whole = org_id in streets or len(streets) > 1  # a street, or a district's streets
    return org_id, streets, None if whole else subtree(store, org_id)


@dataclass(frozen=True)
class PartitionPlan:
    """One street partition's scored arcs, matching problem and the assignment chosen for it."""

    street_id: str
    arcs: ScoredArcs
    problem: MatchProblem
    assignment: Assignment
    seconds: dict[str, float]  # candidates (with scores) and solve


def plan_arcs(
    street_id: str,
    arcs: ScoredArcs,
    method: Method = "optimal",
    urgent_first: bool = True,
    max_share: float | None = None,
) -> PartitionPlan:
    """The assignment of one partition's scored arcs (no store); Invalid on options the solver
    refuses."""
    started = time.perf_counter()
    problem = MatchProblem.from_scored(arcs)
    try:
        assignment = solve(
            problem, method, urgent_first=urgent_first, max_share=max_share, compare_greedy=True
        )
    except (MatchingError, ValueError) as exc:
        raise Invalid(f"派单参数有误:{exc}") from exc
    return PartitionPlan(street_id, arcs, problem, assignment, {"solve": time.perf_counter() - started})


def plan_partition(
    partition: Partition,
    method: Method = "optimal",
    urgent_first: bool = True,
    max_share: float | None = None,
    weights: ScoreWeights | None = None,
) -> PartitionPlan:
    """Candidates, scores and the assignment of one street partition: the entry point that takes
    one partition (no store, so partitions of different runs can be planned in parallel)."""
    started = time.perf_counter()
    arcs = partition.arcs(weights or match_weights())
    plan = plan_arcs(partition.street_id, arcs, method, urgent_first, max_share)
    plan.seconds["candidates"] = time.perf_counter() - started - plan.seconds["solve"]
    return plan


def _proposal_rows(plan: PartitionPlan, at: str) -> Iterator[dict[str, Any]]:
    """The proposals to write: need, offering, score, its parts and the path in words."""
    pairs = plan.assignment.pairs
    details = plan.problem.details
    arcs = [pair.arc for pair in pairs]
    parts = details.parts_json(arcs) if details is not None else None
    for pair, proposal_id, i in zip(pairs, new_ids(len(pairs)), range(len(pairs)), strict=True):
        if parts is None or details is None:
            cand = plan.problem.candidate(pair.arc)
            text, words = json.dumps(dict(cand.parts), ensure_ascii=False), cand.path_words
        else:
            text, words = parts[i], details.path_words(pair.arc)
        yield {
            "need_id": pair.need_id,
            "offering_id": pair.offering_id,
            "props": {
                "id": proposal_id,
                "status": "pending",
                "score": pair.score,
                "parts": text,
                "path_words": words,
                "created_at": at,
            },
        }


def _needs_by_org(plan: PartitionPlan, snapshot: Snapshot) -> dict[str, int]:
    """Org id -> how many needs with a proposal it posted or leads the poster of: whose secretaries
    the run tells, and of how many needs."""
    counts: Counter[str] = Counter()
    for need_id in plan.assignment.served:
        counts.update(snapshot.tree.with_leaders(snapshot.need_org[need_id]))
    return dict(counts)


def _solve_whole(
    whole: Partition,
    snapshot: Snapshot,
    streets: list[str],
    options: Options,
    weights: ScoreWeights | None,
    executor: Executor | None,
    timings: dict[str, float],
) -> tuple[PartitionPlan, PartitionedResult]:
    """The run's one plan over every street: candidates found and scored once over the scope (a
    score depends only on its pair), the street partitions solved on ``executor``
    (``partitioned_select``: capacity shares, reconciliation, residual)."""
    mark = time.perf_counter()
    arcs = whole.arcs(weights or match_weights())
    problem = MatchProblem.from_scored(arcs)
    need_part = _need_parts(problem, snapshot, streets)
    timings["candidates"] += time.perf_counter() - mark
    mark = time.perf_counter()
    try:
        result = partitioned_select(problem, need_part, options, executor)
    except (MatchingError, ValueError) as exc:
        raise Invalid(f"派单参数有误:{exc}") from exc
    timings["solve"] += time.perf_counter() - mark
    stats = {k: v for k, v in result.stats.items() if isinstance(v, int | float | str | bool)}
    assignment = assignment_of(problem, result.selected, options.method, stats)
    plan = PartitionPlan(whole.street_id, arcs, problem, assignment, {"solve": timings["solve"]})
    return plan, result


def _fairness(plan: PartitionPlan, selected: np.ndarray) -> dict[str, Any]:
    """The fairness figures of a selection of the plan's arcs (providers with any candidate count)."""
    p = plan.problem
    served = np.bincount(p.arc_need[selected], minlength=p.n_needs) > 0
    loads = np.bincount(p.arc_provider[selected], minlength=len(p.provider_ids))
    active = np.bincount(p.arc_provider, minlength=len(p.provider_ids)) > 0
    spec = {n.id: n for n in plan.arcs.needs}
    return fairness_figures(
        [spec[n].grid_id for n in p.need_ids],
        [spec[n].community_id for n in p.need_ids],
        served,
        {p.provider_ids[i]: int(loads[i]) for i in np.flatnonzero(active)},
    )


def _fairness_report(
    plan: PartitionPlan,
    selected: np.ndarray,
    mode: FairnessMode,
    plain: PartitionedResult | None,
) -> dict[str, Any]:
    """The run's fairness: its figures, and with ``spread`` the same without it and the score cost."""
    report = {"mode": mode, **_fairness(plan, selected)}
    if plain is not None:
        units = plan.problem.score_units
        plain_objective = int(units[plain.selected].sum()) / QUANTUM_STEPS
        objective = int(units[selected].sum()) / QUANTUM_STEPS
        without = _fairness(plan, plain.selected)
        report |= {
            "objective_without_spread": plain_objective,
            "score_cost": plain_objective - objective,
            "score_cost_share": (plain_objective - objective) / abs(plain_objective)
            if plain_objective
            else 0.0,
            "load_max_without_spread": without["load_max"],
            "load_gini_without_spread": without["load_gini"],
        }
    return report


FAIRNESS_STORED = (
    "mode", "grid_coverage_min", "grid_coverage_mean", "community_coverage_min", "community_coverage_mean",
    "providers", "providers_used", "load_max", "load_mean", "load_gini", "objective_without_spread",
    "score_cost", "score_cost_share", "load_max_without_spread", "load_gini_without_spread",
)  # fmt: skip
"""The figures kept on the stored run (the per-grid and per-community shares are in the answer)."""


_collector_lock = threading.Lock()
_collector_holds = 0
_collector_was_enabled = True


@contextmanager
def paused_collector() -> Iterator[None]:
    """The cyclic garbage collector paused while a run builds its million short-lived rows and
    arrays (they hold no cycles and are freed as they go): its full passes over them took half of
    a city's read. Runs overlapping in threads resume it when the last one ends (if it ran)."""
    global _collector_holds, _collector_was_enabled
    with _collector_lock:
        if _collector_holds == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _collector_holds += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_holds -= 1
            if _collector_holds == 0 and _collector_was_enabled:
                gc.enable()


@timed(DISPATCH_SECONDS)
@paused_collector()
def start_run(
    store: GraphStore,
    actor: Actor,
    scope_org_id: str | None = None,
    method: Method = "optimal",
    urgent_first: bool = True,
    max_share: float | None = None,
    *,
    now: str | None = None,
    weights: ScoreWeights | None = None,
    fairness_mode: FairnessMode = "none",
    executor: Executor | None = None,
) -> dict[str, Any]:
    """Match the open needs of the scope (its street partitions, on ``executor``: the settings'
    one by default) and store the proposals pending; returns the run with its objective, gap to
    greedy, needs served and urgent needs served, its fairness figures, how the partitions were
    solved, and the seconds spent reading, scoring, solving and writing."""
    at = resolve(now)
    org_id, streets, need_orgs = _scope(store, actor, scope_org_id)
    spread = Spread() if fairness_mode == "spread" else None
    options = Options(method=method, urgent_first=urgent_first, max_share=max_share, spread=spread)
    try:
        check_options(method, max_share, spread)
    except ValueError as exc:
        raise Invalid(f"派单参数有误:{exc}") from exc
    ex = executor if executor is not None else executor_for(get_settings(), len(streets))
    timings = dict.fromkeys(("read", "candidates", "solve", "write"), 0.0)
    started = time.perf_counter()
    snapshot = read_snapshot(store, streets, at, need_orgs)
    timings["read"] = time.perf_counter() - started
    whole = snapshot.partition(streets[0] if len(streets) == 1 else None, need_orgs)
    run_id = new_id()
    run = {
        "id": run_id,
        "status": "running",
        "method": method,
        "scope_org_id": org_id,
        "street_id": streets[0] if len(streets) == 1 else None,
        "streets": len(streets),
        "fairness_mode": fairness_mode,
        "created_at": at,
    }
    need_ids = [n.id for n in whole.needs]
    failure: Exception | None = None
    # The run is written and the earlier proposals of its needs superseded while it is solved; the
    # proposals go to the server batch by batch as they are built. A failed solve marks it failed.
    with store.pipeline() as writes:
        writes.run(
            matching_queries.RUN_CREATE,
            {
                "run": run,
                "audit": audit_record(
                    actor, "dispatch.run", "DispatchRun", run_id, at, before=None, after=run
                ),
            },
        )
        writes.run(
            matching_queries.PROPOSAL_SUPERSEDE,
            {"need_ids": need_ids, "now": at, "reason": "已被新的派单批次取代"},
        )
        try:
            plan, result, fairness = _plan_run(whole, snapshot, streets, options, weights, ex, timings)
        except Exception as exc:  # the run stays on record as failed, and the caller hears why
            failure = exc
            failed = {"status": "failed", "finished_at": resolve(None) if now is None else at}
            writes.run(matching_queries.RUN_FINISH, {"id": run_id, "props": failed})
        else:
            mark = time.perf_counter()
            pairs = writes.bulk(
                matching_queries.PROPOSAL_BULK_CREATE,
                _proposal_rows(plan, at),
                batch_size=WRITE_BATCH,
                params={"run_id": run_id},
            )
            told = _needs_by_org(plan, snapshot)
            if told:
                outbox = {"run_id": run_id, "now": at, "actor_id": actor.account_id}
                writes.run(matching_queries.RUN_NOTIFY, {**outbox, "org_ids": sorted(told), "needs": told})
            served = set(plan.assignment.served)
            urgent = {n.id for n in plan.arcs.needs if n.urgency in URGENT}
            objective = plan.assignment.objective
            greedy_units = plan.problem.score_units[greedy_select(plan.problem, urgent_first=urgent_first)]
            greedy = int(greedy_units.sum()) / QUANTUM_STEPS
            skipped = list(whole.skipped)
            outcome = {
                "status": "done",
                "finished_at": resolve(None) if now is None else at,
                "objective": objective,
                "greedy_objective": greedy,
                "needs_total": len(need_ids),
                "needs_served": len(served),
                "pairs": pairs,
                "needs_skipped": sum(s.kind == "need" for s in skipped),
                "offerings_skipped": sum(s.kind == "offering" for s in skipped),
                "fairness": json.dumps({k: fairness[k] for k in FAIRNESS_STORED if k in fairness}),
            }
            writes.run(matching_queries.RUN_FINISH, {"id": run_id, "props": outcome})
    if failure is not None:
        raise failure
    timings["write"] = time.perf_counter() - mark
    if skipped:
        log.warning("dispatch over %s skipped %d records that cannot be scored: %s", org_id, len(skipped),
                    "; ".join(f"{s.kind} {s.id}: {s.reason}" for s in skipped[:20]))  # fmt: skip
    return {
        **run,
        **outcome,
        "gap_to_greedy": (objective - greedy) / abs(greedy) if greedy else 0.0,
        "urgent_total": len(urgent),
        "urgent_served": len(urgent & served),
        "candidates": plan.problem.n_arcs,
        "offerings": len({o.id for o in plan.arcs.offerings}),
        "seconds": timings,
        "skipped": [s.view() for s in skipped],
        "fairness": fairness,
        "partitions": {k: v for k, v in result.stats.items() if k not in ("split", "solve")},
    }


def _plan_run(
    whole: Partition,
    snapshot: Snapshot,
    streets: list[str],
    options: Options,
    weights: ScoreWeights | None,
    executor: Executor,
    timings: dict[str, float],
) -> tuple[PartitionPlan, PartitionedResult, dict[str, Any]]:
    """The run's plan over its partition(s) and its fairness report (with ``spread``, the same
    run without it is solved too, for the cost beside the figures)."""
    plan, result = _solve_whole(whole, snapshot, streets, options, weights, executor, timings)
    plain = None
    if options.spread is not None:
        mark = time.perf_counter()
        parts = _need_parts(plan.problem, snapshot, streets)
        plain = partitioned_select(plan.problem, parts, replace(options, spread=None), executor)
        timings["solve"] += time.perf_counter() - mark
    mode: FairnessMode = "spread" if options.spread is not None else "none"
    return plan, result, _fairness_report(plan, result.selected, mode, plain)


def _need_parts(problem: MatchProblem, snapshot: Snapshot, streets: list[str]) -> np.ndarray:
    """The street partition number of each need of the problem."""
    index = {s: i for i, s in enumerate(streets)}
    p = problem
    return np.fromiter((index[snapshot.need_street[n]] for n in p.need_ids), np.int64, p.n_needs)


def run_view(run: dict[str, Any]) -> dict[str, Any]:
    """A stored run as callers see it: its fairness figures parsed."""
    fairness = run.get("fairness")
    if isinstance(fairness, str):
        return {**run, "fairness": json.loads(fairness)}
    return run


def run_row(store: GraphStore, run_id: str) -> dict[str, Any]:
    """The stored run; NotFound when there is none."""
    row = store.one(matching_queries.RUN_DETAIL, {"id": run_id})
    if row is None:
        raise NotFound("派单批次不存在")
    return run_view(public(row["run"]))


def get_run(store: GraphStore, actor: Actor, run_id: str) -> dict[str, Any]:
    """One run, to the jurisdiction of its scope org."""
    require_role(actor, RUNNERS, "无权查看派单批次")
    run = run_row(store, run_id)
    if not jurisdiction(store, actor).covers(run["scope_org_id"]):
        raise Forbidden("无权查看该派单批次")
    return run


def list_runs(store: GraphStore, actor: Actor, *, skip: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    """Runs over orgs of the actor's jurisdiction, newest first."""
    require_role(actor, RUNNERS, "无权查看派单批次")
    check_page(skip, limit)
    params = {"org_ids": jurisdiction(store, actor).filter, "skip": skip, "limit": limit}
    return [run_view(public(r["run"])) for r in store.run(matching_queries.RUN_LIST, params)]


def proposal_view(row: Row) -> dict[str, Any]:
    """A proposal as callers see it: status, score, its parts, path in words, need and provider."""
    props = public(row["proposal"])
    return {
        **props,
        "parts": json.loads(props["parts"]),
        "run_id": row["run_id"],
        **linked(row),
    }


def proposal_row(store: GraphStore, proposal_id: str) -> Row:
    """The stored proposal with its run, need and provider; NotFound."""
    row = store.one(matching_queries.PROPOSAL_DETAIL, {"id": proposal_id})
    if row is None:
        raise NotFound("派单建议不存在")
    return row


def get_proposal(store: GraphStore, actor: Actor, proposal_id: str) -> dict[str, Any]:
    """One proposal, to the jurisdiction of its need's org."""
    require_role(actor, RUNNERS, "无权查看派单建议")
    row = proposal_row(store, proposal_id)
    if not jurisdiction(store, actor).covers(row["org_id"]):
        raise Forbidden("无权查看该派单建议")
    return proposal_view(row)


def list_proposals(
    store: GraphStore,
    actor: Actor,
    *,
    run_id: str | None = None,
    need_id: str | None = None,
    status: str | None = None,
    skip: int = 0,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Proposals of a run or a need on needs of the actor's jurisdiction, best first."""
    require_role(actor, RUNNERS, "无权查看派单建议")
    check_page(skip, limit)
    if status is not None and status not in PROPOSAL_STATUSES:
        raise Invalid(f"派单建议状态“{status}”不存在")
    params = {
        "run_id": run_id,
        "need_id": need_id,
        "status": status,
        "org_ids": jurisdiction(store, actor).filter,
        "skip": skip,
        "limit": limit,
    }
    return [proposal_view(r) for r in store.run(matching_queries.PROPOSAL_LIST, params)]


def _decide(
    store: GraphStore, actor: Actor, proposal_id: str, status: str, at: str, reason: str | None, **extra: str
) -> bool:
    decision = {"status": status, "decided_at": at, "decided_by": actor.account_id, "reason": reason, **extra}
    audit = audit_record(
        actor, f"proposal.{status}", "Proposal", proposal_id, at, before={"status": "pending"}, after=decision
    )
    return (
        store.one(matching_queries.PROPOSAL_DECIDE, {"id": proposal_id, "decision": decision, "audit": audit})
        is not None
    )


def _pending(store: GraphStore, actor: Actor, proposal_id: str) -> Row:
    """The proposal, after checking the actor decides for its need's org and it is pending."""
    require_role(actor, DECIDERS, "只有需求所属社区书记可以处理派单建议")
    row = proposal_row(store, proposal_id)
    if not jurisdiction(store, actor).covers(row["org_id"]):
        raise Forbidden("只能处理本社区需求的派单建议")
    status = row["proposal"]["status"]
    if status != "pending":
        raise Conflict(f"该派单建议{PROPOSAL_STATUSES[status]},不能再处理", "illegal_transition")
    return row


def accept_proposal(
    store: GraphStore, actor: Actor, proposal_id: str, reason: str | None = None, *, now: str | None = None
) -> dict[str, Any]:
    """Turn a pending proposal into a dispatch claim (the claiming rules decide), then mark it
    accepted with the claim; a refused claim marks it superseded and raises the claim's Conflict."""
    at = resolve(now)
    reason = checked("Proposal", "reason", reason) if reason else None
    row = _pending(store, actor, proposal_id)
    request = ClaimRequest(
        need_id=row["need_id"], offering_id=row["offering_id"], provider_id=row["provider_id"]
    )
    try:
        claim = claim_need(store, actor, request, now=at)
    except Conflict as exc:
        _decide(store, actor, proposal_id, "superseded", at, exc.message_zh)
        raise
    if not _decide(store, actor, proposal_id, "accepted", at, reason, claim_id=claim["id"]):
        raise Conflict("该派单建议已被他人处理;认领已生效", "illegal_transition")
    return {**proposal_view(proposal_row(store, proposal_id)), "claim": claim}


def reject_proposal(
    store: GraphStore, actor: Actor, proposal_id: str, reason: str | None = None, *, now: str | None = None
) -> dict[str, Any]:
    """Reject a pending proposal (the need stays open for other providers)."""
    at = resolve(now)
    reason = checked("Proposal", "reason", reason) if reason else None
    _pending(store, actor, proposal_id)
    if not _decide(store, actor, proposal_id, "rejected", at, reason):
        raise Conflict("该派单建议已被他人处理", "illegal_transition")
    return proposal_view(proposal_row(store, proposal_id))
