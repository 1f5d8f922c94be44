"""The import/export file format: one file (or sheet) per entity kind, its columns and reference columns.

A kind's columns are its label's properties (header = property name or its Chinese title) plus
reference columns that hold ids of other nodes and become relationships. The exporter writes the
same format, so an export can be imported again.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph_schema.domain import SCHEMA
from graph_schema.model import Label


@dataclass(frozen=True, slots=True)
class RefColumn:
    """A column of ids that becomes relationships of ``rel_type``.

    ``outgoing``: the row's node is the relationship's start (row)-[rel]->(target); otherwise
    the referenced node is the start (target)-[rel]->(row). ``many``: a ``;`` list of ids.
    """

    name: str
    title_zh: str
    rel_type: str
    targets: tuple[str, ...]
    outgoing: bool
    many: bool = False
    required: bool = False


@dataclass(frozen=True, slots=True)
class Kind:
    """One entity kind of the file format: which label its rows are and its reference columns."""

    name: str
    label: str
    refs: tuple[RefColumn, ...]

    @property
    def schema_label(self) -> Label:
        """The schema label of this kind's rows."""
        return SCHEMA.label(self.label)

    @property
    def title_zh(self) -> str:
        """The Chinese name of the kind (the label's title), e.g. 党员."""
        return self.schema_label.title_zh

    def columns(self) -> dict[str, str]:
        """Every accepted header (property or reference name, and its Chinese title) -> field name."""
        out: dict[str, str] = {}
        fields = [(p.name, p.title_zh) for p in self.schema_label.props]
        for name, title in [*fields, *((r.name, r.title_zh) for r in self.refs)]:
            for header in (name.lower(), title):
                if header and out.setdefault(header, name) != name:
                    raise ValueError(f"{self.name}: header {header} names two fields")
        return out

    def ref(self, name: str) -> RefColumn | None:
        """The reference column called ``name``, or None when it is a property."""
        for ref in self.refs:
            if ref.name == name:
                return ref
        return None


ORG, AREA, UNIT, MEMBER = "Org", "Area", "Unit", "Member"

# In dependency order: what a kind refers to comes before it.
KINDS: tuple[Kind, ...] = (
    Kind("areas", AREA, (RefColumn("parent", "上级区域", "CONTAINS", (AREA,), outgoing=False),)),
    Kind(
        "orgs",
        ORG,
        (
            RefColumn("parent", "上级组织", "LEADS", (ORG,), outgoing=False),
            RefColumn("covers", "覆盖区域", "COVERS", (AREA,), outgoing=True, many=True),
            RefColumn("unit", "所属单位", "EMBEDDED_IN", (UNIT,), outgoing=True),
        ),
    ),
    Kind(
        "units",
        UNIT,
        (
            RefColumn("area", "所在区域", "LOCATED_IN", (AREA,), outgoing=True),
            RefColumn("reports_to", "报到组织", "REPORTS_TO", (ORG,), outgoing=True),
        ),
    ),
    Kind(
        "members",
        MEMBER,
        (
            RefColumn("belongs_to", "所属党组织", "BELONGS_TO", (ORG,), outgoing=True, required=True),
            RefColumn("reports_to", "报到组织", "REPORTS_TO", (ORG,), outgoing=True),
            RefColumn("joins", "参加组织", "JOINS", (ORG,), outgoing=True, many=True),
            RefColumn("works_at", "工作单位", "WORKS_AT", (UNIT,), outgoing=True),
            RefColumn("lives_in", "居住区域", "LIVES_IN", (AREA,), outgoing=True),
        ),
    ),
    Kind(  # recurring needs 常态化项目: the rule and template; its occurrences are needs (below)
        "series",
        "Series",
        (
            RefColumn("posted_by", "发布组织", "POSTED_BY", (ORG,), outgoing=True, required=True),
            RefColumn("area", "所在区域", "LOCATED_IN", (AREA,), outgoing=True),
        ),
    ),
    Kind(
        "needs",
        "Need",
        (
            RefColumn("posted_by", "发布组织", "POSTED_BY", (ORG,), outgoing=True, required=True),
            RefColumn("area", "所在区域", "LOCATED_IN", (AREA,), outgoing=True),
            RefColumn("series", "所属常态化项目", "OCCURRENCE_OF", ("Series",), outgoing=True),
            RefColumn("requester", "提出需求的单位", "REQUESTED_BY", (UNIT,), outgoing=True),  # 双向服务
        ),
    ),
    Kind(
        "offerings",
        "Offering",
        (RefColumn("provider", "提供方", "OFFERS", (UNIT, MEMBER), outgoing=False, required=True),),
    ),
    Kind(  # venues by time slot (issue 12): a booking of a venue's slot, optionally for a need
        "bookings",
        "Booking",
        (
            RefColumn("venue", "场所", "RESERVES", ("Offering",), outgoing=True, required=True),
            RefColumn("need", "用于需求", "BOOKED_FOR", ("Need",), outgoing=True),
        ),
    ),
    Kind(  # an amount taken from goods or funds (issue 12), optionally for a need
        "allocations",
        "Allocation",
        (
            RefColumn("offering", "物资或资金", "DRAWS_ON", ("Offering",), outgoing=True, required=True),
            RefColumn("need", "用于需求", "ALLOCATED_TO", ("Need",), outgoing=True),
        ),
    ),
    Kind(
        "agreements",
        "Agreement",
        (RefColumn("parties", "协议各方", "PARTY_TO", (UNIT, ORG), outgoing=False, many=True),),
    ),
    Kind(
        "registrations",
        "Registration",
        (
            RefColumn("registrant", "报到方", "REGISTERS", (UNIT, MEMBER), outgoing=False, required=True),
            RefColumn("org", "报到社区", "REGISTERS_AT", (ORG,), outgoing=True, required=True),
        ),
    ),
    Kind(  # 公开承诺 (issue 12): a member's or unit's pledge to an org, and its progress entries
        "pledges",
        "Pledge",
        (
            RefColumn("provider", "承诺方", "PLEDGES", (UNIT, MEMBER), outgoing=False, required=True),
            RefColumn("org", "公示组织", "PLEDGED_TO", (ORG,), outgoing=True, required=True),
        ),
    ),
    Kind(
        "pledge_progress",
        "PledgeProgress",
        (RefColumn("pledge", "所属承诺", "PROGRESS_OF", ("Pledge",), outgoing=True, required=True),),
    ),
    Kind(  # sign-ups (issue 12 point 4): a member's place on a need's roster, its attendance and hours
        "signups",
        "Signup",
        (
            RefColumn("member", "报名党员", "SIGNED_UP", (MEMBER,), outgoing=False, required=True),
            RefColumn("need", "报名需求", "SIGNUP_FOR", ("Need",), outgoing=True, required=True),
        ),
    ),
)
KIND_BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}
IMPORT_LABELS: tuple[str, ...] = tuple(k.label for k in KINDS)


def find_kind(text: str) -> Kind | None:
    """The kind a file stem, sheet name or ``--kind`` value names: members, Member or 党员."""
    key = text.strip()
    for kind in KINDS:
        if key.lower() in (kind.name, kind.label.lower()) or key == kind.title_zh:
            return kind
    return None


def _check_kinds() -> None:
    """Headers must name one field each and reference columns must fit the schema: a clash is a bug."""
    for kind in KINDS:
        kind.columns()
        for ref in kind.refs:
            rel = SCHEMA.rel(ref.rel_type)
            starts, ends = (rel.starts, rel.ends) if ref.outgoing else (rel.ends, rel.starts)
            if kind.label not in starts or not set(ref.targets) <= set(ends):
                raise ValueError(f"{kind.name}.{ref.name}: {ref.rel_type} does not join these labels")


_check_kinds()
