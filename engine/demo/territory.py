"""The territory and its territorial Party organisations: streets down to buildings, and who covers what.

街道党工委 (大工委) → 社区党委 (大党委) → 网格党支部 → (小区党支部) → 楼栋党小组, each COVERS its
area; 三缘 feature branches and joint / building / park / business-district / mobile orgs in
some streets. A small share of compounds and buildings is left uncovered on purpose: those are
the coverage gaps the planners look for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.demo.builder import Builder, allocate
from engine.demo.names import (
    INTEREST_THEMES,
    NEW_COMPOUND_SUFFIXES,
    OCCUPATIONAL_THEMES,
    OLD_COMPOUND_SUFFIXES,
    ROADS,
    UniqueNames,
)
from engine.demo.sizes import CENTRE, SizeSpec

Point = tuple[float, float]

GAP_COMPOUND_SHARE = 0.06  # compounds no Party organisation covers (mostly new ones)
GAP_BUILDING_SHARE = 0.03  # further buildings without a 楼栋党小组 inside covered compounds
SHARED_GRID_BRANCH = 0.12  # 多格一支部: a grid served by its neighbour's branch
SPECIAL_KINDS = ("joint", "building_committee", "park", "business_district", "mobile")
SPECIAL_ODDS = {
    "joint": 0.5,
    "building_committee": 0.3,
    "park": 0.2,
    "business_district": 0.35,
    "mobile": 0.3,
}
FEATURE_SHOWCASE = {"interest": 9, "occupational": 4, "territorial": 2}  # 化龙桥: 15 branches
BASIS_ZH = {"interest": "趣缘", "occupational": "业缘", "territorial": "地缘"}


@dataclass(eq=False, slots=True)
class Place:
    """An area of the territory: its id, name, centre and its (still open) Area node."""

    id: str
    name: str
    point: Point
    area: dict[str, Any]


@dataclass(eq=False, slots=True)
class Building(Place):
    """A 楼栋 and the 楼栋党小组 covering it, if any."""

    number: int
    compound: Compound
    group_id: str | None = None


@dataclass(eq=False, slots=True)
class Compound(Place):
    """A 小区; ``branch_id`` is its 小区党支部, ``covered`` says whether any org covers it."""

    grid: Grid
    old: bool
    buildings: list[Building] = field(default_factory=list)
    branch_id: str | None = None
    covered: bool = True


@dataclass(eq=False, slots=True)
class Grid(Place):
    """A 网格 and the 网格党支部 serving it (possibly shared with a neighbouring grid)."""

    community: Community
    branch_id: str = ""
    compounds: list[Compound] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class Community(Place):
    """A 社区 with its 社区党委 (大党委) and 三缘 feature branches ``(org id, basis, theme)``."""

    street: Street
    org_id: str
    grids: list[Grid] = field(default_factory=list)
    features: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class Street(Place):
    """A 街道 with its 街道党工委 (大工委) and the special orgs of the street, by kind."""

    org_id: str
    communities: list[Community] = field(default_factory=list)
    specials: dict[str, tuple[str, Grid | None]] = field(default_factory=dict)


@dataclass
class Territory:
    """All areas and territorial orgs, with the lists later steps draw from."""

    top_org: str
    place: str
    streets: list[Street] = field(default_factory=list)
    communities: list[Community] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    compounds: list[Compound] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    # (org id, pools to draw its secretary from, most specific first): area ids, unit ids, or
    # "workers:<street id>" / "joined:<org id>" keys of the people index the members step fills.
    org_pools: list[tuple[str, list[str]]] = field(default_factory=list)
    building_groups: list[tuple[str, list[Building]]] = field(default_factory=list)
    offices: dict[str, str] = field(default_factory=dict)  # street or district org id -> its office unit


def _org(
    b: Builder,
    oid: str,
    name: str,
    level: str,
    kind: str,
    org_type: str,
    *,
    basis: str | None = None,
    founded: tuple[int, int] = (-9000, -400),
) -> dict[str, Any]:
    days = b.rng.randint(*founded)
    return b.add(
        "Org",
        {
            "id": oid,
            "name": name,
            "level": level,
            "kind": kind,
            "org_type": org_type,
            "basis": basis,
            "founded_on": b.date(days),
            **b.stamps(max(days, -1500)),
        },
    )


def _area(b: Builder, aid: str, name: str, level: str, point: Point, address: str) -> dict[str, Any]:
    return b.add(
        "Area",
        {
            "id": aid,
            "name": name,
            "level": level,
            "lat": point[0],
            "lon": point[1],
            "address": address,
            "households": 0,
            "residents": 0,
            **b.stamps(-1500),
        },
    )


def build_territory(b: Builder, spec: SizeSpec, names: UniqueNames) -> Territory:
    """Create every area and territorial org of the demo, with LEADS, COVERS and CONTAINS."""
    rng = b.rng
    top = _org(b, "org-top", spec.top_org, "district", "standard", "committee", founded=(-25000, -20000))
    t = Territory(top_org=top["id"], place=spec.place)
    t.org_pools.append((top["id"], []))  # drawn from its office's staff (see Territory.offices)
    extra = allocate(spec.communities - spec.streets, [rng.uniform(0.6, 1.4) for _ in range(spec.streets)])
    for si in range(spec.streets):
        street = _street(b, spec, names, t, si, 1 + extra[si])
        for j in range(1 + extra[si]):
            _community(b, spec, names, t, street, j)
    _cover(b, t)
    for street in t.streets:
        _specials(b, names, t, street, showcase=street is t.streets[0])
    for ci, community in enumerate(t.communities):
        if ci == 0:
            _features(b, t, community, FEATURE_SHOWCASE)
        elif rng.random() < 0.2:
            counts = allocate(rng.randint(2, 5), [9, 4, 2])
            _features(b, t, community, dict(zip(FEATURE_SHOWCASE, counts, strict=True)))
    _sum_households(t)
    return t


def _street(b: Builder, spec: SizeSpec, names: UniqueNames, t: Territory, si: int, n: int) -> Street:
    sid = f"s{si + 1:02d}"
    name = names.place()
    point = b.near(CENTRE, spec.spread_km * (0.3 if si == 0 else 1.0))
    area = _area(b, f"area-{sid}", f"{name}街道", "street", point, f"{spec.place}{name}街道")
    org = _org(
        b, f"org-{sid}", f"中共{spec.place}{name}街道工作委员会", "street", "big_council", "working_committee"
    )
    b.link("LEADS", ("Org", t.top_org), ("Org", org["id"]))
    b.link("COVERS", ("Org", t.top_org), ("Area", area["id"]))
    b.link("COVERS", ("Org", org["id"]), ("Area", area["id"]))
    street = Street(sid, name, point, area, org["id"])
    t.streets.append(street)
    t.org_pools.append((org["id"], [area["id"]]))
    return street


def _community(b: Builder, spec: SizeSpec, names: UniqueNames, t: Territory, street: Street, j: int) -> None:
    rng = b.rng
    cid = f"{street.id}-c{j + 1:02d}"
    name = names.place()
    point = b.near(street.point, 1.5)
    address = f"{spec.place}{street.name}街道{name}社区"
    area = _area(b, f"area-{cid}", f"{name}社区", "community", point, address)
    org = _org(b, f"org-{cid}", f"中共{name}社区委员会", "community", "big_council", "committee")
    b.link("CONTAINS", ("Area", street.area["id"]), ("Area", area["id"]))
    b.link("LEADS", ("Org", street.org_id), ("Org", org["id"]))
    b.link("COVERS", ("Org", org["id"]), ("Area", area["id"]))
    community = Community(cid, name, point, area, street, org["id"])
    street.communities.append(community)
    t.communities.append(community)
    t.org_pools.append((org["id"], [area["id"]]))
    shared: dict[str, Any] | None = None
    shared_numbers: list[str] = []
    for k in range(rng.randint(*spec.grids_per_community)):
        gid = f"{cid}-g{k + 1:02d}"
        gpoint = b.near(point, 0.6)
        garea = _area(b, f"area-{gid}", f"{name}社区第{k + 1}网格", "grid", gpoint, f"{address}第{k + 1}网格")
        b.link("CONTAINS", ("Area", area["id"]), ("Area", garea["id"]))
        grid = Grid(gid, garea["name"], gpoint, garea, community)
        if shared is not None and rng.random() < SHARED_GRID_BRANCH:
            grid.branch_id = shared["id"]  # 多格一支部: the neighbour's branch serves this grid too
            shared_numbers.append(str(k + 1))
            shared["name"] = f"{name}社区第{'、'.join(shared_numbers)}网格联合党支部"
        else:
            shared = _org(b, f"org-{gid}", f"{name}社区第{k + 1}网格党支部", "grid", "standard", "branch")
            shared_numbers = [str(k + 1)]
            grid.branch_id = shared["id"]
            b.link("LEADS", ("Org", org["id"]), ("Org", grid.branch_id))
            t.org_pools.append((grid.branch_id, [garea["id"], area["id"]]))
        b.link("COVERS", ("Org", grid.branch_id), ("Area", garea["id"]))
        community.grids.append(grid)
        t.grids.append(grid)
        for m in range(rng.randint(*spec.compounds_per_grid)):
            _compound(b, spec, names, t, grid, m, address)


def _compound(
    b: Builder, spec: SizeSpec, names: UniqueNames, t: Territory, grid: Grid, m: int, address: str
) -> None:
    rng = b.rng
    old = rng.random() < 0.38
    built = rng.randint(1972, 1999) if old else rng.randint(2000, 2024)
    name = names.place(rng.choice(OLD_COMPOUND_SUFFIXES if old else NEW_COMPOUND_SUFFIXES))
    pid = f"{grid.id}-p{m + 1}"
    point = b.near(grid.point, 0.3)
    area = _area(b, f"area-{pid}", name, "compound", point, f"{address}{name}")
    area.update(built_year=built, old_compound=old)
    b.link("CONTAINS", ("Area", grid.area["id"]), ("Area", area["id"]))
    compound = Compound(pid, name, point, area, grid, old)
    grid.compounds.append(compound)
    t.compounds.append(compound)
    for q in range(rng.randint(*spec.buildings_per_compound)):
        bid = f"{pid}-b{q + 1:02d}"
        bpoint = b.near(point, 0.08)
        bname = f"{name}{q + 1}栋"
        barea = _area(b, f"area-{bid}", bname, "building", bpoint, f"{address}{bname}")
        households = rng.randint(12, 48) if old else rng.randint(40, 160)
        barea.update(
            households=households,
            residents=round(households * rng.uniform(2.2, 3.0)),
            built_year=built,
            old_compound=old,
        )
        b.link("CONTAINS", ("Area", area["id"]), ("Area", barea["id"]))
        building = Building(bid, bname, bpoint, barea, q + 1, compound)
        compound.buildings.append(building)
        t.buildings.append(building)


def _cover(b: Builder, t: Territory) -> None:
    """Compound branches and building groups, leaving the planned gaps uncovered."""
    rng = b.rng
    n_gap = max(1, round(GAP_COMPOUND_SHARE * len(t.compounds)))
    newest = [c for c in t.compounds if not c.old and int(c.area["built_year"]) >= 2012]
    pool = newest if len(newest) >= n_gap else t.compounds
    for compound in rng.sample(pool, n_gap):
        compound.covered = False
    inside = [bd for c in t.compounds if c.covered for bd in c.buildings]
    gap_buildings = {bd.id for bd in rng.sample(inside, max(1, round(GAP_BUILDING_SHARE * len(inside))))}
    for compound in t.compounds:
        if not compound.covered:
            continue
        grid = compound.grid
        leader = grid.branch_id
        if len(compound.buildings) >= 6 and rng.random() < (0.55 if compound.old else 0.3):
            org = _org(b, f"org-{compound.id}", f"{compound.name}党支部", "compound", "standard", "branch")
            compound.branch_id = leader = org["id"]
            b.link("LEADS", ("Org", grid.branch_id), ("Org", leader))
            b.link("COVERS", ("Org", leader), ("Area", compound.area["id"]))
            t.org_pools.append((leader, [compound.area["id"], grid.area["id"]]))
        else:
            b.link("COVERS", ("Org", grid.branch_id), ("Area", compound.area["id"]))
        members = [bd for bd in compound.buildings if bd.id not in gap_buildings]
        while members:
            size = rng.choice((1, 1, 2, 2, 3)) if compound.old else rng.choice((1, 1, 1, 2))
            group, members = members[:size], members[size:]
            numbers = "、".join(str(bd.number) for bd in group)
            org = _org(
                b, f"org-{group[0].id}", f"{compound.name}{numbers}栋党小组", "building", "standard", "group"
            )
            b.link("LEADS", ("Org", leader), ("Org", org["id"]))
            for bd in group:
                bd.group_id = org["id"]
                b.link("COVERS", ("Org", org["id"]), ("Area", bd.area["id"]))
            pools = [bd.area["id"] for bd in group] + [compound.area["id"], grid.area["id"]]
            t.org_pools.append((org["id"], pools))
            t.building_groups.append((org["id"], group))


def _specials(b: Builder, names: UniqueNames, t: Territory, street: Street, *, showcase: bool) -> None:
    """联合党委, 楼宇党委, 园区党委, 商圈党组织 and 流动党支部 in some streets (all in the first)."""
    rng = b.rng
    grids = [g for c in street.communities for g in c.grids]
    for kind in SPECIAL_KINDS:
        if not showcase and rng.random() >= SPECIAL_ODDS[kind]:
            continue
        grid: Grid | None = rng.choice(grids)
        if kind == "joint":
            name, org_type, grid = f"{street.name}街道非公企业联合党委", "committee", None
        elif kind == "building_committee":
            name, org_type = f"{names.take(names.brand() + '大厦')}楼宇党委", "committee"
        elif kind == "park":
            name, org_type = f"{street.name}{names.brand()}产业园区党委", "committee"
        elif kind == "business_district":
            name, org_type = f"{rng.choice(ROADS)}{street.name}商圈党委", "committee"
        else:
            name, org_type, grid = f"{street.name}街道新就业群体流动党支部", "branch", None
        org = _org(b, f"org-{street.id}-{kind}", name, "other", kind, org_type, founded=(-3000, -200))
        b.link("LEADS", ("Org", street.org_id), ("Org", org["id"]))
        if grid is not None:
            b.link("COVERS", ("Org", org["id"]), ("Area", grid.area["id"]))
        street.specials[kind] = (org["id"], grid)
        t.org_pools.append((org["id"], [f"workers:{street.id}", street.area["id"]]))


def _features(b: Builder, t: Territory, community: Community, counts: dict[str, int]) -> None:
    """三缘 feature branches of a community: members JOIN them without changing affiliation."""
    rng = b.rng
    compounds = [c for g in community.grids for c in g.compounds]
    themes = {
        "interest": rng.sample(INTEREST_THEMES, counts["interest"]),
        "occupational": rng.sample(OCCUPATIONAL_THEMES, counts["occupational"]),
        "territorial": [c.name for c in rng.sample(compounds, min(counts["territorial"], len(compounds)))],
    }
    n = 0
    for basis, chosen in themes.items():
        for theme in chosen:
            n += 1
            oid = f"org-{community.id}-f{n:02d}"
            name = f"{community.name}社区{theme}{BASIS_ZH[basis]}党支部"
            _org(b, oid, name, "other", "feature", "branch", basis=basis, founded=(-2500, -100))
            b.link("LEADS", ("Org", community.org_id), ("Org", oid))
            community.features.append((oid, basis, theme))
            t.org_pools.append((oid, [f"joined:{oid}", community.area["id"]]))


def _sum_households(t: Territory) -> None:
    """Households and residents of compounds, grids, communities and streets from their buildings."""
    levels: list[list[tuple[dict[str, Any], list[dict[str, Any]]]]] = [
        [(c.area, [bd.area for bd in c.buildings]) for c in t.compounds],
        [(g.area, [c.area for c in g.compounds]) for g in t.grids],
        [(c.area, [g.area for g in c.grids]) for c in t.communities],
        [(s.area, [c.area for c in s.communities]) for s in t.streets],
    ]
    for level in levels:
        for area, parts in level:
            area["households"] = sum(int(p["households"]) for p in parts)
            area["residents"] = sum(int(p["residents"]) for p in parts)
