"""The service side: taxonomy, offerings (资源清单), needs (需求清单), their projects (项目清单)
with who served them, and co-construction agreements (共建协议).

Demand has structure: hospitals and schools offer broad (top-level) categories and so fit
many needs; 心理疏导 and 法律 are scarce; urgent needs cluster in old compounds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.demo.builder import KM_PER_DEG_LAT, KM_PER_DEG_LON, Builder, Weighted, allocate
from engine.demo.members import MemberRec, People
from engine.demo.sizes import SizeSpec
from engine.demo.territory import Territory
from engine.demo.units import UnitRec
from graph_schema.domain import AGREEMENT_KINDS, BENEFICIARIES
from graph_schema.taxonomy import BASE_BY_ID, BASE_CATEGORIES, CATEGORIES, CategoryDef

Point = tuple[float, float]

UNIT_OFFERING_SHARE = 0.55
UNIT_WEIGHT = {
    "hospital": 5.0,
    "school": 4.0,
    "agency": 2.0,
    "institution": 2.5,
    "state_firm": 2.0,
    "private_firm": 1.0,
    "social_org": 2.5,
}
# What each unit type offers, by weight. Top-level categories (health, children, elderly) fit many needs.
S, V, G, F = "service", "venue", "goods", "funds"
UNIT_OFFERS: dict[str, Weighted[tuple[str, str]]] = {
    "hospital": Weighted([
        ((S, "health"), 4), ((S, "health.clinic"), 3), ((S, "health.lecture"), 2), ((S, "psych.crisis"), 1),
        ((S, "elderly.daycare"), 1), ((S, "emergency.epidemic"), 1), ((V, "venue.meeting_room"), 1),
    ]),
    "school": Weighted([
        ((S, "children"), 4), ((S, "children.after_school"), 3), ((V, "venue.sports_ground"), 3),
        ((V, "venue.library"), 2), ((S, "culture.performance"), 1), ((S, "children.tutoring"), 2),
    ]),
    "agency": Weighted([
        ((S, "legal.consult"), 2), ((S, "safety.anti_fraud"), 2), ((S, "employment.training"), 2),
        ((V, "venue.meeting_room"), 3), ((S, "legal.mediation"), 1), ((S, "safety.fire"), 1),
        ((S, "property.parking"), 1),
    ]),
    "institution": Weighted([
        ((V, "venue.library"), 2), ((S, "culture.reading"), 2), ((S, "health.lecture"), 1),
        ((S, "employment.reemployment"), 1), ((V, "venue.meeting_room"), 2), ((S, "culture.performance"), 1),
    ]),
    "state_firm": Weighted([
        ((S, "repair.plumbing"), 2), ((F, "property.old_compound"), 2), ((G, "elderly.meals"), 1),
        ((S, "emergency.rescue"), 1), ((V, "venue.meeting_room"), 2), ((S, "safety.anti_fraud"), 2),
        ((F, "children.left_behind"), 1),
    ]),
    "private_firm": Weighted([
        ((S, "employment.job_fair"), 2), ((S, "repair.appliance"), 1), ((G, "elderly.meals"), 1),
        ((F, "culture.performance"), 1), ((V, "new_employment.rest_station"), 2),
        ((S, "environment.cleanup"), 1), ((S, "repair.housekeeping"), 1), ((V, "venue.meeting_room"), 1),
    ]),
    "social_org": Weighted([
        ((S, "elderly"), 3), ((S, "elderly.visits"), 3), ((S, "psych.counsel"), 1),
        ((S, "children.left_behind"), 2), ((S, "legal.mediation"), 1), ((S, "elderly.meals"), 2),
        ((S, "culture.sports"), 1),
    ]),
    "law_firm": Weighted([
        ((S, "legal.consult"), 3), ((S, "legal.mediation"), 2), ((S, "new_employment.rights"), 1),
    ]),
}  # fmt: skip
SCARCE_SKILLS = ("心理疏导", "法律")
SCARCE_HOMES = ("psych", "legal")  # top categories whose offerings do bring the scarce skills
KIND_WORDS = {"service": "服务", "venue": "场地开放", "goods": "物资捐赠", "funds": "资金支持"}


def offering_words(category_name: str, kind_words: str) -> str:
    """What an offering gives, e.g. 助老服务 + 服务 → 助老服务 (not 助老服务服务)."""
    return category_name if category_name.endswith(kind_words) else category_name + kind_words


NEED_TOPS = {
    "elderly": 20, "health": 10, "legal": 5, "children": 10, "employment": 6, "environment": 8,
    "property": 7, "culture": 8, "psych": 4, "repair": 8, "safety": 5, "new_employment": 3, "venue": 4,
    "emergency": 2,
}  # fmt: skip
OLD_COMPOUND_BOOST = {"elderly": 1.8, "property": 2.5, "repair": 2.0, "safety": 1.5}
URGENCY_OLD = Weighted([("urgent", 15), ("high", 30), ("normal", 30), ("low", 25)])
URGENCY_NEW = Weighted([("urgent", 3), ("high", 10), ("normal", 37), ("low", 50)])
NEED_STATUS = Weighted(
    [
        ("open", 68), ("claimed", 5), ("in_progress", 7), ("completed", 8), ("evaluated", 9),
        ("cancelled", 2), ("expired", 1),
    ]
)  # fmt: skip
OFFERING_STATUS = Weighted([("active", 90), ("paused", 8), ("retired", 2)])
VENUE_ACCESS = Weighted([("free", 50), ("reservation", 35), ("paid", 15)])
WITH_PROJECT = ("claimed", "in_progress", "completed", "evaluated")
BENEFICIARIES_BY_TOP = {
    "elderly": ("elderly_alone", "elderly"),
    "health": ("elderly", "residents", "disabled"),
    "children": ("children", "low_income"),
    "employment": ("low_income", "residents", "new_employment"),
    "new_employment": ("new_employment",),
    "psych": ("elderly_alone", "children", "residents"),
    "legal": ("residents", "low_income"),
    "repair": ("elderly_alone", "disabled", "low_income"),
}
STATUS_REASONS = {
    "cancelled": "居民需求已由家属解决,社区书记取消需求",
    "expired": "服务时间已过仍无人认领,已按闭环管理登记为过期并转下期",
}
AGREEMENT_TERMS = (
    "双方在党员教育、志愿服务、场地共享、困难帮扶等方面开展共建,每季度至少开展一次联合活动,年底互评。"
)
# Both sides' obligations per agreement kind (issue 12); fixed text, so the demo's random stream is unchanged.
AGREEMENT_OBLIGATIONS = {
    "co_construction": (
        ["开放党群服务中心活动室", "每季度通报居民需求清单"],
        ["每月组织一次志愿服务", "认领社区需求清单项目"],
    ),
    "two_way_service": (
        ["协助办理相关手续", "推荐社区人才与志愿者"],
        ["为社区居民提供专业服务", "参与社区议事协商"],
    ),
    "venue_sharing": (["提供社区场地预约", "维护场地秩序"], ["在非工作时间开放单位场地", "保障场地安全"]),
    "pairing": (["指定联络员对接", "组织结对活动"], ["结对帮扶困难家庭", "参加社区主题党日"]),
}
REPORTS = (
    "服务按时完成,受益居民满意。",
    "完成服务并回访,居民反映良好。",
    "服务已完成,社区已组织线上评价。",
)


@dataclass(eq=False, slots=True)
class Offer:
    """An offering as the project step needs it."""

    id: str
    provider: tuple[str, str]
    category: str
    point: Point
    radius: float
    active: bool


def build_categories(b: Builder) -> None:
    """The taxonomy as Category nodes with PART_OF."""
    for c in CATEGORIES:
        b.add(
            "Category",
            {
                "id": c.id,
                "name": c.name,
                "level": 1 if c.parent is None else 2,
                "description": f"常见技能:{'、'.join(c.skills)}" if c.skills else None,
            },
        )
        if c.parent:
            b.link("PART_OF", ("Category", c.id), ("Category", c.parent))


def build_offerings(b: Builder, spec: SizeSpec, units: list[UnitRec], people: People) -> list[Offer]:
    """Offerings of units (services, venues, goods, funds) and of members (services by skill)."""
    rng = b.rng
    n_units = min(spec.offerings, round(spec.offerings * UNIT_OFFERING_SHARE))
    per_unit = allocate(n_units, [UNIT_WEIGHT[u.type] * rng.uniform(0.5, 1.5) for u in units])
    offers: list[Offer] = []
    for unit, k in zip(units, per_unit, strict=True):
        table = UNIT_OFFERS["law_firm" if unit.trade == "律师事务所" else unit.type]
        for _ in range(k):
            kind, category = table.draw(rng)
            offers.append(_unit_offering(b, len(offers), unit, kind, BASE_BY_ID[category]))
    by_skill: dict[str, list[CategoryDef]] = {}
    for c in BASE_CATEGORIES:  # the draws keep to the first 55 entries (graph_schema/taxonomy.py)
        if c.parent and c.parent != "venue":
            for s in c.skills:
                by_skill.setdefault(s, []).append(c)
    able = [m for m in people.members if m.hours and any(s in by_skill for s in m.skills)]
    rest = spec.offerings - len(offers)
    chosen = rng.sample(able, rest) if rest <= len(able) else rng.choices(able, k=rest)
    for m in chosen:
        skill = rng.choice([s for s in m.skills if s in by_skill])
        offers.append(_member_offering(b, len(offers), m, rng.choice(by_skill[skill])))
    return offers


def _offering_row(
    b: Builder, n: int, provider: tuple[str, str], props: dict[str, Any], point: Point, radius: float
) -> Offer:
    rng = b.rng
    status = OFFERING_STATUS.draw(rng)
    oid = f"off-{n + 1:05d}"
    b.add(
        "Offering",
        {
            "id": oid,
            **props,
            "available_from": b.moment(-rng.randint(0, 60)),
            "available_to": b.moment(rng.randint(120, 420)),
            "radius_km": radius,
            "lat": point[0],
            "lon": point[1],
            "status": status,
            **b.stamps(-rng.randint(1, 90)),
        },
    )
    b.link("OFFERS", provider, ("Offering", oid))
    return Offer(oid, provider, str(props["category"]), point, radius, status == "active")


def _unit_offering(b: Builder, n: int, unit: UnitRec, kind: str, cat: CategoryDef) -> Offer:
    rng = b.rng
    big = unit.type in ("hospital", "school")
    access = VENUE_ACCESS.draw(rng) if kind == "venue" else None
    capacity, period = {
        "service": (rng.randint(4, 10) if big else rng.randint(1, 6), "week"),
        "venue": (rng.randint(2, 10), "week"),
        "goods": (rng.randint(1, 5), "month"),
        "funds": (rng.randint(1, 2), rng.choice(("quarter", "year"))),
    }[kind]
    radius = float(rng.randint(5, 10)) if big or kind == "funds" else float(rng.randint(1, 5))
    what = offering_words(cat.name, KIND_WORDS[kind])
    props = {
        "title": f"{unit.name}{what}",
        "description": f"{unit.name}面向辖区居民提供{what},由单位党组织统筹安排。",
        "kind": kind,
        "access": access,
        "category": cat.id,
        "skills": _unit_skills(kind, cat),
        "capacity": capacity,
        "period": period,
        "address": unit.street.area["address"],
    }
    return _offering_row(b, n, ("Unit", unit.id), props, unit.point, radius)


def _unit_skills(kind: str, cat: CategoryDef) -> list[str] | None:
    """The skills a unit's offering brings: none for goods and funds; the scarce ones
    (心理疏导, 法律) only where they are the point of the category."""
    if kind in ("goods", "funds"):
        return None
    top = cat.parent or cat.id
    skills = [s for s in cat.skills if top in SCARCE_HOMES or s not in SCARCE_SKILLS]
    return skills or None


def _member_offering(b: Builder, n: int, m: MemberRec, cat: CategoryDef) -> Offer:
    rng = b.rng
    props = {
        "title": f"{m.occupation}党员{cat.name}志愿服务",
        "description": (
            f"在职或社区党员利用业余时间提供{offering_words(cat.name, '服务')},每月可服务约 {m.hours} 小时。"
        ),
        "kind": "service",
        "category": cat.id,
        "skills": [s for s in m.skills if s in cat.skills],
        "capacity": rng.randint(1, 4),
        "period": rng.choice(("week", "week", "month")),
        "address": m.building.area["address"],
    }
    radius = float(rng.choice((1, 1.5, 2, 3, 4, 5)))
    return _offering_row(b, n, ("Member", m.id), props, m.building.point, radius)


def build_needs(b: Builder, spec: SizeSpec, t: Territory, offers: list[Offer]) -> None:
    """Needs posted by community and grid orgs, with projects and SERVES for the claimed ones."""
    rng = b.rng
    reach = _Reach(offers)
    compounds = t.compounds
    weights = [int(c.area["residents"]) * (2.5 if c.old else 1.0) for c in compounds]
    tops = list(NEED_TOPS)
    projects = 0
    for n, compound in enumerate(rng.choices(compounds, weights, k=spec.needs)):
        roll = rng.random()
        grid, community = compound.grid, compound.grid.community
        if roll < 0.55:
            area, point = compound.area, compound.point
        elif roll < 0.8:
            building = rng.choice(compound.buildings)
            area, point = building.area, building.point
        elif roll < 0.92:
            area, point = grid.area, grid.point
        else:
            area, point = community.area, community.point
        poster = grid.branch_id if area is not community.area and rng.random() < 0.45 else community.org_id
        top_weights = [NEED_TOPS[x] * (OLD_COMPOUND_BOOST.get(x, 1.0) if compound.old else 1.0) for x in tops]
        top = rng.choices(tops, top_weights)[0]
        leaf = rng.choice([c for c in BASE_CATEGORIES if c.parent == top])
        need_point = b.near(point, 0.05)
        status = NEED_STATUS.draw(rng)
        providers: list[Offer] = []
        if status in WITH_PROJECT:
            providers = _providers(rng, reach.nearest(need_point, (leaf.id, top)))
            if not providers:
                status = "open"
        urgency = (URGENCY_OLD if compound.old else URGENCY_NEW).draw(rng)
        need = _need(b, n, area, need_point, leaf, top, status, urgency)
        b.link("POSTED_BY", ("Need", need["id"]), ("Org", poster))
        b.link("LOCATED_IN", ("Need", need["id"]), ("Area", area["id"]))
        if providers:
            projects += 1
            _project(b, projects, need, providers)


def _need(
    b: Builder,
    n: int,
    area: dict[str, Any],
    point: Point,
    leaf: CategoryDef,
    top: str,
    status: str,
    urgency: str,
) -> dict[str, Any]:
    rng = b.rng
    kinds = list(BENEFICIARIES_BY_TOP.get(top, ("residents",)))
    beneficiaries = rng.sample(kinds, rng.randint(1, min(2, len(kinds))))
    if rng.random() < 0.08 and "disabled" not in beneficiaries:
        beneficiaries.append("disabled")
    count = rng.randint(1, 20) if beneficiaries[0] != "residents" else rng.randint(20, 500)
    people = int(rng.choices((1, 2, 3, 4, 5, 6, 8, 10), (30, 30, 20, 7, 5, 3, 3, 2))[0])
    hours = float(people * rng.randint(2, 12))
    if status in ("open", "claimed"):
        start = rng.randint(0, 150)
        end = min(180, start + rng.randint(7, 60))
    elif status == "in_progress":
        start, end = -rng.randint(1, 30), rng.randint(7, 90)
    else:  # history: completed, evaluated, cancelled, expired
        start = -rng.randint(40, 180)
        end = min(-1, start + rng.randint(3, 30))
    skills = rng.sample(leaf.skills, rng.randint(1, len(leaf.skills)))
    title = f"{area['name']}{leaf.name}{rng.choice(('需求', '志愿者招募', '服务需求', '求助'))}"
    who = "、".join(BENEFICIARIES[x] for x in beneficiaries)
    urgent = "情况紧急,请尽快响应。" if urgency in ("urgent", "high") else ""
    return b.add(
        "Need",
        {
            "id": f"need-{n + 1:05d}",
            "title": title,
            "description": (
                f"{area['address']}有 {count} 名{who}需要{offering_words(leaf.name, '服务')},"
                f"需 {people} 人,共约 {hours:g} 小时。{urgent}"
            ),
            "category": leaf.id,
            "skills": skills,
            "people_wanted": people,
            "hours_wanted": hours,
            "urgency": urgency,
            "beneficiaries": beneficiaries,
            "beneficiary_count": count,
            "lat": point[0],
            "lon": point[1],
            "address": area["address"],
            "window_start": b.moment(start),
            "window_end": b.moment(end, 10),
            "status": status,
            "status_reason": STATUS_REASONS.get(status),
            **b.stamps(min(0, start - rng.randint(3, 20))),
        },
    )


class _Reach:
    """Active offerings per category as coordinate arrays, to find those that reach a place quickly."""

    def __init__(self, offers: list[Offer]) -> None:
        groups: dict[str, list[Offer]] = {}
        for o in offers:
            if o.active:
                groups.setdefault(o.category, []).append(o)
        self.groups = {
            cat: (
                group,
                np.array([o.point[0] * KM_PER_DEG_LAT for o in group]),
                np.array([o.point[1] * KM_PER_DEG_LON for o in group]),
                np.array([o.radius for o in group]),
            )
            for cat, group in groups.items()
        }

    def nearest(self, point: Point, categories: tuple[str, ...], k: int = 10) -> list[Offer]:
        """Up to ``k`` offerings of ``categories`` whose radius covers ``point``, nearest first."""
        found: list[Offer] = []
        dists: list[np.ndarray] = []
        for cat in categories:
            if cat not in self.groups:
                continue
            group, ys, xs, radius = self.groups[cat]
            d = np.hypot(ys - point[0] * KM_PER_DEG_LAT, xs - point[1] * KM_PER_DEG_LON)
            inside = np.flatnonzero(d <= radius)
            found += [group[i] for i in inside]
            dists.append(d[inside])
        if not found:
            return []
        order = np.argsort(np.concatenate(dists), kind="stable")[:k]
        return [found[i] for i in order]


def _providers(rng: random.Random, nearest: list[Offer]) -> list[Offer]:
    """One to three distinct providers among the nearest offerings that fit and reach the place."""
    nearest = list(nearest)
    rng.shuffle(nearest)
    want = rng.randint(1, 3)
    chosen: list[Offer] = []
    for o in nearest:
        if len(chosen) < want and all(o.provider != c.provider for c in chosen):
            chosen.append(o)
    return chosen


def _project(b: Builder, n: int, need: dict[str, Any], providers: list[Offer]) -> None:
    rng = b.rng
    status = str(need["status"])
    done = status in ("completed", "evaluated")
    hours = float(need["hours_wanted"]) * (
        1.0 if done else rng.uniform(0.1, 0.6) if status == "in_progress" else 0.0
    )
    pid = f"prj-{n:05d}"
    b.add(
        "Project",
        {
            "id": pid,
            "title": f"{need['title']}项目"[:100],
            "status": status,
            "started_at": need["window_start"] if status != "claimed" else None,
            "completed_at": need["window_end"] if done else None,
            "hours_total": round(hours, 1),
            "report": rng.choice(REPORTS) if done else None,
            "created_at": need["created_at"],
            "updated_at": need["window_end"] if done else need["created_at"],
        },
    )
    b.link("FULFILLS", ("Project", pid), ("Need", str(need["id"])))
    share = round(hours / len(providers), 1)
    for o in providers:
        b.link("SERVES", o.provider, ("Project", pid), {"offering_id": o.id, "hours": share})


def build_agreements(b: Builder, t: Territory, units: list[UnitRec]) -> None:
    """共建协议 and friends between units and community (or street) orgs, via PARTY_TO."""
    rng = b.rng
    kinds = list(AGREEMENT_KINDS)
    eligible = [u for u in units if u.trade != "office"]
    for n, unit in enumerate(rng.sample(eligible, round(0.3 * len(eligible)))):
        kind = rng.choices(kinds, (4, 3, 2, 2))[0]
        on_street = rng.random() < 0.25
        org = unit.street.org_id if on_street else unit.community.org_id
        party = f"{unit.street.name}街道" if on_street else f"{unit.community.name}社区"
        signed = -rng.randint(30, 1400)
        valid_to = signed + 365 * rng.randint(1, 3)
        status = "expired" if valid_to < 0 else "terminated" if rng.random() < 0.03 else "active"
        aid = f"agr-{n + 1:05d}"
        b.add(
            "Agreement",
            {
                "id": aid,
                "title": f"{party}与{unit.name}{AGREEMENT_KINDS[kind]}"[:100],
                "kind": kind,
                "terms": AGREEMENT_TERMS,
                "signed_on": b.date(signed),
                "valid_from": b.date(signed),
                "valid_to": b.date(valid_to),
                "status": status,
                "obligations_a": list(AGREEMENT_OBLIGATIONS[kind][0]),
                "obligations_b": list(AGREEMENT_OBLIGATIONS[kind][1]),
                "termination_reason": "双方协商提前终止" if status == "terminated" else None,
                **b.stamps(signed),
            },
        )
        b.link("PARTY_TO", ("Org", org), ("Agreement", aid), {"role": "party_a"})
        b.link("PARTY_TO", ("Unit", unit.id), ("Agreement", aid), {"role": "party_b"})
