"""The standard service taxonomy (服务类别), after the seeds: 遵义's 20+ categories, 200+ items.

Codes are stable identifiers (``parent.child``); names are what secretaries read. This module is
the standard list; administrators add, rename and retire entries in the graph (``Category`` nodes,
engine/services/categories.py), which the product reads over this list.
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


# The growth to the 遵义 scale (issue 12): more items under the first fourteen categories and ten
# more categories. Kept apart from ``_TREE`` so the demo's and the synthetic instances' draws (which
# use ``BASE_CATEGORIES``) stay what they were measured with; the product offers all of them.
_MORE: dict[tuple[str, str], list[tuple[str, str, tuple[str, ...]]]] = {
    ("elderly", "助老服务"): [
        ("bathing", "助浴服务", ("护理", "陪伴")),
        ("haircut", "上门理发", ("理发",)),
        ("escort", "陪同就医", ("陪伴", "驾驶")),
        ("smart_devices", "智能手机教学", ("电脑", "培训")),
        ("home_safety", "居家适老化改造", ("工程", "水电")),
        ("emergency_call", "一键呼叫应急响应", ("急救", "陪伴")),
        ("birthday", "老人集体生日会", ("文艺", "烹饪")),
        ("senior_university", "老年大学课程", ("教学", "文艺")),
        ("respite", "喘息服务", ("护理",)),
        ("dementia", "认知障碍照护", ("护理", "医疗")),
    ],
    ("health", "义诊健康"): [
        ("blood_pressure", "血压血糖测量", ("医疗", "护理")),
        ("tcm", "中医理疗", ("医疗",)),
        ("dental", "口腔检查", ("医疗",)),
        ("eye", "眼科筛查", ("医疗",)),
        ("chronic", "慢病随访管理", ("医疗", "护理")),
        ("vaccination", "疫苗接种宣传", ("医疗", "宣讲")),
        ("first_aid_training", "急救知识培训", ("急救", "培训")),
        ("medication", "用药指导", ("医疗",)),
        ("rehab", "康复指导", ("护理", "医疗")),
        ("women_health", "妇女健康筛查", ("医疗",)),
        ("nutrition", "营养膳食指导", ("医疗", "烹饪")),
    ],
    ("legal", "法律服务"): [
        ("aid", "法律援助", ("法律",)),
        ("documents", "文书代写", ("法律",)),
        ("labour", "劳动争议咨询", ("法律", "人力资源")),
        ("family_law", "婚姻家事咨询", ("法律", "调解")),
        ("inheritance", "遗嘱继承咨询", ("法律",)),
        ("lecture", "普法讲座", ("法律", "宣讲")),
        ("neighbour", "邻里纠纷化解", ("调解", "协调")),
        ("notary", "公证咨询", ("法律",)),
        ("community_lawyer", "一村(社区)一法律顾问", ("法律",)),
    ],
    ("children", "儿童关爱"): [
        ("homework", "作业辅导", ("辅导", "教学")),
        ("summer_class", "暑期托管班", ("教学", "陪伴")),
        ("reading", "亲子阅读", ("教学", "宣讲")),
        ("safety_education", "儿童安全教育", ("宣讲", "消防")),
        ("art", "少儿美术兴趣班", ("文艺", "教学")),
        ("music", "少儿音乐兴趣班", ("文艺", "教学")),
        ("sports", "少儿体育活动", ("体育",)),
        ("science", "科普实验课", ("教学",)),
        ("special_needs", "困境儿童帮扶", ("陪伴", "心理疏导")),
        ("parenting", "家庭教育指导", ("教学", "心理疏导")),
        ("wish", "微心愿认领", ("配送",)),
    ],
    ("employment", "就业技能"): [
        ("startup", "创业指导", ("培训", "财会")),
        ("resume", "简历指导", ("人力资源",)),
        ("computer", "电脑技能培训", ("电脑", "培训")),
        ("ecommerce", "电商直播培训", ("电脑", "培训")),
        ("housekeeping_training", "家政技能培训", ("家政", "培训")),
        ("cooking_training", "烹饪技能培训", ("烹饪", "培训")),
        ("graduates", "高校毕业生就业帮扶", ("人力资源",)),
        ("disabled_jobs", "残疾人就业帮扶", ("人力资源", "培训")),
        ("policy", "就业政策宣传", ("宣讲",)),
        ("internship", "见习岗位对接", ("人力资源",)),
    ],
    ("environment", "环境整治"): [
        ("corridor", "楼道杂物清理", ("体力劳动",)),
        ("ads", "小广告清除", ("体力劳动",)),
        ("river", "河道巡护", ("巡逻",)),
        ("mosquito", "病媒生物防制", ("体力劳动", "医疗")),
        ("bulky_waste", "大件垃圾清运", ("体力劳动", "驾驶")),
        ("sorting_guide", "垃圾分类桶边督导", ("宣讲",)),
        ("pocket_park", "口袋公园共建", ("园艺", "工程")),
        ("pets", "文明养犬宣传", ("宣讲",)),
        ("noise", "噪音扰民劝导", ("协调",)),
        ("rooftop", "屋顶违建清理", ("工程", "协调")),
    ],
    ("property", "物业停车"): [
        ("charging", "电动车充电设施", ("工程", "水电")),
        ("elevator", "加装电梯协调", ("工程", "协调")),
        ("repair_fund", "维修基金使用咨询", ("财会", "法律")),
        ("property_fee", "物业费纠纷调解", ("调解",)),
        ("parking_sharing", "错时共享停车", ("协调", "场地")),
        ("water_supply", "二次供水维护", ("水电",)),
        ("drainage", "管网疏通", ("水电", "体力劳动")),
        ("lighting", "楼道照明维修", ("水电",)),
        ("access_control", "门禁系统维护", ("工程",)),
        ("no_property", "无物业小区托管", ("协调",)),
    ],
    ("culture", "文体活动"): [
        ("square_dance", "广场舞队", ("文艺", "体育")),
        ("calligraphy", "书法绘画", ("文艺",)),
        ("festival", "传统节日活动", ("文艺", "烹饪")),
        ("film", "公益电影放映", ("文艺", "场地")),
        ("chorus", "红歌合唱", ("文艺",)),
        ("chess", "棋牌比赛", ("体育",)),
        ("taichi", "太极拳健身", ("体育",)),
        ("photography", "摄影兴趣小组", ("摄影",)),
        ("intangible", "非遗传承体验", ("文艺", "教学")),
        ("neighbour_day", "邻里节", ("文艺", "协调")),
        ("family_games", "亲子运动会", ("体育",)),
    ],
    ("psych", "心理疏导"): [
        ("hotline", "心理热线", ("心理疏导",)),
        ("youth", "青少年心理辅导", ("心理疏导", "辅导")),
        ("elderly_mind", "老年人心理关爱", ("心理疏导", "陪伴")),
        ("exam", "考前减压", ("心理疏导",)),
        ("grief", "哀伤辅导", ("心理疏导",)),
        ("family_relations", "家庭关系调适", ("心理疏导", "调解")),
        ("lecture", "心理健康讲座", ("心理疏导", "宣讲")),
    ],
    ("repair", "家政维修"): [
        ("locks", "开锁换锁", ("家政",)),
        ("clothes", "缝补衣物", ("家政",)),
        ("knives", "磨刀修伞", ("家政",)),
        ("bicycles", "自行车维修", ("家电维修",)),
        ("computers", "电脑手机维修", ("电脑", "家电维修")),
        ("gas", "燃气安全检查", ("消防", "水电")),
        ("waterproof", "房屋防水补漏", ("工程",)),
        ("cleaning", "深度保洁", ("家政", "体力劳动")),
        ("moving", "搬家搬运", ("体力劳动", "驾驶")),
        ("furniture", "家具维修", ("工程",)),
    ],
    ("safety", "综治联防"): [
        ("night_patrol", "夜间巡逻", ("巡逻",)),
        ("drugs", "禁毒宣传", ("宣讲", "法律")),
        ("traffic", "交通劝导", ("巡逻", "协调")),
        ("rental", "出租屋排查", ("巡逻", "协调")),
        ("hazards", "安全隐患排查", ("消防", "工程")),
        ("extinguishers", "微型消防站", ("消防",)),
        ("electric_bikes", "电动车进楼劝导", ("消防", "宣讲")),
        ("cults", "反邪教宣传", ("宣讲",)),
        ("disputes", "矛盾纠纷排查", ("调解", "协调")),
        ("school_gate", "护学岗", ("巡逻",)),
        ("pension_fraud", "防范养老诈骗宣传", ("宣讲", "法律")),
    ],
    ("new_employment", "新就业群体服务"): [
        ("delivery_riders", "外卖骑手关爱", ("陪伴", "协调")),
        ("couriers", "快递小哥服务", ("协调",)),
        ("drivers", "网约车司机服务", ("协调",)),
        ("water_heat", "饮水热饭充电", ("场地",)),
        ("insurance", "职业伤害保障咨询", ("法律",)),
        ("friendly_shops", "爱心商家联盟", ("协调",)),
        ("grid_helpers", "骑手兼职网格员", ("巡逻", "协调")),
        ("housing", "新就业群体住房帮扶", ("协调",)),
        ("children_care", "骑手子女托管", ("陪伴", "教学")),
    ],
    ("venue", "场所共享"): [
        ("canteen", "单位食堂开放", ("场地", "烹饪")),
        ("parking_lot", "单位停车场开放", ("场地",)),
        ("classroom", "学校教室开放", ("场地",)),
        ("auditorium", "礼堂报告厅", ("场地",)),
        ("activity_centre", "党群服务中心", ("场地",)),
        ("gym", "室内健身房", ("场地",)),
        ("studio", "舞蹈排练室", ("场地",)),
        ("garden", "屋顶花园", ("场地", "园艺")),
    ],
    ("emergency", "应急处置"): [
        ("shelter", "应急避难场所", ("场地",)),
        ("supplies", "应急物资储备", ("配送",)),
        ("drill", "应急演练", ("急救", "消防")),
        ("heatwave", "高温防暑", ("医疗", "配送")),
        ("snow", "除冰扫雪", ("体力劳动",)),
        ("blood", "无偿献血", ("医疗",)),
        ("power_cut", "停水停电应急", ("水电", "协调")),
        ("geology", "地质灾害巡查", ("巡逻",)),
    ],
    ("disability", "助残服务"): [
        ("rehab", "残疾人康复训练", ("护理", "医疗")),
        ("sign_language", "手语服务", ("手语",)),
        ("accessibility", "无障碍设施改造", ("工程",)),
        ("devices", "辅具适配", ("医疗",)),
        ("visits", "重度残疾人探访", ("陪伴", "护理")),
        ("sunshine_home", "阳光家园托养", ("护理", "陪伴")),
        ("autism", "孤独症儿童关爱", ("心理疏导", "教学")),
        ("guide", "助盲出行", ("陪伴",)),
    ],
    ("veterans", "退役军人服务"): [
        ("visits", "走访慰问", ("陪伴",)),
        ("jobs", "退役军人就业", ("人力资源",)),
        ("honour", "光荣牌悬挂", ("协调",)),
        ("martyrs", "烈属关爱", ("陪伴",)),
        ("policy", "优抚政策咨询", ("宣讲",)),
        ("military_families", "军属帮扶", ("陪伴", "协调")),
        ("volunteers", "老兵志愿服务队", ("巡逻", "宣讲")),
        ("red_stories", "老兵讲党史", ("宣讲",)),
    ],
    ("assistance", "困难帮扶"): [
        ("subsistence", "低保申请协助", ("协调",)),
        ("temporary", "临时救助", ("协调",)),
        ("pairing", "结对帮扶", ("陪伴",)),
        ("school_aid", "助学帮扶", ("教学",)),
        ("medical_aid", "医疗救助申请", ("医疗", "协调")),
        ("winter", "冬季送温暖", ("配送",)),
        ("festival_visits", "节日慰问", ("配送", "陪伴")),
        ("goods", "爱心物资发放", ("配送",)),
        ("charity_supermarket", "爱心超市", ("配送",)),
        ("housing_aid", "困难家庭住房修缮", ("工程", "体力劳动")),
    ],
    ("civilization", "文明实践"): [
        ("theory", "理论宣讲", ("宣讲",)),
        ("policy", "政策解读", ("宣讲",)),
        ("good_people", "好人好事评选", ("宣讲",)),
        ("family_rules", "家风家训", ("宣讲", "文艺")),
        ("volunteer_day", "志愿服务日", ("体力劳动",)),
        ("thrift", "光盘行动", ("宣讲",)),
        ("civic_traffic", "文明交通", ("巡逻",)),
        ("etiquette", "文明礼仪培训", ("培训",)),
        ("library_corner", "社区书屋", ("场地",)),
    ],
    ("party", "党员教育"): [
        ("study", "党员学习", ("宣讲",)),
        ("red_education", "红色教育基地参观", ("宣讲", "场地")),
        ("lessons", "微党课", ("宣讲",)),
        ("themed_day", "主题党日", ("协调",)),
        ("pioneer_post", "党员先锋岗", ("协调",)),
        ("flow_members", "流动党员服务", ("协调",)),
        ("elderly_members", "老党员关爱", ("陪伴",)),
        ("vows", "重温入党誓词", ("宣讲",)),
    ],
    ("governance", "社区治理"): [
        ("consultation", "居民议事协商", ("协调",)),
        ("opinion", "意见收集", ("协调",)),
        ("rules", "居民公约修订", ("法律", "协调")),
        ("building_autonomy", "楼栋自治", ("协调",)),
        ("owners_meeting", "业主大会组织", ("协调", "法律")),
        ("census", "人口信息采集", ("协调", "电脑")),
        ("hearing", "民主听证", ("协调",)),
        ("evaluation", "居民满意度测评", ("协调",)),
    ],
    ("convenience", "便民服务"): [
        ("haircut", "义务理发", ("理发",)),
        ("photos", "证件照拍摄", ("摄影",)),
        ("agency", "代缴代办", ("协调",)),
        ("printing", "复印打印", ("电脑",)),
        ("market", "便民集市", ("协调", "场地")),
        ("delivery_lockers", "快递代收", ("配送",)),
        ("shared_tools", "共享工具箱", ("家政",)),
        ("umbrellas", "爱心雨伞", ("配送",)),
        ("translation", "外语翻译", ("翻译",)),
    ],
    ("family", "婚姻家庭"): [
        ("women", "妇女权益维护", ("法律",)),
        ("domestic_violence", "反家暴援助", ("法律", "心理疏导")),
        ("matchmaking", "青年联谊", ("协调", "文艺")),
        ("marriage_counsel", "婚姻调解", ("调解", "心理疏导")),
        ("childcare", "婴幼儿照护指导", ("护理",)),
        ("pregnancy", "孕产期关爱", ("医疗", "护理")),
        ("family_activity", "家庭教育讲座", ("宣讲",)),
    ],
    ("youth", "青少年服务"): [
        ("volunteers", "青少年志愿服务", ("协调",)),
        ("career", "职业体验", ("培训",)),
        ("internet", "网络素养教育", ("电脑", "宣讲")),
        ("anti_bullying", "防校园欺凌", ("心理疏导", "法律")),
        ("sports_camp", "青少年体育夏令营", ("体育",)),
        ("tech", "青少年科技创新", ("电脑", "教学")),
        ("reading_club", "青少年读书会", ("宣讲",)),
    ],
    ("consumer", "消费维权"): [
        ("complaints", "消费投诉调解", ("调解", "法律")),
        ("food_safety", "食品安全宣传", ("宣讲",)),
        ("scams", "保健品骗局防范", ("宣讲", "医疗")),
        ("prepaid", "预付卡纠纷咨询", ("法律",)),
        ("quality", "商品质量检测", ("工程",)),
    ],
    ("digital", "数字服务"): [
        ("online_services", "网上办事指导", ("电脑",)),
        ("health_code", "健康码代办", ("电脑", "协调")),
        ("mobile_payment", "移动支付教学", ("电脑", "培训")),
        ("telemedicine", "远程问诊协助", ("电脑", "医疗")),
        ("anti_fraud_apps", "国家反诈APP安装", ("电脑", "宣讲")),
        ("platform", "社区服务平台使用培训", ("电脑", "培训")),
    ],
}


def _merged() -> dict[tuple[str, str], list[tuple[str, str, tuple[str, ...]]]]:
    """``_TREE`` with ``_MORE``'s items after the same category's first items, new categories last."""
    merged = {key: list(children) for key, children in _TREE.items()}
    for key, children in _MORE.items():
        merged.setdefault(key, []).extend(children)
    return merged


def _build(
    tree: dict[tuple[str, str], list[tuple[str, str, tuple[str, ...]]]] | None = None,
) -> tuple[CategoryDef, ...]:
    out: list[CategoryDef] = []
    for (top, top_name), children in (tree if tree is not None else _TREE).items():
        skills = tuple(dict.fromkeys(s for _, _, sk in children for s in sk))
        out.append(CategoryDef(top, top_name, None, skills))
        for code, name, sk in children:
            out.append(CategoryDef(f"{top}.{code}", name, top, sk))
    return tuple(out)


CATEGORIES: tuple[CategoryDef, ...] = _build(_merged())
BASE_CATEGORIES: tuple[CategoryDef, ...] = _build()
"""The first 55 entries (14 categories): what the demo and the synthetic matching instances draw from."""
BASE_BY_ID: dict[str, CategoryDef] = {c.id: c for c in BASE_CATEGORIES}
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
