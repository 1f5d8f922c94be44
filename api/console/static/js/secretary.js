// The community secretary's pages: home (problems, proposals, the community's needs), posting,
// editing and cancelling a need, and the community's points.
import { api, offers } from "./api.js";
import { beijing, field, flash, h, table, utc, wire, when } from "./ui.js";
import { categoryOptions, dutyReportBox, filteredNeeds, go, HOLDER, holder, jump, me, pagedLedger, pendingProposals, URGENCY } from "./common.js";
import { route } from "./app.js";

export async function secretaryHome(who) {
  const problems = h("div", { id: "problems" });
  const view = [`${who.display_name} · 工作台`,
    h("div", { class: "actions" }, h("a", { href: "#/needs/new", class: "button" }, "发布需求"), h("a", { href: "#/series", class: "button secondary", id: "series-link" }, "常态化项目"), h("a", { href: "#/points", class: "button secondary" }, "积分排行"), h("a", { href: "#/venues", class: "button secondary", id: "venues-link" }, "场所预约"), h("a", { href: "#/agreements", class: "button secondary", id: "agreements-link" }, "共建协议"), h("a", { href: "#/registrations", class: "button secondary", id: "registrations-link" }, "报到审核"),
      h("a", { href: "#/posts", class: "button secondary", id: "posts-link" }, "职务管理"), h("a", { href: "#/branches", class: "button secondary", id: "branches-link" }, "三缘支部"),
      h("a", { href: "#/unit-needs", class: "button secondary", id: "unit-needs-link" }, "单位需求"), h("a", { href: "#/pledges", class: "button secondary", id: "pledges-link" }, "承诺审核"),
      h("a", { href: `/public/orgs/${encodeURIComponent(who.scope_org_id)}`, class: "button secondary", id: "public-link" }, "述评公开")),
    h("nav", { class: "jump", "aria-label": "本页导航" }, h("a", { href: "#/home", onclick: jump("problems") }, "问题上报"),
      h("a", { href: "#/home", onclick: jump("proposals") }, "派单建议"), h("a", { href: "#/home", onclick: jump("needs") }, "本社区的需求")),
    h("h2", {}, "待处理的问题上报"), problems];
  if (await offers("/dispatch/proposals")) {
    view.push(h("h2", {}, "派单建议"), await pendingProposals(h("div", { id: "proposals" }), null, true));
  }
  view.push(h("h2", {}, "本社区的需求"), ...(await filteredNeeds({ org_id: who.scope_org_id })));
  if (await offers("/reports/orgs/{org_id}/duty-report.docx")) view.push(h("h2", {}, "述职报告"), dutyReportBox(who.scope_org_id));
  const projects = await api("/projects?status=problem&limit=100");
  const open = projects.flatMap((p) => p.problems.filter((x) => x.status === "open").map((x) => [p, x]));
  problems.replaceChildren(open.length ? h("ul", { class: "list" }, open.map(([p, x]) => h("li", {},
    h("div", {}, h("strong", {}, p.title), " · ", h("a", { href: `#/needs/${p.need_id}` }, "查看需求")),
    h("div", {}, x.description), h("div", { class: "meta" }, `上报于 ${when(x.created_at)}`),
    resolveForm(x)))) : h("p", { class: "hint" }, "没有待处理的问题。"));
  return view;
}

export function resolveForm(problem) {
  const form = h("form", { "aria-label": "处理问题" },
    field("处理结果", h("textarea", { name: "resolution", required: true, maxlength: 2000, rows: 2 })),
    h("button", { type: "submit" }, "标记为已解决"));
  return wire(form, async (v) => {
    await api(`/problems/${problem.id}/resolve`, { method: "POST", body: { resolution: v.resolution } });
    await route();
    flash("问题已标记为已解决。", "ok");
  });
}

/** The fields of a need's form, prefilled from `n` (a need or the defaults of a new one). */
async function needForm(label, n, button) {
  const opt = (v) => (v === null || v === undefined ? undefined : String(v));
  const cats = await categoryOptions();
  for (const o of cats) o.selected = o.value === n.category;
  return h("form", { class: "card", "aria-label": label },
    field("标题 *", h("input", { name: "title", required: true, maxlength: 100, value: opt(n.title) }), "最多 100 字"),
    h("div", { class: "row" },
      field("服务类别 *", h("select", { name: "category", required: true }, h("option", { value: "" }, "请选择"), cats)),
      field("紧急程度", h("select", { name: "urgency" }, Object.entries(URGENCY).map(([k, v]) => h("option", { value: k, selected: k === n.urgency }, v))))),
    field("需求说明", Object.assign(h("textarea", { name: "description", maxlength: 2000, rows: 4 }), { value: n.description || "" }), "最多 2000 字"),
    h("div", { class: "row" },
      field("开始时间 *", h("input", { name: "window_start", type: "datetime-local", required: true, value: beijing(n.window_start) }), "北京时间"),
      field("结束时间 *", h("input", { name: "window_end", type: "datetime-local", required: true, value: beijing(n.window_end) }))),
    h("div", { class: "row" },
      field("需要人数 *", h("input", { name: "people_wanted", type: "number", required: true, min: 1, max: 100, value: opt(n.people_wanted) })),
      field("预计时长(小时)", h("input", { name: "hours_wanted", type: "number", min: 0, max: 10000, step: "0.5", value: opt(n.hours_wanted) })),
      field("受益人数", h("input", { name: "beneficiary_count", type: "number", min: 0, step: 1, value: opt(n.beneficiary_count) }))),
    field("地址", h("input", { name: "address", maxlength: 200, value: opt(n.address) })),
    h("button", { type: "submit" }, button));
}

const windowOk = (v) => (v.window_start && v.window_end && v.window_end <= v.window_start ? { window_end: "“结束时间”必须晚于“开始时间”" } : {});
const NUMBERS = ["people_wanted", "hours_wanted", "beneficiary_count"];
/** A form value as the API takes it: numbers as numbers, times as UTC, blanks as null. */
function typed(name, v) {
  if (v === "") return null;
  if (NUMBERS.includes(name)) return Number(v);
  if (name.startsWith("window_")) return utc(v);
  return v;
}

export async function newNeedPage() {
  const who = me();
  const start = Math.ceil((Date.now() + 86400000) / 3600000) * 3600000;  // tomorrow, on the hour (Beijing's hours are UTC's)
  const end = start + 3 * 3600000;
  const form = await needForm("发布需求", { urgency: "normal", people_wanted: 1, window_start: start, window_end: end }, "发布");
  wire(form, async (v) => {
    const body = { org_id: who.scope_org_id };
    for (const [k, x] of Object.entries(v)) if (x !== "") body[k] = typed(k, x);
    const need = await api("/needs", { method: "POST", body });
    flash(`需求“${need.title}”已发布。`, "ok");
    go("#/home");
  }, windowOk);
  return ["发布需求", form];
}

/** Edit an open need: only the fields changed are sent; the API refuses if it is no longer open. */
export async function editNeedPage(id) {
  const need = await api(`/needs/${encodeURIComponent(id)}`);
  const form = await needForm("修改需求", need, "保存修改");
  const before = {};
  for (const el of form.elements) if (el.name) before[el.name] = el.value.trim();
  wire(form, async (v) => {
    const body = Object.fromEntries(Object.keys(before).filter((k) => v[k] !== before[k]).map((k) => [k, typed(k, v[k])]));
    if (!Object.keys(body).length) return "没有改动需要保存。";
    const saved = await api(`/needs/${encodeURIComponent(id)}`, { method: "PATCH", body });
    flash(`需求“${saved.title}”已保存。`, "ok");
    go(`#/needs/${encodeURIComponent(id)}`);
    return "";
  }, windowOk);
  return [`修改需求:${need.title}`, h("p", { class: "hint" }, "只有待认领的需求可以修改;如已有人认领,请取消后重新发布。"), form,
    h("a", { href: `#/needs/${encodeURIComponent(id)}` }, "返回需求详情")];
}

let scope = null;
/** Whether the signed-in account may manage `need` as the API checks it: an admin, or the
 *  secretary whose community (with its grids and buildings) posted it. */
export async function manages(need) {
  const who = me();
  if (who.role === "admin") return true;
  if (who.role !== "secretary") return false;
  if (!scope || scope.of !== who.id) {
    const tree = await api(`/orgs/${encodeURIComponent(who.scope_org_id)}/tree`);
    scope = { of: who.id, ids: new Set([who.scope_org_id, ...tree.map((o) => o.id)]) };
  }
  return scope.ids.has(need.org_id);
}

/** The cancel form of a need: a reason, then a second click to confirm. */
export function cancelForm(need) {
  const button = h("button", { type: "submit", class: "secondary" }, "取消需求");
  const confirm = h("p", { class: "msg warn", hidden: true },
    `确定要取消“${need.title}”吗?取消后不能恢复,已有的认领和未开始的项目将一并结束。`);
  const keep = h("button", { type: "button", class: "secondary", hidden: true }, "不取消");
  const disarm = () => { confirm.hidden = true; keep.hidden = true; button.textContent = "取消需求"; button.className = "secondary"; };
  keep.addEventListener("click", disarm);
  const form = h("form", { class: "card", "aria-label": "取消需求" },
    field("取消原因 *", h("textarea", { name: "reason", required: true, maxlength: 500, rows: 2 }), "会显示在需求详情中"),
    confirm, h("div", { class: "actions" }, button, keep));
  return wire(form, async (v) => {
    if (confirm.hidden) { confirm.hidden = false; keep.hidden = false; button.textContent = "确认取消"; button.className = ""; return ""; }
    disarm();
    await api(`/needs/${encodeURIComponent(need.id)}/cancel`, { method: "POST", body: { reason: v.reason } });
    await route();
    flash(`需求“${need.title}”已取消。`, "ok");
    return "";
  });
}

/** A holder's name as the report gives it (members are never named there). */
const holderName = (x) => x.name || (x.kind === "Member" ? "党员(不显示姓名)" : x.holder_id);
const day = (d) => beijing(d).slice(0, 10);
const nextDay = (d) => new Date(Date.parse(`${d}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);

/** The community's points: who earned what through its projects in a period, highest first. */
export async function pointsPage(from, to) {
  const who = me();
  const today = new Date();
  const start = from || day(new Date(today.getTime() - 365 * 86400000));
  const end = to || day(today);
  const form = h("form", { class: "card", "aria-label": "统计时段" }, h("div", { class: "row" },
    field("开始日期 *", h("input", { name: "start", type: "date", required: true, value: start })),
    field("结束日期 *", h("input", { name: "end", type: "date", required: true, value: end }))),
  h("button", { type: "submit" }, "查看"));
  wire(form, async (v) => go(`#/points/${v.start}/${v.end}`),
    (v) => (v.start && v.end && v.end < v.start ? { end: "“结束日期”不能早于“开始日期”" } : {}));
  // Beijing days, the end day counted in full
  const q = new URLSearchParams({ start: utc(`${start}T00:00`), end: utc(`${nextDay(end)}T00:00`) });
  const report = await api(`/reports/orgs/${encodeURIComponent(who.scope_org_id)}?${q}`);
  const ranked = [...report.points_by_holder].sort((a, b) => b.points - a.points);
  const ranking = ranked.length ? table([
    ["名次", (x) => String(ranked.indexOf(x) + 1)],
    ["名称", (x) => h("a", { href: `#/ledger/${encodeURIComponent(x.holder_id)}`, "data-holder": x.holder_id }, holderName(x))],
    ["类型", (x) => HOLDER[x.kind] || x.kind], ["积分", (x) => String(x.points)], ["记录数", (x) => String(x.entries)],
  ], ranked) : h("p", { class: "hint" }, "该时段内没有积分记录。");
  ranking.id = "ranking";
  Object.assign(ranking.dataset, { start: report.start, end: report.end });
  return ["积分排行", form,
    h("p", {}, `${start} 至 ${end}(北京时间),本辖区项目共产生 `, h("strong", { id: "points-total" }, String(report.points_total)), " 积分。"),
    h("p", { class: "hint" }, "点击名称查看积分明细。党员不显示姓名。"), ranking];
}

/** One holder's balance and ledger (the API decides whom the account may see). */
export async function ledgerPage(id) {
  const [balance, entries] = await Promise.all([holder(id), pagedLedger(id, 50)]);
  return [`积分明细:${balance.name || HOLDER[balance.holder_kind] || id}`,
    h("p", {}, `${HOLDER[balance.holder_kind] || ""} 当前积分:`, h("strong", { class: "balance" }, String(balance.balance)), `(共 ${balance.entries} 条记录)`),
    entries, h("p", {}, h("a", { href: "#/points" }, "返回积分排行"))];
}
