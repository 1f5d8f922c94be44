// What every page shares: status names, categories, the page frame, need and proposal tables.
import { api, download, session } from "./api.js";
import { act, badge, flash, h, paged, table, when } from "./ui.js";
import { route } from "./app.js";

export const NEED = { open: "待认领", claimed: "已认领", in_progress: "服务中", completed: "已完成", evaluated: "已评价", cancelled: "已取消", expired: "已过期" };
export const PROJECT = { claimed: "已认领", in_progress: "服务中", problem: "问题待处理", completed: "已完成", evaluated: "已评价", cancelled: "已取消" };
export const OFFERING = { active: "可用", paused: "暂停", retired: "已下架" };
export const CLAIM = { active: "有效", withdrawn: "已撤回", cancelled: "已取消" };
export const PROBLEM = { open: "待处理", resolved: "已解决" };
export const WORKLOG = { pending: "待确认", confirmed: "已确认" };
export const CORRECTION = { pending: "更正待处理", accepted: "更正已接受", declined: "更正未接受" };
export const URGENCY = { low: "不急", normal: "一般", high: "较急", urgent: "紧急" };
export const LABEL = { Org: "党组织", Unit: "驻区单位", Member: "党员", Area: "区域", Need: "需求", Offering: "资源", Project: "项目", Agreement: "共建协议", Category: "服务类别" };
export const ROLE = { admin: "管理员", planner: "街道规划", secretary: "社区书记", unit: "驻区单位", member: "党员", grid_worker: "网格员" };

export const main = () => document.getElementById("main");
export const me = () => (session() || {}).me;
let categories = null;

export async function loadCategories() {
  // The taxonomy as administrators keep it (issue 12: renamed, added, retired entries) for the
  // roles that read /categories; the standard list of the public Open311 view for the others.
  const role = (me() || {}).role;
  if (!categories && role && role !== "grid_worker") {
    const rows = await api("/categories").catch(() => null);
    if (rows) {
      const names = Object.fromEntries(rows.map((c) => [c.id, c.name]));
      categories = rows.map((c) => ({ service_code: c.id, service_name: c.name, offered: c.offered,
        group: c.parent_id ? names[c.parent_id] : c.name, parent_id: c.parent_id || null }));
    }
  }
  if (!categories) categories = await api("/open311/v2/services.json");
  return categories;
}

/** Whether an offering fits a need as the claim rule has it (engine/services/fit.py): its category
 * is the need's, its parent or a child, and it has every skill the need asks for. Needs the
 * categories loaded (loadCategories); with only the public list, the category must be the same. */
export function offeringFits(need, offering) {
  const parent = (code) => ((categories || []).find((c) => c.service_code === code) || {}).parent_id || null;
  const a = need.category, b = offering.category;
  const related = a === b || parent(a) === b || parent(b) === a;
  const have = new Set(offering.skills || []);
  return related && (need.skills || []).every((s) => have.has(s));
}

/** Forget the categories read (a sign-in, or an administrator's change, reads them again). */
export function forgetCategories() { categories = null; }

export async function categoryOptions() {
  return (await loadCategories()).filter((c) => c.offered !== false).map((c) => h("option", { value: c.service_code },
    c.group && c.group !== c.service_name ? `${c.group} · ${c.service_name}` : c.service_name));
}

/** The Chinese name of a service category code (the code itself when unknown). */
export const catName = (code) => ((categories || []).find((c) => c.service_code === code) || {}).service_name || code;

export function show(title, ...parts) {
  const m = main();
  m.replaceChildren(h("h1", {}, title), ...parts);
  document.title = `${title} · 联建`;
}

export const needLink = (n) => h("a", { href: `#/needs/${encodeURIComponent(n.id || n.need_id)}` }, n.title || n.need_title || n.need_id);

export function needsTable(needs) {
  if (!needs.length) return h("p", { class: "hint" }, "暂无需求。");
  return table([
    ["需求", needLink], ["类别", (n) => catName(n.category)], ["状态", (n) => badge(n.status, NEED)],
    ["紧急程度", (n) => URGENCY[n.urgency] || n.urgency], ["时间", (n) => `${when(n.window_start)} 至 ${when(n.window_end)}`],
    ["认领", (n) => `${n.claimed}/${n.people_wanted}`],
  ], needs);
}

/** Needs read from `/needs` with `query` a page at a time ("显示更多" for the next page). */
export const pagedNeeds = (query = {}, size = 50) => paged((skip, limit) =>
  api(`/needs?${new URLSearchParams({ ...query, skip: String(skip), limit: String(limit) })}`), needsTable, size);

/** Needs of `query` a page at a time, under a status filter. */
export async function filteredNeeds(query = {}) {
  const status = h("select", { name: "status", id: "status-filter" }, h("option", { value: "" }, "全部状态"),
    Object.entries(NEED).map(([k, v]) => h("option", { value: k }, v)));
  const box = h("div", { id: "needs" });
  const load = async () => box.replaceChildren(await pagedNeeds({ ...query, ...(status.value ? { status: status.value } : {}) }));
  status.addEventListener("change", () => load().catch((e) => flash(e.message)));
  await load();
  return [h("div", { class: "field narrow" }, h("label", { for: "status-filter" }, "按状态查看"), status), box];
}

let top = null;
/** The top org of the directory (an admin has no jurisdiction to start from): climbed from a need's or an account's org. */
export async function topOrg() {
  if (top) return top;
  const [need] = await api("/needs?limit=1");
  const start = need ? need.org_id : ((await api("/accounts?limit=500")).find((a) => a.scope_org_id) || {}).scope_org_id;
  if (!start) return null;
  let org = await api(`/orgs/${encodeURIComponent(start)}`);
  while (org.parent_id) org = await api(`/orgs/${encodeURIComponent(org.parent_id)}`);
  top = org;
  return top;
}

let upper = null;
/** The district, its streets and communities: what an admin picks from (the whole tree is thousands of orgs). */
export async function upperOrgs() {
  if (!upper) {
    const root = await topOrg();
    upper = root ? (await api(`/orgs/${encodeURIComponent(root.id)}/tree`)).filter((o) => ["district", "street", "community"].includes(o.level)) : [];
  }
  return upper;
}

/** Pending dispatch proposals; with `reload` given, each row can be accepted or rejected. */
export function proposalsTable(props, reload) {
  if (!props.length) return h("p", { class: "hint" }, "没有待处理的派单建议。");
  const cols = [["需求", needLink], ["服务方", (x) => x.provider_name || x.provider_id],
    ["资源", (x) => x.offering_title || x.offering_id], ["理由", (x) => x.path_words || ""]];
  if (reload) cols.push(["操作", (x) => h("div", { class: "actions" },
    act("采纳", async () => { await api(`/dispatch/proposals/${x.id}/accept`, { method: "POST" }); await reload(); flash(`已采纳:${x.need_title}`, "ok"); }),
    act("拒绝", async () => { await api(`/dispatch/proposals/${x.id}/reject`, { method: "POST" }); await reload(); flash(`已拒绝:${x.need_title} 的一条派单建议`, "ok"); }, "secondary"))]);
  return table(cols, props);
}



/** A click handler scrolling to the section `id` (hash links are the router's). */
export const jump = (id) => (ev) => { ev.preventDefault(); const el = document.getElementById(id); if (el) el.scrollIntoView(); };

/** Show `hash`: the hashchange listener renders it, or we do when it is already shown. */
export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

export const POINT_REASON = { service_hours: "服务时长", rating: "服务获评", evaluating: "参与评价", correction: "积分更正" };
export const HOLDER = { Unit: "驻区单位", Member: "党员", Org: "党组织" };

/** Fill `box` with the pending proposals (of the run `run` when given) a page at a time; with
 *  `decide`, each row can be accepted or rejected and the list is read again. */
export async function pendingProposals(box, run, decide) {
  const read = (skip, limit) => api(`/dispatch/proposals?${new URLSearchParams({ status: "pending", ...(run ? { run_id: run } : {}), skip: String(skip), limit: String(limit) })}`);
  const load = async () => box.replaceChildren(await paged(read, (rows) => proposalsTable(rows, decide ? load : null), 20));
  await load();
  return box;
}

const NAMED = { Unit: "units", Org: "orgs", Member: "members" };
/** A points holder's balance and name (the name empty where the account may not read it). */
export async function holder(id) {
  const enc = encodeURIComponent(id);
  const balance = await api(`/points/${enc}`);
  const named = await api(`/${NAMED[balance.holder_kind]}/${enc}`).catch(() => ({}));
  return { ...balance, name: named.name || "" };
}

/** A holder's ledger a page at a time, newest first. */
export const pagedLedger = (id, size = 20) => paged((skip, limit) =>
  api(`/points/${encodeURIComponent(id)}/ledger?skip=${skip}&limit=${limit}`), ledgerTable, size);

/** A holder's ledger entries: when, how many points, why. */
export function ledgerTable(entries) {
  if (!entries.length) return h("p", { class: "hint" }, "暂无积分记录。");
  return table([["时间", (e) => when(e.at)], ["积分", (e) => (e.points > 0 ? `+${e.points}` : String(e.points))],
    ["原因", (e) => e.note || POINT_REASON[e.reason] || e.reason]], entries);
}

/** The periods a 述职报告 can cover, newest first: this and last year's quarters, the last 12 months,
 * and this and last year (keys as the API takes them: 2026-Q4, 2026-11, 2026), in Beijing time. */
function reportPeriods(now = new Date(Date.now() + 8 * 3600000)) {
  const year = now.getUTCFullYear(), month = now.getUTCMonth() + 1, quarter = Math.ceil(month / 3);
  const out = [];
  for (let i = 0; i < 6; i += 1) {
    const q = ((quarter - 1 - i) % 4 + 4) % 4 + 1, y = year - Math.floor((4 - quarter + i) / 4);
    out.push([`${y}-Q${q}`, `${y} 年第 ${q} 季度`]);
  }
  for (let i = 0; i < 12; i += 1) {
    const m = ((month - 1 - i) % 12 + 12) % 12 + 1, y = year - Math.floor((12 - month + i) / 12);
    out.push([`${y}-${String(m).padStart(2, "0")}`, `${y} 年 ${m} 月`]);
  }
  out.push([`${year}`, `${year} 年全年`], [`${year - 1}`, `${year - 1} 年全年`]);
  return out;
}

/** 述职报告 of `orgId`: pick a period, download it as Word or Excel (child orgs side by side, a figure). */
export function dutyReportBox(orgId) {
  const select = h("select", { id: "duty-period", "aria-label": "报告期间" },
    reportPeriods().map(([key, name]) => h("option", { value: key }, name)));
  const get = (kind) => act(`下载 ${kind === "docx" ? "Word" : "Excel"}`, async () => {
    const period = select.value;
    await download(`/reports/orgs/${encodeURIComponent(orgId)}/duty-report.${kind}?period=${encodeURIComponent(period)}`,
      `述职报告-${period}.${kind}`);
    flash(`已下载 ${period} 的述职报告。`, "ok");
  }, "secondary");
  return h("div", { class: "actions", id: "duty-report" }, h("label", {}, "期间 ", select), get("docx"), get("xlsx"));
}
