"""Schemas of the directory reads: orgs, the org tree, units and members."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Ref(BaseModel):
    """Another node named by id and name."""

    id: str
    name: str | None = None


class OrgOut(BaseModel):
    """An org's public fields and its place in the tree."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "org-s01-c01",
                    "name": "中共桃岗社区委员会",
                    "level": "community",
                    "kind": "big_council",
                    "org_type": "committee",
                    "basis": None,
                    "parent_id": "org-s01",
                    "parent_name": "中共春城区祥源街道工作委员会",
                    "children": 9,
                }
            ]
        }
    )

    id: str
    name: str
    level: str = Field(description="district 区 · street 街道 · community 社区 · grid 网格 · building 楼栋 …")
    kind: str
    org_type: str | None = None
    basis: str | None = Field(None, description="三缘类别(地缘、业缘、趣缘)")
    parent_id: str | None = Field(None, description="上级党组织")
    parent_name: str | None = None
    children: int = Field(description="直接下属党组织数")


class Area(BaseModel):
    """An area an org covers (where a need can be placed)."""

    id: str
    name: str | None = None
    level: str | None = None


class OrgTreeNode(BaseModel):
    """One org of a jurisdiction's tree."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "org-s01-c01-g01",
                    "name": "桃岗社区第一网格党支部",
                    "level": "grid",
                    "kind": "standard",
                    "parent_id": "org-s01-c01",
                    "depth": 1,
                    "areas": [{"id": "area-s01-c01-g01", "name": "第一网格", "level": "grid"}],
                    "members": 12,
                }
            ]
        }
    )

    id: str
    name: str
    level: str
    kind: str
    parent_id: str | None = Field(None, description="树内的上级党组织;根节点为空")
    depth: int = Field(description="距根节点的层数")
    areas: list[Area] = Field(description="覆盖的区域")
    members: int = Field(description="隶属党员数")


class UnitOut(BaseModel):
    """A resident unit; its contact person is masked unless the reader is entitled to it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "unit-00003",
                    "name": "春城区第一人民医院",
                    "type": "institution",
                    "address": "春城区祥源街道人民路12号",
                    "employees": 860,
                    "contact_name": "王*",
                    "contact_phone": "153****3350",
                    "reports_to": [{"id": "org-s01-c01", "name": "中共桃岗社区委员会"}],
                    "own_orgs": [{"id": "org-u003", "name": "春城区第一人民医院党委"}],
                    "areas": [{"id": "area-s01-c01", "name": "桃岗社区"}],
                    "active_offerings": 2,
                }
            ]
        }
    )

    id: str
    name: str
    type: str
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    employees: int | None = None
    contact_name: str | None = Field(None, description="联系人(个人信息,脱敏规则同党员)")
    contact_phone: str | None = Field(None, description="联系电话(个人信息)")
    created_at: str | None = None
    updated_at: str | None = None
    reports_to: list[Ref] = Field(description="双报到的社区党组织")
    own_orgs: list[Ref] = Field(description="单位自身的党组织")
    areas: list[Ref] = Field(description="所在区域")
    active_offerings: int = Field(description="可用资源数")


class Post(Ref):
    """A post a member holds in an org."""

    role: str | None = Field(None, description="书记、兼职委员、网格员、楼长、党员中心户 …")


class MemberOut(BaseModel):
    """A Party member; name and phone are masked unless the reader is entitled to them (admins,
    the member itself, the secretary of the community it belongs or reports to)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "mem-000004",
                    "name": "陈*",
                    "phone": "151****7915",
                    "gender": "male",
                    "in_service": True,
                    "occupation": "银行职员",
                    "skills": ["宣讲"],
                    "hours_per_month": 9,
                    "belongs_to": [{"id": "org-u003", "name": "春城区第一人民医院党委"}],
                    "reports_to": [{"id": "org-s01-c01", "name": "中共桃岗社区委员会"}],
                    "joins": [],
                    "holds": [],
                }
            ]
        }
    )

    id: str
    name: str = Field(description="姓名(个人信息)")
    phone: str | None = Field(None, description="手机号(个人信息)")
    gender: str | None = None
    birth_year: int | None = None
    joined_year: int | None = None
    in_service: bool | None = Field(None, description="在职党员")
    occupation: str | None = None
    skills: list[str] = Field(default_factory=list)
    hours_per_month: int | None = None
    created_at: str | None = None
    updated_at: str | None = None
    belongs_to: list[Ref] = Field(description="隶属党组织")
    reports_to: list[Ref] = Field(description="报到的社区党组织")
    joins: list[Ref] = Field(description="参加的三缘党组织")
    holds: list[Post] = Field(description="担任的职务")
