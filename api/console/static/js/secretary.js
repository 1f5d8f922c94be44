// The community secretary's pages: home (problems, proposals, the community's needs) and posting a need.
import { api, offers } from "./api.js";
import { field, flash, h, wire, when } from "./ui.js";
import { categoryOptions, go, iso, local, me, NEED, needsTable, proposalsTable, URGENCY } from "./common.js";
import { route } from "./app.js";

export async function secretaryHome(who) {
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

export function resolveForm(problem) {
  const form = h("form", { "aria-label": "处理问题" },
    field("处理结果", h("textarea", { name: "resolution", required: true, maxlength: 2000, rows: 2 })),
    h("button", { type: "submit" }, "标记为已解决"));
  return wire(form, async (v) => {
    await api(`/problems/${problem.id}/resolve`, { method: "POST", body: { resolution: v.resolution } });
    route();
  });
}

export async function newNeedPage() {
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
