// Recurring needs 常态化共建项目 in the console: the list (a secretary's own, the active ones for
// providers), a secretary's form (repeat weekly/monthly/daily with a count or an end date, or an
// RFC 5545 rule typed in), and a series' page: its occurrences with who serves each, the
// secretary's cancel with a reason, a provider's commitment to the whole series or claim of one
// occurrence.
import { api } from "./api.js";
import { act, badge, field, flash, h, table, utc, when, wire } from "./ui.js";
import { catName, categoryOptions, go, me, NEED } from "./common.js";
import { route } from "./app.js";

const SERIES = { active: "进行中", ended: "已结束", cancelled: "已取消" };
const COMMITMENT = { active: "有效", withdrawn: "已撤回", ended: "已结束" };
const FREQ = { WEEKLY: "每周", MONTHLY: "每月", DAILY: "每天" };
const enc = encodeURIComponent;
const SECRETARIES = ["secretary", "admin"];
const PROVIDERS = ["unit", "member"];

/** The list of series: a secretary's community's (with the new-series button) or the active ones. */
export async function seriesListPage() {
  const who = me();
  const rows = await api("/series?limit=100");
  const list = rows.length
    ? table([
      ["项目", (s) => h("a", { href: `#/series/${enc(s.id)}` }, s.title)],
      ["类别", (s) => catName(s.category)],
      ["重复", (s) => s.rule_zh],
      ["状态", (s) => badge(s.status, SERIES)],
      ["场次", (s) => String(s.occurrence_count)],
      ["长期承诺", (s) => `${s.commitments.filter((c) => c.status === "active").length}/${s.people_wanted}`],
    ], rows)
    : h("p", { class: "hint" }, "暂无常态化项目。");
  const parts = [];
  if (SECRETARIES.includes(who.role)) parts.push(h("div", { class: "actions" }, h("a", { href: "#/series/new", class: "button", id: "new-series" }, "发布常态化项目")));
  parts.push(h("p", { class: "hint" }, "常态化项目按规则定期重复(如每周三四点半课堂、每月义诊),每一场都是一条需求,可单独认领,也可长期承诺全部场次。"));
  parts.push(h("div", { id: "series-list" }, list));
  return ["常态化项目", ...parts];
}

/** The rule the form describes: the typed RFC 5545 rule, else frequency with a count or an end date. */
function ruleOf(v) {
  if (v.rule) return v.rule;
  const bound = v.until ? `UNTIL=${v.until.replaceAll("-", "")}` : `COUNT=${v.count}`;
  return `FREQ=${v.freq};${bound}`;
}

export async function newSeriesPage() {
  const who = me();
  const start = Math.ceil((Date.now() + 86400000) / 3600000) * 3600000;
  const cats = await categoryOptions();
  const form = h("form", { class: "card", "aria-label": "发布常态化项目" },
    field("标题 *", h("input", { name: "title", required: true, maxlength: 80 }), "如:四点半课堂;每场的标题会加上日期"),
    field("服务类别 *", h("select", { name: "category", required: true }, h("option", { value: "" }, "请选择"), cats)),
    field("项目说明", h("textarea", { name: "description", maxlength: 2000, rows: 3 })),
    h("div", { class: "row" },
      field("首次开始 *", h("input", { name: "dtstart", type: "datetime-local", required: true, value: new Date(start + 8 * 3600000).toISOString().slice(0, 16) }), "北京时间"),
      field("每场时长(分钟)*", h("input", { name: "duration_minutes", type: "number", required: true, min: 15, max: 1440, value: "90" }))),
    h("div", { class: "row" },
      field("重复方式", h("select", { name: "freq" }, Object.entries(FREQ).map(([k, v]) => h("option", { value: k }, v))), "按首次开始的星期或日期重复"),
      field("共几次", h("input", { name: "count", type: "number", min: 1, max: 200, value: "12" })),
      field("或截止日期", h("input", { name: "until", type: "date" }), "填写后按截止日期,不看次数")),
    field("重复规则(高级,可选)", h("input", { name: "rule", maxlength: 300, placeholder: "FREQ=WEEKLY;BYDAY=WE;COUNT=12" }), "RFC 5545 格式,北京时间;填写后以此为准"),
    h("div", { class: "row" },
      field("每场需要人数 *", h("input", { name: "people_wanted", type: "number", required: true, min: 1, max: 100, value: "1" })),
      field("每场时长(小时)", h("input", { name: "hours_wanted", type: "number", min: 0, max: 10000, step: "0.5" }))),
    field("地址", h("input", { name: "address", maxlength: 200 })),
    h("button", { type: "submit" }, "发布"));
  wire(form, async (v) => {
    const body = {
      org_id: who.scope_org_id, title: v.title, category: v.category, rule: ruleOf(v), dtstart: utc(v.dtstart),
      duration_minutes: Number(v.duration_minutes), people_wanted: Number(v.people_wanted),
    };
    if (v.description) body.description = v.description;
    if (v.hours_wanted) body.hours_wanted = Number(v.hours_wanted);
    if (v.address) body.address = v.address;
    const made = await api("/series", { method: "POST", body });
    flash(`常态化项目“${made.title}”已发布,已生成 ${made.occurrence_count} 场。`, "ok");
    go(`#/series/${enc(made.id)}`);
  }, (v) => (!v.rule && !v.until && !v.count ? { count: "请填写次数或截止日期" } : {}));
  return ["发布常态化项目", form, h("a", { href: "#/series" }, "返回常态化项目")];
}

const servers = (o) => (o.servers.length ? o.servers.map((s) => `${s.provider_name || s.provider_id}${s.via === "series" ? "(长期)" : ""}`).join("、") : "—");

/** One series: its facts, commitments, occurrences with who serves each, and what the role may do. */
export async function seriesPage(id) {
  const who = me();
  const s = await api(`/series/${enc(id)}`);
  const parts = [h("section", { class: "card", id: "series-facts" },
    h("p", {}, badge(s.status, SERIES), " ", s.rule_zh, ` · 每场 ${s.duration_minutes} 分钟 · 每场需要 ${s.people_wanted} 人`),
    h("p", { class: "meta" }, `${s.org_name || ""}${s.area_name ? ` · ${s.area_name}` : ""} · ${catName(s.category)} · 规则 ${s.rule}`),
    s.description ? h("p", {}, s.description) : null,
    s.status_reason ? h("p", { class: "msg warn" }, s.status_reason) : null)];
  parts.push(h("h2", {}, "长期承诺"), s.commitments.length
    ? h("ul", { class: "list", id: "commitments" }, s.commitments.map((c) => h("li", {}, `${c.provider_name || c.provider_id} `, badge(c.status, COMMITMENT), h("span", { class: "meta" }, ` 承诺于 ${when(c.created_at)}`), withdrawForm(s, c, who))))
    : h("p", { class: "hint", id: "commitments" }, "还没有长期承诺。"));
  let offerings = [];
  if (PROVIDERS.includes(who.role) && s.status === "active") {
    offerings = (await api(`/offerings?provider_id=${enc(who.subject_id)}&limit=100`)).filter((o) => o.status === "active");
    parts.push(commitForm(s, offerings));
  }
  parts.push(h("h2", {}, `场次(已生成 ${s.occurrence_count} 场)`), h("div", { id: "occurrences" }, table([
    ["时间", (o) => `${when(o.window_start)} 至 ${when(o.window_end).slice(11)}`],
    ["状态", (o) => badge(o.status, NEED)],
    ["服务方", (o) => `${servers(o)}(${o.servers.length}/${o.people_wanted})`],
    ["已确认时长", (o) => (o.project_id ? `${o.hours_total || 0} 小时` : "—")],
    ["", (o) => occurrenceActions(o, who, offerings)],
  ], s.occurrences)));
  if (SECRETARIES.includes(who.role) && s.status === "active") parts.push(cancelForm(s));
  parts.push(h("a", { href: "#/series" }, "返回常态化项目"));
  return [s.title, ...parts];
}

function offeringSelect(offerings) {
  return h("select", { name: "offering_id", required: true }, h("option", { value: "" }, "请选择资源"),
    offerings.map((o) => h("option", { value: o.id }, `${o.title}(${catName(o.category)})`)));
}

function commitForm(s, offerings) {
  if (!offerings.length) return h("p", { class: "hint" }, "您还没有可用的资源,登记资源后才能承诺或认领。");
  const form = h("form", { class: "card", "aria-label": "长期承诺" },
    field("用于服务的资源 *", offeringSelect(offerings)),
    field("备注", h("input", { name: "note", maxlength: 500 })),
    h("button", { type: "submit" }, "承诺服务全部场次"));
  return wire(form, async (v) => {
    const made = await api(`/series/${enc(s.id)}/commitments`, { method: "POST", body: v.note ? v : { offering_id: v.offering_id } });
    await route();
    flash(`已承诺长期服务,已认领 ${made.claims_made} 场;以后生成的场次会自动认领。`, "ok");
  });
}

function occurrenceActions(o, who, offerings) {
  const links = [h("a", { href: `#/needs/${enc(o.id)}` }, "详情")];
  const mine = o.servers.some((x) => x.provider_id === who.subject_id);
  if (PROVIDERS.includes(who.role) && o.status === "open" && !mine && offerings.length) {
    const pick = offeringSelect(offerings);
    pick.setAttribute("aria-label", "认领本场所用资源");
    links.push(pick, act("认领本场", async () => {
      if (!pick.value) throw new Error("请先选择用于认领的资源");
      await api("/claims", { method: "POST", body: { need_id: o.id, offering_id: pick.value } });
      await route();
      flash("已认领本场。", "ok");
    }));
  }
  return h("div", { class: "actions" }, ...links);
}

/** The provider that made an active commitment, or the series' secretary, withdraws it with a reason. */
function withdrawForm(s, c, who) {
  const mine = c.provider_id === who.subject_id && PROVIDERS.includes(who.role);
  if (c.status !== "active" || !(mine || SECRETARIES.includes(who.role))) return null;
  const form = h("form", { class: "inline", "aria-label": "撤回长期承诺" },
    h("input", { name: "reason", required: true, maxlength: 500, placeholder: "撤回原因", "aria-label": "撤回原因" }),
    h("button", { type: "submit", class: "secondary" }, "撤回承诺"));
  return wire(form, async (v) => {
    const done = await api(`/series/${enc(s.id)}/commitments/${enc(c.id)}/withdraw`, { method: "POST", body: { reason: v.reason } });
    await route();
    flash(`已撤回长期承诺,${done.withdrawn_claims} 场未开始的场次已重新开放认领。`, "ok");
  });
}

function cancelForm(s) {
  const form = h("form", { class: "card", "aria-label": "取消常态化项目" },
    field("取消原因 *", h("textarea", { name: "reason", required: true, maxlength: 500, rows: 2 }), "尚未开始的场次将取消,已承诺和已认领的服务方会收到通知;已进行的场次保留"),
    h("button", { type: "submit", class: "secondary" }, "取消常态化项目"));
  return wire(form, async (v) => {
    const done = await api(`/series/${enc(s.id)}/cancel`, { method: "POST", body: { reason: v.reason } });
    await route();
    flash(`已取消,${done.cancelled_occurrences} 场未开始的场次一并取消。`, "ok");
  });
}
