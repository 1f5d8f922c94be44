// The console: hash routes, a home page per role, the closed loop's pages.
import { api, offers, session, signIn, signOut } from "./api.js";
import { act, badge, field, flash, h, pct, table, when, wire } from "./ui.js";

const NEED = { open: "待认领", claimed: "已认领", in_progress: "服务中", completed: "已完成", evaluated: "已评价", cancelled: "已取消", expired: "已过期" };
const PROJECT = { claimed: "已认领", in_progress: "服务中", problem: "问题待处理", completed: "已完成", evaluated: "已评价", cancelled: "已取消" };
const OFFERING = { active: "可用", paused: "暂停", retired: "已下架" };
const CLAIM = { active: "有效", withdrawn: "已撤回", cancelled: "已取消" };
const PROBLEM = { open: "待处理", resolved: "已解决" };
const URGENCY = { low: "不急", normal: "一般", high: "较急", urgent: "紧急" };
const LABEL = { Org: "党组织", Unit: "驻区单位", Member: "党员", Area: "区域", Need: "需求", Offering: "资源", Project: "项目", Agreement: "共建协议" };
const ROLE = { admin: "管理员", planner: "街道规划", secretary: "社区书记", unit: "驻区单位", member: "党员" };

const main = () => document.getElementById("main");
const me = () => (session() || {}).me;
let categories = null;

async function loadCategories() {
  if (!categories) categories = await api("/open311/v2/services.json");
  return categories;
}

async function categoryOptions() {
  return (await loadCategories()).map((c) => h("option", { value: c.service_code },
    c.group && c.group !== c.service_name ? `${c.group} · ${c.service_name}` : c.service_name));
}

/** The Chinese name of a service category code (the code itself when unknown). */
const catName = (code) => ((categories || []).find((c) => c.service_code === code) || {}).service_name || code;

function show(title, ...parts) {
  const m = main();
  m.replaceChildren(h("h1", {}, title), ...parts);
  document.title = `${title} · 联建`;
}

const needLink = (n) => h("a", { href: `#/needs/${encodeURIComponent(n.id || n.need_id)}` }, n.title || n.need_title || n.need_id);

// ---------- sign in ----------
function signInPage() {
  routes += 1;  // any slower page still loading must not cover the sign-in form
  document.getElementById("who").textContent = "";
  document.getElementById("sign-out").hidden = true;
  const form = h("form", { class: "card signin", "aria-label": "登录" },
    field("用户名", h("input", { name: "username", required: true, autocomplete: "username", maxlength: 64 })),
    field("密码", h("input", { name: "password", type: "password", required: true, autocomplete: "current-password" })),
    h("button", { type: "submit" }, "登录"));
  wire(form, async (v) => { await signIn(v.username, v.password); go("#/home"); });
  show("登录联建工作台", form);
}

// ---------- secretary ----------
function needsTable(needs) {
  if (!needs.length) return h("p", { class: "hint" }, "暂无需求。");
  return table([
    ["需求", needLink], ["类别", (n) => catName(n.category)], ["状态", (n) => badge(n.status, NEED)],
    ["紧急程度", (n) => URGENCY[n.urgency] || n.urgency], ["时间", (n) => `${when(n.window_start)} 至 ${when(n.window_end)}`],
    ["认领", (n) => `${n.claimed}/${n.people_wanted}`],
  ], needs);
}

async function secretaryHome(who) {
  const status = h("select", { name: "status", id: "status-filter" }, h("option", { value: "" }, "全部状态"),
    Object.entries(NEED).map(([k, v]) => h("option", { value: k }, v)));
  const box = h("div", { id: "needs" });
  const load = async () => {
    const q = new URLSearchParams({ org_id: who.scope_org_id, limit: "100" });
    if (status.value) q.set("status", status.value);
    box.replaceChildren(needsTable(await api(`/needs?${q}`)));
  };
  status.addEventListener("change", () => load().catch((e) => flash(e.message)));
  const problems = h("div", { id: "problems" });
  const view = [`${who.display_name} · 工作台`,
    h("div", { class: "actions" }, h("a", { href: "#/needs/new", class: "button" }, "发布需求")),
    h("h2", {}, "待处理的问题上报"), problems,
    h("h2", {}, "派单建议"), h("div", { id: "proposals" }),
    h("h2", {}, "本社区的需求"), h("div", { class: "field narrow" }, h("label", { for: "status-filter" }, "按状态查看"), status), box];
  await load();
  if (await offers("/dispatch/proposals")) {
    const box = view[view.length - 4];
    const reload = async () => box.replaceChildren(proposalsTable(await api("/dispatch/proposals?status=pending&limit=50"), reload));
    await reload();
  } else view.splice(view.length - 5, 2);
  const projects = await api("/projects?status=problem&limit=100");
  const open = projects.flatMap((p) => p.problems.filter((x) => x.status === "open").map((x) => [p, x]));
  problems.replaceChildren(open.length ? h("ul", { class: "list" }, open.map(([p, x]) => h("li", {},
    h("div", {}, h("strong", {}, p.title), " · ", h("a", { href: `#/needs/${p.need_id}` }, "查看需求")),
    h("div", {}, x.description), h("div", { class: "meta" }, `上报于 ${when(x.created_at)}`),
    resolveForm(x)))) : h("p", { class: "hint" }, "没有待处理的问题。"));
  return view;
}

function resolveForm(problem) {
  const form = h("form", { "aria-label": "处理问题" },
    field("处理结果", h("textarea", { name: "resolution", required: true, maxlength: 2000, rows: 2 })),
    h("button", { type: "submit" }, "标记为已解决"));
  return wire(form, async (v) => {
    await api(`/problems/${problem.id}/resolve`, { method: "POST", body: { resolution: v.resolution } });
    route();
  });
}

const local = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
const iso = (v) => (v && v.length === 16 ? `${v}:00` : v);

async function newNeedPage() {
  const who = me();
  const start = new Date(Date.now() + 86400000); start.setMinutes(0, 0, 0);
  const end = new Date(start.getTime() + 3 * 3600000);
  const form = h("form", { class: "card", "aria-label": "发布需求" },
    field("标题 *", h("input", { name: "title", required: true, maxlength: 100 }), "最多 100 字"),
    h("div", { class: "row" },
      field("服务类别 *", h("select", { name: "category", required: true }, h("option", { value: "" }, "请选择"), await categoryOptions())),
      field("紧急程度", h("select", { name: "urgency" }, Object.entries(URGENCY).map(([k, v]) => h("option", { value: k, selected: k === "normal" }, v))))),
    field("需求说明", h("textarea", { name: "description", maxlength: 2000, rows: 4 }), "最多 2000 字"),
    h("div", { class: "row" },
      field("开始时间 *", h("input", { name: "window_start", type: "datetime-local", required: true, value: local(start) })),
      field("结束时间 *", h("input", { name: "window_end", type: "datetime-local", required: true, value: local(end) }))),
    h("div", { class: "row" },
      field("需要人数 *", h("input", { name: "people_wanted", type: "number", required: true, min: 1, max: 100, value: 1 })),
      field("预计时长(小时)", h("input", { name: "hours_wanted", type: "number", min: 0, max: 10000, step: "0.5" })),
      field("受益人数", h("input", { name: "beneficiary_count", type: "number", min: 0, step: 1 }))),
    field("地址", h("input", { name: "address", maxlength: 200 })),
    h("button", { type: "submit" }, "发布"));
  wire(form, async (v) => {
    const body = { org_id: who.scope_org_id, title: v.title, category: v.category, urgency: v.urgency,
      window_start: iso(v.window_start), window_end: iso(v.window_end), people_wanted: Number(v.people_wanted) };
    if (v.description) body.description = v.description;
    if (v.hours_wanted) body.hours_wanted = Number(v.hours_wanted);
    if (v.beneficiary_count) body.beneficiary_count = Number(v.beneficiary_count);
    if (v.address) body.address = v.address;
    const need = await api("/needs", { method: "POST", body });
    flash(`需求“${need.title}”已发布。`, "ok");
    go("#/home");
  }, (v) => (v.window_start && v.window_end && v.window_end <= v.window_start ? { window_end: "“结束时间”必须晚于“开始时间”" } : {}));
  return ["发布需求", form];
}

async function needPage(id) {
  const who = me();
  const need = await api(`/needs/${encodeURIComponent(id)}`);
  const parts = [h("section", { class: "card" },
    h("p", {}, badge(need.status, NEED), " ", catName(need.category), " · ", URGENCY[need.urgency] || need.urgency),
    need.description ? h("p", {}, need.description) : null,
    h("p", { class: "meta" }, `时间:${when(need.window_start)} 至 ${when(need.window_end)};需要 ${need.people_wanted} 人,已认领 ${need.claimed}`),
    need.address ? h("p", { class: "meta" }, `地址:${need.address}`) : null,
    need.status_reason ? h("p", { class: "meta" }, `说明:${need.status_reason}`) : null)];
  const claims = await api(`/claims?need_id=${encodeURIComponent(id)}&limit=100`);
  parts.push(h("h2", {}, "认领情况"), claims.length ? table([
    ["服务方", (c) => c.provider_name || c.provider_id], ["资源", (c) => c.offering_title || c.offering_id],
    ["方式", (c) => (c.via === "dispatch" ? "派单" : "自主认领")], ["状态", (c) => badge(c.status, CLAIM)], ["时间", (c) => when(c.created_at)],
  ], claims) : h("p", { class: "hint" }, "还没有人认领。"));
  if (need.project_id) parts.push(...(await projectParts(need.project_id, who)));
  if (who.role === "unit" || who.role === "member") {
    if (need.status === "open") parts.push(h("h2", {}, "认领这个需求"), await claimForm(need, who));
  }
  return [need.title, ...parts];
}

async function projectParts(pid, who) {
  const p = await api(`/projects/${encodeURIComponent(pid)}`);
  const parts = [h("h2", {}, "项目进展"), h("section", { class: "card", id: "project" },
    h("p", {}, badge(p.status, PROJECT), ` 开始:${when(p.started_at)} 完成:${when(p.completed_at)}`),
    h("p", {}, h("strong", {}, `累计服务 ${p.hours_total || 0} 小时`)),
    p.report ? h("p", {}, `完成情况:${p.report}`) : null,
    p.work_logs.length ? table([["服务方", (w) => w.provider_name || w.provider_id], ["小时", (w) => w.hours], ["说明", (w) => w.note || ""], ["登记时间", (w) => when(w.logged_at)]], p.work_logs) : h("p", { class: "hint" }, "暂无服务时长记录。"),
    h("h3", {}, "问题上报"),
    p.problems.length ? h("ul", { class: "list" }, p.problems.map((x) => h("li", {}, badge(x.status, PROBLEM), " ", x.description,
      x.resolution ? h("div", { class: "meta" }, `处理结果:${x.resolution}`) : null,
      who.role === "secretary" && x.status === "open" ? resolveForm(x) : null))) : h("p", { class: "hint" }, "没有问题上报。"))];
  if (who.role === "secretary" && p.status === "completed") {
    const form = h("form", { class: "card", "aria-label": "评价服务方" },
      field("服务方 *", h("select", { name: "provider_id", required: true }, p.providers.map((x) => h("option", { value: x.provider_id }, x.provider_name || x.provider_id)))),
      field("评分 *", h("select", { name: "rating", required: true }, [5, 4, 3, 2, 1].map((n) => h("option", { value: n }, `${n} 分`)))),
      field("评语", h("textarea", { name: "comment", maxlength: 500, rows: 2 })),
      h("button", { type: "submit" }, "提交评价"));
    wire(form, async (v) => {
      await api(`/projects/${pid}/evaluations/provider`, { method: "POST", body: { provider_id: v.provider_id, rating: Number(v.rating), comment: v.comment || null } });
      return "评价已提交,谢谢!";
    });
    parts.push(h("h2", {}, "评价服务方"), form);
  }
  return parts;
}

/** Pending dispatch proposals; with `reload` given, each row can be accepted or rejected. */
function proposalsTable(props, reload) {
  if (!props.length) return h("p", { class: "hint" }, "没有待处理的派单建议。");
  const cols = [["需求", needLink], ["服务方", (x) => x.provider_name || x.provider_id],
    ["资源", (x) => x.offering_title || x.offering_id], ["理由", (x) => x.path_words || ""]];
  if (reload) cols.push(["操作", (x) => h("div", { class: "actions" },
    act("采纳", async () => { await api(`/dispatch/proposals/${x.id}/accept`, { method: "POST" }); await reload(); flash(`已采纳:${x.need_title}`, "ok"); }),
    act("拒绝", async () => { await api(`/dispatch/proposals/${x.id}/reject`, { method: "POST" }); await reload(); }, "secondary"))]);
  return table(cols, props);
}

// ---------- unit / member ----------
async function claimForm(need, who) {
  const mine = await api(`/offerings?provider_id=${encodeURIComponent(who.subject_id)}&status=active&limit=100`);
  if (!mine.length) return h("p", { class: "hint" }, "您还没有可用的资源,请先在工作台登记资源。");
  const form = h("form", { class: "card", "aria-label": "认领需求" },
    field("用哪项资源认领 *", h("select", { name: "offering_id", required: true }, mine.map((o) => h("option", { value: o.id }, `${o.title}(${catName(o.category)})`)))),
    field("留言", h("textarea", { name: "note", maxlength: 500, rows: 2 })),
    h("button", { type: "submit" }, "认领"));
  return wire(form, async (v) => {
    await api("/claims", { method: "POST", body: { need_id: need.id, offering_id: v.offering_id, note: v.note || null } });
    await route();
    flash(`已认领“${need.title}”。`, "ok");
  });
}

async function providerHome(who) {
  const sid = encodeURIComponent(who.subject_id);
  const [open, projects, mine, balance, ledger] = await Promise.all([
    api("/needs?status=open&limit=20"), api(`/projects?provider_id=${sid}&limit=100`),
    api(`/offerings?provider_id=${sid}&limit=100`), api(`/points/${sid}`), api(`/points/${sid}/ledger?limit=20`)]);
  const parts = [h("nav", { class: "jump", "aria-label": "本页导航" },
    h("a", { href: "#/home", onclick: jump("my-projects") }, "我的项目"), h("a", { href: "#/home", onclick: jump("open-needs") }, "待认领的需求"),
    h("a", { href: "#/home", onclick: jump("my-offerings") }, "我的资源"), h("a", { href: "#/home", onclick: jump("points") }, `积分 ${balance.balance}`))];
  parts.push(h("h2", {}, "我的项目"), h("div", { id: "my-projects" }, projects.length ? h("ul", { class: "list" }, projects.map((p) => projectItem(p))) : h("p", { class: "hint" }, "还没有项目。")));
  if (await offers("/recommendations/needs")) {
    const recs = await api("/recommendations/needs?k=5").catch(() => []);
    parts.push(h("h2", {}, "为您推荐"), recs.length ? h("ul", { class: "list", id: "recommended" }, recs.map((r) => h("li", {},
      h("a", { href: `#/needs/${encodeURIComponent(r.need_id)}` }, (open.find((n) => n.id === r.need_id) || {}).title || "查看需求"),
      h("div", { class: "meta" }, r.reasons || r.path_words)))) : h("p", { class: "hint" }, "暂时没有与您的资源相符的推荐,可在下方浏览全部待认领需求。"));
  }
  parts.push(h("h2", {}, "待认领的需求"), h("div", { id: "open-needs" }, needsTable(open)));
  parts.push(h("h2", {}, "我的资源"), h("div", { id: "my-offerings" }, offeringsTable(mine)), h("h3", {}, "登记新资源"), await offeringForm());
  parts.push(h("h2", {}, "积分"), h("section", { class: "card", id: "points" },
    h("p", {}, "当前积分:", h("strong", { class: "balance" }, String(balance.balance)), ` (共 ${balance.entries} 条记录)`),
    ledger.length ? table([["时间", (e) => when(e.at)], ["积分", (e) => (e.points > 0 ? `+${e.points}` : e.points)], ["原因", (e) => e.note || e.reason]], ledger) : h("p", { class: "hint" }, "暂无积分记录。")));
  return [`${who.display_name} · 工作台`, ...parts];
}

/** A click handler scrolling to the section `id` (hash links are the router's). */
const jump = (id) => (ev) => { ev.preventDefault(); document.getElementById(id).scrollIntoView(); };

function projectItem(p) {
  const li = h("li", {}, h("strong", {}, p.title), " ", badge(p.status, PROJECT), " ", h("a", { href: `#/needs/${p.need_id}` }, "需求详情"),
    h("div", { class: "meta" }, `${p.org_name || ""} · 累计 ${p.hours_total || 0} 小时`));
  if (p.status === "claimed") li.append(h("div", { class: "actions" }, act("开始服务", async () => { await api(`/projects/${p.id}/start`, { method: "POST" }); route(); })));
  if (p.status === "in_progress" || p.status === "problem") {
    const hours = wire(h("form", { "aria-label": "登记服务时长" }, h("div", { class: "row" },
      field("服务时长(小时)*", h("input", { name: "hours", type: "number", required: true, min: 0.1, max: 24, step: "0.5" })),
      field("说明", h("input", { name: "note", maxlength: 500 }))), h("button", { type: "submit" }, "登记时长")),
    async (v) => { await api(`/projects/${p.id}/hours`, { method: "POST", body: { hours: Number(v.hours), note: v.note || null } }); route(); });
    const done = wire(h("form", { "aria-label": "完成项目" }, field("完成情况 *", h("textarea", { name: "report", required: true, maxlength: 2000, rows: 2 })), h("button", { type: "submit" }, "完成项目")),
      async (v) => { await api(`/projects/${p.id}/complete`, { method: "POST", body: { report: v.report } }); await route(); flash("项目已完成,积分已记入。", "ok"); });
    const problem = wire(h("form", { "aria-label": "问题上报" }, field("遇到的问题", h("textarea", { name: "description", required: true, maxlength: 2000, rows: 2 })), h("button", { type: "submit", class: "secondary" }, "上报问题")),
      async (v) => { await api(`/projects/${p.id}/problems`, { method: "POST", body: { description: v.description } }); route(); });
    li.append(hours, done, problem);
  }
  if (p.status === "completed" || p.status === "evaluated") {
    li.append(wire(h("form", { "aria-label": "评价社区" }, h("div", { class: "row" },
      field("给社区的评分 *", h("select", { name: "rating", required: true }, [5, 4, 3, 2, 1].map((n) => h("option", { value: n }, `${n} 分`)))),
      field("评语", h("input", { name: "comment", maxlength: 500 }))), h("button", { type: "submit", class: "secondary" }, "评价社区")),
    async (v) => {
      await api(`/projects/${p.id}/evaluations/community`, { method: "POST", body: { rating: Number(v.rating), comment: v.comment || null } });
      return "已评价社区,谢谢!";
    }));
  }
  return li;
}

function offeringsTable(list) {
  if (!list.length) return h("p", { class: "hint" }, "还没有登记资源。");
  return table([["资源", (o) => o.title], ["类别", (o) => catName(o.category)], ["状态", (o) => badge(o.status, OFFERING)],
    ["本期已用", (o) => `${o.used_in_period}/${o.capacity}`],
    ["操作", (o) => h("div", { class: "actions" },
      o.status === "active" ? act("暂停", () => api(`/offerings/${o.id}/pause`, { method: "POST" }).then(route), "secondary") : null,
      o.status === "paused" ? act("恢复", () => api(`/offerings/${o.id}/resume`, { method: "POST" }).then(route), "secondary") : null,
      o.status !== "retired" ? act("下架", () => api(`/offerings/${o.id}/retire`, { method: "POST" }).then(route), "secondary") : null)]], list);
}

async function offeringForm() {
  const form = h("form", { class: "card", "aria-label": "登记资源" },
    h("div", { class: "row" },
      field("资源名称 *", h("input", { name: "title", required: true, maxlength: 100 })),
      field("服务类别 *", h("select", { name: "category", required: true }, h("option", { value: "" }, "请选择"), await categoryOptions()))),
    h("div", { class: "row" },
      field("类型", h("select", { name: "kind" }, [["service", "服务"], ["venue", "场地"], ["goods", "物资"], ["funds", "资金"]].map(([k, v]) => h("option", { value: k }, v)))),
      field("每期可服务次数 *", h("input", { name: "capacity", type: "number", required: true, min: 1, max: 10000, value: 1 })),
      field("周期", h("select", { name: "period" }, [["month", "每月"], ["week", "每周"], ["quarter", "每季度"], ["year", "每年"], ["once", "一次性"]].map(([k, v]) => h("option", { value: k }, v))))),
    field("说明", h("textarea", { name: "description", maxlength: 2000, rows: 2 })),
    h("button", { type: "submit" }, "登记资源"));
  return wire(form, async (v) => {
    const body = { title: v.title, category: v.category, kind: v.kind, capacity: Number(v.capacity), period: v.period };
    if (v.description) body.description = v.description;
    await api("/offerings", { method: "POST", body });
    await route();
    flash(`资源“${v.title}”已登记。`, "ok");
  });
}

// ---------- planner ----------
async function plannerHome(who) {
  const org = encodeURIComponent(who.scope_org_id);
  const now = new Date();
  const since = new Date(now.getTime() - 365 * 86400000);
  const period = new URLSearchParams({ start: since.toISOString().slice(0, 19), end: now.toISOString().slice(0, 19) });
  const [report, needs, offerings] = await Promise.all([api(`/reports/orgs/${org}?${period}`), api("/needs?limit=100"), api("/offerings?status=active&limit=100")]);
  const rate = (label, r, detail) => h("div", { class: "rate" }, h("div", {}, label), h("div", { class: "value" }, pct(r.rate)), h("div", { class: "hint" }, detail));
  const parts = [h("h2", {}, "三率"), h("div", { class: "rates", id: "rates" },
    rate("响应率", report.response, `${report.response.responded}/${report.response.needs} 个需求在 ${report.response.within_hours} 小时内响应`),
    rate("解决率", report.resolution, `${report.resolution.resolved}/${report.resolution.needs} 个需求已解决`),
    rate("满意率", report.satisfaction, `${report.satisfaction.satisfied}/${report.satisfaction.ratings} 条评价满意`)),
  h("p", { class: "hint" }, `统计期间:近一年(${when(report.start)} 至 ${when(report.end)}),共 ${report.needs} 个需求。`),
  h("h2", {}, "需求状态"), table([["状态", ([k]) => NEED[k] || k], ["数量", ([, v]) => v]], Object.entries(report.by_status)),
  h("h2", {}, "需求与资源分布图"), map(needs, offerings)];
  if (await offers("/analytics/entities/{entity_id}/neighbourhood")) {
    parts.splice(1, 0, h("p", {}, h("a", { href: `#/explore/${org}` }, "关系浏览:从本街道出发查看组织、单位与党员之间的关系")));
  }
  if (await offers("/analytics/orgs/{org_id}/gaps")) {
    const gaps = await api(`/analytics/orgs/${org}/gaps`);
    const short = [...gaps.supply_demand].sort((a, b) => a.balance - b.balance).slice(0, 10);
    parts.push(h("h2", {}, "供需短板(缺口最大的类别与区域)"), h("div", { id: "gaps" }, short.length ? table([
      ["类别", (g) => g.category_name], ["区域", (g) => g.area_name], ["未满足需求", (g) => g.needs_unmet],
      ["闲置资源", (g) => g.offerings_idle], ["差额", (g) => g.balance]], short) : h("p", { class: "hint" }, "暂无数据。")),
    h("h2", {}, "尚无人服务的需求"), h("div", { id: "unserved" }, gaps.unserved.length ? table([
      ["需求", needLink], ["社区", (u) => u.community || "—"], ["原因", (u) => u.reason]], gaps.unserved.slice(0, 10)) : h("p", { class: "hint" }, "所有需求都有人服务。")));
  }
  if (await offers("/dispatch/runs")) {
    const box = h("div", { id: "proposals" });
    parts.push(h("h2", {}, "派单"), h("p", { class: "hint" }, "派单建议由需求所属社区的书记采纳或拒绝。"), h("div", { class: "actions" }, act("发起一次派单", async () => {
      const run = await api("/dispatch/runs", { method: "POST", body: { scope_org_id: who.scope_org_id } });
      flash(`派单完成:${run.needs_served ?? 0}/${run.needs_total ?? 0} 个需求有了建议。`, "ok");
      box.replaceChildren(proposalsTable(await api(`/dispatch/proposals?status=pending&limit=50&run_id=${encodeURIComponent(run.id)}`)));
    })), box);
    box.replaceChildren(proposalsTable(await api("/dispatch/proposals?status=pending&limit=50")));
  }
  return [`${who.display_name} · 数据看板`, ...parts];
}

function map(needs, offerings) {
  const pts = [...needs.map((n) => ["need", n]), ...offerings.map((o) => ["offer", o])].filter(([, x]) => x.lat != null && x.lon != null);
  if (!pts.length) return h("p", { class: "hint" }, "没有带坐标的需求或资源。");
  const lons = pts.map(([, x]) => x.lon), lats = pts.map(([, x]) => x.lat);
  const [x0, x1, y0, y1] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const W = 600, H = 400, pad = 20;
  const sx = (v) => pad + ((v - x0) / (x1 - x0 || 1)) * (W - 2 * pad);
  const sy = (v) => H - pad - ((v - y0) / (y1 - y0 || 1)) * (H - 2 * pad);
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`); svg.setAttribute("class", "map"); svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `辖区地图:${needs.length} 个需求(红色圆点),${offerings.length} 项资源(蓝色方块)`);
  for (const [kind, x] of pts) {
    const el = document.createElementNS(NS, kind === "need" ? "circle" : "rect");
    if (kind === "need") { el.setAttribute("cx", sx(x.lon)); el.setAttribute("cy", sy(x.lat)); el.setAttribute("r", 5); el.setAttribute("fill", x.status === "open" ? "#d32f2f" : "#ef9a9a"); }
    else { el.setAttribute("x", sx(x.lon) - 4); el.setAttribute("y", sy(x.lat) - 4); el.setAttribute("width", 8); el.setAttribute("height", 8); el.setAttribute("fill", "#1565c0"); el.setAttribute("opacity", ".7"); }
    el.setAttribute("class", kind);
    const t = document.createElementNS(NS, "title"); t.textContent = `${kind === "need" ? "需求" : "资源"}:${x.title}`; el.append(t);
    svg.append(el);
  }
  return h("div", {}, svg, h("p", { class: "legend hint" }, h("span", { style: "color:#d32f2f" }, "● 待认领需求"), h("span", { style: "color:#ef9a9a" }, "● 其他需求"), h("span", { style: "color:#1565c0" }, "■ 可用资源")));
}

/** The relationship explorer: an entity's direct ties in words, each neighbour a link onwards. */
async function explorePage(id) {
  const hood = await api(`/analytics/entities/${encodeURIComponent(id)}/neighbourhood?hops=1&max_nodes=200`);
  const names = new Map([[hood.centre.id, hood.centre], ...hood.nodes.map((n) => [n.node.id, n.node])]);
  const link = (nid) => { const n = names.get(nid) || { id: nid, name: nid, label: "" };
    return nid === hood.centre.id ? h("strong", {}, n.name) : h("a", { href: `#/explore/${encodeURIComponent(nid)}` }, n.name); };
  return [`关系浏览:${hood.centre.name}`,
    h("p", { class: "hint" }, `${LABEL[hood.centre.label] || hood.centre.label} · 直接相连 ${hood.nodes.length} 个${hood.truncated ? "(已截断)" : ""}。点击名称继续浏览。`),
    h("div", { id: "ties" }, hood.ties.length ? table([["一方", (t) => link(t.start)], ["关系", (t) => t.title || t.type], ["另一方", (t) => link(t.end)]], hood.ties)
      : h("p", { class: "hint" }, "没有直接关系。")),
    h("p", {}, h("a", { href: "#/home" }, "返回看板"))];
}

// ---------- admin ----------
async function adminHome(who) {
  return [`${who.display_name} · 工作台`, h("h2", {}, "全部需求"), needsTable(await api("/needs?limit=100"))];
}

// ---------- routing ----------
/** Show `hash`: the hashchange listener renders it, or we do when it is already shown. */
function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

let routes = 0;
const HOMES = { secretary: secretaryHome, unit: providerHome, member: providerHome, planner: plannerHome, admin: adminHome };

export async function route() {
  const s = session();
  const path = location.hash.replace(/^#/, "") || "/home";
  if (!s || !s.me) return signInPage();
  document.getElementById("who").textContent = `${s.me.display_name}(${ROLE[s.me.role] || s.me.role})`;
  document.getElementById("sign-out").hidden = false;
  const ticket = ++routes;  // a newer navigation wins over a slower earlier one
  try {
    await loadCategories();
    const need = path.match(/^\/needs\/(.+)$/);
    let view;
    if (path === "/needs/new") view = await newNeedPage();
    else if (need) view = await needPage(decodeURIComponent(need[1]));
    else if (path.startsWith("/explore/")) view = await explorePage(decodeURIComponent(path.slice(9)));
    else view = await HOMES[s.me.role](s.me);
    if (ticket === routes) show(...view);
  } catch (err) {
    if (!session()) return signInPage();
    if (ticket === routes) show("出错了", h("p", { class: "msg error", role: "alert" }, err.message || String(err)), h("a", { href: "#/home" }, "返回工作台"));
  }
}

window.addEventListener("hashchange", () => {
  const box = document.getElementById("flash");
  if (box.dataset.fresh) delete box.dataset.fresh; else flash("");
  route();
});
document.querySelector(".brand").addEventListener("click", (ev) => { ev.preventDefault(); go("#/home"); });  // refreshes when already home
document.getElementById("sign-out").addEventListener("click", () => { signOut(); flash("您已退出登录。", "ok"); go("#/signin"); });
route();
