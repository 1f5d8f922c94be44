// The planner's pages: the dashboard (three rates, gaps, map, dispatch) and the relationship explorer.
import { api, offers } from "./api.js";
import { act, flash, h, pct, table, when } from "./ui.js";
import { LABEL, NEED, needLink, proposalsTable } from "./common.js";

export async function plannerHome(who) {
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
export async function explorePage(id) {
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

