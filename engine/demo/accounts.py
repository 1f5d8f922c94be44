"""Sign-in accounts for the demo district: one per role, so each kind of user can try it at once."""

from __future__ import annotations

from engine.actors import Role
from engine.demo.dataset import DemoDataset
from engine.services.accounts import AccountDraft

DEMO_PASSWORD = "lianjian-demo"  # printed by `lianjian demo`; demo data only


def demo_account_drafts(dataset: DemoDataset) -> list[AccountDraft]:
    """Admin, a street planner, the first community's secretary, a unit and a member of that community,
    and a grid worker (网格员) of that community's first grid, who submits residents' requests."""
    orgs = dataset.nodes["Org"]
    street = next(o for o in orgs if o["level"] == "street")
    community = next(o for o in orgs if o["level"] == "community")
    reports = dataset.rels[("REPORTS_TO", "Unit", "Org")]
    unit_id = next(r["start"] for r in reports if r["end"] == community["id"])
    unit = next(u for u in dataset.nodes["Unit"] if u["id"] == unit_id)
    members = dataset.rels[("REPORTS_TO", "Member", "Org")]
    member_id = next(r["start"] for r in members if r["end"] == community["id"])
    leads = dataset.rels[("LEADS", "Org", "Org")]
    grid_id = next(
        (r["end"] for r in leads for o in orgs if r["start"] == community["id"] and o["id"] == r["end"]
         and o["level"] == "grid"),
        community["id"],
    )  # fmt: skip
    return [
        AccountDraft(id="admin", display_name="系统管理员", role=Role.ADMIN, password=DEMO_PASSWORD),
        AccountDraft(
            id="planner",
            display_name=f"{street['name']} 规划人员",
            role=Role.PLANNER,
            scope_org_id=street["id"],
            password=DEMO_PASSWORD,
        ),
        AccountDraft(
            id="secretary",
            display_name=f"{community['name']} 书记",
            role=Role.SECRETARY,
            scope_org_id=community["id"],
            password=DEMO_PASSWORD,
        ),
        AccountDraft(
            id="unit",
            display_name=unit["name"],
            role=Role.UNIT,
            subject_id=unit["id"],
            password=DEMO_PASSWORD,
        ),
        AccountDraft(
            id="member",
            display_name="演示党员",
            role=Role.MEMBER,
            subject_id=member_id,
            password=DEMO_PASSWORD,
        ),
        AccountDraft(
            id="grid_worker",
            display_name=f"{community['name']} 网格员",
            role=Role.GRID_WORKER,
            scope_org_id=grid_id,
            password=DEMO_PASSWORD,
        ),
    ]
