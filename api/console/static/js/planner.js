// The planner's pages: the dashboard (three rates, coverage, gaps, a map to scale, dispatch), the
// relationship explorer drawn as a graph, and the path between two entities drawn as a chain.
import { api, offers } from "./api.js";
import { act, field, flash, h, later, pct, table, when, wire } from "./ui.js";
import { dutyReportBox, go, LABEL, me, NEED, needLink, pendingProposals, upperOrgs } from "./common.js";

const enc = encodeURIComponent;
const NS = "http://www.w3.org/2000/svg";

/** An SVG element: the SVG twin of ui.js's `h` (attributes set as given, children appended). */
function s(tag, attrs = {}, ...kids) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) el.setAttribute(k, v);
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
  return el;
}

const r1 = (v) => Math.round(v * 10) / 10;

// ---------- dashboard ----------
export async function plannerHome(who) {
  const org = enc(who.scope_org_id);
  const now = Date.now();
  const period = new URLSearchParams({ start: new Date(now - 365 * 86400000).toISOString(), end: new Date(now).toISOString() });
  const [report, needs, offerings] = await Promise.all([api(`/reports/orgs/${org}?${period}`), api(`/needs?org_id=${org}&limit=500`), api("/offerings?status=active&limit=500")]);
  const rate = (label, r, detail) => h("div", { class: "rate" }, h("div", {}, label), h("div", { class: "value" }, pct(r.rate)), h("div", { class: "hint" }, detail));
  const parts = [h("h2", {}, "三率"), h("div", { class: "rates", id: "rates" },
    rate("响应率", report.response, `${report.response.responded}/${report.response.needs} 个需求在 ${report.response.within_hours} 小时内响应`),
    rate("解决率", report.resolution, `${report.resolution.resolved}/${report.resolution.needs} 个需求已解决`),
    rate("满意率", report.satisfaction, `${report.satisfaction.satisfied}/${report.satisfaction.ratings} 条评价满意`)),
  h("p", { class: "hint" }, `统计期间:近一年(${when(report.start)} 至 ${when(report.end)}),共 ${report.needs} 个需求。`)];
  if (await offers("/analytics/orgs/{org_id}/coverage")) {  // the slowest read of the page (~1 s on a district): drawn when it comes
    parts.push(h("h2", {}, "覆盖情况"), later(async () => coverage(await api(`/analytics/orgs/${org}/coverage`)), { id: "coverage-box" }));
  }
  parts.push(h("h2", {}, "需求状态"), table([["状态", ([k]) => NEED[k] || k], ["数量", ([, v]) => v]], Object.entries(report.by_status)),
    h("h2", {}, "需求与资源分布图"), map(needs, nearby(needs, offerings, NEAR_KM)),
    h("p", { class: "hint" }, `资源只画需求所在范围(向外 ${NEAR_KM} 公里)以内的${offerings.length >= 500 ? ",取自最先读到的 500 项可用资源" : ""}。`));
  const links = [];
  if (await offers("/analytics/entities/{entity_id}/neighbourhood")) links.push(h("li", {}, h("a", { href: `#/explore/${org}` }, "关系浏览:从本街道出发查看组织、单位与党员之间的关系")));
  if (await offers("/analytics/paths")) links.push(h("li", {}, h("a", { href: "#/paths" }, "关系路径:查找两个组织、单位或党员之间如何相连")));
  links.push(h("li", {}, h("a", { href: "#/points" }, "积分排行:本街道各单位、党员和党组织通过项目获得的积分")));
  links.push(h("li", {}, h("a", { href: `/public/orgs/${org}`, id: "public-link" }, "述评公开:本街道的成果公开页(无需登录,可转给居民)")));
  parts.splice(0, 0, h("ul", { class: "planner-links" }, links));
  if (await offers("/reports/orgs/{org_id}/duty-report.docx")) {
    parts.push(h("h2", {}, "述职报告"), h("p", { class: "hint" }, "按期间汇总三率、项目与下级组织对比,附图表,可下载后打印或修改。"), dutyReportBox(who.scope_org_id));
  }
  if (await offers("/analytics/orgs/{org_id}/gaps")) {
    const gaps = await api(`/analytics/orgs/${org}/gaps`);
    const short = [...gaps.supply_demand].sort((a, b) => a.balance - b.balance).slice(0, 10);
    parts.push(h("h2", {}, "供需短板(缺口最大的类别与区域)"), h("div", { id: "gaps" }, short.length ? table([
      ["类别", (g) => g.category_name], ["区域", (g) => g.area_name], ["未满足需求", (g) => g.needs_unmet],
      ["闲置资源", (g) => g.offerings_idle], ["差额", (g) => g.balance]], short) : h("p", { class: "hint" }, "暂无数据。")),
    h("h2", {}, "尚无人服务的需求"), h("div", { id: "unserved" }, gaps.unserved.length ? unservedTables(gaps.unserved) : h("p", { class: "hint" }, "所有需求都有人服务。")));
  }
  if (await offers("/analytics/orgs/{org_id}/mobilisation/reveal")) {
    parts.push(h("h2", {}, "应急动员"), h("p", { class: "hint" }, "按地点和技能列出可联系的党员和单位。电话默认打码;紧急情况下填写理由后可查看完整电话,每次查看都记入操作日志。"), mobilisation(who.scope_org_id, needs));
  }
  if (await offers("/dispatch/runs")) {
    const box = h("div", { id: "proposals" });
    const mode = h("select", { id: "dispatch-mode" }, h("option", { value: "none" }, "不调整"), h("option", { value: "spread" }, "分散派单(同一服务方后续建议得分递减)"));
    const fair = h("div", { id: "dispatch-fairness" });
    parts.push(h("h2", {}, "派单"), h("p", { class: "hint" }, "派单建议由需求所属社区的书记采纳或拒绝。"), field("公平性", mode), h("div", { class: "actions" }, act("发起一次派单", async () => {
      const run = await api("/dispatch/runs", { method: "POST", body: { scope_org_id: who.scope_org_id, fairness_mode: mode.value } });
      flash(`派单完成:${run.needs_served ?? 0}/${run.needs_total ?? 0} 个需求有了建议。`, "ok");
      fair.replaceChildren(...fairness(run));
      await pendingProposals(box, run.id);
    })), fair, box);
    await pendingProposals(box);
  }
  return [`${who.display_name} · 数据看板`, ...parts];
}

/** The emergency call list near a place (a need's spot to start with), callees' phones masked, and a
 *  "查看电话" button per callee that reveals the full phone for the reason typed above (break-glass,
 *  audited by the API). */
function mobilisation(orgId, needs) {
  const spot = needs.find((n) => n.lat != null && n.lon != null) || {};
  const lat = h("input", { id: "mob-lat", type: "number", step: "any", value: spot.lat ?? "" });
  const lon = h("input", { id: "mob-lon", type: "number", step: "any", value: spot.lon ?? "" });
  const skills = h("input", { id: "mob-skills", placeholder: "如 first_aid,多个用逗号分隔" });
  const reason = h("input", { id: "mob-reason", maxlength: "500", placeholder: "如:独居老人突发疾病,需立即联系" });
  const box = h("div", { id: "mobilisation" });
  const reveal = (c, cell) => act("查看电话", async () => {
    if (reason.value.trim().length < 4) { flash("请先填写查看电话的理由(至少 4 个字)。"); reason.focus(); return; }
    const [shown] = await api(`/analytics/orgs/${enc(orgId)}/mobilisation/reveal`, { method: "POST", body: { people: [c.id], reason: reason.value.trim() } });
    cell.replaceChildren(h("a", { href: `tel:${shown.phone || ""}`, class: "phone-full" }, shown.phone || "(未登记)"));
  });
  const find = act("查找可联系的人", async () => {
    const q = new URLSearchParams({ lat: lat.value, lon: lon.value, limit: "20" });
    for (const k of skills.value.split(/[,,\s]+/).filter(Boolean)) q.append("skills", k);
    const found = await api(`/analytics/orgs/${enc(orgId)}/mobilisation?${q}`);
    box.replaceChildren(found.length ? table([["对象", (c) => kindName(c.label)], ["名称", (c) => c.name], ["距离(公里)", (c) => r1(c.distance_km)],
      ["电话", (c) => { const cell = h("span", { class: "phone" }, c.phone || "(未登记)"); return h("span", {}, cell, " ", c.phone ? reveal(c, cell) : null); }],
      ["理由", (c) => c.reason]], found) : h("p", { class: "hint" }, "附近没有符合条件的人。"));
  });
  return h("div", {}, field("纬度", lat), field("经度", lon), field("所需技能", skills), field("查看电话的理由", reason), h("div", { class: "actions" }, find), box);
}

/** A dispatch run's fairness: coverage by grid and community, the providers' load and, with the
 *  spread mode, what it cost in total score. */
function fairness(run) {
  const f = run.fairness;
  if (!f) return [];
  const rows = [
    ["网格覆盖(有建议的需求占比)", `最低 ${pct(f.grid_coverage_min)} · 平均 ${pct(f.grid_coverage_mean)}`],
    ["社区覆盖(有建议的需求占比)", `最低 ${pct(f.community_coverage_min)} · 平均 ${pct(f.community_coverage_mean)}`],
    ["服务方承接量", `最多 ${f.load_max} · 平均 ${r1(f.load_mean)} · ${f.providers_used}/${f.providers} 个服务方有建议`],
    ["承接量基尼系数", `${r1(f.load_gini * 100) / 100}(0 为完全均衡)`],
  ];
  if (f.score_cost !== undefined) {
    rows.push(["分散派单的代价", `总得分少 ${r1(f.score_cost)}(${pct(f.score_cost_share)}),不分散时最多 ${f.load_max_without_spread}、基尼系数 ${r1(f.load_gini_without_spread * 100) / 100}`]);
  }
  const low = Object.entries(f.community_coverage || {}).sort((a, b) => a[1] - b[1]).slice(0, 5);
  return [h("h3", {}, "本次派单的公平性"), table([["指标", (r) => r[0]], ["数值", (r) => r[1]]], rows),
    low.length ? h("p", { class: "hint" }, `覆盖最低的社区:${low.map(([c, v]) => `${c} ${pct(v)}`).join(",")}`) : null];
}

/** Needs nobody can serve: the first 10, the rest folded under a summary that says how many. */
function unservedTables(unserved) {
  const cols = [["需求", needLink], ["社区", (u) => u.community || "—"], ["原因", (u) => u.reason]];
  return [table(cols, unserved.slice(0, 10)), unserved.length > 10
    ? h("details", { id: "unserved-rest" }, h("summary", {}, `其余 ${unserved.length - 10} 个`), table(cols, unserved.slice(10))) : null];
}

const AREA_LEVEL = { grid: "网格", compound: "小区", building: "楼栋" };
const frac = (x) => `${x.hits}/${x.total}`;

/** The coverage report as figures (one per share), a table by community and the blank areas. */
function coverage(cov) {
  const levels = Object.keys(AREA_LEVEL).filter((k) => cov.areas.shares[k]);
  const reports = [...levels.map((k) => [k, cov.areas.shares[k]]), ["two_new", cov.two_new], ["reporting", cov.reporting], ["unit_reporting", cov.unit_reporting]];
  const detail = {
    two_new: (x) => `${frac(x)} 家两新组织建有党组织`,
    reporting: (x) => `${frac(x)} 名在职党员已到居住地社区报到`,
    unit_reporting: (x) => `${frac(x)} 家驻区单位已到所在社区报到`,
  };
  const card = ([key, rep]) => h("div", { class: "rate", "data-key": key }, h("div", {}, rep.title), h("div", { class: "value" }, pct(rep.overall.rate)),
    h("div", { class: "hint" }, detail[key] ? detail[key](rep.overall)
      : `${frac(rep.overall)} 个${AREA_LEVEL[key]}有党组织覆盖,${(cov.areas.uncovered[key] || []).length} 个空白`));
  const communities = new Map();
  for (const [key, rep] of reports) for (const row of rep.by_community) {
    if (!communities.has(row.area_id)) communities.set(row.area_id, { name: row.area_name, shares: {} });
    communities.get(row.area_id).shares[key] = row.share;
  }
  const cell = (key) => (c) => { const x = c.shares[key]; return x ? `${pct(x.rate)}(${frac(x)})` : "—"; };
  const short = { two_new: "两新覆盖", reporting: "双报到", unit_reporting: "单位报到" };
  const blanks = levels.flatMap((k) => cov.areas.uncovered[k] || []);
  return [h("div", { class: "rates", id: "coverage" }, reports.map(card)),
    h("div", { id: "coverage-by-community" }, communities.size ? table([["社区", (c) => c.name],
      ...reports.map(([key]) => [short[key] || `${AREA_LEVEL[key]}覆盖`, cell(key)])], [...communities.values()])
      : h("p", { class: "hint" }, "暂无社区数据。")),
    blanks.length ? h("details", { id: "blank-areas" }, h("summary", {}, `无党组织覆盖的区域(${blanks.length} 个)`),
      table([["区域", (a) => a.name], ["层级", (a) => AREA_LEVEL[a.level] || a.level], ["社区", (a) => a.community || "—"]], blanks))
      : h("p", { class: "hint" }, "所有网格、小区和楼栋都有党组织覆盖。")];
}

const KM_PER_DEG = 111.32;  // km per degree of latitude (and of longitude at the equator)
const NEAR_KM = 1;

/** The offerings inside the needs' bounding box widened by `km` on every side (offerings are
 *  read district-wide; the street's map keeps those around its needs). */
function nearby(needs, offerings, km) {
  const at = needs.filter((n) => n.lat != null && n.lon != null);
  if (!at.length) return offerings;
  const lats = at.map((n) => n.lat), lons = at.map((n) => n.lon);
  const dLat = km / KM_PER_DEG, dLon = km / (KM_PER_DEG * Math.cos((((Math.min(...lats) + Math.max(...lats)) / 2) * Math.PI) / 180));
  return offerings.filter((o) => o.lat != null && o.lon != null
    && o.lat >= Math.min(...lats) - dLat && o.lat <= Math.max(...lats) + dLat && o.lon >= Math.min(...lons) - dLon && o.lon <= Math.max(...lons) + dLon);
}

/** A round length for a scale bar: the largest 1, 2 or 5 × 10^k not above `most`. */
function roundKm(most) {
  const p = 10 ** Math.floor(Math.log10(most));
  return [5, 2, 1].map((m) => m * p).find((v) => v <= most) || p;
}

/** Needs and offerings to scale: equirectangular, longitude × cos(mean latitude), so a km east
 *  is as long as a km north; with a scale bar and a north arrow. */
function map(needs, offerings) {
  const pts = [...needs.map((n) => ["need", n]), ...offerings.map((o) => ["offer", o])].filter(([, x]) => x.lat != null && x.lon != null);
  if (!pts.length) return h("p", { class: "hint" }, "没有带坐标的需求或资源。");
  const lats = pts.map(([, x]) => x.lat), lons = pts.map(([, x]) => x.lon);
  const lat0 = lats.reduce((a, b) => a + b, 0) / lats.length;
  const k = Math.cos((lat0 * Math.PI) / 180);
  const [lonMin, latMax] = [Math.min(...lons), Math.max(...lats)];
  const east = (lon) => (lon - lonMin) * KM_PER_DEG * k, south = (lat) => (latMax - lat) * KM_PER_DEG;
  const wKm = Math.max(east(Math.max(...lons)), 0.2), hKm = Math.max(south(Math.min(...lats)), 0.2);
  const W = 600, pad = 30, foot = 40;
  let scale = (W - 2 * pad) / wKm;  // px per km, the same both ways
  if (hKm * scale > 560) scale = 560 / hKm;
  const H = Math.round(hKm * scale + 2 * pad + foot);
  const x0 = (W - wKm * scale) / 2;
  const sx = (lon) => r1(x0 + east(lon) * scale), sy = (lat) => r1(pad + south(lat) * scale);
  const COLOUR = { open: "#d32f2f", claimed: "#f9a825", in_progress: "#f9a825" };
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "map", role: "img", "data-px-per-km": scale, "data-lat0": lat0,
    "aria-label": `辖区地图(按比例):${needs.length} 个需求(圆点),${offerings.length} 项资源(方块),东西约 ${r1(wKm)} 公里,南北约 ${r1(hKm)} 公里` });
  for (const [kind, x] of pts) {
    const [cx, cy] = [sx(x.lon), sy(x.lat)];
    const el = kind === "need" ? s("circle", { cx, cy, r: 5, fill: COLOUR[x.status] || "#9e9e9e" })
      : s("rect", { x: cx - 4, y: cy - 4, width: 8, height: 8, fill: "#1565c0", opacity: ".75" });
    el.setAttribute("class", `${kind} point`);
    el.setAttribute("data-lat", x.lat); el.setAttribute("data-lon", x.lon);
    el.append(s("title", {}, `${kind === "need" ? `需求(${NEED[x.status] || x.status})` : "资源"}:${x.title}`));
    svg.append(el);
  }
  const km = roundKm(wKm / 3), len = r1(km * scale), by = H - 18;
  svg.append(s("g", { class: "scale-bar", "data-km": km, "data-px": len },
    s("path", { d: `M${pad} ${by - 6}V${by}H${pad + len}V${by - 6}`, fill: "none", stroke: "#333", "stroke-width": 2 }),
    s("text", { x: pad + len + 8, y: by + 6, "font-size": 20 }, `${km} 公里`)));
  const nx = W - 28;
  svg.append(s("g", { class: "north" }, s("polygon", { points: `${nx},8 ${nx + 10},36 ${nx},30 ${nx - 10},36`, fill: "#333" }),
    s("text", { x: nx, y: 58, "font-size": 20, "text-anchor": "middle" }, "北")));
  return h("div", {}, svg, h("p", { class: "legend hint" }, h("span", { style: "color:#d32f2f" }, "● 待认领需求"),
    h("span", { style: "color:#f9a825" }, "● 服务中需求"), h("span", { style: "color:#9e9e9e" }, "● 其他需求"),
    h("span", { style: "color:#1565c0" }, "■ 可用资源"), h("span", {}, "比例尺见左下角,上方为北")));
}

// ---------- entities drawn: colour and shape per label ----------
const KIND = {
  Org: ["#c62828", "circle"], Unit: ["#1565c0", "square"], Member: ["#2e7d32", "ring"], Area: ["#795548", "hexagon"],
  Need: ["#ef6c00", "triangle"], Offering: ["#00838f", "diamond"], Project: ["#6a1b9a", "square"], Agreement: ["#8d6e63", "diamond"],
};
const ORDER = Object.keys(KIND);
const rank = (label) => (ORDER.includes(label) ? ORDER.indexOf(label) : ORDER.length);
const byKind = (a, b) => rank(a.label) - rank(b.label) || a.name.localeCompare(b.name, "zh-CN") || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const kindName = (label) => LABEL[label] || label;

/** The mark of an entity of `label` centred on (x, y), about `r` across half. */
function mark(label, x, y, r) {
  const [fill, shape] = KIND[label] || ["#757575", "circle"];
  const poly = (list) => s("polygon", { fill, points: list.map(([a, b]) => `${r1(x + a * r)},${r1(y + b * r)}`).join(" ") });
  if (shape === "square") return s("rect", { fill, x: r1(x - 0.9 * r), y: r1(y - 0.9 * r), width: r1(1.8 * r), height: r1(1.8 * r), rx: r1(0.25 * r) });
  if (shape === "triangle") return poly([[0, -1.2], [1.1, 0.8], [-1.1, 0.8]]);
  if (shape === "diamond") return poly([[0, -1.25], [1.25, 0], [0, 1.25], [-1.25, 0]]);
  if (shape === "hexagon") return poly([0, 1, 2, 3, 4, 5].map((i) => [Math.cos((i * Math.PI) / 3), Math.sin((i * Math.PI) / 3)]));
  if (shape === "ring") return s("circle", { cx: x, cy: y, r: r1(0.8 * r), fill: "#fff", stroke: fill, "stroke-width": r1(0.45 * r) });
  return s("circle", { cx: x, cy: y, r, fill });
}

/** The legend of the labels drawn. */
function legend(labels) {
  return h("ul", { class: "graph-legend", "aria-label": "图例" }, [...new Set(labels)].sort((a, b) => rank(a) - rank(b)).map((l) =>
    h("li", {}, s("svg", { viewBox: "0 0 24 24", width: 18, height: 18, "aria-hidden": "true" }, mark(l, 12, 12, 8)), kindName(l))));
}

/** A name cut to `n` characters for a label in a drawing (the full name stays in its title). */
const short = (name, n) => { const t = String(name).replace(/^中共/, ""); return t.length > n ? `${t.slice(0, n)}…` : t; };

/** A small arrow head at (x, y) pointing along (dx, dy). */
function head(x, y, dx, dy, size, cls) {
  const l = Math.hypot(dx, dy) || 1, [ux, uy] = [dx / l, dy / l];
  const p = (a, b) => `${r1(x + a * ux - b * uy)},${r1(y + a * uy + b * ux)}`;
  return s("polygon", { class: cls, points: `${p(0, 0)} ${p(-size, size * 0.55)} ${p(-size, -size * 0.55)}` });
}

/**
 * Where each entity of a neighbourhood goes: the centre in the middle, the direct neighbours on a
 * ring grouped by label (a blank slot between groups), the farther ones on an outer ring in the
 * order of the nearer neighbours they hang from. Deterministic: the same answer, the same picture.
 */
function ringLayout(hood) {
  const around = hood.nodes.filter((n) => n.hops > 0).map((n) => ({ ...n.node, hops: n.hops }));
  const first = around.filter((n) => n.hops === 1).sort(byKind), outer = around.filter((n) => n.hops > 1);
  const groups = new Set(first.map((n) => n.label)).size;
  const slots = [];
  first.forEach((n, i) => { if (i && groups > 1 && n.label !== first[i - 1].label) slots.push(null); slots.push(n); });
  if (groups > 1) slots.push(null);
  const R1 = outer.length ? 210 : 220, R2 = 370;
  const r = Math.max(5, Math.min(15, (Math.PI * R1) / Math.max(slots.length, 1) / 1.4));
  const labelled = first.length <= 36, fs = 24;
  const R = outer.length ? R2 : R1;
  const halfW = Math.round(R + r + 12 + (labelled && !outer.length ? 7.2 * fs : outer.length ? 12 : 0));
  const halfH = Math.round(R + r + fs + 16);
  const [cx, cy] = [halfW, halfH];
  const at = (f, rad) => { const a = -Math.PI / 2 + 2 * Math.PI * f; return { x: r1(cx + rad * Math.cos(a)), y: r1(cy + rad * Math.sin(a)), cos: Math.cos(a), sin: Math.sin(a), f }; };
  const pos = new Map([[hood.centre.id, { x: cx, y: cy, cos: 0, sin: 0, f: 0 }]]);
  slots.forEach((n, i) => { if (n) pos.set(n.id, at(i / slots.length, R1)); });
  const anchor = new Map();
  for (const t of hood.ties) for (const [u, v] of [[t.start, t.end], [t.end, t.start]]) {
    const p = pos.get(v);
    if (p && v !== hood.centre.id && !pos.has(u)) anchor.set(u, Math.min(anchor.get(u) ?? 2, p.f));
  }
  outer.sort((a, b) => (anchor.get(a.id) ?? 2) - (anchor.get(b.id) ?? 2) || byKind(a, b));
  outer.forEach((n, i) => pos.set(n.id, at((i + 0.5) / outer.length, R2)));
  const ro = Math.max(3, Math.min(0.7 * r, (Math.PI * R2) / Math.max(outer.length, 1) / 1.2));
  return { pos, first, outer, r, ro, fs, labelled, width: 2 * halfW, height: 2 * halfH };
}

/** The neighbourhood drawn: one clickable mark per entity, one line per pair of related entities. */
function drawHood(hood) {
  const { pos, first, outer, r, ro, fs, labelled, width, height } = ringLayout(hood);
  const centre = hood.centre, names = new Map(hood.nodes.map((n) => [n.node.id, n.node.name]));
  const far = new Set(outer.map((n) => n.id));
  const gap = (id) => (id === centre.id ? 24 : far.has(id) ? ro + 2 : r + 2);  // lines stop short of the marks
  const pairs = new Map();
  for (const t of hood.ties) {
    if (!pos.has(t.start) || !pos.has(t.end) || t.start === t.end) continue;
    const key = [t.start, t.end].sort().join("\u0000");
    if (!pairs.has(key)) pairs.set(key, []);
    pairs.get(key).push(t);
  }
  const spokes = [...pairs.values()].filter((ts) => ts.some((t) => t.start === centre.id || t.end === centre.id)).length;
  const edges = s("g", { class: "ties" });
  for (const ts of pairs.values()) {
    const [a, b] = [pos.get(ts[0].start), pos.get(ts[0].end)];
    const spoke = ts[0].start === centre.id || ts[0].end === centre.id;
    const [dx, dy] = [b.x - a.x, b.y - a.y], l = Math.hypot(dx, dy) || 1;
    const ra = gap(ts[0].start), rb = gap(ts[0].end);
    const [ax, ay, bx, by] = [a.x + (dx / l) * ra, a.y + (dy / l) * ra, b.x - (dx / l) * rb, b.y - (dy / l) * rb];
    const words = ts.map((t) => `${names.get(t.start)} —${t.title}→ ${names.get(t.end)}`).join(";");
    const g = s("g", { class: spoke ? "tie spoke" : "tie", "data-a": ts[0].start, "data-b": ts[0].end }, s("title", {}, words),
      s("line", { x1: r1(ax), y1: r1(ay), x2: r1(bx), y2: r1(by) }));
    if (new Set(ts.map((t) => t.start)).size === 1) g.append(head(bx, by, dx, dy, 9, "arrow"));
    if (spoke && spokes <= 24 && !outer.length) {
      g.append(s("text", { class: "tie-label", x: r1(a.x + dx * 0.68), y: r1(a.y + dy * 0.68 + 6), "text-anchor": "middle", "font-size": 18 },
        [...new Set(ts.map((t) => t.title))].join("、")));
    }
    edges.append(g);
  }
  const nodes = s("g", { class: "nodes" });
  for (const n of [...first, ...outer]) {
    const p = pos.get(n.id), rr = n.hops > 1 ? ro : r;
    const a = s("a", { href: `#/explore/${enc(n.id)}`, class: "node", "data-id": n.id, "data-label": n.label, "data-hops": n.hops,
      "aria-label": `${kindName(n.label)}:${n.name}(第 ${n.hops} 层,点击继续浏览)` },
    s("title", {}, `${kindName(n.label)}:${n.name}`), mark(n.label, p.x, p.y, rr));
    if (n.hops === 1 && labelled) {
      const anchor = p.cos > 0.25 ? "start" : p.cos < -0.25 ? "end" : "middle";
      const off = rr + 8;
      a.append(s("text", { x: r1(p.x + p.cos * off), y: r1(p.y + p.sin * off + (anchor === "middle" ? (p.sin > 0 ? fs : -6) : 6)),
        "text-anchor": anchor, "font-size": fs }, short(n.name, 6)));
    }
    nodes.append(a);
  }
  const c = pos.get(centre.id);
  nodes.append(s("g", { class: "centre", "data-id": centre.id }, s("title", {}, `${kindName(centre.label)}:${centre.name}(中心)`),
    s("circle", { cx: c.x, cy: c.y, r: 27, fill: "#fff", stroke: "#333", "stroke-width": 2 }), mark(centre.label, c.x, c.y, 19)));
  const counts = Object.entries([...first, ...outer].reduce((m, n) => ({ ...m, [n.label]: (m[n.label] || 0) + 1 }), {}))
    .sort(([a], [b]) => rank(a) - rank(b)).map(([l, k]) => `${kindName(l)} ${k} 个`).join("、");
  const desc = `以${kindName(centre.label)}“${centre.name}”为中心的关系图:${first.length} 个直接相连${outer.length ? `,${outer.length} 个隔一层相连` : ""}${counts ? `(${counts})` : ""};共 ${hood.ties.length} 条关系。`;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "graph", role: "group", "aria-label": `关系图:${centre.name}` }, s("desc", {}, desc), edges, nodes);
  const light = (id) => {  // pointing at (or focusing) an entity brings out its own ties
    svg.classList.toggle("lit", Boolean(id));
    for (const g of edges.children) g.classList.toggle("on", Boolean(id) && (g.dataset.a === id || g.dataset.b === id));
  };
  for (const a of nodes.querySelectorAll("a.node")) {
    for (const ev of ["mouseenter", "focus"]) a.addEventListener(ev, () => light(a.dataset.id));
    for (const ev of ["mouseleave", "blur"]) a.addEventListener(ev, () => light(null));
  }
  return h("figure", { class: "graph-box" }, svg, h("figcaption", { class: "hint" }, desc));
}

// ---------- relationship explorer ----------
const ENDS = "lianjian.path.ends";

/** The two ends picked for the path page (kept for the browser tab's session). */
function ends() {
  try { return JSON.parse(sessionStorage.getItem(ENDS) || "{}") || {}; } catch { return {}; }
}

/** Buttons setting the explored entity as a path's start or end, and the path once both are set. */
function pickEnds(node) {
  const status = h("p", { id: "path-ends", "aria-live": "polite" });
  const say = () => {
    const e = ends(), name = (x) => (x ? x.name : "未选");
    status.replaceChildren(`起点:${name(e.from)};终点:${name(e.to)}`, e.from && e.to
      ? h("a", { href: `#/paths/${enc(e.from.id)}/${enc(e.to.id)}`, class: "to-path" }, " → 查看两者之间的关系路径") : "");
  };
  const set = (which) => () => { sessionStorage.setItem(ENDS, JSON.stringify({ ...ends(), [which]: node })); say(); };
  say();
  return h("div", { class: "card path-pick" }, h("div", { class: "actions" },
    act("设为起点", set("from"), "secondary"), act("设为终点", set("to"), "secondary")), status);
}

/** The relationship explorer: an entity's ties drawn (1 or 2 hops) and listed, each neighbour a link onwards. */
export async function explorePage(id, hopsArg = "1") {
  const hops = hopsArg === "2" ? 2 : 1;
  const hood = await api(`/analytics/entities/${enc(id)}/neighbourhood?hops=${hops}&max_nodes=${hops === 1 ? 200 : 150}`);
  const names = new Map([[hood.centre.id, hood.centre], ...hood.nodes.map((n) => [n.node.id, n.node])]);
  const around = hood.nodes.filter((n) => n.hops > 0);
  const link = (nid) => { const n = names.get(nid) || { id: nid, name: nid, label: "" };
    return nid === hood.centre.id ? h("strong", {}, n.name) : h("a", { href: `#/explore/${enc(nid)}` }, n.name); };
  const here = `#/explore/${enc(id)}`;
  const choice = (n, text, href) => (n === hops ? h("strong", { "aria-current": "page" }, text) : h("a", { href }, text));
  return [`关系浏览:${hood.centre.name}`, ...[
    h("p", { class: "hint" }, `${kindName(hood.centre.label)} · ${hops === 1 ? "直接相连" : "两层以内相连"} ${around.length} 个。点击图中或表中的名称继续浏览。`),
    h("nav", { class: "jump", "aria-label": "关系层数" }, "显示:", choice(1, "直接关系", here), choice(2, "两层关系", `${here}/2`)),
    hood.truncated ? h("p", { class: "msg note", id: "truncated" }, `关系较多,只显示了离中心最近的 ${around.length} 个对象。`) : null,
    around.length ? [drawHood(hood), legend(around.map((n) => n.node.label))] : null,
    pickEnds(hood.centre),
    h("h2", {}, "关系列表"),
    h("div", { id: "ties" }, hood.ties.length ? table([["一方", (t) => link(t.start)], ["关系", (t) => t.title || t.type], ["另一方", (t) => link(t.end)]], hood.ties)
      : h("p", { class: "hint" }, "没有直接关系。")),
    h("p", {}, h("a", { href: "#/paths" }, "关系路径"), " · ", h("a", { href: "#/home" }, "返回工作台"))].flat().filter(Boolean)];
}

// ---------- path between two entities ----------
/** The entities one may pick as ends: those picked in the explorer, the jurisdiction's orgs and units. */
async function endChoices(who, extra) {
  const picked = Object.values(ends()).filter(Boolean);
  const groups = [["已在关系浏览中选定", picked]];
  if (who && who.role === "admin") {  // the whole district: its streets and communities (thousands of orgs in all)
    groups.push(["党组织(区、街道、社区)", (await upperOrgs().catch(() => [])).map((o) => ({ id: o.id, name: o.name, label: "Org" }))]);
  } else if (who && who.scope_org_id) {
    const org = enc(who.scope_org_id);
    const [tree, hood] = await Promise.all([api(`/orgs/${org}/tree`),
      api(`/analytics/entities/${org}/neighbourhood?hops=2&rel_types=LEADS&rel_types=REPORTS_TO&max_nodes=2000`).catch(() => null)]);
    groups.push(["党组织", tree.map((o) => ({ id: o.id, name: o.name, label: "Org" }))]);
    if (hood) groups.push(["驻区单位", hood.nodes.map((n) => n.node).filter((n) => n.label === "Unit").sort(byKind)]);
  }
  const known = new Set(groups.flatMap(([, list]) => list.map((n) => n.id)));
  const missing = extra.filter((x) => x && !known.has(x));
  if (missing.length) groups.unshift(["当前", missing.map((x) => ({ id: x, name: x, label: "" }))]);
  return groups.filter(([, list]) => list.length);
}

function endSelect(name, groups, value) {
  return h("select", { name, required: true }, h("option", { value: "" }, "请选择"),
    groups.map(([title, list]) => h("optgroup", { label: title }, list.map((n) =>
      h("option", { value: n.id, selected: n.id === value }, n.label ? `${n.name}(${kindName(n.label)})` : n.name)))));
}

/** One path drawn top to bottom: each entity a clickable mark with its name, each step its relationship. */
function drawPath(path, index) {
  const nodes = [path.start, ...path.steps.map((st) => st.to)];
  const gap = 92, top = 34, r = 15, x = 40, fs = 19;
  const W = Math.min(640, Math.max(360, 80 + (Math.max(...nodes.map((n) => Math.min(n.name.length, 25))) + 4) * fs));  // as wide as the names
  const H = top * 2 + (nodes.length - 1) * gap;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chain", style: `max-width:${W}px`, role: "group", "aria-label": `路径 ${index + 1}:${path.text}` },
    s("desc", {}, path.text));
  path.steps.forEach((st, i) => {
    const [y1, y2] = [top + i * gap + r + 3, top + (i + 1) * gap - r - 3];
    const title = st.text.replace(/[—←→\s]/g, "");
    svg.append(s("g", { class: "step" }, s("title", {}, `${nodes[i].name}${st.text}${st.to.name}`),
      s("line", { x1: x, y1, x2: x, y2 }), st.forward ? head(x, y2, 0, 1, 10, "arrow") : head(x, y1, 0, -1, 10, "arrow"),
      s("text", { x: x + 28, y: (y1 + y2) / 2 + 6, "font-size": 16, class: "step-label" }, `${st.forward ? "↓" : "↑"} ${title}`)));
  });
  nodes.forEach((n, i) => {
    const y = top + i * gap;
    svg.append(s("a", { href: `#/explore/${enc(n.id)}`, class: "node", "data-id": n.id, "aria-label": `${kindName(n.label)}:${n.name}` },
      s("title", {}, `${kindName(n.label)}:${n.name}`), mark(n.label, x, y, r),
      s("text", { x: x + 28, y: y + 7, "font-size": fs }, n.name.length > 24 ? `${n.name.slice(0, 24)}…` : n.name, s("tspan", { class: "kind", "font-size": 14, dx: 8 }, kindName(n.label)))));
  });
  return svg;
}

/** The paths between two entities of one's jurisdiction, in words and drawn; the ends picked from a list. */
export async function pathsPage(a, b) {
  const picked = ends();
  const [from, to] = [a || (picked.from || {}).id, b || (picked.to || {}).id];
  const groups = await endChoices(me(), [a, b]);
  const form = wire(h("form", { class: "card", "aria-label": "查找关系路径" },
    h("div", { class: "row" }, field("起点 *", endSelect("a", groups, from)), field("终点 *", endSelect("b", groups, to))),
    h("button", { type: "submit" }, "查找路径")), (v) => { go(`#/paths/${enc(v.a)}/${enc(v.b)}`); });
  const parts = [h("p", { class: "hint" }, "选择两个组织、单位或党员,查看它们之间最短的关系路径(最多 6 步)。也可以在关系浏览中把对象“设为起点”或“设为终点”。"),
    groups.length ? null : h("p", { class: "msg note" }, "还没有可选的对象:请先在关系浏览中把两个对象分别“设为起点”和“设为终点”。"), form].filter(Boolean);
  if (a && b) {
    const box = h("div", { id: "paths" });
    try {
      const paths = await api(`/analytics/paths?${new URLSearchParams({ a, b, max_hops: 6, limit: 5 })}`);
      for (const n of paths.flatMap((p) => [p.start, ...p.steps.map((st) => st.to)])) {
        for (const o of form.querySelectorAll(`option[value="${CSS.escape(n.id)}"]`)) o.textContent = `${n.name}(${kindName(n.label)})`;
      }
      if (!paths.length) box.append(h("p", { class: "msg note", role: "status" }, "在 6 步以内找不到两者之间的关系。"));
      paths.forEach((p, i) => box.append(h("section", { class: "card path" },
        h("h2", {}, `路径 ${i + 1}:共 ${p.length} 步`), h("p", { class: "path-words" }, p.text), drawPath(p, i))));
    } catch (err) {
      box.append(h("p", { class: "msg error", role: "alert" }, err.status === 403
        ? `${err.message}。请只选择本辖区内的组织、单位或党员。` : err.message || String(err)));
    }
    parts.push(box);
  }
  parts.push(h("p", {}, h("a", { href: "#/home" }, "返回工作台")));
  return ["关系路径", ...parts];
}
