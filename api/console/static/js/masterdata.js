// Master data managed in place (issue 12): posts 职务 of an org (the secretary's own orgs, an admin's
// any) — assign, edit, end with history kept; 三缘 branches — a member joins and leaves, the
// secretary reads the roster and adds or removes members; the service taxonomy — every role reads
// it, the admin adds, renames, retires and restores.
import { api } from "./api.js";
import { act, field, flash, h, table, wire } from "./ui.js";
import { forgetCategories, go, me } from "./common.js";
import { route } from "./app.js";

export const POST_ROLE = { secretary: "书记", deputy_secretary: "副书记", part_time_member: "兼职委员", grid_worker: "网格员", building_head: "楼长", central_household: "党员中心户" };
const BASIS = { territorial: "地缘", occupational: "业缘", interest: "趣缘" };
const enc = encodeURIComponent;
const orgRole = () => ["secretary", "admin"].includes(me().role);

// ---------- posts 职务 ----------
function postActions(p) {
  if (!orgRole() || !p.current) return null;
  const until = h("input", { type: "date", name: "until", "aria-label": "离任日期" });
  const reason = h("input", { name: "reason", maxlength: 200, placeholder: "离任原因", "aria-label": "离任原因" });
  const role = h("select", { name: "role", "aria-label": "改任职务" },
    Object.entries(POST_ROLE).map(([k, v]) => h("option", { value: k, selected: k === p.role }, v)));
  return h("div", { class: "actions", "data-post": p.id },
    role, act("改任", async () => {
      const body = { role: role.value };
      if (role.value !== "part_time_member") body.unit_id = null;
      await api(`/posts/${enc(p.id)}`, { method: "PATCH", body });
      flash(`已改任${POST_ROLE[role.value]}。`, "ok"); await route();
    }, "secondary"),
    until, reason, act("离任", async () => {
      const body = {};
      if (until.value) body.until = until.value;
      if (reason.value.trim()) body.reason = reason.value.trim();
      await api(`/posts/${enc(p.id)}/end`, { method: "POST", body });
      flash(`${p.member_name || p.member_id} 已离任${p.role_zh},记录已保留。`, "ok"); await route();
    }, "secondary"));
}

function postsTable(rows, withActions) {
  if (!rows.length) return h("p", { class: "hint" }, "暂无记录。");
  return table([
    ["职务", (p) => h("span", { class: "badge", "data-role": p.role }, p.role_zh)],
    ["党员", (p) => p.member_name || p.member_id],
    ["来自单位", (p) => p.unit_name || "—"],
    ["任职", (p) => `${p.since || "—"}${p.until ? ` 至 ${p.until}` : " 起"}`],
    ["说明", (p) => p.ended_reason || p.note || ""],
    ...(withActions ? [["操作", (p) => postActions(p)]] : []),
  ], rows);
}

function assignForm(orgId) {
  const role = h("select", { name: "role" }, Object.entries(POST_ROLE).map(([k, v]) => h("option", { value: k }, v)));
  const form = h("form", { class: "card", id: "post-form", "aria-label": "任职" },
    field("党员编号", h("input", { name: "member_id", required: true, maxlength: 64 })),
    field("职务", role),
    field("任职日期", h("input", { name: "since", type: "date" }), "不填为今天"),
    field("来自单位编号", h("input", { name: "unit_id", maxlength: 64 }), "兼职委员必填:来自的驻区单位"),
    field("备注", h("input", { name: "note", maxlength: 200 })),
    h("button", { type: "submit" }, "任职"));
  return wire(form, async (v) => {
    const body = { org_id: orgId, member_id: v.member_id, role: v.role };
    for (const k of ["since", "unit_id", "note"]) if (v[k]) body[k] = v[k];
    const made = await api("/posts", { method: "POST", body });
    flash(`${made.member_name || made.member_id} 已任${made.role_zh}。`, "ok"); await route();
  }, (v) => (v.role === "part_time_member" && !v.unit_id ? { unit_id: "兼职委员须填写来自的驻区单位" }
    : v.role !== "part_time_member" && v.unit_id ? { unit_id: "只有兼职委员填写来自的单位" } : {}));
}

export async function postsPage(orgId) {
  const who = me();
  const org = orgId || who.scope_org_id;
  if (!org) {
    const pick = h("form", { class: "card", "aria-label": "选择党组织" },
      field("党组织编号", h("input", { name: "org_id", required: true, maxlength: 64 })), h("button", { type: "submit" }, "查看职务"));
    wire(pick, async (v) => go(`#/posts/${enc(v.org_id)}`));
    return ["职务管理", pick];
  }
  const [info, current, all] = await Promise.all([api(`/orgs/${enc(org)}`), api(`/posts?org_id=${enc(org)}`),
    api(`/posts?org_id=${enc(org)}&include_ended=true`)]);
  const ended = all.filter((p) => !p.current);
  return [`职务 · ${info.name}`,
    h("p", { class: "hint" }, "书记、兼职委员、网格员、楼长、党员中心户等职务。新任书记接替时,原任自动离任并保留记录;兼职委员须写明来自的驻区单位。"),
    h("h2", {}, "现任"), h("div", { id: "current-posts" }, postsTable(current, true)),
    h("h2", {}, "历史记录"), h("div", { id: "ended-posts" }, postsTable(ended, false)),
    orgRole() ? h("h2", {}, "任职") : null, orgRole() ? assignForm(org) : null];
}

// ---------- 三缘 branches ----------
export async function branchesPage() {
  const who = me();
  const rows = await api("/branches");
  const mine = who.role === "member" ? new Set((await api(`/branches/of-member/${enc(who.subject_id)}`)).map((b) => b.id)) : new Set();
  const action = (b) => {
    if (who.role === "member") {
      return mine.has(b.id)
        ? act("退出", async () => { await api(`/branches/${enc(b.id)}/leave`, { method: "POST", body: {} }); flash(`已退出${b.name}。`, "ok"); await route(); }, "secondary")
        : act("参加", async () => { await api(`/branches/${enc(b.id)}/join`, { method: "POST", body: {} }); flash(`已参加${b.name},所属党组织不变。`, "ok"); await route(); });
    }
    return h("a", { href: `#/branches/${enc(b.id)}` }, "名册");
  };
  return ["三缘特色支部",
    h("p", { class: "hint" }, "按地缘、业缘、趣缘组建的特色支部。参加支部不改变党员的组织隶属关系。"),
    rows.length ? h("div", { id: "branches" }, table([
      ["支部", (b) => h("strong", { "data-id": b.id }, b.name)], ["类别", (b) => BASIS[b.basis] || "—"],
      ["参加人数", (b) => String(b.joined)], ["", action]], rows)) : h("p", { class: "hint" }, "暂无三缘特色支部。")];
}

export async function branchPage(id) {
  const [info, roster] = await Promise.all([api(`/orgs/${enc(id)}`), api(`/branches/${enc(id)}/members?limit=500`)]);
  const writer = orgRole();
  const add = h("form", { class: "card", id: "branch-add", "aria-label": "添加成员" },
    field("党员编号", h("input", { name: "member_id", required: true, maxlength: 64 })), h("button", { type: "submit" }, "添加到支部"));
  wire(add, async (v) => {
    await api(`/branches/${enc(id)}/join`, { method: "POST", body: { member_id: v.member_id } });
    flash("已添加,所属党组织不变。", "ok"); await route();
  });
  return [`名册 · ${info.name}`,
    h("p", { class: "hint" }, `${roster.length} 名党员参加本支部;“所属党组织”是其隶属关系,不因参加支部而改变。`),
    roster.length ? h("div", { id: "roster" }, table([
      ["党员", (m) => m.name || m.id], ["所属党组织", (m) => m.belongs_to.map((b) => b.name).join("、") || "—"],
      ["参加日期", (m) => m.since || "—"],
      ...(writer ? [["", (m) => act("移出", async () => {
        await api(`/branches/${enc(id)}/leave`, { method: "POST", body: { member_id: m.id } });
        flash("已移出支部。", "ok"); await route();
      }, "secondary")]] : [])], roster)) : h("p", { class: "hint" }, "还没有成员。"),
    writer ? add : null];
}

// ---------- the service taxonomy ----------
function categoryActions(c) {
  const name = h("input", { name: "name", maxlength: 50, value: c.name, "aria-label": `新名称:${c.name}` });
  return h("div", { class: "actions", "data-code": c.id },
    name, act("改名", async () => {
      await api(`/categories/${enc(c.id)}`, { method: "PATCH", body: { name: name.value.trim() } });
      flash(`已改名为“${name.value.trim()}”。`, "ok"); forgetCategories(); await route();
    }, "secondary"),
    c.status === "active"
      ? act("停用", async () => {
        const done = await api(`/categories/${enc(c.id)}/retire`, { method: "POST" });
        flash(`“${c.name}”已停用(已有 ${done.needs} 个需求、${done.offerings} 个资源保留该类别)。`, "ok");
        forgetCategories(); await route();
      }, "secondary")
      : act("恢复", async () => {
        await api(`/categories/${enc(c.id)}/restore`, { method: "POST" });
        flash(`“${c.name}”已恢复启用。`, "ok"); forgetCategories(); await route();
      }));
}

function addCategoryForm(tops) {
  const parent = h("select", { name: "parent_id" }, h("option", { value: "" }, "(新的一级类别)"),
    tops.filter((t) => t.status === "active").map((t) => h("option", { value: t.id }, t.name)));
  const form = h("form", { class: "card", id: "category-form", "aria-label": "新增服务类别" },
    field("所属一级类别", parent),
    field("编码", h("input", { name: "code", required: true, maxlength: 31, pattern: "[a-z][a-z0-9_]*" }), "小写字母、数字、下划线,如 smart_pillbox"),
    field("名称", h("input", { name: "name", required: true, maxlength: 50 })),
    field("常用技能(以顿号或逗号分隔)", h("input", { name: "skills", maxlength: 200 })),
    h("button", { type: "submit" }, "新增"));
  return wire(form, async (v) => {
    const body = { code: v.code, name: v.name };
    if (v.parent_id) body.parent_id = v.parent_id;
    const skills = v.skills.split(/[、,,\s]+/).map((x) => x.trim()).filter(Boolean);
    if (skills.length) body.skills = skills;
    const made = await api("/categories", { method: "POST", body });
    flash(`已新增“${made.name}”(${made.id})。`, "ok"); forgetCategories(); await route();
  }, (v) => (/^[a-z][a-z0-9_]*$/.test(v.code) ? {} : { code: "编码只能由小写字母、数字和下划线组成,且以字母开头" }));
}

export async function categoriesPage() {
  const rows = await api("/categories");
  const admin = me().role === "admin";
  const tops = rows.filter((c) => c.level === 1);
  const items = (top) => rows.filter((c) => c.parent_id === top.id);
  const status = (c) => h("span", { class: `badge ${c.offered ? "active" : "retired"}` }, c.offered ? "启用" : c.status === "retired" ? "已停用" : "随上级停用");
  return ["服务类别",
    h("p", { class: "hint" }, `${tops.length} 个一级类别、${rows.length - tops.length} 个服务项目。停用的类别不能用于新的需求和资源,已使用它的需求和资源保留原类别。`),
    h("div", { id: "categories" }, tops.map((t) => h("details", { class: "card", "data-code": t.id },
      h("summary", {}, h("strong", {}, t.name), " ", status(t), h("span", { class: "meta" }, ` ${items(t).length} 项`)),
      admin ? categoryActions(t) : null,
      table([["服务项目", (c) => h("span", { "data-code": c.id }, c.name)], ["编码", (c) => c.id], ["状态", status],
        ...(admin ? [["操作", categoryActions]] : [])], items(t))))),
    admin ? h("h2", {}, "新增类别或服务项目") : null, admin ? addCategoryForm(tops) : null];
}
