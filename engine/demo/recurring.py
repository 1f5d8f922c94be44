"""Recurring needs 常态化共建项目 of the demo (issue 12, point 3): the first three communities each run
a 四点半课堂 every Wednesday afternoon (12 times) and a 义诊 on the 15th of every month (6 times); their
occurrences are open needs, materialised as the product does, up to 90 days after the reference date.

A size too small to absorb the occurrences in its need count (``tiny``) gets none. Draws come from a
stream of their own, so the rest of the demo is what it was without them.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from engine.demo.builder import Builder
from engine.demo.sizes import REFERENCE
from engine.demo.territory import Territory
from engine.services.recurrence_rule import due, expand, window_end
from graph_schema.taxonomy import CATEGORY_BY_ID

SERIES_COMMUNITIES = 3
# title, category, rule, first start (days after the reference date, UTC hour and minute), minutes,
# people, beneficiaries, what it is
TEMPLATES: tuple[tuple[str, str, str, int, str, int, int, list[str], str], ...] = (
    ("四点半课堂", "children.after_school", "FREQ=WEEKLY;BYDAY=WE;COUNT=12", 3, "08:30", 90, 2, ["children"],
     "每周三放学后在社区活动室为双职工家庭的孩子辅导作业、开展阅读。"),
    ("社区义诊", "health.clinic", "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6", 14, "01:00", 180, 1, ["elderly"],
     "每月 15 日上午在社区卫生服务站为老年居民量血压、测血糖、问诊。"),
)  # fmt: skip


def build_series(b: Builder, t: Territory) -> None:
    """The demo's series and their occurrences (none for ``tiny``)."""
    if b.dataset.size == "tiny":
        return
    rng = random.Random(f"{b.dataset.seed}-series")
    now = b.moment(0)
    for i, community in enumerate(t.communities[:SERIES_COMMUNITIES]):
        for j, (title, cat, rule, day, hm, minutes, people, beneficiaries, text) in enumerate(TEMPLATES):
            first = f"{(REFERENCE + timedelta(days=day)).date().isoformat()}T{hm}:00Z"
            starts = expand(rule, first)
            count = due(starts, now)
            series_id = f"series-{i + 1:03d}-{j + 1}"
            skills = list(CATEGORY_BY_ID[cat].skills[:1])
            common: dict[str, Any] = {
                "description": f"{community.area['name']}{text}",
                "category": cat,
                "skills": skills,
                "people_wanted": people,
                "hours_wanted": round(minutes / 60, 1),
                "urgency": "normal",
                "beneficiaries": beneficiaries,
                "beneficiary_count": rng.randint(10, 40),
                "lat": community.point[0],
                "lon": community.point[1],
                "address": community.area["address"],
                **b.stamps(-rng.randint(3, 10)),
            }
            b.add(
                "Series",
                {
                    "id": series_id,
                    "title": title,
                    "rule": rule,
                    "dtstart": first,
                    "duration_minutes": minutes,
                    "status": "active",
                    "occurrences_generated": count,
                    "generated_all": count == len(starts),
                    **common,
                },
            )
            b.link("POSTED_BY", ("Series", series_id), ("Org", community.org_id))
            b.link("LOCATED_IN", ("Series", series_id), ("Area", community.area["id"]))
            for k, start in enumerate(starts[:count]):
                need_id = f"need-{series_id}-{k + 1:02d}"
                day_zh = f"{int(start[5:7])}月{int(start[8:10])}日"
                end = window_end(start, minutes)
                occurrence = {
                    "id": need_id,
                    "title": f"{title}({day_zh})",
                    "window_start": start,
                    "window_end": end,
                }
                b.add("Need", {**occurrence, "status": "open", **common})
                b.link("POSTED_BY", ("Need", need_id), ("Org", community.org_id))
                b.link("LOCATED_IN", ("Need", need_id), ("Area", community.area["id"]))
                b.link("OCCURRENCE_OF", ("Need", need_id), ("Series", series_id))
