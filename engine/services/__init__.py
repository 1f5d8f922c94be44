"""Use cases of the closed loop (issue 3) as functions of ``(store, actor, input, now=…)``.

Every write is one Cypher statement holding its check, its change and one AuditEntry; a
refused write raises a ``engine.errors.DomainError`` (NotFound, Forbidden, Conflict, Invalid)
with a Chinese message and writes nothing. Inputs are pydantic models whose limits come
from the graph schema; outputs are plain dicts without internal fields. ``now`` (ISO UTC)
defaults to the clock; rules (points, response hours) come from ``engine.settings``.
"""

from engine.services.audit import list_audit
from engine.services.claims import ClaimRequest, claim_need, get_claim, list_claims, withdraw_claim
from engine.services.evaluations import (
    ProviderRating,
    Rating,
    list_evaluations,
    rate_community,
    rate_provider,
)
from engine.services.hours import (
    CorrectionRequest,
    HoursConfirmation,
    HoursEntry,
    confirm_hours,
    decide_correction,
    log_hours,
    request_correction,
)
from engine.services.needs import (
    NeedDraft,
    NeedEdit,
    cancel_need,
    edit_need,
    expire_needs,
    get_need,
    list_needs,
    post_need,
)
from engine.services.offerings import (
    OfferingDraft,
    OfferingEdit,
    edit_offering,
    get_offering,
    list_offerings,
    pause_offering,
    register_offering,
    resume_offering,
    retire_offering,
)
from engine.services.points import PointCorrection, balance, correct_points, ledger
from engine.services.projects import (
    complete_project,
    get_project,
    list_projects,
    report_problem,
    resolve_problem,
    start_project,
)
from engine.services.reports import org_report, three_rates
from engine.services.scope import Scope, jurisdiction

__all__ = [
    "ClaimRequest",
    "CorrectionRequest",
    "HoursConfirmation",
    "HoursEntry",
    "NeedDraft",
    "NeedEdit",
    "OfferingDraft",
    "OfferingEdit",
    "PointCorrection",
    "ProviderRating",
    "Rating",
    "Scope",
    "balance",
    "cancel_need",
    "claim_need",
    "complete_project",
    "confirm_hours",
    "correct_points",
    "decide_correction",
    "edit_need",
    "edit_offering",
    "expire_needs",
    "get_claim",
    "get_need",
    "get_offering",
    "get_project",
    "jurisdiction",
    "ledger",
    "list_audit",
    "list_claims",
    "list_evaluations",
    "list_needs",
    "list_offerings",
    "list_projects",
    "log_hours",
    "org_report",
    "pause_offering",
    "post_need",
    "rate_community",
    "rate_provider",
    "register_offering",
    "report_problem",
    "request_correction",
    "resolve_problem",
    "resume_offering",
    "retire_offering",
    "start_project",
    "three_rates",
    "withdraw_claim",
]
