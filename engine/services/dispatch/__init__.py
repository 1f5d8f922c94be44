"""Matching over the store (issue 4): dispatch runs 派单 with proposals the secretary decides, and
recommendations with reasons; the pure matcher is ``engine.matching``."""

from engine.services.dispatch.reading import Partition, read_partition, street_of
from engine.services.dispatch.recommend import needs_for_me, providers_for_need
from engine.services.dispatch.runs import (
    DispatchRequest,
    ProposalDecision,
    accept_proposal,
    get_proposal,
    get_run,
    list_proposals,
    list_runs,
    reject_proposal,
    start_run,
)

__all__ = [
    "DispatchRequest",
    "Partition",
    "ProposalDecision",
    "accept_proposal",
    "get_proposal",
    "get_run",
    "list_proposals",
    "list_runs",
    "needs_for_me",
    "providers_for_need",
    "read_partition",
    "reject_proposal",
    "start_run",
    "street_of",
]
