// Search 搜索 (issue 12, point 7): the header's search box for every role (not the grid worker),
// results listed by kind with the words found marked, each linking to its object; a kind's own
// list a page at a time; a small page for the objects that have none elsewhere.
import { api, session } from "./api.js";
import { badge, h } from "./ui.js";
import { catName, NEED, OFFERING } from "./common.js";

const KIND = { need: "需求", offering: "资源", unit: "驻区单位", org: "党组织", member: "党员" };
const FIRST = 5;  // hits of each kind on the all-kinds page
const PAGE = 20;  // hits per page of one kind
const enc = encodeURIComponent;
const ORG_ROLES = ["admin", "planner", "secretary"];

/** Show the header's search box to the roles that may search (and keep what was searched). */
export function setupSearchBox(me, q = "") {
  const form = document.getElementById("search-form");
  if (!form) return;
  form.hidden = !me || me.role === "grid_worker";
  const input = document.getElementById("search-q");
  if (document.activeElement !== input) input.value = q;
  if (form.dataset.wired) return;
  form.dataset.wired = "1";
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    const hint = document.getElementById("search-hint");
    if (!text) { hint.textContent = "请输入要搜索的文字"; hint.hidden = false; input.focus(); return; }
    hint.hidden = true;
    location.hash = `#/search/${enc(text)}`;
  });
}

/** Where a hit leads: a need's own page, else the found object's page here. */
export const hitHref = (hit) => (hit.kind === "need" ? `#/needs/${enc(hit.id)}` : `#/found/${hit.kind}/${enc(hit.id)}`);

/** `text` with every searched word marked (built as text nodes: nothing typed becomes markup). */
export function marked(text, words) {
  if (!text) return "";
  const lower = text.toLowerCase();
  const parts = [];
  let at = 0;
  while (at < text.length) {
    let next = -1; let len = 0;
    for (const w of words) {
      const i = lower.indexOf(w, at);
      if (i >= 0 && (next < 0 || i < next)) { next = i; len = w.length; }
    }
    if (next < 0 || !len) { parts.push(text.slice(at)); break; }
    if (next > at) parts.push(text.slice(at, next));
    parts.push(h("mark", {}, text.slice(next, next + len)));
    at = next + len;
  }
  return parts;
}

function hitItem(hit, words) {
  const names = hit.kind === "need" ? NEED : OFFERING;
  return h("li", { class: "hit", "data-kind": hit.kind, "data-id": hit.id },
    h("a", { class: "title", href: hitHref(hit) }, marked(hit.title || hit.id, words)),
    hit.status ? h("span", {}, " ", badge(hit.status, names)) : null,
    hit.subtitle ? h("div", { class: "meta" }, hit.subtitle) : null,
    hit.snippet ? h("div", { class: "snippet" }, marked(hit.snippet, words)) : null);
}

function group(g, words, q, more) {
  return h("section", { class: "search-group", "data-kind": g.kind, "aria-label": g.kind_zh },
    h("h2", {}, `${g.kind_zh}`, h("span", { class: "hint" }, g.items.length ? ` ${g.items.length}${g.has_more ? "+" : ""} 条` : " 无")),
    g.items.length ? h("ul", { class: "list hits" }, g.items.map((hit) => hitItem(hit, words))) : null,
    g.has_more && more ? h("a", { class: "more", href: `#/search/${enc(q)}/${g.kind}` }, `查看全部${g.kind_zh}结果`) : null);
}

/** Search results: every kind (a few of each), or one kind a page at a time. */
export async function searchPage(q, kind, pageArg = "1") {
  setupSearchBox(session() && session().me, q);
  const page = Math.max(Number.parseInt(pageArg, 10) || 1, 1);
  const params = new URLSearchParams({ q, limit: String(kind ? PAGE : FIRST), skip: String(kind ? (page - 1) * PAGE : 0) });
  if (kind) params.set("kind", kind);
  const found = await api(`/search?${params}`);
  const total = found.groups.reduce((n, g) => n + g.items.length, 0);
  const title = kind ? `搜索“${q}”的${KIND[kind] || kind}` : `搜索“${q}”`;
  const nav = kind ? h("nav", { class: "jump", "aria-label": "翻页" },
    page > 1 ? h("a", { href: `#/search/${enc(q)}/${kind}/${page - 1}` }, "上一页") : null,
    h("span", {}, ` 第 ${page} 页 `),
    found.groups[0].has_more ? h("a", { href: `#/search/${enc(q)}/${kind}/${page + 1}` }, "下一页") : null) : null;
  return [title,
    h("p", { class: "hint", id: "search-summary" }, total ? `按关键词:${found.words.join("、")}(标题或名称中命中的排在前面)` : "没有找到相关内容,换个词试试。"),
    ...found.groups.map((g) => group(g, found.words, q, !kind)),
    ...(nav ? [nav] : []),
    kind ? h("a", { href: `#/search/${enc(q)}` }, "返回全部结果") : h("a", { href: "#/home" }, "返回工作台")];
}

const row = (label, value) => (value === null || value === undefined || value === "" ? null : [h("dt", {}, label), h("dd", {}, value)]);
const names = (refs) => (refs || []).map((r) => r.name || r.id).join("、");

/** A found offering, unit, org or member: its main fields (personal data as the API masks it). */
export async function foundPage(kind, id) {
  const me = (session() || {}).me || {};
  const explore = ORG_ROLES.includes(me.role) && kind !== "offering"
    ? h("a", { href: `#/explore/${enc(id)}` }, "关系浏览") : null;
  let title; let rows;
  if (kind === "offering") {
    const o = await api(`/offerings/${enc(id)}`);
    title = `资源:${o.title}`;
    rows = [row("状态", badge(o.status, OFFERING)), row("类别", catName(o.category)), row("提供方", o.provider_name),
      row("描述", o.description), row("每期可服务次数", o.capacity != null ? String(o.capacity) : null)];
  } else if (kind === "unit") {
    const u = await api(`/units/${enc(id)}`);
    title = `驻区单位:${u.name}`;
    rows = [row("地址", u.address), row("报到社区", names(u.reports_to)), row("单位党组织", names(u.own_orgs)),
      row("联系人", u.contact_name), row("联系电话", u.contact_phone), row("可用资源", String(u.active_offerings ?? ""))];
  } else if (kind === "org") {
    const o = await api(`/orgs/${enc(id)}`);
    title = `党组织:${o.name}`;
    rows = [row("上级组织", o.parent_name), row("下属组织", String(o.children ?? ""))];
  } else if (kind === "member") {
    const m = await api(`/members/${enc(id)}`);
    title = `党员:${m.name}`;
    rows = [row("所在组织", names(m.belongs_to)), row("报到社区", names(m.reports_to)), row("手机号", m.phone),
      row("职业", m.occupation), row("特长", (m.skills || []).join("、"))];
  } else {
    throw new Error("没有这类对象");
  }
  return [title, h("dl", { class: "found" }, rows.filter(Boolean).flat()),
    h("div", { class: "actions" }, explore, h("a", { href: "#/home", onclick: (ev) => { ev.preventDefault(); history.back(); } }, "返回搜索结果"))];
}
