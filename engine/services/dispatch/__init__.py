"""Matching over the store (issue 4): dispatch runs 派单 with proposals the secretary decides, and
recommendations with reasons; the pure matcher is ``engine.matching``."""

from engine.services.dispatch.reading import Partition, read_partition, read_snapshot, street_of, streets_of
from engine.services.dispatch.recommend import needs_for_me, providers_for_need
from engine.services.dispatch.runs import (
    DispatchRequest,
    PartitionPlan,
    ProposalDecision,
    accept_proposal,
    get_proposal,
    get_run,
    list_proposals,
    list_runs,
    plan_partition,
    reject_proposal,
    start_run,
)

__all__ = [
    "DispatchRequest",
    "Partition",
    "PartitionPlan",
    "ProposalDecision",
    "accept_proposal",
    "get_proposal",
    "get_run",
    "list_proposals",
    "list_runs",
    "needs_for_me",
    "plan_partition",
    "providers_for_need",
    "read_partition",
    "read_snapshot",
    "reject_proposal",
    "start_run",
    "street_of",
    "streets_of",
]
