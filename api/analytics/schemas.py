"""Schemas of the analytics resource: the records of ``engine.analytics`` as the API answers them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class NodeRef(BaseModel):
    """An entity: id, label, display name (member names masked unless the reader is an admin)."""

    id: str = Field(examples=["unit-0001"])
    label: str = Field(examples=["Unit"])
    name: str = Field(examples=["区人民医院"])


class Neighbour(BaseModel):
    """A node of a neighbourhood and its distance in hops from the centre."""

    node: NodeRef
    hops: int = Field(examples=[1])


class Tie(BaseModel):
    """One relationship ``start -[type]-> end`` with its Chinese title."""

    start: str = Field(examples=["unit-0001"])
    end: str = Field(examples=["org-c001"])
    type: str = Field(examples=["REPORTS_TO"])
    title: str = Field(examples=["报到"])


class Neighbourhood(BaseModel):
    """The entities within ``hops`` of the centre and the relationships among them."""

    centre: NodeRef
    hops: int = Field(examples=[2])
    nodes: list[Neighbour]
    ties: list[Tie]
    truncated: bool = Field(description="节点数达到上限,未走完")


class Step(BaseModel):
    """One step of a path in words."""

    to: NodeRef
    types: list[str] = Field(examples=[["LEADS"]])
    forward: bool
    text: str = Field(examples=["—领导→"])


class LinkPath(BaseModel):
    """A shortest path between two entities, its length and its words."""

    start: NodeRef
    steps: list[Step]
    length: int = Field(examples=[2])
    text: str = Field(examples=["区人民医院 —共建协议→ 玉林社区党委 —领导→ 第三网格党支部"])


class Seat(BaseModel):
    """A member's post on a council and the units the member works at."""

    member: NodeRef
    role: str = Field(examples=["part_time_member"])
    role_zh: str = Field(examples=["兼职委员"])
    units: list[NodeRef]


class CouncilComposition(BaseModel):
    """Who sits on a 大工委/大党委."""

    org: NodeRef
    level: str = Field(examples=["street"])
    kind: str = Field(examples=["big_council"])
    seats: list[Seat]
    part_time: list[Seat]
    units: dict[str, int] = Field(description="单位编号 → 兼职委员人数", examples=[{"unit-0001": 1}])
    unit_types: dict[str, int] = Field(description="单位类型 → 兼职委员人数", examples=[{"医院": 1}])
    text: str = Field(examples=["中共某街道工作委员会共有职务 5 个,其中兼职委员 2 名,来自 2 家驻区单位。"])


class AgreementTie(BaseModel):
    """An agreement of a unit and the other parties to it."""

    agreement: NodeRef
    kind_zh: str = Field(examples=["共建协议"])
    status_zh: str = Field(examples=["有效"])
    parties: list[NodeRef]


class ProjectTie(BaseModel):
    """A project a unit serves and the need it fulfils."""

    project: NodeRef
    status_zh: str = Field(examples=["已完成"])
    need: NodeRef | None
    hours: float = Field(examples=[6.0])


class UnitTies(BaseModel):
    """Every tie of a resident unit, and a sentence summing them up."""

    unit: NodeRef
    area: NodeRef | None
    embedded_orgs: list[NodeRef]
    reports_to: list[NodeRef]
    agreements: list[AgreementTie]
    projects: list[ProjectTie]
    workers: list[NodeRef]
    offerings: list[NodeRef]
    text: str


class Share(BaseModel):
    """``hits`` out of ``total``; ``rate`` is empty when there is nothing to count."""

    hits: int = Field(examples=[3])
    total: int = Field(examples=[4])
    rate: float | None = Field(examples=[0.75])


class ShareRow(BaseModel):
    """A share for one street or community area."""

    area_id: str
    area_name: str
    level: str = Field(examples=["community"])
    street_id: str | None
    share: Share


class ShareReport(BaseModel):
    """A share overall, by street and by community, and the ids of the items that miss it."""

    title: str = Field(examples=["两新组织党组织覆盖率"])
    overall: Share
    by_street: list[ShareRow]
    by_community: list[ShareRow]
    misses: list[str]
    unplaced: int


class AreaGap(BaseModel):
    """An area no party organisation covers, with where it lies."""

    area_id: str = Field(examples=["area-b0001"])
    name: str = Field(examples=["3号楼"])
    level: str = Field(examples=["building"])
    street: str | None
    community: str | None


class CoverageGaps(BaseModel):
    """Uncovered grids, compounds and buildings, and the covered share per level."""

    uncovered: dict[str, list[AreaGap]] = Field(description="层级 → 无党组织覆盖的区域")
    shares: dict[str, ShareReport] = Field(description="层级 → 覆盖率")


class Coverage(BaseModel):
    """The coverage report of an org's scope."""

    org_id: str = Field(examples=["org-s01"])
    areas: CoverageGaps
    two_new: ShareReport = Field(description="两新组织建立党组织的比例")
    reporting: ShareReport = Field(description="在职党员到居住地社区报到(双报到)的比例")
    unit_reporting: ShareReport = Field(description="辖区内驻区单位到所在社区报到(双报到)的比例")


class GapRow(BaseModel):
    """Demand and supply of one category in one area."""

    category: str = Field(examples=["elderly"])
    category_name: str = Field(examples=["为老服务"])
    area_id: str | None
    area_name: str
    needs: int
    needs_unmet: int = Field(description="未满足(待认领或已过期)的需求数")
    offerings: int = Field(description="有效资源数")
    offerings_idle: int = Field(description="从未被认领或使用的有效资源数")
    balance: int = Field(description="有效资源数减未满足需求数,负数为供不应求")


class UnservedNeed(BaseModel):
    """A need with no active offering of a fitting category within the radius."""

    need_id: str
    title: str
    category: str
    community: str | None
    street: str | None
    nearest_km: float | None
    nearest_offering: str | None
    reason: str


class MonthCount(BaseModel):
    """Needs posted and completed in one month."""

    month: str = Field(examples=["2026-10"])
    posted: int
    completed: int


class Gaps(BaseModel):
    """Supply and demand, unserved needs and monthly trends of an org's scope."""

    org_id: str = Field(examples=["org-s01"])
    supply_demand: list[GapRow]
    unserved: list[UnservedNeed]
    trends: list[MonthCount]


class Bridge(BaseModel):
    """A unit or member tied to several communities and how much it carries between them."""

    id: str
    label: str
    name: str
    communities: list[str]
    betweenness: float = Field(examples=[0.4])
    reason: str


class Dependence(BaseModel):
    """How many needs lean on one unit."""

    unit_id: str
    name: str
    served_needs: int
    candidate_needs: int
    sole_candidate_needs: int
    reason: str


class Cluster(BaseModel):
    """One cluster of the co-construction network."""

    index: int
    nodes: list[str]
    orgs: int
    units: int
    weight_inside: float
    main_community: str | None
    reason: str


class Suggestion(BaseModel):
    """A unit that could partner with a community it has no agreement with, and why."""

    unit_id: str
    unit_name: str
    community_id: str
    community_name: str
    org_id: str | None
    categories: list[str]
    fitting_needs: int
    offerings: list[str]
    distance_km: float
    score: float
    reason: str


class Diagnostics(BaseModel):
    """Network diagnostics of an org's scope."""

    org_id: str = Field(examples=["org-s01"])
    bridges: list[Bridge]
    dependence: list[Dependence]
    clusters: list[Cluster]
    suggestions: list[Suggestion]


class Callee(BaseModel):
    """A member or unit to call in an emergency, where it stands in the ranking, and why."""

    id: str
    label: str = Field(examples=["Member"])
    name: str = Field(examples=["张**"])
    phone: str | None = Field(
        None,
        examples=["138****1234"],
        description="电话(单位为联系人电话),无权查看时打码;紧急时可说明理由查看",
    )
    score: float
    distance_km: float
    graph_hops: int
    skills: list[str] = Field(examples=[["first_aid"]])
    availability: float
    registered: bool = Field(description="与地点所在社区的党组织有关系(报到、隶属等)")
    area: str | None
    reason: str
