// Venues by time slot (场所预约) and goods and funds with amounts (物资、资金): a venue's opening
// hours, use mode and booked slots with a booking form; what is left of goods or funds with a take form.
import { api, session } from "./api.js";
import { act, badge, field, flash, h, table, wire } from "./ui.js";
import { catName, OFFERING } from "./common.js";
import { route } from "./app.js";

const DAYS = { mon: "周一", tue: "周二", wed: "周三", thu: "周四", fri: "周五", sat: "周六", sun: "周日" };
const ACCESS = { free: "免费使用", reservation: "预约使用", paid: "收费使用" };
const KIND = { venue: "场所共享", goods: "物资", funds: "资金" };

/** Opening hours ["mon 09:00-17:00", …] in Chinese, days in a row with the same hours joined: "周一至周五 09:00–17:00". */
export function hoursText(hours) {
  if (!hours || !hours.length) return "不限(全天开放)";
  const order = Object.keys(DAYS);
  const spans = new Map(order.map((d) => [d, hours.filter((e) => e.startsWith(`${d} `)).map((e) => e.slice(4).replace("-", "–")).join("、")]));
  const runs = [];
  order.forEach((d, i) => {
    const text = spans.get(d);
    const last = runs[runs.length - 1];
    if (text && last && last.to === i - 1 && last.text === text) last.to = i;
    else if (text) runs.push({ from: i, to: i, text });
  });
  return runs.map((r) => `${DAYS[order[r.from]]}${r.to > r.from ? `至${DAYS[order[r.to]]}` : ""} ${r.text}`).join(";");
}

/** What is left of goods or funds, "¥50,000" or "120 份". */
function amountText(o, n) {
  const unit = o.amount_unit || (o.kind === "funds" ? "元" : "份");
  return o.kind === "funds" && unit === "元" ? `¥${Number(n).toLocaleString("en-US")}` : `${n} ${unit}`;
}

/** Today's date in Beijing, "2026-12-12" (what a date input takes). */
function today() { return new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10); }

/** The shared venues, goods and funds that are active (a category list read a page). */
export async function venuesPage() {
  const list = await api("/offerings?category=venue&status=active&limit=100");
  const venues = list.filter((o) => o.kind === "venue");
  return ["场所预约", venues.length
    ? table([["场所", (o) => h("a", { href: `#/venues/${encodeURIComponent(o.id)}` }, o.title)],
      ["提供方", (o) => o.provider_name || "党员"], ["使用方式", (o) => ACCESS[o.access] || "—"],
      ["开放时间", (o) => hoursText(o.opening_hours)]], venues)
    : h("p", { class: "hint" }, "暂时没有可预约的场所。")];
}

/** One venue, goods or funds offering with its slots or what is left. */
export async function venuePage(id) {
  const oid = encodeURIComponent(id);
  const o = await api(`/offerings/${oid}`);
  const facts = h("dl", { class: "card facts", "aria-label": "资源信息" },
    h("dt", {}, "类型"), h("dd", {}, KIND[o.kind] || o.kind), h("dt", {}, "类别"), h("dd", {}, catName(o.category)),
    h("dt", {}, "状态"), h("dd", {}, badge(o.status, OFFERING)), h("dt", {}, "提供方"), h("dd", {}, o.provider_name || "党员"),
    o.address ? [h("dt", {}, "地址"), h("dd", {}, o.address)] : null);
  if (o.kind === "venue") {
    facts.append(h("dt", {}, "使用方式"), h("dd", {}, `${ACCESS[o.access] || "—"}${o.access === "paid" && o.price !== null ? `(${o.price} 元/小时)` : ""}`),
      h("dt", {}, "开放时间"), h("dd", { id: "opening-hours" }, hoursText(o.opening_hours)));
    const view = [o.title, facts, h("h2", {}, "已预约时段"), await slots(oid), h("h2", {}, "预约时段"), bookingForm(o)];
    if (owns(o)) view.push(h("h2", {}, "开放时间与使用方式"), hoursForm(o));
    return view;
  }
  if (o.kind === "goods" || o.kind === "funds") {
    facts.append(h("dt", {}, "剩余 / 总量"), h("dd", { id: "amount-left" }, o.amount === null || o.amount === undefined
      ? "未登记总量" : `${amountText(o, o.amount_left)} / ${amountText(o, o.amount)}`));
    const view = [o.title, facts, h("h2", {}, "领用记录"), await takes(oid, o), h("h2", {}, "领用"), takeForm(o)];
    if (owns(o)) view.push(h("h2", {}, "总量"), amountForm(o));
    return view;
  }
  return [o.title, facts];
}

/** The venue's active slots from today on, each with a cancel button. */
async function slots(oid) {
  const from = new Date(Date.now() - 24 * 3600000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const list = await api(`/offerings/${oid}/bookings?status=active&from=${encodeURIComponent(from)}&limit=200`);
  if (!list.length) return h("p", { class: "hint", id: "slots" }, "暂无预约,所有开放时间均可预约。");
  return h("ul", { class: "list", id: "slots", "aria-label": "已预约时段" }, list.map((b) => h("li", {},
    h("strong", {}, b.slot_zh), b.purpose ? ` ${b.purpose}` : "", b.need_title ? h("div", { class: "meta" }, `用于需求:${b.need_title}`) : null,
    b.fee !== null && b.fee !== undefined ? h("div", { class: "meta" }, `费用 ${b.fee} 元`) : null,
    h("div", { class: "actions" }, act("取消预约", async () => {
      await api(`/bookings/${encodeURIComponent(b.id)}/cancel`, { method: "POST", body: { reason: null } });
      await route();
      flash(`已取消 ${b.slot_zh} 的预约。`, "ok");
    }, "secondary")))));
}

function bookingForm(o) {
  const form = h("form", { class: "card", "aria-label": "预约场所" },
    h("div", { class: "row" },
      field("日期 *", h("input", { name: "day", type: "date", required: true, value: today() })),
      field("开始 *", h("input", { name: "start", type: "time", required: true, value: "09:00", step: 900 })),
      field("结束 *", h("input", { name: "end", type: "time", required: true, value: "10:00", step: 900 }))),
    field("用途", h("input", { name: "purpose", maxlength: 200 })),
    h("p", { class: "hint" }, "时间为北京时间;前后相接的时段可以分别预约。"),
    h("button", { type: "submit" }, "预约"));
  return wire(form, async (v) => {
    const body = { start: `${v.day}T${v.start}:00+08:00`, end: `${v.day}T${v.end}:00+08:00` };
    if (v.purpose) body.purpose = v.purpose;
    const made = await api(`/offerings/${encodeURIComponent(o.id)}/bookings`, { method: "POST", body });
    await route();
    flash(`已预约 ${made.slot_zh}。`, "ok");
  }, (v) => (v.start && v.end && v.end <= v.start ? { end: "结束须晚于开始" } : {}));
}

async function takes(oid, o) {
  const list = await api(`/offerings/${oid}/allocations?limit=100`);
  if (!list.length) return h("p", { class: "hint" }, "还没有领用记录。");
  return table([["数量", (a) => amountText(o, a.amount)], ["用途", (a) => a.purpose || a.need_title || "—"],
    ["状态", (a) => (a.status === "active" ? "已领用" : "已退回")],
    ["操作", (a) => (a.status === "active" ? act("退回", async () => {
      await api(`/allocations/${encodeURIComponent(a.id)}/return`, { method: "POST", body: { reason: null } });
      await route();
      flash(`已退回 ${amountText(o, a.amount)}。`, "ok");
    }, "secondary") : "")]], list);
}

function takeForm(o) {
  const form = h("form", { class: "card", "aria-label": "领用物资资金" },
    h("div", { class: "row" },
      field(`数量(${o.amount_unit || (o.kind === "funds" ? "元" : "份")})*`, h("input", { name: "amount", type: "number", required: true, min: 1, step: 1 })),
      field("用途", h("input", { name: "purpose", maxlength: 200 }))),
    h("button", { type: "submit" }, "领用"));
  return wire(form, async (v) => {
    const body = { amount: Number(v.amount) };
    if (v.purpose) body.purpose = v.purpose;
    const made = await api(`/offerings/${encodeURIComponent(o.id)}/allocations`, { method: "POST", body });
    await route();
    flash(`已领用 ${amountText(o, made.amount)},剩余 ${amountText(o, made.amount_left)}。`, "ok");
  });
}

/** Whether the signed-in account is the offering's provider (or an admin). */
function owns(o) {
  const me = (session() || {}).me || {};
  return me.role === "admin" || (["unit", "member"].includes(me.role) && me.subject_id === o.provider_id);
}

/** The owner edits a venue's opening hours (one line each, e.g. "mon-fri 09:00-17:00"), use mode and price. */
function hoursForm(o) {
  const form = h("form", { class: "card", "aria-label": "修改开放时间" },
    field("开放时间", h("textarea", { name: "hours", rows: 3, maxlength: 500 }, (o.opening_hours || []).join("\n")),
      "每行一段,如 mon-fri 09:00-17:00、sat 09:00-12:00(北京时间);留空为全天开放"),
    h("div", { class: "row" },
      field("使用方式", h("select", { name: "access" }, Object.entries(ACCESS).map(([k, v]) => h("option", { value: k, selected: k === o.access }, v)))),
      field("收费标准(元/小时)", h("input", { name: "price", type: "number", min: 0, step: "0.5", value: o.price ?? "" }))),
    h("button", { type: "submit" }, "保存"));
  return wire(form, async (v) => {
    const hours = v.hours.split(/\n+/).map((x) => x.trim()).filter(Boolean);
    const body = { opening_hours: hours.length ? hours : null, access: v.access, price: v.access === "paid" && v.price !== "" ? Number(v.price) : null };
    await api(`/offerings/${encodeURIComponent(o.id)}`, { method: "PATCH", body });
    await route();
    flash("开放时间和使用方式已保存。", "ok");
  });
}

/** The owner sets the total of goods or funds (what is left moves with it). */
function amountForm(o) {
  const form = h("form", { class: "card", "aria-label": "设置总量" },
    field(`总量(${o.amount_unit || (o.kind === "funds" ? "元" : "份")})*`, h("input", { name: "amount", type: "number", required: true, min: 1, step: 1, value: o.amount ?? "" })),
    h("button", { type: "submit" }, "保存总量"));
  return wire(form, async (v) => {
    const made = await api(`/offerings/${encodeURIComponent(o.id)}/amount`, { method: "PUT", body: { amount: Number(v.amount) } });
    await route();
    flash(`总量已设为 ${amountText(made, made.amount)},剩余 ${amountText(made, made.amount_left)}。`, "ok");
  });
}
