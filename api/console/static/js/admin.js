// The administrator's pages: home, accounts (create, enable, disable), the audit log, point corrections.
import { api } from "./api.js";
import { act, badge, field, flash, h, paged, table, wire, when } from "./ui.js";
import { filteredNeeds, HOLDER, holder, LABEL, me, ROLE, topOrg, upperOrgs } from "./common.js";
import { route } from "./app.js";

export async function adminHome(who) {
  const [top, needs] = await Promise.all([topOrg().catch(() => null), filteredNeeds()]);
  return [`${who.display_name} · 工作台`,
    h("nav", { class: "actions", "aria-label": "管理功能" },
      h("a", { href: "#/accounts", class: "button" }, "账号管理"),
      h("a", { href: "#/audit", class: "button secondary" }, "操作日志"),
      h("a", { href: "#/points/correct", class: "button secondary" }, "积分更正"),
      h("a", { href: "#/categories", class: "button secondary", id: "categories-link" }, "服务类别"),
      h("a", { href: "#/posts", class: "button secondary", id: "posts-link" }, "职务管理"),
      h("a", { href: "#/agreements", class: "button secondary", id: "agreements-link" }, "共建协议"),
      h("a", { href: "#/registrations", class: "button secondary", id: "registrations-link" }, "报到审核")),
    h("ul", { class: "planner-links", id: "graph-links" },
      top ? h("li", {}, h("a", { href: `#/explore/${encodeURIComponent(top.id)}` }, `关系浏览:从${top.name}出发查看组织、单位与党员之间的关系`)) : null,
      h("li", {}, h("a", { href: "#/paths" }, "关系路径:查找两个组织、单位或党员之间如何相连"))),
    h("h2", {}, "全部需求"), ...needs];
}

const SCOPED = ["planner", "secretary"];
const SUBJECT = ["unit", "member"];
const ACTIVE = { active: "启用中", retired: "已停用" };

/** Accounts: the creation form (kept as typed when refused) and the list with enable/disable. */
export async function accountsPage() {
  const accounts = await api("/accounts?limit=500");
  const names = await accountNames(accounts);
  const role = h("select", { name: "role", required: true }, h("option", { value: "" }, "请选择"),
    Object.entries(ROLE).map(([k, v]) => h("option", { value: k }, v)));
  const pick = h("select", { name: "scope_org_id" });
  const scope = field("管辖党组织", pick, "规划人员选街道党组织,社区书记选社区党组织");
  const subject = field("对应单位或党员编号", h("input", { name: "subject_id", maxlength: 64 }), "驻区单位或党员账号必填");
  const fit = async () => {
    scope.hidden = !SCOPED.includes(role.value); subject.hidden = !SUBJECT.includes(role.value);
    if (scope.hidden) return;
    const level = role.value === "planner" ? "street" : "community", was = pick.value;
    pick.replaceChildren(h("option", { value: "" }, "正在加载……"));  // the district's tree: read once, when first needed
    const orgs = await upperOrgs().catch(() => []);
    pick.replaceChildren(h("option", { value: "" }, "请选择"), ...orgs.filter((o) => o.level === level).map((o) => h("option", { value: o.id, selected: o.id === was }, o.name)));
  };
  role.addEventListener("change", () => fit().catch((e) => flash(e.message)));
  const form = h("form", { class: "card", "aria-label": "创建账号" },
    h("div", { class: "row" },
      field("登录名 *", h("input", { name: "id", required: true, minlength: 3, maxlength: 64, autocomplete: "off" }), "3–64 位字母、数字或 _ . @ -"),
      field("显示名称 *", h("input", { name: "display_name", required: true, maxlength: 50 }))),
    h("div", { class: "row" }, field("角色 *", role), scope, subject),
    field("初始密码 *", h("input", { name: "password", type: "password", required: true, minlength: 8, maxlength: 128, autocomplete: "new-password" }), "至少 8 位"),
    h("button", { type: "submit" }, "创建账号"));
  fit().catch((e) => flash(e.message));
  wire(form, async (v) => {
    const body = { id: v.id, display_name: v.display_name, role: v.role, password: v.password };
    if (SCOPED.includes(v.role)) body.scope_org_id = v.scope_org_id;
    if (SUBJECT.includes(v.role)) body.subject_id = v.subject_id;
    const made = await api("/accounts", { method: "POST", body });
    await route();
    flash(`账号“${made.id}”已创建。`, "ok");
  }, (v) => {
    // mirrors the API's AccountDraft checks
    const errors = {};
    if (v.id && (v.id.length < 3 || !/^[A-Za-z0-9_.@-]+$/.test(v.id))) errors.id = "“登录名”须为 3–64 位字母、数字或 _ . @ -";
    if (v.password && v.password.length < 8) errors.password = "“初始密码”至少 8 位";
    if (SCOPED.includes(v.role) && !v.scope_org_id) errors.scope_org_id = "规划人员和社区书记账号必须指定管辖党组织";
    if (SUBJECT.includes(v.role) && !v.subject_id) errors.subject_id = "单位和党员账号必须指定对应的单位或党员";
    return errors;
  });
  const list = table([
    ["登录名", (a) => a.id], ["显示名称", (a) => a.display_name], ["角色", (a) => ROLE[a.role] || a.role],
    ["管辖或对应", (a) => names.get(a.scope_org_id || a.subject_id) || a.scope_org_id || a.subject_id || "—"],
    ["状态", (a) => badge(a.active ? "active" : "retired", ACTIVE)],
    ["操作", (a) => (a.id === me().id ? h("span", { class: "hint" }, "当前登录的账号") : act(a.active ? "停用" : "启用", async () => {
      await api(`/accounts/${encodeURIComponent(a.id)}/active`, { method: "PUT", body: { active: !a.active } });
      await route();
      flash(`账号“${a.id}”已${a.active ? "停用" : "启用"}。`, "ok");
    }, "secondary"))],
    ["登录安全", (a) => h("span", {}, a.totp_enabled ? "动态口令已开启 " : a.totp_required ? "须设置动态口令 " : "",
      a.locked_until ? act("解除锁定", async () => {
        await api(`/accounts/${encodeURIComponent(a.id)}/unlock`, { method: "POST" });
        await route();
        flash(`账号“${a.id}”已解除登录锁定。`, "ok");
      }, "secondary") : null)],
  ], accounts);
  list.id = "accounts";
  return ["账号管理", h("h2", {}, "创建账号"), form, h("h2", {}, `全部账号(${accounts.length})`), list];
}

const ACTION = {
  "account.create": "创建账号", "account.set_active": "启用/停用账号", "account.set_password": "修改密码",
  "auth.sign_in_failed": "登录失败", "auth.locked": "登录锁定", "account.unlock": "解除登录锁定",
  "account.totp_setup": "设置动态口令", "account.totp_on": "开启动态口令", "account.totp_off": "关闭动态口令",
  "account.totp_required": "要求动态口令",
  "need.post": "发布需求", "need.edit": "修改需求", "need.cancel": "取消需求", "need.expire": "需求过期",
  "claim.create": "认领", "claim.withdrawn": "撤回认领", "claim.cancelled": "取消认领",
  "offering.register": "登记资源", "offering.edit": "修改资源", "offering.pause": "暂停资源", "offering.resume": "恢复资源", "offering.retire": "下架资源",
  "project.start": "开始服务", "project.log_hours": "登记时长", "project.complete": "完成项目",
  "project.report_problem": "问题上报", "project.resolve_problem": "处理问题", "rate_provider": "评价服务方", "rate_community": "评价社区",
  "points.correct": "积分更正", "dispatch.run": "派单",
  "import": "导入数据", "import.rejected": "导入被拒绝", "export": "导出数据",
  "job.deliver": "定时任务:发送通知", "job.expire_needs": "定时任务:需求过期", "job.extend_series": "定时任务:生成周期需求",
};

const OBJECT = { ...LABEL, Import: "导入", Export: "导出", Job: "定时任务", Account: "账号", Claim: "认领", WorkLog: "服务时长", PointEntry: "积分", Evaluation: "评价", Problem: "问题上报", DispatchRun: "派单" };

const SUBJECTS = { unit: "units", member: "members" };
/** The names of the orgs, units and members accounts are tied to (one read per distinct id). */
async function accountNames(accounts) {
  const paths = new Map();
  for (const a of accounts) {
    if (a.scope_org_id) paths.set(a.scope_org_id, `/orgs/${encodeURIComponent(a.scope_org_id)}`);
    else if (a.subject_id && SUBJECTS[a.role]) paths.set(a.subject_id, `/${SUBJECTS[a.role]}/${encodeURIComponent(a.subject_id)}`);
  }
  const named = await Promise.all([...paths].map(([id, path]) => api(path).then((x) => [id, x.name]).catch(() => [id, null])));
  return new Map(named.filter(([, name]) => name));
}

/** The newest audit entries: who did what, when, to which record. */
export async function auditPage() {
  // filters travel in the page's own query (#/audit?actor=…), so a filtered view can be linked and reloaded
  const query = new URLSearchParams(location.hash.split("?")[1] || "");
  const input = (name, attrs = {}) => h("input", { name, value: query.get(name) || "", maxlength: 64, ...attrs });
  const form = h("form", { class: "card filters", "aria-label": "筛选操作日志", id: "audit-filters" },
    field("操作账号", input("actor")),
    field("操作", input("action"), "如 need.cancel;填 need 表示需求的全部操作"),
    field("对象类型", input("entity_label"), "如 Need、Account、Import、Export、Job"),
    field("对象编号", input("entity_id")),
    field("起始时间", input("since", { type: "datetime-local", maxlength: 40 }), "北京时间,含"),
    field("截止时间", input("until", { type: "datetime-local", maxlength: 40 }), "北京时间,含"),
    h("button", { type: "submit" }, "筛选"));
  wire(form, async (v) => {
    const wanted = new URLSearchParams(Object.entries(v).filter(([, x]) => x));
    location.hash = `#/audit${wanted.toString() ? `?${wanted}` : ""}`;  // the router shows the filtered list
  });
  const filters = new URLSearchParams([...query].filter(([k, x]) => AUDIT_FILTERS.includes(k) && x));
  const base = `/audit?${filters.toString() ? `${filters}&` : ""}`;
  const log = await paged(async (skip, limit) => api(`${base}skip=${skip}&limit=${limit}`), auditTable);
  log.id = "audit";
  const result = h("p", { id: "chain-result", class: "msg", "aria-live": "polite", hidden: true });
  const check = act("核验哈希链", async () => {
    const r = await api("/audit/verify");
    const pending = r.unsealed ? `,另有 ${r.unsealed} 条尚未封存` : "";
    result.className = r.ok ? "msg ok" : "msg error";
    result.textContent = r.ok
      ? `哈希链完好:已核验 ${r.entries} 条记录${pending}。`
      : `哈希链在序号 ${r.broken.seq} 处断开(记录 ${r.broken.entry_id || "-"}):${r.broken.detail}`;
    result.hidden = false;
  }, "secondary");
  check.id = "verify-chain";
  return ["操作日志", h("p", { class: "hint" }, "写操作、导入导出与定时任务的记录,最新的在前(时间为北京时间);每条记录以哈希链封存,可核验是否被篡改。"),
    form, h("div", { class: "actions" }, check), result, log];
}

const AUDIT_FILTERS = ["actor", "action", "entity_label", "entity_id", "since", "until"];

/** Who acted: an account, or the command line (imports, the demo). */
const actorName = (e) => (e.actor === "cli" ? "命令行管理员" : e.role === "public" ? "居民(未登录)" : `${e.actor}(${ROLE[e.role] || e.role})`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** What an entry was done to: its kind and its name or title where the entry records one (a
 *  need links to its page), else its id (a long generated id cut to its first 8 characters). */
function objectCell(e) {
  const said = [e.after, e.before].find((x) => x && (x.title || x.name || x.display_name));
  const name = said ? said.title || said.name || said.display_name : null;
  const id = UUID.test(e.entity_id) ? h("span", { title: e.entity_id }, `${e.entity_id.slice(0, 8)}…`) : e.entity_id;
  const kind = `${OBJECT[e.entity_label] || e.entity_label} `;
  if (e.entity_label === "Need") return h("span", {}, kind, h("a", { href: `#/needs/${encodeURIComponent(e.entity_id)}` }, name || e.entity_id));
  return h("span", {}, kind, name ? `${name}(${e.entity_id})` : id);
}

function auditTable(entries) {
  return entries.length ? table([
    ["时间", (e) => when(e.at)], ["操作账号", actorName],
    ["操作", (e) => (e.action === "account.set_active" && e.after ? (e.after.active ? "启用账号" : "停用账号") : ACTION[e.action] || e.action)],
    ["对象", objectCell],
    ["链序号", (e) => (e.seq ? h("span", { title: e.hash }, String(e.seq)) : h("span", { class: "hint" }, "待封存"))],
  ], entries) : h("p", { class: "hint" }, "暂无操作记录。");
}

/** An admin's correction of a holder's points (a new entry, never an edit of an old one). */
export async function correctionPage() {
  const who = h("input", { name: "holder_id", required: true, maxlength: 64 });
  const whose = h("p", { class: "meta", id: "holder-name", "aria-live": "polite" });
  who.addEventListener("change", async () => {  // name the holder typed, so a wrong id shows before submitting
    const id = who.value.trim();
    whose.textContent = id ? await holder(id).then((x) => `${HOLDER[x.holder_kind] || ""}:${x.name || id},现有 ${x.balance} 积分`, (err) => err.message) : "";
  });
  const form = h("form", { class: "card", "aria-label": "积分更正" },
    field("积分所属编号 *", who, "驻区单位、党员或党组织的编号"), whose,
    field("更正积分 *", h("input", { name: "points", type: "number", required: true, step: 1 }), "正数为增加,负数为扣减,不能为 0"),
    field("说明 *", h("textarea", { name: "note", required: true, maxlength: 500, rows: 2 })),
    field("相关项目编号", h("input", { name: "project_id", maxlength: 64 })),
    h("button", { type: "submit" }, "提交更正"));
  wire(form, async (v) => {
    const body = { holder_id: v.holder_id, points: Number(v.points), note: v.note };
    if (v.project_id) body.project_id = v.project_id;
    const entry = await api("/points/corrections", { method: "POST", body });
    const balance = await holder(entry.holder_id);
    return `已更正 ${entry.points > 0 ? "+" : ""}${entry.points} 积分,“${balance.name || entry.holder_id}”现有 ${balance.balance} 积分。`;
  }, (v) => (v.points && (Number(v.points) === 0 || !Number.isInteger(Number(v.points))) ? { points: "“更正积分”须为不等于 0 的整数" } : {}));
  return ["积分更正", form];
}
