// Requests 诉求 in the console: the secretary's intake queue (turn into a need, merge into an open
// need, close with a reason the resident sees; likely duplicates named) and the grid worker's home.
import { api } from "./api.js";
import { act, flash, h, when } from "./ui.js";
import { route } from "./app.js";

const STATUS = { queued: "待处理", converted: "已转为需求", merged: "已并入需求", closed: "已办结" };
const VIA = { public: "居民自助", open311: "Open311", grid_worker: "网格员代提交" };
const contact = (r) => [`${r.contact_last_name || ""}${r.contact_first_name || ""}`, r.contact_phone, r.contact_email].filter(Boolean).join(" · ") || "未留联系方式";

function item(r, decide) {
  const reason = h("input", { name: "reason", maxlength: 500, placeholder: "办结原因(居民可见)", "aria-label": "办结原因" });
  const needId = h("input", { name: "need_id", maxlength: 64, placeholder: "需求编号", "aria-label": "并入的需求编号" });
  return h("li", { "data-code": r.code },
    h("div", {}, h("strong", {}, `${r.category_name}`), ` · 查询码 ${r.code} · `, h("span", { class: `badge ${r.status}` }, STATUS[r.status] || r.status)),
    h("div", {}, r.description),
    h("div", { class: "meta" }, `${r.address || (r.lat != null ? `${r.lat.toFixed(5)}, ${r.lon.toFixed(5)}` : "")} · ${VIA[r.via] || r.via} · ${when(r.created_at)} · ${contact(r)}`),
    r.duplicates && r.duplicates.length
      ? h("div", { class: "msg", role: "note" }, `可能重复:${r.duplicates.map((d) => `${d.code}(相似度 ${d.similarity}${d.distance_m != null ? `,相距 ${d.distance_m} 米` : ""})`).join(";")}`)
      : null,
    r.need_id ? h("div", {}, h("a", { href: `#/needs/${encodeURIComponent(r.need_id)}` }, "查看需求")) : null,
    decide && r.status === "queued" ? h("div", { class: "actions" },
      act("转为需求", async () => {
        const done = await api(`/intake/requests/${r.code}/need`, { method: "POST", body: {} });
        flash("已转为需求。", "ok"); location.hash = `#/needs/${encodeURIComponent(done.need_id)}`;
      }),
      needId, act("并入需求", async () => {
        await api(`/intake/requests/${r.code}/merge`, { method: "POST", body: { need_id: needId.value.trim() } });
        flash("已并入需求。", "ok"); route();
      }, "secondary"),
      reason, act("办结", async () => {
        await api(`/intake/requests/${r.code}/close`, { method: "POST", body: { reason: reason.value.trim() } });
        flash("已办结。", "ok"); route();
      }, "secondary")) : null);
}

export async function queuePage() {
  const rows = await api("/intake/queue?limit=100");
  return ["诉求待办",
    h("p", { class: "hint" }, "居民和网格员提交的诉求。可转为需求、并入已有需求,或写明原因后办结(居民凭查询码可见)。"),
    rows.length ? h("ul", { class: "list", "aria-label": "诉求待办" }, rows.map((r) => item(r, true))) : h("p", { class: "hint" }, "没有待处理的诉求。")];
}

export async function gridHome(who) {
  const rows = await api("/intake/mine?limit=100");
  return [`${who.display_name} · 工作台`,
    h("div", { class: "actions" }, h("a", { href: "/console/request.html#/new", class: "button" }, "代居民提交诉求")),
    h("h2", {}, "我提交的诉求"),
    rows.length ? h("ul", { class: "list" }, rows.map((r) => item(r, false))) : h("p", { class: "hint" }, "还没有提交过诉求。")];
}
