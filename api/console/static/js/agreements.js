// Agreements 共建协议 and 双报到 in the console (issue 12): the secretary's (and admin's) 协议 page —
// sign with a unit, both sides' obligations, renew to a later end, terminate with a reason, 即将到期
// marked — read-only for a unit and a planner; the 报到审核 page where the secretary accepts or
// declines registrations, and where a unit or member registers with a community and follows it.
import { api } from "./api.js";
import { act, field, flash, h, table, wire, when } from "./ui.js";
import { me } from "./common.js";
import { route } from "./app.js";

const KIND = { co_construction: "共建协议", two_way_service: "双向服务协议", venue_sharing: "场所共享协议", pairing: "结对共建" };
const REG = { pending: "待审核", accepted: "已接收", declined: "未接收" };
const lines = (text) => text.split(/\n+/).map((x) => x.trim()).filter(Boolean);
const writer = () => ["secretary", "admin"].includes(me().role);

function obligations(a) {
  const list = (items) => h("ul", {}, items.map((x) => h("li", {}, x)));
  return h("details", { class: "obligations" }, h("summary", {}, "协议内容与双方义务"),
    a.terms ? h("p", {}, a.terms) : null,
    h("div", {}, h("strong", {}, `甲方(${a.org_name})义务`), list(a.obligations_a)),
    h("div", {}, h("strong", {}, `乙方(${a.unit_name})义务`), list(a.obligations_b)),
    a.history.length ? h("div", {}, h("strong", {}, "续签记录"),
      h("ul", {}, a.history.map((r) => h("li", {}, `${r.renewed_on} 续签:${r.previous_valid_to || "—"} → ${r.valid_to}`)))) : null,
    a.status === "terminated" ? h("p", {}, `已于 ${a.terminated_on} 终止:${a.termination_reason || ""}`) : null);
}

function actions(a) {
  if (!writer() || a.status === "terminated") return null;
  const until = h("input", { type: "date", name: "valid_to", "aria-label": "新的到期日期" });
  const reason = h("input", { name: "reason", maxlength: 500, placeholder: "终止原因", "aria-label": "终止原因" });
  return h("div", { class: "actions" },
    until, act("续签", async () => {
      await api(`/agreements/${encodeURIComponent(a.id)}/renew`, { method: "POST", body: { valid_to: until.value } });
      flash(`“${a.title}”已续签至 ${until.value}。`, "ok"); await route();
    }),
    reason, act("终止", async () => {
      await api(`/agreements/${encodeURIComponent(a.id)}/terminate`, { method: "POST", body: { reason: reason.value.trim() } });
      flash(`“${a.title}”已终止。`, "ok"); await route();
    }, "secondary"));
}

function agreementForm(who) {
  const kinds = h("select", { name: "kind" }, Object.entries(KIND).map(([k, v]) => h("option", { value: k }, v)));
  const form = h("form", { class: "card", id: "agreement-form", "aria-label": "签订共建协议" },
    field("甲方党组织编号", h("input", { name: "org_id", required: true, maxlength: 64, value: who.scope_org_id || "" }), "本社区或本街道的党组织"),
    field("乙方驻区单位编号", h("input", { name: "unit_id", required: true, maxlength: 64 })),
    field("协议名称", h("input", { name: "title", required: true, maxlength: 100 })),
    field("协议类型", kinds),
    field("协议内容", h("textarea", { name: "terms", maxlength: 2000, rows: 3 })),
    field("生效日期", h("input", { name: "valid_from", type: "date", required: true })),
    field("到期日期", h("input", { name: "valid_to", type: "date", required: true })),
    field("甲方义务(每行一条)", h("textarea", { name: "obligations_a", required: true, rows: 3 })),
    field("乙方义务(每行一条)", h("textarea", { name: "obligations_b", required: true, rows: 3 })),
    h("button", { type: "submit" }, "签订协议"));
  return wire(form, async (v) => {
    const body = { ...v, obligations_a: lines(v.obligations_a), obligations_b: lines(v.obligations_b) };
    if (!body.terms) delete body.terms;
    const made = await api("/agreements", { method: "POST", body });
    flash(`已签订“${made.title}”。`, "ok"); await route();
  }, (v) => (v.valid_from && v.valid_to && v.valid_to <= v.valid_from ? { valid_to: "到期日期必须晚于生效日期" } : {}));
}

export async function agreementsPage() {
  const who = me();
  const rows = await api("/agreements?limit=200");
  const soon = rows.filter((a) => a.expiring);
  return ["共建协议",
    h("p", { class: "hint" }, writer() ? "本辖区与驻区单位签订的共建协议、双向服务协议。临近到期的标为“即将到期”,可续签或写明原因后终止。"
      : "与本单位(或本辖区)有关的共建协议,只读。"),
    soon.length ? h("p", { class: "msg", role: "note", id: "expiring-note" }, `${soon.length} 份协议即将到期:${soon.map((a) => a.title).join("、")}`) : null,
    rows.length ? h("div", { id: "agreements" }, table([
      ["协议", (a) => h("div", {}, h("strong", {}, a.title), " ", h("span", { class: "meta" }, a.kind_zh), obligations(a))],
      ["甲方", (a) => a.org_name], ["乙方", (a) => a.unit_name],
      ["有效期", (a) => `${a.valid_from || "—"} 至 ${a.valid_to || "—"}`],
      ["状态", (a) => h("span", { class: `badge ${a.expiring ? "expiring" : a.status}`, "data-id": a.id }, a.status_zh)],
      ["操作", (a) => actions(a)]], rows)) : h("p", { class: "hint" }, "还没有共建协议。"),
    writer() ? h("h2", {}, "签订新协议") : null, writer() ? agreementForm(who) : null];
}

function registrationItem(r, decide) {
  const reason = h("input", { name: "reason", maxlength: 500, placeholder: "审核意见(不予接收时必填)", "aria-label": "审核意见" });
  return h("li", { "data-id": r.id },
    h("div", {}, h("strong", {}, `${r.registrant_kind_zh} ${r.registrant_name || r.registrant_id}`), ` → ${r.org_name} · `,
      h("span", { class: `badge ${r.status}` }, REG[r.status] || r.status)),
    r.note ? h("div", {}, r.note) : null,
    h("div", { class: "meta" }, `申请于 ${when(r.created_at)}${r.decided_at ? ` · 审核于 ${when(r.decided_at)}` : ""}${r.decision_reason ? ` · ${r.decision_reason}` : ""}`),
    decide && r.status === "pending" ? h("div", { class: "actions" }, reason,
      act("接收报到", async () => {
        await api(`/registrations/${encodeURIComponent(r.id)}/accept`, { method: "POST", body: reason.value.trim() ? { reason: reason.value.trim() } : {} });
        flash("已接收报到。", "ok"); await route();
      }),
      act("不予接收", async () => {
        await api(`/registrations/${encodeURIComponent(r.id)}/decline`, { method: "POST", body: { reason: reason.value.trim() } });
        flash("已不予接收。", "ok"); await route();
      }, "secondary")) : null);
}

function registerForm() {
  const form = h("form", { class: "card", id: "register-form", "aria-label": "申请到社区报到" },
    field("社区党组织编号", h("input", { name: "org_id", required: true, maxlength: 64 }), "向所在(或居住地)社区党委报到"),
    field("报到说明", h("textarea", { name: "note", maxlength: 500, rows: 2 })),
    h("button", { type: "submit" }, "提交报到申请"));
  return wire(form, async (v) => {
    await api("/registrations", { method: "POST", body: v.note ? v : { org_id: v.org_id } });
    flash("报到申请已提交,等待社区审核。", "ok"); await route();
  });
}

export async function registrationsPage() {
  const who = me();
  const provider = ["unit", "member"].includes(who.role);
  const rows = await api("/registrations?limit=200");
  const pending = rows.filter((r) => r.status === "pending");
  const done = rows.filter((r) => r.status !== "pending");
  const list = (items, decide, label) => (items.length ? h("ul", { class: "list", "aria-label": label }, items.map((r) => registrationItem(r, decide)))
    : h("p", { class: "hint" }, "没有记录。"));
  return [provider ? "双报到" : "报到审核",
    h("p", { class: "hint" }, provider ? "驻区单位和在职党员向社区报到(双报到),社区书记审核后建立报到关系。"
      : "驻区单位和在职党员向本社区提交的报到申请。接收后建立报到关系;不予接收须写明原因(报到方可见)。"),
    h("h2", {}, "待审核"), h("div", { id: "pending-registrations" }, list(pending, writer(), "待审核的报到申请")),
    h("h2", {}, "已审核"), h("div", { id: "decided-registrations" }, list(done, false, "已审核的报到申请")),
    provider ? h("h2", {}, "申请报到") : null, provider ? registerForm() : null];
}
