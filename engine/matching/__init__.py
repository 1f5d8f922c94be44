"""Matching 订单式派单: candidates and scores in, assignment and explanations out (pure: no store, no API).

arcs = build_arcs(needs, offerings, ties)            # candidates, scored, in columns
problem = MatchProblem.from_scored(arcs)
assignment = solve(problem, "optimal", urgent_first=True, max_share=0.05)
problem.candidate(assignment.pairs[0].arc).path_words   # “同一社区 · 已签共建协议 · 距离 0.8 公里”
"""

from engine.matching.candidates import build_arcs, find_arcs, generate_candidates, haversine_km
from engine.matching.flow import MatchingError
from engine.matching.model import (
    FEATURE_NAMES,
    FEATURES,
    URGENT,
    Assignment,
    Candidate,
    GraphTies,
    NeedSpec,
    OfferingSpec,
    Pair,
    ProviderPlace,
    place_problem,
)
from engine.matching.problem import MatchProblem
from engine.matching.quality import Quality, gini, summarize, violations
from engine.matching.recommend import needs_for_provider, offerings_for_need
from engine.matching.scoring import PROVIDER_VIEW, ScoredArcs, ScoreWeights
from engine.matching.solve import METHODS, Method, solve
from engine.matching.stable import blocking_pairs

__all__ = [
    "FEATURES",
    "FEATURE_NAMES",
    "METHODS",
    "PROVIDER_VIEW",
    "URGENT",
    "Assignment",
    "Candidate",
    "GraphTies",
    "MatchProblem",
    "MatchingError",
    "Method",
    "NeedSpec",
    "OfferingSpec",
    "Pair",
    "ProviderPlace",
    "Quality",
    "ScoreWeights",
    "ScoredArcs",
    "blocking_pairs",
    "build_arcs",
    "find_arcs",
    "generate_candidates",
    "gini",
    "haversine_km",
    "needs_for_provider",
    "offerings_for_need",
    "place_problem",
    "solve",
    "summarize",
    "violations",
]
