"""Who holds which post (HOLDS): a secretary for every org, deputies of the big councils,
unit leaders as 兼职委员 on the 大工委/大党委, 网格员, 楼长 and 党员中心户."""

from __future__ import annotations

from engine.demo.builder import Builder
from engine.demo.members import People
from engine.demo.territory import Territory
from engine.demo.units import UnitRec


class _Posts:
    """Adds HOLDS once per (member, org, role)."""

    def __init__(self, b: Builder, people: People) -> None:
        self.b = b
        self.people = people
        self.seen: set[tuple[int, str, str]] = set()  # membership only

    def hold(self, i: int, org: str, role: str, unit: str | None = None) -> bool:
        """Give member ``i`` the post (a 兼职委员 names the ``unit`` it comes from); False when
        they already hold it."""
        if (i, org, role) in self.seen:
            return False
        self.seen.add((i, org, role))
        since = self.b.date(self.b.rng.randint(-2400, -10))
        props = {"role": role, "since": since, **({"unit_id": unit} if unit else {})}
        self.b.link("HOLDS", ("Member", self.people.members[i].id), ("Org", org), props)
        return True

    def draw(self, pools: list[str]) -> int:
        """A member from the first non-empty pool, else anyone."""
        for key in pools:
            bucket = self.people.index.get(key)
            if bucket:
                return self.b.rng.choice(bucket)
        return self.b.rng.randrange(len(self.people.members))


def build_roles(b: Builder, t: Territory, units: list[UnitRec], people: People) -> None:
    """Create the HOLDS relationships of the whole demo."""
    rng = b.rng
    posts = _Posts(b, people)
    secretary_of: dict[str, int] = {}
    for org, pools in t.org_pools:
        office = t.offices.get(org)
        i = posts.draw(([office] if office else []) + pools)
        posts.hold(i, org, "secretary")
        secretary_of[org] = i
    for council, pools in [(s.org_id, [s.area["id"]]) for s in t.streets] + [
        (c.org_id, [c.area["id"]]) for c in t.communities
    ]:
        office = t.offices.get(council)
        deputy = posts.draw(([office] if office else []) + pools)
        if deputy != secretary_of[council]:
            posts.hold(deputy, council, "deputy_secretary")
    for unit in units:  # 驻区单位党组织负责人担任兼职委员 (昆明: 4,053 units on the councils)
        if unit.org_id is None or unit.trade == "office":
            continue
        leader = secretary_of[unit.org_id]
        if rng.random() < 0.9:
            posts.hold(leader, unit.community.org_id, "part_time_member", unit.id)
        if unit.employees >= 300 and rng.random() < 0.6:
            posts.hold(leader, unit.street.org_id, "part_time_member", unit.id)
    for grid in t.grids:
        key = grid.area["id"]
        posts.hold(posts.draw([key, grid.community.area["id"]]), grid.branch_id, "grid_worker")
        if rng.random() < 0.5:
            posts.hold(posts.draw([key]), grid.branch_id, "central_household")
    for org, buildings in t.building_groups:
        homes = [bd.area["id"] for bd in buildings]
        fallback = [buildings[0].compound.area["id"], buildings[0].compound.grid.area["id"]]
        posts.hold(posts.draw(homes + fallback), org, "building_head")
        if rng.random() < 0.6:
            posts.hold(posts.draw(homes + fallback), org, "central_household")
