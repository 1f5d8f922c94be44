"""Resident units (驻区单位) of all seven types, their own Party organisations and 双报到.

Public units almost all have a Party organisation; the “两新” (private firms, social
organisations) about 80% (seed: 83.2% of 非公企业). Units with fewer than three Party
members cannot form a branch: their members are served by a joint org or their grid.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from engine.demo.builder import Builder, allocate
from engine.demo.names import ROADS, UniqueNames, mobile, person_name
from engine.demo.sizes import SizeSpec
from engine.demo.territory import Community, Compound, Grid, Street, Territory
from graph_schema.domain import TWO_NEW_UNIT_TYPES

Point = tuple[float, float]

TYPE_SHARES = {
    "private_firm": 0.40,
    "social_org": 0.15,
    "agency": 0.09,
    "institution": 0.12,
    "state_firm": 0.10,
    "school": 0.09,
    "hospital": 0.05,
}
ORG_ODDS = {"private_firm": 0.83, "social_org": 0.78}  # public types: 0.99
EMPLOYEES = {
    "agency": (25, 220),
    "institution": (15, 160),
    "state_firm": (40, 900),
    "school": (50, 260),
    "hospital": (80, 2200),
    "social_org": (3, 45),
}
FIRM_TRADES = (
    "科技有限公司", "信息技术有限公司", "物流有限公司", "餐饮管理有限公司", "建筑工程有限公司",
    "商贸有限公司", "文化传媒有限公司", "物业服务有限公司", "医药有限公司", "环保科技有限公司",
    "电子商务有限公司", "酒店管理有限公司", "家政服务有限公司", "律师事务所", "会计师事务所",
)  # fmt: skip
SOCIAL_KINDS = (
    "社工服务中心", "志愿者协会", "养老服务中心", "青少年发展中心", "公益服务中心",
    "心理咨询服务中心", "残疾人康复服务中心", "老年协会", "文体协会",
)  # fmt: skip
DISTRICT_AGENCIES = (
    "税务局", "市场监督管理局", "人力资源和社会保障局", "司法局", "民政局", "卫生健康委员会",
    "教育体育局", "住房和城乡建设局", "城市管理局", "应急管理局", "退役军人事务局", "医疗保障局",
    "文化和旅游局", "审计局", "统计局", "人民法院", "人民检察院", "总工会", "妇女联合会", "残疾人联合会",
)  # fmt: skip
STREET_AGENCIES = ("派出所", "司法所", "税务所", "市场监督管理所", "财政所", "城管中队", "消防救援站")
INSTITUTIONS = (
    "图书馆", "文化馆", "档案馆", "疾病预防控制中心", "青少年活动中心", "老年大学", "融媒体中心",
    "公证处", "社会福利院", "劳动就业服务中心", "城市管理综合执法大队", "不动产登记中心",
)  # fmt: skip
STREET_INSTITUTIONS = ("文化站", "便民服务中心", "退役军人服务站", "综合文化服务中心", "社会工作服务站")
STATE_FIRMS = (
    "中国工商银行{s}支行", "中国建设银行{s}支行", "中国农业银行{s}支行", "中国银行{s}支行",
    "中国邮政储蓄银行{s}支行", "中国移动{s}营业厅", "中国电信{s}营业部", "中国联通{s}营业厅",
    "昆明供电局{s}供电所", "昆明供水集团{s}营业所", "中国邮政{s}邮政支局", "中国石化{s}加油站",
    "昆明公交集团{s}分公司", "昆明燃气{s}服务站",
)  # fmt: skip
HOSPITALS = ("人民医院", "中医医院", "妇幼保健院", "第二人民医院", "口腔医院", "精神卫生中心", "康复医院")


@dataclass(eq=False, slots=True)
class UnitRec:
    """What later steps need to know about a unit."""

    id: str
    type: str
    name: str
    trade: str
    street: Street
    community: Community
    grid: Grid
    compound: Compound | None
    point: Point
    employees: int
    org_id: str | None = None


class _Namer:
    """Chinese unit names per type, unique across the demo."""

    def __init__(self, rng: random.Random, names: UniqueNames, place: str) -> None:
        self.rng = rng
        self.names = names
        self.place = place
        self.counters: dict[str, int] = {}

    def _next(self, key: str) -> int:
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]

    def _district_first(
        self, key: str, district: tuple[str, ...], street_kinds: tuple[str, ...], street: str
    ) -> str:
        """The district's own bodies first (区税务局, 区图书馆 …), then street-level ones (司法所 …)."""
        k = self._next(key)
        return (
            f"{self.place}{district[k - 1]}"
            if k <= len(district)
            else f"{street}{self.rng.choice(street_kinds)}"
        )

    def name(self, unit_type: str, street: Street, community: Community) -> tuple[str, str]:
        """(name, trade) for a new unit; the trade matters for what private firms offer."""
        rng, p, s = self.rng, self.place, street.name
        trade = ""
        if unit_type == "agency":
            raw = self._district_first("agency", DISTRICT_AGENCIES, STREET_AGENCIES, s)
        elif unit_type == "institution":
            raw = self._district_first("institution", INSTITUTIONS, STREET_INSTITUTIONS, s)
        elif unit_type == "state_firm":
            raw = rng.choice(STATE_FIRMS).format(s=s)
        elif unit_type == "school":
            roll = rng.random()
            if roll < 0.3:
                raw = f"{p}第{self._next('middle')}中学"
            elif roll < 0.7:
                raw = f"{community.name}小学"
            else:
                raw = f"{community.name}幼儿园"
        elif unit_type == "hospital":
            k = self._next("hospital")
            if k <= len(HOSPITALS):
                raw = f"{p}{HOSPITALS[k - 1]}"
            elif rng.random() < 0.6:
                raw = f"{s}街道社区卫生服务中心" if rng.random() < 0.5 else f"{community.name}社区卫生服务站"
            else:
                raw = f"{self.names.brand()}{rng.choice(('医院', '口腔门诊部', '中医诊所'))}"
        elif unit_type == "social_org":
            raw = f"{p}{rng.choice((s, community.name, self.names.brand()))}{rng.choice(SOCIAL_KINDS)}"
            trade = "social"
        else:
            trade = rng.choice(FIRM_TRADES)
            prefix = rng.choice(("云南", "昆明", "春城", ""))
            raw = f"{prefix}{self.names.brand()}{trade}"
        return self.names.take(raw, community.name), trade


def _employees(rng: random.Random, unit_type: str) -> int:
    if unit_type == "private_firm":
        return min(3000, int(4 * rng.paretovariate(1.1)))
    lo, hi = EMPLOYEES[unit_type]
    return rng.randint(lo, hi)


def _org_type(employees: int) -> tuple[str, str]:
    """(org_type, how its name ends) by the unit's size."""
    if employees >= 800:
        return "committee", "委员会"
    if employees >= 150:
        return "general_branch", "总支部委员会"
    return "branch", "支部委员会"


def build_units(b: Builder, spec: SizeSpec, names: UniqueNames, t: Territory) -> list[UnitRec]:
    """Create every unit with LOCATED_IN, its org (EMBEDDED_IN, LEADS) and the unit's 双报到."""
    rng = b.rng
    quotas = allocate(spec.units, list(TYPE_SHARES.values()))
    pool = [ut for ut, q in zip(TYPE_SHARES, quotas, strict=True) for _ in range(q)]
    # One 街道办事处 per street and the district's organisation department come first: their
    # members are the street and district secretaries.
    first = ["agency"] * (len(t.streets) + 1)
    for ut in first:
        pool.remove(ut)
    rng.shuffle(pool)
    weights = [rng.uniform(0.4, 2.0) for _ in t.communities]
    namer = _Namer(rng, names, spec.place)
    units: list[UnitRec] = []
    for i, unit_type in enumerate(first + pool):
        if i < len(t.streets):
            street = t.streets[i]
            community, trade = street.communities[0], "office"
            name = names.take(f"{spec.place}{street.name}街道办事处")
            t.offices[street.org_id] = f"unit-{i + 1:05d}"
        elif i == len(t.streets):
            community, trade = t.communities[0], "office"
            name = names.take(f"中共{spec.place}委员会组织部")
            t.offices[t.top_org] = f"unit-{i + 1:05d}"
        else:
            community = rng.choices(t.communities, weights)[0]
            name, trade = namer.name(unit_type, community.street, community)
        units.append(_unit(b, spec, t, i, unit_type, name, trade, community))
    return units


def _unit(
    b: Builder,
    spec: SizeSpec,
    t: Territory,
    i: int,
    unit_type: str,
    name: str,
    trade: str,
    community: Community,
) -> UnitRec:
    rng = b.rng
    grid = community.grids[0] if trade == "office" else rng.choice(community.grids)
    compound = rng.choice(grid.compounds) if trade != "office" and rng.random() < 0.3 else None
    point = b.near(compound.point if compound else grid.point, 0.05 if compound else 0.3)
    employees = _employees(rng, unit_type) if trade != "office" else rng.randint(40, 120)
    uid = f"unit-{i + 1:05d}"
    street = community.street
    address = f"{spec.place}{street.name}街道{rng.choice(ROADS)}{rng.randint(1, 399)}号"
    gender = rng.choice(("male", "female"))
    b.add(
        "Unit",
        {
            "id": uid,
            "name": name,
            "type": unit_type,
            "lat": point[0],
            "lon": point[1],
            "address": address,
            "employees": employees,
            "contact_name": person_name(rng, gender),
            "contact_phone": mobile(rng),
            **b.stamps(-rng.randint(60, 1500)),
        },
    )
    place = compound.area["id"] if compound else grid.area["id"]
    b.link("LOCATED_IN", ("Unit", uid), ("Area", place))
    unit = UnitRec(uid, unit_type, name, trade, street, community, grid, compound, point, employees)
    if trade == "office" or rng.random() < ORG_ODDS.get(unit_type, 0.99):
        _unit_org(b, t, unit, employees)
    return unit


def _unit_org(b: Builder, t: Territory, unit: UnitRec, employees: int) -> None:
    rng = b.rng
    org_type, ending = _org_type(employees)
    days = rng.randint(-12000, -200)
    org: dict[str, Any] = b.add(
        "Org",
        {
            "id": f"org-{unit.id}",
            "name": f"中共{unit.name}{ending}",
            "level": "unit",
            "kind": "unit_org",
            "org_type": org_type,
            "founded_on": b.date(days),
            **b.stamps(max(days, -1500)),
        },
    )
    unit.org_id = org["id"]
    b.link("EMBEDDED_IN", ("Org", org["id"]), ("Unit", unit.id))
    b.link("LEADS", ("Org", _leader(rng, t, unit)), ("Org", org["id"]))
    t.org_pools.append((org["id"], [unit.id]))
    if unit.trade != "office" and rng.random() < 0.85:
        since = b.date(rng.randint(-2400, -10))
        b.link("REPORTS_TO", ("Unit", unit.id), ("Org", unit.community.org_id), {"since": since})


def _leader(rng: random.Random, t: Territory, unit: UnitRec) -> str:
    """Who leads a unit's org: the district for public units; for 两新 a joint, building,
    park or business-district org of the street when one fits, else the street."""
    if unit.type not in TWO_NEW_UNIT_TYPES:
        return t.top_org
    for kind in ("building_committee", "park", "business_district"):
        special = unit.street.specials.get(kind)
        if special and special[1] is unit.grid:
            return special[0]
    joint = unit.street.specials.get("joint")
    if joint and rng.random() < 0.6:
        return joint[0]
    return unit.street.org_id
