"""Units' own needs (双向服务) and pledges (公开承诺 "1+3") of the demo (issue 12, points 5 and 6).

- Two open needs of communities become units' own needs: each is REQUESTED_BY a unit that reports
  to the community that posted it (and has no claim on it), so the community side serves it.
- The first members of the first communities (the demo member account's member first) and the
  first units reporting to them each make a pledge to their org, reviewed and public, with one or
  two progress entries; the last one is still waiting for review.
No draws: the rest of the demo is what it was.
"""

from __future__ import annotations

from engine.demo.builder import Builder

UNIT_NEEDS = 2
PLEDGING_MEMBERS = 3
PLEDGING_UNITS = 2

_MEMBER_PLEDGES = (
    ("每月为独居老人送餐两次", "联系楼栋内独居老人,每月两次送餐上门并陪伴聊天", "全年 24 次", (30, 55)),
    ("担任楼栋政策宣传员", "每季度在楼栋宣讲一次惠民政策,收集居民意见", "全年 4 次宣讲", (25,)),
    ("结对帮扶一户困难家庭", "每月走访一次,协助办理救助申请", "全年 12 次走访", (40, 70)),
)
_UNIT_PLEDGES = (
    (
        "开放职工食堂为社区老人助餐",
        "工作日午间向辖区 60 岁以上老人开放食堂,优惠价供餐",
        "全年服务 2000 人次",
        (35,),
    ),
    ("每季度组织一次义诊进社区", "派出医护人员到社区开展义诊和健康讲座", "全年 4 次", (50,)),
)


def _orgs_reported(b: Builder, label: str) -> list[tuple[str, str]]:
    return sorted((r["start"], r["end"]) for r in b.dataset.rels.get(("REPORTS_TO", label, "Org"), []))


def _unit_needs(b: Builder) -> None:
    data = b.dataset
    reporting = _orgs_reported(b, "Unit")
    posted = {r["start"]: r["end"] for r in data.rels.get(("POSTED_BY", "Need", "Org"), [])}
    claim_need = {r["start"]: r["end"] for r in data.rels.get(("FOR", "Claim", "Need"), [])}
    claimants = {
        (r["start"], claim_need.get(r["end"])) for r in data.rels.get(("MAKES", "Unit", "Claim"), [])
    }
    used: set[str] = set()
    made = 0
    for need in sorted(data.nodes["Need"], key=lambda n: n["id"]):
        if made >= UNIT_NEEDS:
            return
        if need["status"] != "open" or need["id"] not in posted:
            continue
        unit = next(
            (
                u
                for u, o in reporting
                if o == posted[need["id"]] and u not in used and (u, need["id"]) not in claimants
            ),
            None,
        )
        if unit is None:
            continue
        b.link("REQUESTED_BY", ("Need", need["id"]), ("Unit", unit))
        used.add(unit)
        made += 1


def _pledge(b: Builder, kind: str, provider: str, org: str, seq: int, text: tuple, approved: bool) -> None:
    title, content, target, steps = text
    pledge_id = f"pledge-{seq:02d}"
    percent = steps[-1] if approved else 0
    b.add(
        "Pledge",
        {
            "id": pledge_id,
            "title": title,
            "content": content,
            "target": target,
            "due_on": b.date(300),
            "status": "active",
            "percent": percent,
            "review": "approved" if approved else "pending",
            "review_note": "同意公示" if approved else None,
            "reviewed_at": b.moment(-55) if approved else None,
            **b.stamps(-60),
        },
    )
    b.link("PLEDGES", (kind, provider), ("Pledge", pledge_id))
    b.link("PLEDGED_TO", ("Pledge", pledge_id), ("Org", org))
    for i, step in enumerate(steps if approved else ()):
        entry = f"{pledge_id}-progress-{i + 1}"
        b.add(
            "PledgeProgress",
            {"id": entry, "percent": step, "note": f"已完成约 {step}%", "at": b.moment(-40 + 20 * i)},
        )
        b.link("PROGRESS_OF", ("PledgeProgress", entry), ("Pledge", pledge_id))


def _pledges(b: Builder) -> None:
    data = b.dataset
    communities = sorted(o["id"] for o in data.nodes["Org"] if o["level"] == "community")[:2]
    members = [(m, o) for m, o in _orgs_reported(b, "Member") if o in communities]
    belongs = sorted((r["start"], r["end"]) for r in data.rels.get(("BELONGS_TO", "Member", "Org"), []))
    picked = list(dict.fromkeys([*members[:1], *belongs]))[:PLEDGING_MEMBERS]
    units = [(u, o) for u, o in _orgs_reported(b, "Unit") if o in communities][:PLEDGING_UNITS]
    seq = 0
    for (member, org), text in zip(picked, _MEMBER_PLEDGES, strict=False):
        seq += 1
        _pledge(b, "Member", member, org, seq, text, approved=True)
    for i, ((unit, org), text) in enumerate(zip(units, _UNIT_PLEDGES, strict=False)):
        seq += 1
        _pledge(b, "Unit", unit, org, seq, text, approved=i < len(units) - 1)


def build_unit_needs_and_pledges(b: Builder) -> None:
    """A few units' own needs and pledges (see the module doc)."""
    _unit_needs(b)
    _pledges(b)
