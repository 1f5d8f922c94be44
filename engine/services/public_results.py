"""述评公开: the results of an org and its subtree for a period, as anyone may read them.

The cohort is the one of ``/reports`` (needs posted in [start, end) by the org and every org it
leads), so the three rates are the report's. Besides them:
- projects completed: projects of the cohort in status completed or evaluated;
- people served: the sum of the completed projects' needs' ``beneficiary_count`` (受益人数, the
  residents a need is for), not ``people_wanted`` (the helpers it asked for);
- hours: confirmed hours only (``Project.hours_total``; per provider ``SERVES.hours``), of every
  project of the cohort;
- 一事一评: each completed project's community ratings with the rated provider's public name (a
  unit by name, a member masked as 张** by the personal-data rule for an anonymous reader);
- the units that served most: by confirmed hours, then completed projects.
No figure here carries personal data; the same summary feeds the period reports (述职).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from engine.errors import NotFound
from engine.privacy import mask_value
from engine.services.periods import Period, resolve_period
from engine.services.pledges import public_pledges
from engine.services.reports import RESOLVED, three_rates
from engine.settings import Settings, get_settings
from engine.store.base import GraphStore, Row
from engine.store.queries import results as results_queries

TOP_UNITS = 10


@dataclass(frozen=True, slots=True)
class PeriodData:
    """What the store holds on one org's subtree and period: needs, projects, crews, ratings."""

    needs: list[Row]
    projects: list[Row]
    serves: list[Row]
    ratings: list[Row]

    def only(self, orgs: Collection[str]) -> PeriodData:
        """The part of the data whose needs were posted by one of ``orgs``."""
        keep = {p["id"] for p in self.projects if p["org_id"] in orgs}
        return PeriodData(
            [n for n in self.needs if n["org_id"] in orgs],
            [p for p in self.projects if p["id"] in keep],
            [s for s in self.serves if s["project_id"] in keep],
            [r for r in self.ratings if r["project_id"] in keep],
        )

    def posted(self, start: str, end: str) -> PeriodData:
        """The part of the data whose needs were posted in [start, end) (a month of a quarter)."""
        needs = [n for n in self.needs if start <= n["created_at"] < end]
        ids = {n["id"] for n in needs}
        keep = {p["id"] for p in self.projects if p["need_id"] in ids}
        return PeriodData(
            needs,
            [p for p in self.projects if p["id"] in keep],
            [s for s in self.serves if s["project_id"] in keep],
            [r for r in self.ratings if r["project_id"] in keep],
        )


def org_info(store: GraphStore, org_id: str) -> Row:
    """An org's id, name, level and direct children; NotFound when there is no such org."""
    row = store.one(results_queries.ORG, {"org_id": org_id})
    if row is None:
        raise NotFound("党组织不存在")
    return row


def read_period(store: GraphStore, org_id: str, start: str, end: str) -> PeriodData:
    """Read the subtree's needs, projects, crews and ratings for [start, end) (four reads)."""
    params = {"org_id": org_id, "start": start, "end": end}
    return PeriodData(
        store.run(results_queries.NEEDS, params),
        store.run(results_queries.PROJECTS, params),
        store.run(results_queries.SERVES, params),
        store.run(results_queries.RATINGS, params),
    )


def public_name(kind: str, name: str | None) -> str | None:
    """A provider's name as the public sees it: a unit's or org's as is, a member's masked (张**)."""
    return mask_value("name", name) if kind == "Member" else name


def top_units(data: PeriodData, limit: int = TOP_UNITS) -> list[dict[str, Any]]:
    """The units that served most: confirmed hours, completed projects and projects served."""
    done = {p["id"] for p in data.projects if p["status"] in RESOLVED}
    units: dict[str, dict[str, Any]] = {}
    for s in data.serves:
        if s["kind"] != "Unit":
            continue
        u = units.setdefault(
            s["provider_id"],
            {"unit_id": s["provider_id"], "name": s["name"], "hours": 0.0, "projects": 0, "completed": 0},
        )
        u["hours"] += float(s["hours"] or 0)
        u["projects"] += 1
        u["completed"] += s["project_id"] in done
    ranked = sorted(units.values(), key=lambda u: (-u["hours"], -u["completed"], u["unit_id"]))
    return [{**u, "hours": round(u["hours"], 2)} for u in ranked[:limit]]


def figures(data: PeriodData, response_hours: float) -> dict[str, Any]:
    """The period's counts and rates from its data (pure): what the public page and 述职 show."""
    done = [p for p in data.projects if p["status"] in RESOLVED]
    return {
        "needs": len(data.needs),
        "projects": len(data.projects),
        "projects_completed": len(done),
        "people_served": sum(int(p["beneficiaries"] or 0) for p in done),
        "hours": round(sum(float(p["hours"] or 0) for p in data.projects), 2),
        **three_rates(data.needs, response_hours),
    }


def project_ratings(data: PeriodData, name: Callable[[str, str | None], str | None]) -> list[dict[str, Any]]:
    """一事一评 of every completed project: its stars per provider, with ``name`` deciding names."""
    by_project: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in data.ratings:
        by_project[r["project_id"]].append(
            {
                "stars": int(r["rating"]),
                "provider_kind": r["kind"],
                "provider_name": name(r["kind"], r["name"]),
            }
        )
    out = []
    for p in sorted(data.projects, key=lambda p: (p["completed_at"] or "", p["id"]), reverse=True):
        if p["status"] not in RESOLVED:
            continue
        ratings = by_project.get(p["id"], [])
        stars = [r["stars"] for r in ratings]
        out.append(
            {
                "project_id": p["id"],
                "title": p["title"],
                "category": p["category"],
                "completed_at": p["completed_at"],
                "hours": round(float(p["hours"] or 0), 2),
                "ratings": ratings,
                "average": round(sum(stars) / len(stars), 2) if stars else None,
            }
        )
    return out


def public_results(
    store: GraphStore,
    org_id: str,
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
    *,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The public results of ``org_id``'s subtree for a period: no sign-in, no personal data."""
    rules = settings or get_settings()
    when: Period = resolve_period(period, start, end)
    org = org_info(store, org_id)
    data = read_period(store, org_id, when.start, when.end)
    return {
        "org": {"id": org["id"], "name": org["name"], "level": org["level"]},
        "period": {"key": when.key, "label": when.label, "start": when.start, "end": when.end},
        **figures(data, rules.response_hours),
        "top_units": top_units(data),
        "project_ratings": project_ratings(data, public_name),
        "pledges": public_pledges(store, org_id),  # 公开承诺: reviewed, members masked (issue 12)
    }
