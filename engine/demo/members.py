"""Party members: who they are, where they live and work, their one formal affiliation,
在职党员 reporting to their residential community (双报到) and 三缘 branches they join."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from engine.demo.builder import Builder, Weighted, allocate
from engine.demo.names import mobile, person_name
from engine.demo.sizes import SizeSpec
from engine.demo.territory import Building, Territory
from engine.demo.units import UnitRec

Point = tuple[float, float]

IN_SERVICE_SHARE = 0.6
REPORTING_SHARE = 0.7  # 在职党员到社区报到
OCCUPATIONS_AT = {
    "hospital": Weighted([("医生", 4), ("护士", 4), ("药剂师", 1), ("行政人员", 1)]),
    "school": Weighted([("教师", 9), ("行政人员", 1)]),
    "agency": Weighted([("公务员", 9), ("行政人员", 1)]),
    "institution": Weighted([("事业单位职员", 6), ("行政人员", 2), ("社工", 1)]),
    "state_firm": Weighted([("企业职工", 5), ("工程师", 2), ("银行职员", 2), ("行政人员", 1)]),
    "private_firm": Weighted([("企业职工", 4), ("工程师", 2), ("程序员", 2), ("销售", 2), ("会计", 1)]),
    "social_org": Weighted([("社工", 6), ("心理咨询师", 1), ("行政人员", 1)]),
}
RETIRED = Weighted(
    [("退休工人", 5), ("退休干部", 3), ("退休教师", 2), ("退休医生", 1), ("退役军人", 1), ("退休会计", 1)]
)
NOT_EMPLOYED = Weighted(
    [("个体经营者", 4), ("自由职业", 3), ("外卖骑手", 2), ("快递员", 2), ("网约车司机", 1), ("社区工作者", 2)]
)
MOBILE_OCCUPATIONS = ("外卖骑手", "快递员", "网约车司机")
OCCUPATION_SKILLS = {
    "医生": ("医疗", "急救"),
    "护士": ("护理", "医疗"),
    "药剂师": ("医疗",),
    "退休医生": ("医疗", "护理"),
    "教师": ("教学", "辅导"),
    "退休教师": ("教学", "辅导"),
    "公务员": ("协调", "宣讲"),
    "退休干部": ("协调", "调解", "宣讲"),
    "社工": ("陪伴", "协调"),
    "心理咨询师": ("心理疏导",),
    "工程师": ("工程", "水电"),
    "程序员": ("培训",),
    "会计": ("培训",),
    "退休会计": ("培训",),
    "银行职员": ("宣讲",),
    "企业职工": ("体力劳动",),
    "退休工人": ("水电", "家电维修", "体力劳动"),
    "退役军人": ("巡逻", "消防", "急救"),
    "外卖骑手": ("配送",),
    "快递员": ("配送",),
    "网约车司机": ("配送",),
    "个体经营者": ("烹饪",),
    "社区工作者": ("协调", "陪伴"),
    "行政人员": ("协调",),
    "销售": ("宣讲",),
}
# Everyday skills anyone may have; 心理疏导 and 法律 stay scarce on purpose.
COMMON_SKILLS = Weighted(
    [
        ("陪伴", 8), ("体力劳动", 6), ("宣讲", 5), ("巡逻", 5), ("文艺", 5), ("体育", 5), ("烹饪", 5),
        ("配送", 3), ("园艺", 3), ("家政", 3), ("协调", 3), ("辅导", 2), ("护理", 1), ("家电维修", 1),
        ("心理疏导", 0.3), ("法律", 0.3),
    ]
)  # fmt: skip
THEME_OCCUPATIONS = {
    "医护": ("医生", "护士", "药剂师", "退休医生"),
    "教师": ("教师", "退休教师"),
    "法律": ("公务员", "退休干部"),
    "退役军人": ("退役军人",),
    "个体工商户": ("个体经营者",),
    "物业从业者": ("企业职工", "社区工作者"),
    "快递小哥": ("快递员", "外卖骑手"),
}


@dataclass(eq=False, slots=True)
class MemberRec:
    """What later steps need to know about a member."""

    id: str
    in_service: bool
    occupation: str
    skills: list[str]
    hours: int
    building: Building
    unit: UnitRec | None


@dataclass
class People:
    """Members, and member indices by area id, unit id, ``workers:<street>`` and ``joined:<org>``."""

    members: list[MemberRec] = field(default_factory=list)
    index: dict[str, list[int]] = field(default_factory=dict)

    def put(self, key: str, i: int) -> None:
        """Record member ``i`` under ``key``."""
        bucket = self.index.get(key)
        if bucket is None:
            bucket = self.index[key] = []
        bucket.append(i)


def _skills(rng: random.Random, occupation: str) -> list[str]:
    skills = [s for s in OCCUPATION_SKILLS.get(occupation, ()) if rng.random() < 0.85]
    for _ in range(rng.choice((0, 1, 1, 2))):
        skills.append(COMMON_SKILLS.draw(rng))
    return list(dict.fromkeys(skills))


def _work_slots(rng: random.Random, units: list[UnitRec], in_service: int) -> list[UnitRec]:
    """One entry per in-service member: every unit with an org gets at least three (a branch
    needs three members), units without one get at most two, the rest go by size."""
    with_org = [u for u in units if u.org_id]
    slots = [u for u in with_org for _ in range(3)]
    for u in units:
        if not u.org_id:
            slots += [u] * rng.choice((0, 0, 1, 2))
    rest = in_service - len(slots)
    if rest < 0:
        raise ValueError("too few members for the units: raise the size's member target")
    extra = allocate(rest, [u.employees**0.8 for u in with_org])
    slots += [u for u, k in zip(with_org, extra, strict=True) for _ in range(k)]
    return slots


def build_members(b: Builder, spec: SizeSpec, t: Territory, units: list[UnitRec]) -> People:
    """Create every member with WORKS_AT, LIVES_IN, BELONGS_TO, REPORTS_TO and JOINS."""
    rng = b.rng
    n_service = round(spec.members * IN_SERVICE_SHARE)
    slots: list[UnitRec | None] = [*_work_slots(rng, units, n_service)]
    slots += [None] * (spec.members - len(slots))
    rng.shuffle(slots)
    homes_service = rng.choices(
        t.buildings,
        [int(bd.area["residents"]) * (0.7 if bd.compound.old else 1.0) for bd in t.buildings],
        k=spec.members,
    )
    homes_other = rng.choices(
        t.buildings,
        [int(bd.area["residents"]) * (1.6 if bd.compound.old else 1.0) for bd in t.buildings],
        k=spec.members,
    )
    people = People()
    for i, unit in enumerate(slots):
        home = homes_service[i] if unit else homes_other[i]
        people.members.append(_member(b, t, people, i, unit, home))
    _join_features(b, t, people)
    return people


def _member(
    b: Builder, t: Territory, people: People, i: int, unit: UnitRec | None, home: Building
) -> MemberRec:
    rng = b.rng
    gender = "male" if rng.random() < 0.55 else "female"
    if unit is not None:
        occupation = OCCUPATIONS_AT[unit.type].draw(rng)
        if unit.trade == "律师事务所":
            occupation = "律师"
        born = rng.randint(1966, 2001)
        hours = rng.randint(2, 12)
    elif rng.random() < 0.75:
        occupation, born, hours = RETIRED.draw(rng), rng.randint(1938, 1965), rng.randint(4, 40)
    else:
        occupation, born, hours = NOT_EMPLOYED.draw(rng), rng.randint(1970, 2000), rng.randint(2, 24)
    skills = ["法律", "调解"] if occupation == "律师" else _skills(rng, occupation)
    if rng.random() < 0.1:
        hours = 0
    mid = f"mem-{i + 1:06d}"
    b.add(
        "Member",
        {
            "id": mid,
            "name": person_name(rng, gender),
            "phone": mobile(rng),
            "gender": gender,
            "birth_year": born,
            "joined_year": rng.randint(max(born + 18, 1950), min(2025, born + 55)),
            "in_service": unit is not None,
            "occupation": occupation,
            "skills": skills,
            "hours_per_month": hours,
            **b.stamps(-rng.randint(30, 1500)),
        },
    )
    compound = home.compound
    grid = compound.grid
    community = grid.community
    member = ("Member", mid)
    # Most addresses name the building; some only the compound (平房院落, unknown 楼栋).
    b.link("LIVES_IN", member, ("Area", (home.area if rng.random() < 0.95 else compound.area)["id"]))
    residential = compound.branch_id or grid.branch_id
    if unit is not None:
        b.link("WORKS_AT", member, ("Unit", unit.id))
        joint = unit.street.specials.get("joint")
        org = unit.org_id or (joint[0] if joint else residential)
        people.put(unit.id, i)
        people.put(f"workers:{unit.street.id}", i)
        if rng.random() < REPORTING_SHARE:
            since = b.date(rng.randint(-2000, -5))
            b.link("REPORTS_TO", member, ("Org", community.org_id), {"since": since})
    else:
        mobile_org = community.street.specials.get("mobile")
        org = mobile_org[0] if mobile_org and occupation in MOBILE_OCCUPATIONS else residential
    b.link("BELONGS_TO", member, ("Org", org))
    for key in (home.area["id"], compound.area["id"], grid.area["id"], community.area["id"]):
        people.put(key, i)
    people.put(community.street.area["id"], i)
    return MemberRec(mid, unit is not None, occupation, skills, hours, home, unit)


def _join_features(b: Builder, t: Territory, people: People) -> None:
    """Residents JOIN 三缘 branches of their community: everyone in the showcase (化龙桥:
    全覆盖, 全包含), about 40% elsewhere; occupation and compound decide 业缘 and 地缘."""
    rng = b.rng
    for ci, community in enumerate(t.communities):
        if not community.features:
            continue
        share = 1.0 if ci == 0 else 0.4
        interest = [oid for oid, basis, _ in community.features if basis == "interest"]
        for i in people.index.get(community.area["id"], []):
            if rng.random() >= share:
                continue
            m = people.members[i]
            fits = [
                oid
                for oid, basis, theme in community.features
                if (basis == "occupational" and m.occupation in THEME_OCCUPATIONS.get(theme, ()))
                or (basis == "territorial" and theme == m.building.compound.name)
            ]
            choice = fits[0] if fits and rng.random() < 0.8 else rng.choice(interest or fits or [""])
            if choice:
                b.link("JOINS", ("Member", m.id), ("Org", choice))
                people.put(f"joined:{choice}", i)
