"""Dispatch runs 派单: a planner or secretary matches the open needs of its scope with offerings
(one street partition per run), the proposals are stored pending, and the need's secretary
accepts (the proposal becomes a dispatch claim through ``claim_need``) or rejects each.

Writes: the run (with its audit entry), the superseding of earlier pending proposals of the
same needs, the proposals in UNWIND batches, the run's outcome. A crash between them leaves a
``running`` run whose proposals are still valid suggestions: accepting re-checks everything.
Accepting calls ``claim_need`` first and changes the proposal only after the claim succeeded;
a crash in between leaves a pending proposal whose need is claimed by its provider, and
accepting it again is a harmless Conflict (duplicate_claim) that marks it superseded.
Runs of different scopes in one street (two communities) may count on the same offering's
capacity: the claim at acceptance decides, and a refused one is superseded with its Conflict.
"""

from __future__ import annotations

import json
import time
from typing import Any, ClassVar

from pydantic import Field

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.matching import URGENT, MatchingError, MatchProblem, Method, ScoreWeights, solve
from engine.services.claims import ClaimRequest, claim_need
from engine.services.clock import resolve
from engine.services.dispatch.reading import Partition, read_partition, street_of
from engine.services.inputs import SchemaInput, checked, id_field, prop_field
from engine.services.records import audit_record, check_page, new_id, public
from engine.services.scope import jurisdiction, require_role, subtree
from engine.settings import Settings, get_settings
from engine.store.base import GraphStore, Row
from graph_schema.domain import PROPOSAL_STATUSES

RUNNERS = (Role.ADMIN, Role.PLANNER, Role.SECRETARY)
DECIDERS = (Role.ADMIN, Role.SECRETARY)
WRITE_BATCH = 2000


class DispatchRequest(SchemaInput):
    """Start a dispatch run over a street, community or grid (default: the actor's own org)."""

    schema_label: ClassVar[str] = "DispatchRun"

    scope_org_id: str | None = id_field("Org", None, description="派单范围:街道、社区或网格党组织编号")
    method: Method = Field("optimal", description="optimal 最优 · stable 稳定匹配 · greedy 先到先得 等")
    urgent_first: bool = Field(True, description="先保证紧急需求得到服务,再求总得分最高")
    max_share: float | None = Field(None, gt=0, le=1, description="任一服务方承接的建议占比上限")


class ProposalDecision(SchemaInput):
    """Why a proposal is accepted or rejected (optional for accepting)."""

    schema_label: ClassVar[str] = "Proposal"

    reason: str | None = prop_field("Proposal", "reason", None, examples=["该单位本周已有安排"])


def match_weights(settings: Settings | None = None) -> ScoreWeights:
    """The score weights of the settings."""
    return (settings or get_settings()).match_weights


def _scope(store: GraphStore, actor: Actor, scope_org_id: str | None) -> tuple[str, str, frozenset[str]]:
    """(scope org, its street partition, orgs whose needs the run covers) after the scope checks."""
    require_role(actor, RUNNERS, "只有规划人员、社区书记或管理员可以发起派单")
    org_id = scope_org_id or actor.scope_org_id
    if not org_id:
        raise Invalid("请指定派单范围")
    if not jurisdiction(store, actor).covers(org_id):
        raise Forbidden("只能在本辖区内发起派单")
    return org_id, street_of(store, org_id), subtree(store, org_id)


def _proposal_rows(partition: Partition, problem: MatchProblem, pairs: Any, at: str) -> list[dict[str, Any]]:
    rows = []
    for pair in pairs:
        cand = problem.candidate(pair.arc)
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
    """Match the open needs of the scope (one street partition) and store the proposals pending;
    returns the run with its objective, gap to greedy, needs served and urgent needs served."""
    at = resolve(now)
    org_id, street_id, need_orgs = _scope(store, actor, scope_org_id)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    partition = read_partition(store, street_id, at, need_orgs)
    timings["read"] = time.perf_counter() - started
    mark = time.perf_counter()
    arcs = partition.arcs(weights or match_weights())
    problem = MatchProblem.from_scored(arcs)
    timings["candidates"] = time.perf_counter() - mark
    mark = time.perf_counter()
    try:
        assignment = solve(
            problem, method, urgent_first=urgent_first, max_share=max_share, compare_greedy=True
        )
    except (MatchingError, ValueError) as exc:
        raise Invalid(f"派单参数有误:{exc}") from exc
    timings["solve"] = time.perf_counter() - mark
    mark = time.perf_counter()
    run_id = new_id()
    run = {
        "id": run_id,
        "status": "running",
        "method": method,
        "scope_org_id": org_id,
        "street_id": street_id,
        "created_at": at,
    }
    store.one(
        "match.run.create",
        {
            "run": run,
            "audit": audit_record(actor, "dispatch.run", "DispatchRun", run_id, at, before=None, after=run),
        },
    )
    need_ids = [n.id for n in partition.needs]
    store.one("match.proposal.supersede", {"need_ids": need_ids, "now": at, "reason": "已被新的派单批次取代"})
    rows = _proposal_rows(partition, problem, assignment.pairs, at)
    store.bulk("match.proposal.bulk_create", rows, batch_size=WRITE_BATCH, params={"run_id": run_id})
    urgent = {n.id for n in partition.needs if n.urgency in URGENT}
    outcome = {
        "status": "done",
        "finished_at": resolve(None) if now is None else at,
        "objective": assignment.objective,
        "greedy_objective": float(assignment.stats.get("greedy_objective", 0.0)),
        "needs_total": len(partition.needs),
        "needs_served": len(assignment.served),
        "pairs": len(assignment.pairs),
    }
    store.one("match.run.finish", {"id": run_id, "props": outcome})
    timings["write"] = time.perf_counter() - mark
    return {
        **run,
        **outcome,
        "gap_to_greedy": float(assignment.stats.get("gap_to_greedy", 0.0)),
        "urgent_total": len(urgent),
        "urgent_served": len(urgent & set(assignment.served)),
        "candidates": problem.n_arcs,
        "offerings": len(partition.offerings),
        "seconds": timings,
    }


def run_row(store: GraphStore, run_id: str) -> dict[str, Any]:
    """The stored run; NotFound when there is none."""
    row = store.one("match.run.detail", {"id": run_id})
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
    return [public(r["run"]) for r in store.run("match.run.list", params)]


def proposal_view(row: Row) -> dict[str, Any]:
    """A proposal as callers see it: status, score, its parts, path in words, need and provider."""
    props = public(row["proposal"])
    return {
        **props,
        "parts": json.loads(props["parts"]),
        "run_id": row["run_id"],
        "need_id": row["need_id"],
        "need_title": row["need_title"],
        "need_status": row["need_status"],
        "org_id": row["org_id"],
        "offering_id": row["offering_id"],
        "offering_title": row["offering_title"],
        "provider_id": row["provider_id"],
        "provider_kind": row["provider_kind"],
    }


def proposal_row(store: GraphStore, proposal_id: str) -> Row:
    """The stored proposal with its run, need and provider; NotFound."""
    row = store.one("match.proposal.detail", {"id": proposal_id})
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
    return [proposal_view(r) for r in store.run("match.proposal.list", params)]


def _decide(
    store: GraphStore, actor: Actor, proposal_id: str, status: str, at: str, reason: str | None, **extra: str
) -> bool:
    decision = {"status": status, "decided_at": at, "decided_by": actor.account_id, "reason": reason, **extra}
    audit = audit_record(
        actor, f"proposal.{status}", "Proposal", proposal_id, at, before={"status": "pending"}, after=decision
    )
    return (
        store.one("match.proposal.decide", {"id": proposal_id, "decision": decision, "audit": audit})
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
