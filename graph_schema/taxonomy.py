"""The standard service taxonomy (服务类别), after the seeds: 遵义's 20+ categories, 200+ items.

Codes are stable identifiers (``parent.child``); names are what secretaries read.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CategoryDef:
    """One entry of the taxonomy; ``parent`` is None for a top-level category."""

    id: str
    name: str
    parent: str | None
    skills: tuple[str, ...] = ()  # skills typically asked for in this category


_TREE: dict[tuple[str, str], list[tuple[str, str, tuple[str, ...]]]] = {
    ("elderly", "助老服务"): [
        ("meals", "助餐送餐", ("烹饪", "配送")),
        ("visits", "独居老人探访", ("陪伴", "心理疏导")),
        ("daycare", "日间照料", ("护理", "陪伴")),
        ("errands", "代购代办", ("配送",)),
    ],
    ("health", "义诊健康"): [
        ("clinic", "义诊", ("医疗", "护理")),
        ("checkup", "健康体检", ("医疗",)),
        ("lecture", "健康讲座", ("医疗", "宣讲")),
        ("family_doctor", "家庭医生签约", ("医疗",)),
    ],
    ("legal", "法律服务"): [
        ("consult", "法律咨询", ("法律",)),
        ("mediation", "矛盾调解", ("法律", "调解")),
    ],
    ("children", "儿童关爱"): [
        ("after_school", "四点半课堂", ("教学", "辅导")),
        ("tutoring", "学业辅导", ("教学",)),
        ("left_behind", "留守儿童关爱", ("陪伴", "心理疏导")),
    ],
    ("employment", "就业技能"): [
        ("training", "就业技能培训", ("培训", "宣讲")),
        ("job_fair", "招聘对接", ("人力资源",)),
        ("reemployment", "再就业帮扶", ("培训", "人力资源")),
    ],
    ("environment", "环境整治"): [
        ("cleanup", "卫生清洁", ("体力劳动",)),
        ("greening", "绿化美化", ("园艺", "体力劳动")),
        ("garbage", "垃圾分类宣传", ("宣讲",)),
    ],
    ("property", "物业停车"): [
        ("parking", "停车秩序", ("协调",)),
        ("old_compound", "老旧小区改造", ("工程", "协调")),
        ("owners_committee", "业委会协调", ("协调", "法律")),
    ],
    ("culture", "文体活动"): [
        ("performance", "文艺演出", ("文艺",)),
        ("sports", "体育健身", ("体育",)),
        ("reading", "读书阅览", ("宣讲",)),
    ],
    ("psych", "心理疏导"): [
        ("counsel", "心理咨询", ("心理疏导",)),
        ("crisis", "危机干预", ("心理疏导", "医疗")),
    ],
    ("repair", "家政维修"): [
        ("plumbing", "水电维修", ("水电",)),
        ("appliance", "家电维修", ("家电维修",)),
        ("housekeeping", "家政服务", ("家政",)),
    ],
    ("safety", "综治联防"): [
        ("patrol", "治安巡逻", ("巡逻",)),
        ("fire", "消防安全", ("消防",)),
        ("anti_fraud", "反诈宣传", ("宣讲", "法律")),
    ],
    ("new_employment", "新就业群体服务"): [
        ("rest_station", "暖心驿站", ("场地",)),
        ("rights", "权益保障", ("法律",)),
    ],
    ("venue", "场所共享"): [
        ("meeting_room", "会议活动室", ("场地",)),
        ("library", "图书阅览室", ("场地",)),
        ("sports_ground", "运动场地", ("场地",)),
    ],
    ("emergency", "应急处置"): [
        ("rescue", "应急救援", ("急救", "体力劳动")),
        ("epidemic", "疫情防控", ("医疗", "协调")),
        ("flood", "防汛抗灾", ("体力劳动", "巡逻")),
    ],
}


def _build() -> tuple[CategoryDef, ...]:
    out: list[CategoryDef] = []
    for (top, top_name), children in _TREE.items():
        skills = tuple(dict.fromkeys(s for _, _, sk in children for s in sk))
        out.append(CategoryDef(top, top_name, None, skills))
        for code, name, sk in children:
            out.append(CategoryDef(f"{top}.{code}", name, top, sk))
    return tuple(out)


CATEGORIES: tuple[CategoryDef, ...] = _build()
CATEGORY_BY_ID: dict[str, CategoryDef] = {c.id: c for c in CATEGORIES}
ALL_SKILLS: tuple[str, ...] = tuple(sorted({s for c in CATEGORIES for s in c.skills}))


def related_categories(category_id: str) -> set[str]:
    """The category itself, its parent and its children: what counts as a category fit."""
    cat = CATEGORY_BY_ID.get(category_id)
    if cat is None:
        return {category_id}
    related = {cat.id}
    if cat.parent:
        related.add(cat.parent)
    related.update(c.id for c in CATEGORIES if c.parent == cat.id)
    return related
