"""The graph of urban grassroots Party building (DOMAIN.md) as typed data, one version."""

from __future__ import annotations

from graph_schema.model import Label, Prop, PropType, RelType, Schema

S, I, F, B, DT, D, SL = (  # noqa: E741  (short names keep the tables below readable)
    PropType.STRING,
    PropType.INTEGER,
    PropType.FLOAT,
    PropType.BOOLEAN,
    PropType.DATETIME,
    PropType.DATE,
    PropType.STRING_LIST,
)

SCHEMA_VERSION = 3  # 2: hours confirmed before they earn points; 3: the Unsealed audit label
# (graph_schema/migrations.py)

# Codes used by several labels; Chinese names for the UI live beside them.
ORG_LEVELS = {
    "district": "区委",
    "street": "街道党工委",
    "community": "社区党委",
    "grid": "网格党支部",
    "compound": "小区党支部",
    "building": "楼栋党小组",
    "unit": "驻区单位党组织",
    "other": "其他党组织",
}
ORG_KINDS = {
    "standard": "常规",
    "big_council": "大工委/大党委",
    "joint": "联合党委",
    "building_committee": "楼宇党委",
    "park": "园区党委",
    "business_district": "商圈党组织",
    "mobile": "流动党支部",
    "feature": "三缘特色支部",
    "unit_org": "单位党组织",
}
ORG_TYPES = {
    "working_committee": "党工委",
    "committee": "党委",
    "general_branch": "党总支",
    "branch": "党支部",
    "group": "党小组",
}
ORG_BASES = {"territorial": "地缘", "occupational": "业缘", "interest": "趣缘"}
AREA_LEVELS = {"street": "街道", "community": "社区", "grid": "网格", "compound": "小区", "building": "楼栋"}
UNIT_TYPES = {
    "agency": "机关",
    "institution": "事业单位",
    "state_firm": "国有企业",
    "private_firm": "非公企业",
    "social_org": "社会组织",
    "school": "学校",
    "hospital": "医院",
}
TWO_NEW_UNIT_TYPES = ("private_firm", "social_org")  # the “两新”组织
URGENCIES = {"low": "一般", "normal": "较急", "high": "紧急", "urgent": "特急"}
BENEFICIARIES = {
    "elderly_alone": "独居老人",
    "elderly": "老年人",
    "children": "儿童",
    "disabled": "残疾人",
    "low_income": "困难家庭",
    "new_employment": "新就业群体",
    "residents": "社区居民",
}
VULNERABLE_BENEFICIARIES = ("elderly_alone", "disabled", "low_income", "children")
NEED_STATUSES = {
    "open": "待认领",
    "claimed": "已认领",
    "in_progress": "服务中",
    "completed": "已完成",
    "evaluated": "已评价",
    "cancelled": "已取消",
    "expired": "已过期",
}
OFFERING_KINDS = {"service": "志愿服务", "venue": "场所共享", "goods": "物资", "funds": "资金"}
VENUE_ACCESS = {"free": "免费使用", "reservation": "预约使用", "paid": "付费使用"}
OFFERING_PERIODS = {"week": "每周", "month": "每月", "quarter": "每季度", "year": "每年", "once": "一次性"}
OFFERING_STATUSES = {"active": "可用", "paused": "暂停", "retired": "已下架"}
PROJECT_STATUSES = {
    "claimed": "已认领",
    "in_progress": "服务中",
    "problem": "问题待处理",
    "completed": "已完成",
    "evaluated": "已评价",
    "cancelled": "已取消",
}
AGREEMENT_KINDS = {
    "co_construction": "共建协议",
    "two_way_service": "双向服务协议",
    "venue_sharing": "场所共享协议",
    "pairing": "结对共建",
}
AGREEMENT_STATUSES = {"active": "有效", "expired": "已到期", "terminated": "已终止"}
HOLD_ROLES = {
    "secretary": "书记",
    "deputy_secretary": "副书记",
    "part_time_member": "兼职委员",
    "grid_worker": "网格员",
    "building_head": "楼长",
    "central_household": "党员中心户",
}
GENDERS = {"male": "男", "female": "女"}
CATEGORY_STATUSES = {"active": "启用", "retired": "已停用"}


def _c(d: dict[str, str]) -> tuple[str, ...]:
    return tuple(d)


def _id() -> Prop:
    return Prop("id", S, required=True, max_length=64, title_zh="编号")


def _stamps() -> tuple[Prop, ...]:
    return (
        Prop("created_at", DT, title_zh="创建时间"),
        Prop("updated_at", DT, title_zh="更新时间"),
    )


def _place() -> tuple[Prop, ...]:
    return (
        Prop("lat", F, minimum=-90, maximum=90, title_zh="纬度"),
        Prop("lon", F, minimum=-180, maximum=180, title_zh="经度"),
        Prop("address", S, max_length=200, title_zh="地址"),
    )


ORG = Label(
    "Org",
    "党组织",
    (
        _id(),
        Prop("name", S, required=True, max_length=100, title_zh="名称"),
        Prop("level", S, required=True, choices=_c(ORG_LEVELS), title_zh="层级"),
        Prop("kind", S, required=True, choices=_c(ORG_KINDS), title_zh="类型"),
        Prop("org_type", S, choices=_c(ORG_TYPES), title_zh="组织形式"),
        Prop("basis", S, choices=_c(ORG_BASES), title_zh="三缘类别"),
        Prop("founded_on", D, title_zh="成立日期"),
        # The secretary lets providers claim this org's needs with offerings of another category.
        Prop("allow_cross_category", B, title_zh="允许跨类认领"),
        *_stamps(),
    ),
    fulltext=("name",),
)
AREA = Label(
    "Area",
    "区域",
    (
        _id(),
        Prop("name", S, required=True, max_length=100, title_zh="名称"),
        Prop("level", S, required=True, choices=_c(AREA_LEVELS), title_zh="层级"),
        *_place(),
        Prop("households", I, minimum=0, title_zh="户数"),
        Prop("residents", I, minimum=0, title_zh="人口"),
        Prop("built_year", I, minimum=1900, maximum=2100, title_zh="建成年份"),
        Prop("old_compound", B, title_zh="老旧小区"),
        *_stamps(),
    ),
    fulltext=("name",),
)
UNIT = Label(
    "Unit",
    "驻区单位",
    (
        _id(),
        Prop("name", S, required=True, max_length=100, title_zh="名称"),
        Prop("type", S, required=True, choices=_c(UNIT_TYPES), title_zh="单位类型"),
        *_place(),
        Prop("employees", I, minimum=0, title_zh="职工人数"),
        Prop("contact_name", S, pii=True, max_length=50, title_zh="联系人"),
        Prop("contact_phone", S, pii=True, max_length=30, title_zh="联系电话"),
        *_stamps(),
    ),
    fulltext=("name",),
)
MEMBER = Label(
    "Member",
    "党员",
    (
        _id(),
        Prop("name", S, required=True, pii=True, max_length=50, title_zh="姓名"),
        Prop("phone", S, pii=True, max_length=30, title_zh="手机号"),
        Prop("gender", S, choices=_c(GENDERS), title_zh="性别"),
        Prop("birth_year", I, minimum=1900, maximum=2100, title_zh="出生年份"),
        Prop("joined_year", I, minimum=1921, maximum=2100, title_zh="入党年份"),
        Prop("in_service", B, title_zh="在职党员"),
        Prop("occupation", S, max_length=50, title_zh="职业"),
        Prop("skills", SL, title_zh="特长"),
        Prop("hours_per_month", I, minimum=0, maximum=744, title_zh="每月可服务小时"),
        *_stamps(),
    ),
    fulltext=("name",),  # search (issue 12): names are shown masked to those not entitled to them
)
NEED = Label(
    "Need",
    "需求",
    (
        _id(),
        Prop("title", S, required=True, max_length=100, title_zh="标题"),
        Prop("description", S, max_length=2000, title_zh="描述"),
        Prop("category", S, required=True, max_length=64, title_zh="类别"),
        Prop("skills", SL, title_zh="所需技能"),
        Prop("people_wanted", I, required=True, minimum=1, maximum=100, title_zh="所需人数"),
        Prop("hours_wanted", F, minimum=0, maximum=10000, title_zh="所需时长(小时)"),
        Prop("urgency", S, required=True, choices=_c(URGENCIES), title_zh="紧急程度"),
        Prop("beneficiaries", SL, choices=_c(BENEFICIARIES), title_zh="服务对象"),
        Prop("beneficiary_count", I, minimum=0, title_zh="受益人数"),
        *_place(),
        Prop("window_start", DT, required=True, title_zh="开始时间"),
        Prop("window_end", DT, required=True, title_zh="结束时间"),
        Prop("status", S, required=True, choices=_c(NEED_STATUSES), title_zh="状态"),
        Prop("status_reason", S, max_length=500, title_zh="状态说明"),
        Prop("allow_cross_category", B, title_zh="允许跨类认领"),
        # The organiser's check-in code of the activity (报名签到, issue 12 point 4).
        Prop("checkin_code", S, max_length=16, title_zh="签到码"),
        *_stamps(),
    ),
    fulltext=("title", "description"),
)
OFFERING = Label(
    "Offering",
    "资源",
    (
        _id(),
        Prop("title", S, required=True, max_length=100, title_zh="标题"),
        Prop("description", S, max_length=2000, title_zh="描述"),
        Prop("kind", S, required=True, choices=_c(OFFERING_KINDS), title_zh="资源类型"),
        Prop("access", S, choices=_c(VENUE_ACCESS), title_zh="场所使用方式"),
        Prop("category", S, required=True, max_length=64, title_zh="类别"),
        Prop("skills", SL, title_zh="技能"),
        Prop("capacity", I, required=True, minimum=1, maximum=10000, title_zh="每期可服务次数"),
        Prop("period", S, required=True, choices=_c(OFFERING_PERIODS), title_zh="周期"),
        Prop("available_from", DT, title_zh="可用开始"),
        Prop("available_to", DT, title_zh="可用结束"),
        Prop("radius_km", F, minimum=0, maximum=500, title_zh="服务半径(公里)"),
        *_place(),
        # Venues (issue 12): opening hours per weekday ("mon 09:00-17:00", Beijing time), a price
        # when paid; goods and funds: the amount given and what is left of it.
        Prop("opening_hours", SL, title_zh="开放时间"),
        Prop("price", F, minimum=0, maximum=1000000, title_zh="收费标准(元/小时)"),
        Prop("amount", I, minimum=1, maximum=1000000000, title_zh="总量"),
        Prop("amount_left", I, minimum=0, maximum=1000000000, title_zh="剩余量"),
        Prop("amount_unit", S, max_length=10, title_zh="计量单位"),
        Prop("status", S, required=True, choices=_c(OFFERING_STATUSES), title_zh="状态"),
        *_stamps(),
    ),
    fulltext=("title", "description"),
)
PROJECT = Label(
    "Project",
    "项目",
    (
        _id(),
        Prop("title", S, required=True, max_length=100, title_zh="标题"),
        Prop("status", S, required=True, choices=_c(PROJECT_STATUSES), title_zh="状态"),
        Prop("started_at", DT, title_zh="开始时间"),
        Prop("completed_at", DT, title_zh="完成时间"),
        Prop("hours_total", F, minimum=0, title_zh="累计服务小时(已确认)"),
        Prop("hours_logged", F, minimum=0, title_zh="累计登记小时(含待确认)"),
        Prop("report", S, max_length=2000, title_zh="完成情况"),
        *_stamps(),
    ),
)
AGREEMENT = Label(
    "Agreement",
    "共建协议",
    (
        _id(),
        Prop("title", S, required=True, max_length=100, title_zh="名称"),
        Prop("kind", S, required=True, choices=_c(AGREEMENT_KINDS), title_zh="协议类型"),
        Prop("terms", S, max_length=2000, title_zh="协议内容"),
        Prop("signed_on", D, title_zh="签订日期"),
        Prop("valid_from", D, title_zh="生效日期"),
        Prop("valid_to", D, title_zh="到期日期"),
        Prop("status", S, required=True, choices=_c(AGREEMENT_STATUSES), title_zh="状态"),
        # Issue 12: both parties' obligations, renewals kept as history, termination with a reason.
        Prop("obligations_a", SL, title_zh="甲方(社区/街道)义务"),
        Prop("obligations_b", SL, title_zh="乙方(驻区单位)义务"),
        Prop("renewals", SL, title_zh="续签记录(续签日期:原到期日→新到期日)"),
        Prop("terminated_on", D, title_zh="终止日期"),
        Prop("termination_reason", S, max_length=500, title_zh="终止原因"),
        *_stamps(),
    ),
)
CATEGORY = Label(
    "Category",
    "服务类别",
    (
        _id(),
        Prop("name", S, required=True, max_length=50, title_zh="名称"),
        Prop("level", I, minimum=1, maximum=5, title_zh="层级"),
        Prop("description", S, max_length=500, title_zh="说明"),
        # Managed in place by administrators (issue 12): a retired item is not offered for new
        # needs and offerings, and keeps its history.
        Prop("status", S, choices=_c(CATEGORY_STATUSES), title_zh="状态"),
        Prop("skills", SL, title_zh="常用技能"),
        Prop("retired_at", DT, title_zh="停用时间"),
        Prop("updated_at", DT, title_zh="更新时间"),
    ),
)
SCHEMA_META = Label(
    "SchemaVersion",
    "模式版本",
    (
        _id(),
        Prop("version", I, required=True, minimum=1, title_zh="版本"),
        Prop("applied_at", DT, title_zh="应用时间"),
    ),
)

ROLES = {
    "admin": "管理员",
    "planner": "组织部/街道规划人员",
    "secretary": "社区书记",
    "unit": "驻区单位",
    "member": "党员",
    "grid_worker": "网格员",  # submits residents' requests (诉求) for them (issue 11)
}
# Who an audit entry names: an account's role, or a resident who submitted without an account.
AUDIT_ROLES = {**ROLES, "public": "居民(未登录)", "anonymous": "未登录(登录失败)"}
ACCOUNT = Label(
    "Account",
    "账号",
    (
        _id(),
        Prop("display_name", S, required=True, max_length=50, title_zh="显示名称"),
        Prop("role", S, required=True, choices=_c(ROLES), title_zh="角色"),
        Prop("scope_org_id", S, max_length=64, title_zh="管辖党组织"),
        Prop("subject_id", S, max_length=64, title_zh="对应单位或党员"),
        Prop("password_hash", S, required=True, max_length=200, title_zh="密码摘要"),
        Prop("active", B, required=True, title_zh="启用"),
        # Raised by a password change, a disable and an administrator's revoke: older tokens end.
        Prop("token_version", I, minimum=0, title_zh="令牌版本"),
        # Where notifications are mailed (issue 11); personal data like a phone number.
        Prop("email", S, pii=True, max_length=200, title_zh="电子邮箱"),
        # TOTP second factor (issue 13): the secret is never returned once confirmed, never audited.
        Prop("totp_secret", S, max_length=64, title_zh="动态口令密钥"),
        Prop("totp_pending", S, max_length=64, title_zh="待确认的动态口令密钥"),
        Prop("totp_last_step", I, minimum=0, title_zh="最近使用的动态口令时段"),
        Prop("totp_required", B, title_zh="必须使用动态口令"),
        *_stamps(),
    ),
)
# Failed sign-ins per tried name (id ``user:<name>``) or source address (``addr:<ip>``), counted in
# one statement per attempt so a throttle and lock hold across API processes (issue 13).
SIGN_IN_COUNTER = Label(
    "SignInCounter",
    "登录失败计数",
    (
        _id(),
        Prop("failures", I, minimum=0, title_zh="窗口内失败次数"),
        Prop("first_at", DT, title_zh="窗口起点"),
        Prop("last_at", DT, title_zh="最近失败时间"),
        Prop("locked_until", DT, title_zh="锁定至"),
    ),
)


# The closed loop (issue 3): claims, work logs, problem reports, evaluations, points, audit.
CLAIM_STATUSES = {"active": "有效", "withdrawn": "已撤回", "cancelled": "已取消"}
CLAIM_VIA = {"self": "自主认领", "dispatch": "派单", "series": "长期承诺"}
PROBLEM_STATUSES = {"open": "待处理", "resolved": "已解决"}
WORK_LOG_STATUSES = {"pending": "待确认", "confirmed": "已确认"}
CORRECTION_STATUSES = {"pending": "待处理", "accepted": "已接受", "declined": "已拒绝"}
EVALUATION_DIRECTIONS = {
    "community_to_provider": "社区评价服务方",
    "provider_to_community": "服务方评价社区",
}
POINT_REASONS = {
    "service_hours": "服务时长",
    "rating": "服务获评",
    "evaluating": "参与评价",
    "correction": "积分更正",
    "hours_correction": "时长更正",
}
CLAIM = Label(
    "Claim",
    "认领",
    (
        _id(),
        Prop("status", S, required=True, choices=_c(CLAIM_STATUSES), title_zh="状态"),
        Prop("via", S, required=True, choices=_c(CLAIM_VIA), title_zh="认领方式"),
        Prop("offering_id", S, required=True, max_length=64, title_zh="所用资源"),
        Prop("note", S, max_length=500, title_zh="备注"),
        Prop("status_reason", S, max_length=500, title_zh="状态说明"),
        # Set when the offering does not fit the need and the secretary allowed it (跨类认领).
        Prop("fit_warning", S, max_length=500, title_zh="跨类认领提示"),
        *_stamps(),
    ),
)
WORK_LOG = Label(
    "WorkLog",
    "服务记录",
    (
        _id(),
        Prop("hours", F, required=True, minimum=0.1, maximum=24, title_zh="服务小时"),
        Prop("note", S, max_length=500, title_zh="说明"),
        Prop("logged_at", DT, required=True, title_zh="记录时间"),
        # Points for hours come only when the need's secretary (or an admin) confirms the log.
        Prop("status", S, choices=_c(WORK_LOG_STATUSES), title_zh="确认状态"),
        Prop("confirmed_at", DT, title_zh="确认时间"),
        Prop("confirmed_by", S, max_length=64, title_zh="确认账号"),
        Prop("points", I, minimum=0, title_zh="已记积分"),
        # The provider's request to correct the log (one at a time), and the secretary's answer.
        Prop("correction_hours", F, minimum=0.1, maximum=24, title_zh="更正后小时"),
        Prop("correction_reason", S, max_length=500, title_zh="更正理由"),
        Prop("correction_status", S, choices=_c(CORRECTION_STATUSES), title_zh="更正状态"),
        Prop("correction_requested_at", DT, title_zh="申请更正时间"),
        Prop("correction_decided_at", DT, title_zh="更正处理时间"),
        Prop("correction_answer", S, max_length=500, title_zh="更正处理说明"),
    ),
)
PROBLEM_REPORT = Label(
    "ProblemReport",
    "问题上报",
    (
        _id(),
        Prop("description", S, required=True, max_length=2000, title_zh="问题描述"),
        Prop("status", S, required=True, choices=_c(PROBLEM_STATUSES), title_zh="状态"),
        Prop("resolution", S, max_length=2000, title_zh="处理结果"),
        Prop("created_at", DT, required=True, title_zh="上报时间"),
        Prop("resolved_at", DT, title_zh="解决时间"),
    ),
)
EVALUATION = Label(
    "Evaluation",
    "评价",
    (
        _id(),
        Prop("direction", S, required=True, choices=_c(EVALUATION_DIRECTIONS), title_zh="评价方向"),
        Prop("rating", I, required=True, minimum=1, maximum=5, title_zh="评分"),
        Prop("comment", S, max_length=500, title_zh="评语"),
        Prop("created_at", DT, required=True, title_zh="评价时间"),
    ),
)
POINT_ENTRY = Label(
    "PointEntry",
    "积分记录",
    (
        _id(),
        Prop("points", I, required=True, minimum=-100000, maximum=100000, title_zh="积分"),
        Prop("reason", S, required=True, choices=_c(POINT_REASONS), title_zh="原因"),
        Prop("note", S, max_length=500, title_zh="说明"),
        Prop("at", DT, required=True, title_zh="记入时间"),
        Prop("rule", S, max_length=100, title_zh="规则"),
    ),
)
AUDIT_ENTRY = Label(
    "AuditEntry",
    "操作日志",
    (
        _id(),
        Prop("at", DT, required=True, title_zh="时间"),
        Prop("actor", S, required=True, max_length=64, title_zh="操作账号"),
        Prop("role", S, required=True, choices=_c(AUDIT_ROLES), title_zh="角色"),
        Prop("action", S, required=True, max_length=64, title_zh="操作"),
        Prop("entity_label", S, required=True, max_length=64, title_zh="对象类型"),
        Prop("entity_id", S, required=True, max_length=64, title_zh="对象编号"),
        Prop("before", S, title_zh="操作前(JSON)"),
        Prop("after", S, title_zh="操作后(JSON)"),
        # The sealed hash chain (engine/services/audit_chain.py): absent until sealed.
        Prop("seq", I, minimum=1, title_zh="链序号"),
        Prop("prev_hash", S, max_length=64, title_zh="前序哈希"),
        Prop("hash", S, max_length=64, title_zh="哈希"),
    ),
)
AUDIT_CHAIN = Label(
    "AuditChain",
    "操作日志链头",
    (
        _id(),
        Prop("seq", I, required=True, minimum=0, title_zh="最后序号"),
        Prop("hash", S, required=True, max_length=64, title_zh="最后哈希"),
        Prop("updated_at", DT, title_zh="更新时间"),
    ),
)

# Matching (issue 4): dispatch runs 派单 and the proposals they make for the secretary to decide.
DISPATCH_RUN_STATUSES = {"running": "进行中", "done": "已完成", "failed": "失败"}
PROPOSAL_STATUSES = {"pending": "待确认", "accepted": "已采纳", "rejected": "已拒绝", "superseded": "已失效"}
MATCH_METHODS = {
    "optimal": "最优分配",
    "optimal_lp": "最优分配(线性规划)",
    "stable": "稳定匹配(需求优先)",
    "stable_providers": "稳定匹配(服务方优先)",
    "greedy": "先到先得",
}
FAIRNESS_MODES = {"none": "不调整", "spread": "分散派单(同一服务方后续建议得分递减)"}
DISPATCH_RUN = Label(
    "DispatchRun",
    "派单批次",
    (
        _id(),
        Prop("status", S, required=True, choices=_c(DISPATCH_RUN_STATUSES), title_zh="状态"),
        Prop("method", S, required=True, choices=_c(MATCH_METHODS), title_zh="匹配方法"),
        Prop("scope_org_id", S, required=True, max_length=64, title_zh="发起范围"),
        Prop("street_id", S, max_length=64, title_zh="街道分区(仅一个街道时)"),
        Prop("streets", I, minimum=0, title_zh="街道分区数"),
        Prop("created_at", DT, required=True, title_zh="发起时间"),
        Prop("finished_at", DT, title_zh="完成时间"),
        Prop("objective", F, title_zh="总得分"),
        Prop("greedy_objective", F, title_zh="先到先得总得分"),
        Prop("needs_total", I, minimum=0, title_zh="待派需求数"),
        Prop("needs_served", I, minimum=0, title_zh="已派需求数"),
        Prop("pairs", I, minimum=0, title_zh="建议数"),
        Prop("needs_skipped", I, minimum=0, title_zh="无法计算得分而跳过的需求数"),
        Prop("offerings_skipped", I, minimum=0, title_zh="无法计算得分而跳过的资源数"),
        Prop("fairness_mode", S, choices=_c(FAIRNESS_MODES), title_zh="公平性模式"),
        Prop("fairness", S, max_length=8000, title_zh="公平性指标(JSON)"),
    ),
)
PROPOSAL = Label(
    "Proposal",
    "派单建议",
    (
        _id(),
        Prop("status", S, required=True, choices=_c(PROPOSAL_STATUSES), title_zh="状态"),
        Prop("score", F, required=True, title_zh="得分"),
        Prop("parts", S, required=True, max_length=2000, title_zh="得分构成(JSON)"),
        Prop("path_words", S, max_length=500, title_zh="关系说明"),
        Prop("created_at", DT, required=True, title_zh="生成时间"),
        Prop("decided_at", DT, title_zh="处理时间"),
        Prop("decided_by", S, max_length=64, title_zh="处理账号"),
        Prop("reason", S, max_length=500, title_zh="处理说明"),
        Prop("claim_id", S, max_length=64, title_zh="采纳后的认领"),
    ),
)

# Requests from residents and grid workers (诉求受理, issue 11): the intake queue of a community.
REQUEST_STATUSES = {"queued": "待处理", "converted": "已转为需求", "merged": "已并入需求", "closed": "已办结"}
REQUEST_VIA = {"public": "居民自助提交", "open311": "Open311 接口", "grid_worker": "网格员代提交"}
REQUEST = Label(
    "Request",
    "诉求",
    (
        _id(),  # the public tracking code (查询码): 10 characters of base32, unguessable
        Prop("category", S, required=True, max_length=64, title_zh="类别"),
        Prop("description", S, required=True, max_length=2000, title_zh="诉求内容"),
        *_place(),
        Prop("area_id", S, max_length=64, title_zh="所在区域"),
        Prop("contact_first_name", S, pii=True, max_length=50, title_zh="联系人名"),
        Prop("contact_last_name", S, pii=True, max_length=50, title_zh="联系人姓"),
        Prop("contact_phone", S, pii=True, max_length=30, title_zh="联系电话"),
        Prop("contact_email", S, pii=True, max_length=100, title_zh="电子邮箱"),
        # Keys of the per-contact and per-address limits: a hash of the contact, never the contact.
        Prop("contact_key", S, max_length=64, title_zh="联系方式摘要"),
        Prop("address_key", S, max_length=200, title_zh="地址键"),
        Prop("via", S, required=True, choices=_c(REQUEST_VIA), title_zh="提交渠道"),
        Prop("submitted_by", S, max_length=64, title_zh="代提交账号"),
        Prop("status", S, required=True, choices=_c(REQUEST_STATUSES), title_zh="状态"),
        Prop("status_reason", S, max_length=500, title_zh="办结原因"),
        Prop("decided_at", DT, title_zh="处理时间"),
        Prop("decided_by", S, max_length=64, title_zh="处理账号"),
        *_stamps(),
    ),
)

# 双报到 registrations (issue 12): a unit or an in-service member asks a community to take its report;
# the community's secretary accepts (the REPORTS_TO tie is made) or declines with a reason.
REGISTRATION_STATUSES = {"pending": "待审核", "accepted": "已接收", "declined": "未接收"}
REGISTRATION = Label(
    "Registration",
    "双报到申请",
    (
        _id(),
        Prop("registrant_kind", S, required=True, choices=("Unit", "Member"), title_zh="报到方类型"),
        Prop("note", S, max_length=500, title_zh="报到说明"),
        Prop("status", S, required=True, choices=_c(REGISTRATION_STATUSES), title_zh="状态"),
        Prop("decision_reason", S, max_length=500, title_zh="审核意见"),
        Prop("decided_at", DT, title_zh="审核时间"),
        Prop("decided_by", S, max_length=64, title_zh="审核账号"),
        *_stamps(),
    ),
)

# Notifications (issue 11): an inbox row per recipient account, written by the event's own
# statement (an outbox), then delivered to channels by the worker with a lease and retries.
NOTIFICATION_KINDS = {
    "claim": "新的认领",
    "dispatched": "派单通知",
    "proposal": "新的派单建议",
    "proposal_accepted": "派单建议已采纳",
    "proposal_rejected": "派单建议未采纳",
    "problem": "问题上报",
    "evaluation_due": "待评价",
    "start_tomorrow": "明日服务提醒",
    "overdue": "服务已超期",
    "evaluation_overdue": "评价催办",
    "request_status": "诉求状态变更",
    "signup_promoted": "候补转为正式报名",
    "signup_correction": "志愿时长更正申请",
    "agreement_expiring": "协议即将到期",
    "registration": "双报到申请",
    "registration_decided": "双报到审核结果",
    "unit_need": "驻区单位需求",
    "pledge": "公开承诺",
    "series_commitment": "常态化项目新的长期承诺",
    "series_cancelled": "常态化项目已取消",
    "data_viewed": "个人信息被查看",
    "series_withdrawn": "常态化项目长期承诺已撤回",
}
DELIVERY_STATUSES = {
    "none": "无需投递",
    "pending": "待投递",
    "sending": "投递中",
    "sent": "已投递",
    "failed": "投递失败",
}
NOTIFICATION = Label(
    "Notification",
    "通知",
    (
        _id(),
        Prop("account_id", S, required=True, max_length=64, title_zh="接收账号"),
        Prop("kind", S, required=True, choices=_c(NOTIFICATION_KINDS), title_zh="通知类型"),
        Prop("title", S, required=True, max_length=300, title_zh="标题"),
        Prop("entity_label", S, max_length=64, title_zh="对象类型"),
        Prop("entity_id", S, max_length=64, title_zh="对象编号"),
        Prop("created_at", DT, required=True, title_zh="时间"),
        Prop("read_at", DT, title_zh="已读时间"),
        Prop("dedupe", S, max_length=300, title_zh="去重键(定时提醒)"),
        Prop("delivery", S, required=True, choices=_c(DELIVERY_STATUSES), title_zh="投递状态"),
        Prop("attempts", I, minimum=0, title_zh="投递次数"),
        Prop("next_attempt_at", DT, title_zh="下次投递时间"),
        Prop("lease_until", DT, title_zh="投递租约到期"),
        Prop("lease_owner", S, max_length=100, title_zh="投递进程"),
        Prop("sent_at", DT, title_zh="投递时间"),
        Prop("last_error", S, max_length=500, title_zh="最近错误"),
        Prop("job_run", S, max_length=64, title_zh="生成提醒的定时任务运行"),
    ),
)
# A channel's sent-log: one row per idempotency key (notification id + channel) it accepted.
DELIVERY_LOG = Label(
    "DeliveryLog",
    "投递记录",
    (
        _id(),
        Prop("channel", S, required=True, max_length=32, title_zh="渠道"),
        Prop("notification_id", S, required=True, max_length=64, title_zh="通知"),
        Prop("sent_at", DT, required=True, title_zh="投递时间"),
        Prop("worker", S, max_length=100, title_zh="投递进程"),
    ),
)

# Public commitments 公开承诺 ("1+3", issue 12): a member's or unit's pledge with a progress ledger.
PLEDGE_STATUSES = {"active": "进行中", "completed": "已完成", "withdrawn": "已撤回"}
PLEDGE_REVIEWS = {"pending": "待审核", "approved": "已审核公示", "returned": "已退回"}
PLEDGE = Label(
    "Pledge",
    "公开承诺",
    (
        _id(),
        Prop("title", S, required=True, max_length=100, title_zh="承诺事项"),
        Prop("content", S, max_length=2000, title_zh="承诺内容"),
        Prop("target", S, max_length=500, title_zh="目标"),
        Prop("due_on", D, title_zh="完成期限"),
        Prop("status", S, required=True, choices=_c(PLEDGE_STATUSES), title_zh="状态"),
        Prop("percent", I, minimum=0, maximum=100, title_zh="完成进度(%)"),
        Prop("review", S, choices=_c(PLEDGE_REVIEWS), title_zh="审核状态"),
        Prop("review_note", S, max_length=500, title_zh="审核意见"),
        Prop("reviewed_at", DT, title_zh="审核时间"),
        *_stamps(),
    ),
)
PLEDGE_PROGRESS = Label(
    "PledgeProgress",
    "承诺进展",
    (
        _id(),
        Prop("percent", I, required=True, minimum=0, maximum=100, title_zh="完成进度(%)"),
        Prop("note", S, required=True, max_length=500, title_zh="进展说明"),
        Prop("at", DT, required=True, title_zh="记录时间"),
    ),
)

# Venue bookings and allocations of goods and funds (issue 12, point 2).
BOOKING_STATUSES = {"active": "已预约", "cancelled": "已取消"}
ALLOCATION_STATUSES = {"active": "已领用", "returned": "已退回"}
BOOKING = Label(
    "Booking",
    "场所预约",
    (
        _id(),
        Prop("start", DT, required=True, title_zh="开始时间"),
        Prop("end", DT, required=True, title_zh="结束时间"),
        Prop("status", S, required=True, choices=_c(BOOKING_STATUSES), title_zh="状态"),
        Prop("purpose", S, max_length=200, title_zh="用途"),
        Prop("fee", F, minimum=0, title_zh="费用(元)"),
        Prop("booked_by", S, max_length=64, title_zh="预约账号"),
        Prop("booker_role", S, max_length=32, title_zh="预约方角色"),
        Prop("booker_id", S, max_length=64, title_zh="预约方"),
        Prop("status_reason", S, max_length=500, title_zh="取消原因"),
        Prop("claim_id", S, max_length=64, title_zh="认领记录"),  # a booking made by a claim
        *_stamps(),
    ),
)
ALLOCATION = Label(
    "Allocation",
    "物资资金领用",
    (
        _id(),
        Prop("amount", I, required=True, minimum=1, maximum=1000000000, title_zh="数量"),
        Prop("status", S, required=True, choices=_c(ALLOCATION_STATUSES), title_zh="状态"),
        Prop("purpose", S, max_length=200, title_zh="用途"),
        Prop("allocated_by", S, max_length=64, title_zh="领用账号"),
        Prop("booker_role", S, max_length=32, title_zh="领用方角色"),
        Prop("booker_id", S, max_length=64, title_zh="领用方"),
        Prop("status_reason", S, max_length=500, title_zh="退回原因"),
        *_stamps(),
    ),
)

# Sign-up, waitlist, check-in and volunteer records (issue 12 point 4; 民政部令第67号
# 志愿服务记录与证明出具办法): a member's place on a need's roster, its attendance and hours.
SIGNUP_STATUSES = {"signed": "已报名", "waitlisted": "候补", "withdrawn": "已退出"}
SIGNUP_HOURS_STATUSES = {"pending": "待确认", "confirmed": "已确认"}
SIGNUP = Label(
    "Signup",
    "志愿报名",
    (
        _id(),
        Prop("status", S, required=True, choices=_c(SIGNUP_STATUSES), title_zh="状态"),
        Prop("seq", I, required=True, minimum=1, title_zh="报名顺序"),
        Prop("need_id", S, required=True, max_length=64, title_zh="需求"),
        Prop("member_id", S, required=True, max_length=64, title_zh="党员"),
        Prop("promoted_at", DT, title_zh="候补转正时间"),
        Prop("withdrawn_at", DT, title_zh="退出时间"),
        Prop("withdrawn_by", S, max_length=64, title_zh="退出操作账号"),
        Prop("checkin_at", DT, title_zh="签到时间"),
        Prop("checkout_at", DT, title_zh="签退时间"),
        Prop("coverage", F, minimum=0, maximum=1, title_zh="到场时长占活动时长比例"),
        Prop("low_attendance", B, title_zh="到场不足六成"),
        Prop("hours", F, minimum=0, maximum=10000, title_zh="志愿服务时长(已确认)"),
        Prop("hours_status", S, choices=_c(SIGNUP_HOURS_STATUSES), title_zh="时长确认状态"),
        Prop("confirmed_at", DT, title_zh="确认时间"),
        Prop("confirmed_by", S, max_length=64, title_zh="确认账号"),
        Prop("correction_hours", F, minimum=0, maximum=10000, title_zh="更正后小时"),
        Prop("correction_reason", S, max_length=500, title_zh="更正理由"),
        Prop("correction_status", S, choices=_c(CORRECTION_STATUSES), title_zh="更正状态"),
        Prop("correction_requested_at", DT, title_zh="申请更正时间"),
        Prop("correction_decided_at", DT, title_zh="更正处理时间"),
        Prop("correction_answer", S, max_length=500, title_zh="更正处理说明"),
        *_stamps(),
    ),
)

PROVIDERS = ("Unit", "Member")

# Issue 12, point 3: recurring needs 常态化共建项目. A Series holds the RFC 5545 rule and the need's
# template; each occurrence is an ordinary Need (OCCURRENCE_OF the series) with its own claims,
# project, hours and points. A Commitment is a provider's standing promise to serve the series.
SERIES_STATUSES = {"active": "进行中", "ended": "已结束", "cancelled": "已取消"}
COMMITMENT_STATUSES = {"active": "有效", "withdrawn": "已撤回", "ended": "已结束"}
SERIES = Label(
    "Series",
    "常态化项目",
    (
        _id(),
        Prop("title", S, required=True, max_length=80, title_zh="标题"),
        Prop("description", S, max_length=2000, title_zh="描述"),
        Prop("category", S, required=True, max_length=64, title_zh="类别"),
        Prop("skills", SL, title_zh="所需技能"),
        Prop("people_wanted", I, required=True, minimum=1, maximum=100, title_zh="每次所需人数"),
        Prop("hours_wanted", F, minimum=0, maximum=10000, title_zh="每次所需时长(小时)"),
        Prop("urgency", S, required=True, choices=_c(URGENCIES), title_zh="紧急程度"),
        Prop("beneficiaries", SL, choices=_c(BENEFICIARIES), title_zh="服务对象"),
        Prop("beneficiary_count", I, minimum=0, title_zh="受益人数"),
        *_place(),
        Prop("rule", S, required=True, max_length=300, title_zh="重复规则(RFC 5545)"),
        Prop("dtstart", DT, required=True, title_zh="首次开始时间"),
        Prop("duration_minutes", I, required=True, minimum=15, maximum=1440, title_zh="每次时长(分钟)"),
        Prop("status", S, required=True, choices=_c(SERIES_STATUSES), title_zh="状态"),
        Prop("status_reason", S, max_length=500, title_zh="状态说明"),
        Prop("occurrences_generated", I, minimum=0, title_zh="已生成场次"),
        Prop("generated_all", B, title_zh="场次已全部生成"),
        *_stamps(),
    ),
    fulltext=("title", "description"),
)
COMMITMENT = Label(
    "Commitment",
    "长期承诺",
    (
        _id(),
        Prop("status", S, required=True, choices=_c(COMMITMENT_STATUSES), title_zh="状态"),
        Prop("offering_id", S, required=True, max_length=64, title_zh="所用资源"),
        Prop("note", S, max_length=500, title_zh="备注"),
        Prop("status_reason", S, max_length=500, title_zh="状态说明"),
        *_stamps(),
    ),
)

REL_TYPES = (
    RelType("LEADS", "领导", ("Org",), ("Org",)),
    RelType("CONTAINS", "包含", ("Area",), ("Area",)),
    RelType("COVERS", "覆盖", ("Org",), ("Area",)),
    RelType("LOCATED_IN", "位于", ("Unit", "Need", "Series"), ("Area",)),
    RelType("EMBEDDED_IN", "设于单位", ("Org",), ("Unit",)),
    RelType(
        "REPORTS_TO",
        "双报到",
        ("Unit", "Member"),
        ("Org",),
        (Prop("since", D, title_zh="报到日期"),),
    ),
    RelType(
        "PARTY_TO",
        "协议方",
        ("Unit", "Org"),
        ("Agreement",),
        (Prop("role", S, choices=("party_a", "party_b"), title_zh="甲乙方"),),
    ),
    RelType("BELONGS_TO", "隶属", ("Member",), ("Org",)),
    RelType(
        "JOINS",
        "参加",
        ("Member",),
        ("Org",),
        (Prop("since", D, title_zh="参加日期"),),  # joining a 三缘 branch (issue 12)
    ),
    RelType("WORKS_AT", "工作于", ("Member",), ("Unit",)),
    RelType("LIVES_IN", "居住于", ("Member",), ("Area",)),
    RelType(
        "HOLDS",
        "担任",
        ("Member",),
        ("Org",),
        (
            Prop("role", S, required=True, choices=_c(HOLD_ROLES), title_zh="职务"),
            Prop("since", D, title_zh="任职日期"),
            # Posts managed in place (issue 12): an id, the unit a 兼职委员 comes from, the end
            # date of a post that ended (kept as history), a note and why it ended.
            Prop("id", S, max_length=64, title_zh="职务编号"),
            Prop("unit_id", S, max_length=64, title_zh="来自单位(兼职委员)"),
            Prop("until", D, title_zh="离任日期"),
            Prop("note", S, max_length=200, title_zh="备注"),
            Prop("ended_reason", S, max_length=200, title_zh="离任原因"),
        ),
    ),
    RelType("POSTED_BY", "发布于", ("Need", "Series"), ("Org",)),
    RelType("OFFERS", "提供", PROVIDERS, ("Offering",)),
    RelType("FULFILLS", "承接", ("Project",), ("Need",)),
    RelType(
        "SERVES",
        "服务",
        PROVIDERS,
        ("Project",),
        (
            Prop("offering_id", S, max_length=64, title_zh="所用资源"),
            Prop("hours", F, minimum=0, title_zh="服务小时(已确认)"),
            Prop("hours_logged", F, minimum=0, title_zh="登记小时(含待确认)"),
        ),
    ),
    RelType("PART_OF", "属于", ("Category",), ("Category",)),
    RelType("MAKES", "提出认领", PROVIDERS, ("Claim",)),
    RelType("FOR", "认领需求", ("Claim", "Proposal"), ("Need",)),
    RelType("USES", "使用资源", ("Claim", "Proposal"), ("Offering",)),
    RelType("ON", "针对项目", ("WorkLog", "ProblemReport"), ("Project",)),
    RelType("LOGGED", "记录服务", PROVIDERS, ("WorkLog",)),
    RelType("ABOUT", "评价项目", ("Evaluation",), ("Project",)),
    RelType("RATES", "评价对象", ("Evaluation",), (*PROVIDERS, "Org")),
    RelType("GAVE", "作出评价", (*PROVIDERS, "Org"), ("Evaluation",)),
    RelType("CREDITS", "积分记入", ("PointEntry",), (*PROVIDERS, "Org")),
    RelType("FOR_PROJECT", "积分来源项目", ("PointEntry",), ("Project",)),
    RelType("IN_RUN", "所属派单批次", ("Proposal",), ("DispatchRun",)),
    RelType("QUEUED_AT", "进入社区待办", ("Request",), ("Org",)),
    RelType("BECAME", "转为或并入需求", ("Request",), ("Need",)),
    RelType("OCCURRENCE_OF", "属于常态化项目", ("Need",), ("Series",)),
    RelType("COMMITS", "作出长期承诺", PROVIDERS, ("Commitment",)),
    RelType("TO_SERIES", "承诺项目", ("Commitment",), ("Series",)),
    RelType("SIGNED_UP", "报名参加", ("Member",), ("Signup",)),
    RelType("SIGNUP_FOR", "报名需求", ("Signup",), ("Need",)),
    RelType("REGISTERS", "提交报到申请", ("Unit", "Member"), ("Registration",)),
    RelType("REGISTERS_AT", "报到社区", ("Registration",), ("Org",)),
    RelType("RESERVES", "预约场所", ("Booking",), ("Offering",)),
    RelType("BOOKED_FOR", "预约用于需求", ("Booking",), ("Need",)),
    RelType("DRAWS_ON", "领用资源", ("Allocation",), ("Offering",)),
    RelType("ALLOCATED_TO", "领用用于需求", ("Allocation",), ("Need",)),
    RelType("REQUESTED_BY", "单位提出", ("Need",), ("Unit",)),  # 双向服务: a unit's own need
    RelType("PLEDGES", "作出承诺", PROVIDERS, ("Pledge",)),
    RelType("PLEDGED_TO", "承诺公示组织", ("Pledge",), ("Org",)),
    RelType("PROGRESS_OF", "承诺进展", ("PledgeProgress",), ("Pledge",)),
)

SCHEMA = Schema(
    version=SCHEMA_VERSION,
    labels=(
        ORG,
        AREA,
        UNIT,
        MEMBER,
        NEED,
        OFFERING,
        PROJECT,
        AGREEMENT,
        CATEGORY,
        SCHEMA_META,
        ACCOUNT,
        SIGN_IN_COUNTER,
        CLAIM,
        WORK_LOG,
        PROBLEM_REPORT,
        EVALUATION,
        POINT_ENTRY,
        AUDIT_ENTRY,
        AUDIT_CHAIN,
        DISPATCH_RUN,
        PROPOSAL,
        REQUEST,
        NOTIFICATION,
        DELIVERY_LOG,
        SERIES,
        COMMITMENT,
        SIGNUP,
        REGISTRATION,
        BOOKING,
        ALLOCATION,
        PLEDGE,
        PLEDGE_PROGRESS,
    ),
    rel_types=REL_TYPES,
)
