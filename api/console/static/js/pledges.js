// Pledges 公开承诺 ("1+3") and units' own needs 双向服务 (issue 12): a member or unit makes public
// commitments and records progress, the secretary reviews them; a unit asks its community or street
// for help, the community side sees those needs and serves them (claims, dispatch); the secretary's
// 允许跨类认领 switch for the community.
import { api } from "./api.js";
import { act, badge, field, flash, h, table, when, wire } from "./ui.js";
import { categoryOptions, catName, me, NEED } from "./common.js";
import { route } from "./app.js";

const STATUS = { active: "进行中", completed: "已完成", withdrawn: "已撤回" };
const REVIEW = { pending: "待审核", approved: "已审核公示", returned: "已退回" };
const isProvider = (who) => who.role === "unit" || who.role === "member";

/** A progress bar with its percent in words (readable on a phone). */
const bar = (p) => h("span", { class: "progress", title: `${p.percent || 0}%` },
  h("progress", { max: 100, value: p.percent || 0 }), ` ${p.percent || 0}%`);

function pledgeItem(p, who) {
  const li = h("li", { "data-pledge": p.id },
    h("div", {}, h("strong", {}, p.title), " ", badge(p.status, STATUS), " ", badge(p.review || "pending", REVIEW)),
    p.content ? h("div", {}, p.content) : null,
    h("div", { class: "meta" }, [p.target ? `目标:${p.target}` : "", p.due_on ? `期限:${p.due_on}` : "",
      `公示组织:${p.org_name || p.org_id}`, isProvider(who) ? "" : `承诺方:${p.provider_name || p.provider_id}`].filter(Boolean).join(" · ")),
    h("div", {}, bar(p)),
    p.review_note ? h("div", { class: "meta" }, `审核意见:${p.review_note}`) : null);
  const own = isProvider(who) && p.provider_id === who.subject_id;
  if (own && p.status === "active") {
    li.append(wire(h("form", { "aria-label": "记录进展" }, h("div", { class: "row" },
      field("完成进度(%)*", h("input", { name: "percent", type: "number", required: true, min: p.percent || 0, max: 100, step: 5, value: p.percent || 0 })),
      field("进展说明 *", h("input", { name: "note", required: true, maxlength: 500 }))),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "记录进展"),
      act("撤回承诺", async () => { await api(`/pledges/${encodeURIComponent(p.id)}/withdraw`, { method: "POST" }); await route(); flash("承诺已撤回。", "ok"); }, "secondary"))),
    async (v) => {
      await api(`/pledges/${encodeURIComponent(p.id)}/progress`, { method: "POST", body: { percent: Number(v.percent), note: v.note } });
      await route(); flash("进展已记录。", "ok");
    }));
    li.append(h("details", { class: "edit-pledge" }, h("summary", {}, "修改承诺"),
      wire(h("form", { "aria-label": "修改承诺" },
        field("承诺事项 *", h("input", { name: "title", required: true, maxlength: 100, value: p.title })),
        field("承诺内容", h("textarea", { name: "content", maxlength: 2000, rows: 2 }, p.content || "")),
        h("div", { class: "row" }, field("目标", h("input", { name: "target", maxlength: 500, value: p.target || "" })),
          field("完成期限", h("input", { name: "due_on", type: "date", value: p.due_on || "" }))),
        h("p", { class: "hint" }, p.review === "approved" ? "修改后需社区书记重新审核,审核通过前不在成果公开页公示。" : "修改后由社区书记审核。"),
        h("button", { type: "submit" }, "保存修改")),
      async (v) => {
        const body = { title: v.title, content: v.content || null, target: v.target || null, due_on: v.due_on || null };
        await api(`/pledges/${encodeURIComponent(p.id)}`, { method: "PATCH", body });
        await route(); flash("承诺已修改,待社区书记重新审核。", "ok");
      })));
  }
  if ((who.role === "secretary" || who.role === "admin") && p.status !== "withdrawn" && p.review !== "approved") {
    const note = h("input", { name: "review_note", maxlength: 500, placeholder: "审核意见(退回时必填)", "aria-label": "审核意见" });
    li.append(h("div", { class: "actions" },
      act("审核通过并公示", async () => {
        await api(`/pledges/${encodeURIComponent(p.id)}/review`, { method: "POST", body: { approve: true, note: note.value.trim() || null } });
        await route(); flash(`“${p.title}”已公示。`, "ok");
      }),
      note,
      act("退回", async () => {
        await api(`/pledges/${encodeURIComponent(p.id)}/review`, { method: "POST", body: { approve: false, note: note.value.trim() || null } });
        await route(); flash(`“${p.title}”已退回。`, "ok");
      }, "secondary")));
  }
  return li;
}

async function pledgeForm() {
  const orgs = await api("/pledges/orgs");
  if (!orgs.length) return h("p", { class: "hint" }, "您还没有所属或报到的党组织,暂不能作出公开承诺。");
  return wire(h("form", { class: "card", "aria-label": "作出公开承诺" },
    field("公示组织 *", h("select", { name: "org_id", required: true }, orgs.map((o) => h("option", { value: o.id }, o.name)))),
    field("承诺事项 *", h("input", { name: "title", required: true, maxlength: 100 })),
    field("承诺内容", h("textarea", { name: "content", maxlength: 2000, rows: 2 })),
    h("div", { class: "row" }, field("目标", h("input", { name: "target", maxlength: 500 })),
      field("完成期限", h("input", { name: "due_on", type: "date" }))),
    h("button", { type: "submit" }, "提交承诺")),
  async (v) => {
    await api("/pledges", { method: "POST", body: { org_id: v.org_id, title: v.title, content: v.content || null, target: v.target || null, due_on: v.due_on || null } });
    await route(); flash("承诺已提交,社区书记审核后在成果公开页公示。", "ok");
  });
}

/** #/pledges: one's own pledges and a form (members, units); the jurisdiction's to review (secretaries). */
export async function pledgesPage() {
  const who = me();
  const rows = await api("/pledges?limit=200");
  const list = rows.length ? h("ul", { class: "list", "aria-label": "公开承诺" }, rows.map((p) => pledgeItem(p, who)))
    : h("p", { class: "hint" }, "还没有公开承诺。");
  if (isProvider(who)) return ["我的公开承诺", h("p", { class: "hint" }, "“1+3”公开承诺:写明承诺事项、目标和期限,定期记录进展;审核通过后在所属党组织的成果公开页公示(党员姓名脱敏)。"), list, h("h2", {}, "作出新的承诺"), await pledgeForm()];
  return ["公开承诺审核", h("p", { class: "hint" }, "辖区党员和驻区单位的公开承诺。审核通过后在成果公开页公示;退回须写明意见。"), list];
}

function unitNeedsTable(rows, who) {
  return table([
    ["需求", (n) => h("a", { href: `#/needs/${encodeURIComponent(n.id)}` }, n.title)],
    ["类别", (n) => catName(n.category)],
    ...(who.role === "unit" ? [["提交给", (n) => n.org_name || n.org_id]] : [["提出单位", (n) => n.requester_name || n.requester_id]]),
    ["状态", (n) => badge(n.status, NEED)],
    ["时间", (n) => when(n.window_start)],
  ], rows);
}

async function unitNeedForm() {
  const [targets, cats] = await Promise.all([api("/unit-needs/targets"), categoryOptions()]);
  if (!targets.length) return h("p", { class: "hint" }, "本单位还没有报到或所在的社区、街道,暂不能提出需求。");
  const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
  return wire(h("form", { class: "card", "aria-label": "提出本单位需求" },
    field("提交给 *", h("select", { name: "org_id", required: true }, targets.map((o) => h("option", { value: o.id }, o.name)))),
    field("需求标题 *", h("input", { name: "title", required: true, maxlength: 100, placeholder: "如:协助办理施工许可、借用活动场地、招聘保洁员" })),
    field("服务类别 *", h("select", { name: "category", required: true }, cats)),
    field("需求描述", h("textarea", { name: "description", maxlength: 2000, rows: 2 })),
    h("div", { class: "row" },
      field("开始日期 *", h("input", { name: "start", type: "date", required: true, value: tomorrow })),
      field("结束日期 *", h("input", { name: "end", type: "date", required: true, value: tomorrow }))),
    h("button", { type: "submit" }, "提交需求")),
  async (v) => {
    const body = { org_id: v.org_id, title: v.title, category: v.category, description: v.description || null,
      window_start: `${v.start}T00:00:00+08:00`, window_end: `${v.end}T23:59:00+08:00` };
    await api("/unit-needs", { method: "POST", body });
    await route(); flash("需求已提交,社区书记会安排社区一方承接。", "ok");
  }, (v) => (v.end && v.start && v.end < v.start ? { end: "结束日期不能早于开始日期" } : {}));
}

/** The unit's side of 双向服务 this year (Beijing calendar): needs it asked for, needs it served. */
async function yearFigures(who) {
  const year = new Date(Date.now() + 8 * 3600000).getUTCFullYear();
  const q = new URLSearchParams({ start: `${year}-01-01T00:00:00+08:00`, end: `${year + 1}-01-01T00:00:00+08:00` });
  const r = await api(`/unit-needs/report/${encodeURIComponent(who.subject_id)}?${q}`);
  return h("p", { class: "card", id: "two-way-figures" },
    `${year} 年:本单位提出需求 ${r.asked.needs} 项(已解决 ${r.asked.resolved} 项),认领服务社区需求 ${r.served.needs} 项(已完成 ${r.served.resolved} 项)。`);
}

/** The secretary's 允许跨类认领 switch for the community (every need of it and of its grids). */
function crossCategoryBox(orgId) {
  return h("div", { class: "card", id: "cross-category" },
    h("p", {}, "允许跨类认领:开启后,服务方可用类别或技能与需求不完全相符的资源认领本社区的需求,认领会带“跨类认领”提示,双方可见。"),
    h("div", { class: "actions" },
      act("开启允许跨类认领", async () => { await api(`/orgs/${encodeURIComponent(orgId)}/cross-category`, { method: "PUT", body: { allow: true } }); flash("已开启允许跨类认领。", "ok"); }),
      act("关闭允许跨类认领", async () => { await api(`/orgs/${encodeURIComponent(orgId)}/cross-category`, { method: "PUT", body: { allow: false } }); flash("已关闭允许跨类认领。", "ok"); }, "secondary")));
}

/** #/unit-needs: a unit's own needs and the form; the community side's list of units' needs. */
export async function unitNeedsPage() {
  const who = me();
  const rows = await api("/unit-needs?limit=200");
  const list = rows.length ? unitNeedsTable(rows, who) : h("p", { class: "hint" }, "还没有驻区单位提出的需求。");
  if (who.role === "unit") {
    return ["本单位需求(双向服务)", h("p", { class: "hint" }, "向本单位报到或所在的社区、街道提出需求(如办证协助、场地、招聘),由社区一方承接。"),
      await yearFigures(who), list, h("h2", {}, "提出新需求"), await unitNeedForm()];
  }
  const parts = ["驻区单位需求(双向服务)", h("p", { class: "hint" }, who.role === "member" ? "驻区单位提出、待社区党员承接的需求,打开需求即可认领。" : "驻区单位向本辖区提出的需求,可派单给党员或其他单位承接。"), list];
  if (who.role === "secretary" && who.scope_org_id) parts.push(h("h2", {}, "认领规则"), crossCategoryBox(who.scope_org_id));
  return parts;
}
