"""Dispatch runs 派单: a planner or secretary matches the open needs of its scope with offerings,
the proposals are stored pending, and the need's secretary accepts (the proposal becomes a
dispatch claim through ``claim_need``) or rejects each.

A run is solved one street partition at a time (``plan_partition``, the entry point that takes
one partition). A run over a district or city reads every street once (``read_snapshot``) and
solves the partitions in street order, each seeing the capacity the earlier ones proposed taken,
so the proposals of one run never promise an offering beyond its capacity.

Writes: the run (with its audit entry), the superseding of earlier pending proposals of the
same needs, the proposals in UNWIND batches, the run's outcome. A crash between them leaves a
``running`` run whose proposals are still valid suggestions: accepting re-checks everything.
Accepting calls ``claim_need`` first and changes the proposal only after the claim succeeded;
a crash in between leaves a pending proposal whose need is claimed by its provider, and
accepting it again is a harmless Conflict (duplicate_claim) that marks it superseded.
Separate runs (two communities of one street, or two streets) may count on the same offering's
capacity: the claim at acceptance decides, and a refused one is superseded with its Conflict.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.matching import URGENT, Assignment, MatchingError, MatchProblem, Method, ScoreWeights, solve
from engine.matching.scoring import ScoredArcs
from engine.matching.solve import MIN_SHARE
from engine.services.claims import ClaimRequest, claim_need
from engine.services.clock import resolve
from engine.services.dispatch.reading import Partition, Skipped, Snapshot, read_snapshot, streets_of
from engine.services.inputs import SchemaInput, checked, id_field, prop_field
from engine.services.records import audit_record, check_page, linked, new_id, public
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


class ProposalDecision(SchemaInput):
    """Why a proposal is accepted or rejected (optional for accepting)."""

    schema_label: ClassVar[str] = "Proposal"

    reason: str | None = prop_field("Proposal", "reason", None, examples=["该单位本周已有安排"])


def match_weights(settings: Settings | None = None) -> ScoreWeights:
    """The score weights of the settings."""
    return (settings or get_settings()).match_weights


def _scope(
    store: GraphStore, actor: Actor, scope_org_id: str | None
) -> tuple[str, list[str], frozenset[str]]:
    """(scope org, its street partitions, orgs whose needs the run covers) after the scope checks."""
    require_role(actor, RUNNERS, "只有规划人员、社区书记或管理员可以发起派单")
    org_id = scope_org_id or actor.scope_org_id
    if not org_id:
        raise Invalid("请指定派单范围")
    if not jurisdiction(store, actor).covers(org_id):
        raise Forbidden("只能在本辖区内发起派单")
    return org_id, streets_of(store, org_id), subtree(store, org_id)


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


def _proposal_rows(plan: PartitionPlan, at: str) -> list[dict[str, Any]]:
    rows = []
    for pair in plan.assignment.pairs:
        cand = plan.problem.candidate(pair.arc)
        rows.append(
            {
                "need_id": cand.need_id,
                "offering_id": cand.offering_id,
                "props": {
                    "id": new_id(),
                    "status": "pending",
                    "score": cand.score,
                    "parts": json.dumps(dict(cand.parts), ensure_ascii=False),
                    "path_words": cand.path_words,
                    "created_at": at,
                },
            }
        )
    return rows


def _plans(
    snapshot: Snapshot,
    skipped: list[Skipped],
    streets: list[str],
    need_orgs: frozenset[str],
    method: Method,
    urgent_first: bool,
    max_share: float | None,
    weights: ScoreWeights | None,
    timings: dict[str, float],
) -> list[PartitionPlan]:
    """Every street's plan. The candidates are found and scored once over the whole scope (a
    score depends only on its pair), then each street's arcs are solved in street order, seeing
    the capacity earlier streets were proposed taken."""
    mark = time.perf_counter()
    whole = snapshot.partition(streets[0] if len(streets) == 1 else None, need_orgs)
    skipped += whole.skipped
    arcs = whole.arcs(weights or match_weights())
    by_street: dict[str, list[int]] = {s: [] for s in streets}
    for i, need in enumerate(arcs.needs):
        by_street[snapshot.need_street[need.id]].append(i)
    timings["candidates"] += time.perf_counter() - mark
    promised: Counter[str] = Counter()  # offering id -> needs proposed to it by earlier streets
    plans = []
    for street_id in streets:
        mark = time.perf_counter()
        part = arcs.restrict(np.asarray(by_street[street_id], dtype=np.int64), promised)
        timings["candidates"] += time.perf_counter() - mark
        plan = plan_arcs(street_id, part, method, urgent_first, max_share)
        timings["solve"] += plan.seconds["solve"]
        plans.append(plan)
        promised.update(plan.problem.candidate(p.arc).offering_id for p in plan.assignment.pairs)
    return plans


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
) -> dict[str, Any]:
    """Match the open needs of the scope (its street partitions, one after another) and store the
    proposals pending; returns the run with its objective, gap to greedy, needs served and urgent
    needs served, and the seconds spent reading, scoring, solving and writing."""
    at = resolve(now)
    org_id, streets, need_orgs = _scope(store, actor, scope_org_id)
    timings = dict.fromkeys(("read", "candidates", "solve", "write"), 0.0)
    started = time.perf_counter()
    snapshot = read_snapshot(store, streets, at, need_orgs)
    timings["read"] = time.perf_counter() - started
    skipped: list[Skipped] = []
    plans = _plans(snapshot, skipped, streets, need_orgs, method, urgent_first, max_share, weights, timings)
    if skipped:
        log.warning("dispatch over %s skipped %d records that cannot be scored: %s", org_id, len(skipped),
                    "; ".join(f"{s.kind} {s.id}: {s.reason}" for s in skipped[:20]))  # fmt: skip
    mark = time.perf_counter()
    run_id = new_id()
    run = {
        "id": run_id,
        "status": "running",
        "method": method,
        "scope_org_id": org_id,
        "street_id": streets[0] if len(streets) == 1 else None,
        "streets": len(streets),
        "created_at": at,
    }
    store.one(
        matching_queries.RUN_CREATE,
        {
            "run": run,
            "audit": audit_record(actor, "dispatch.run", "DispatchRun", run_id, at, before=None, after=run),
        },
    )
    need_ids = [n.id for plan in plans for n in plan.arcs.needs]
    store.one(
        matching_queries.PROPOSAL_SUPERSEDE,
        {"need_ids": need_ids, "now": at, "reason": "已被新的派单批次取代"},
    )
    rows = [row for plan in plans for row in _proposal_rows(plan, at)]
    outbox = {"run_id": run_id, "now": at, "actor_id": actor.account_id}  # proposals notify their secretaries
    store.bulk(matching_queries.PROPOSAL_BULK_CREATE, rows, batch_size=WRITE_BATCH, params=outbox)
    served = {n for plan in plans for n in plan.assignment.served}
    urgent = {n.id for plan in plans for n in plan.arcs.needs if n.urgency in URGENT}
    objective = sum(plan.assignment.objective for plan in plans)
    greedy = sum(float(plan.assignment.stats.get("greedy_objective", 0.0)) for plan in plans)
    outcome = {
        "status": "done",
        "finished_at": resolve(None) if now is None else at,
        "objective": objective,
        "greedy_objective": greedy,
        "needs_total": len(need_ids),
        "needs_served": len(served),
        "pairs": len(rows),
        "needs_skipped": sum(s.kind == "need" for s in skipped),
        "offerings_skipped": sum(s.kind == "offering" for s in skipped),
    }
    store.one(matching_queries.RUN_FINISH, {"id": run_id, "props": outcome})
    timings["write"] = time.perf_counter() - mark
    return {
        **run,
        **outcome,
        "gap_to_greedy": (objective - greedy) / abs(greedy) if greedy else 0.0,
        "urgent_total": len(urgent),
        "urgent_served": len(urgent & served),
        "candidates": sum(plan.problem.n_arcs for plan in plans),
        "offerings": len({o.id for plan in plans for o in plan.arcs.offerings}),
        "seconds": timings,
        "skipped": [s.view() for s in skipped],
    }


def run_row(store: GraphStore, run_id: str) -> dict[str, Any]:
    """The stored run; NotFound when there is none."""
    row = store.one(matching_queries.RUN_DETAIL, {"id": run_id})
    if row is None:
        raise NotFound("派单批次不存在")
    return public(row["run"])


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
    return [public(r["run"]) for r in store.run(matching_queries.RUN_LIST, params)]


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
