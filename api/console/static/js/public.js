// 述评公开: an org's public results for a period, read without signing in from
// /public/orgs/{id}/results; the page's address is /public/orgs/{id}?period=2026-Q4.
const main = document.getElementById("main");
const flash = document.getElementById("flash");
const orgId = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
const params = new URLSearchParams(location.search);

function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined) el.append(kid instanceof Node ? kid : String(kid));
  return el;
}
const pct = (rate) => (rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`);
const day = (iso) => (iso ? new Date(Date.parse(iso) + 8 * 3600000).toISOString().slice(0, 10) : "");
const stars = (n) => "★".repeat(n) + "☆".repeat(5 - n);

function defaultPeriod() {
  const now = new Date(Date.now() + 8 * 3600000);  // Beijing calendar
  return String(now.getUTCFullYear());
}

function periodForm(current) {
  const input = h("input", { name: "period", id: "period", value: current, inputmode: "text", "aria-describedby": "period-hint" });
  const form = h("form", { class: "card", "aria-label": "统计时段" },
    h("div", { class: "field narrow" }, h("label", { for: "period" }, "统计时段"), input,
      h("span", { class: "hint", id: "period-hint" }, "年 2026、季度 2026-Q4 或月份 2026-11")),
    h("button", { type: "submit" }, "查看"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    location.search = new URLSearchParams({ period: input.value.trim() }).toString();
  });
  return form;
}

function figure(id, label, value, hint) {
  return h("div", { class: "rate" }, h("div", {}, label), h("div", { class: "value", id }, value), h("div", { class: "hint" }, hint));
}

function render(r) {
  document.title = `${r.org.name} · ${r.period.label} · 述评公开`;
  const ratings = r.project_ratings.length ? h("ul", { class: "list", id: "ratings" }, r.project_ratings.map((p) => h("li", { "data-project": p.project_id },
    h("div", {}, h("strong", {}, p.title)),
    h("div", { class: "meta" }, `完成于 ${day(p.completed_at)} · 服务 ${p.hours} 小时`),
    p.ratings.length ? h("div", {}, p.ratings.map((x) => h("div", { class: "rating" }, h("span", { "aria-label": `${x.stars} 星` }, stars(x.stars)), " ", x.provider_name || "")))
      : h("div", { class: "hint" }, "尚未评价")))) : h("p", { class: "hint", id: "ratings" }, "本时段暂无完成的项目。");
  const units = r.top_units.length ? h("ol", { id: "top-units" }, r.top_units.map((u) => h("li", { "data-unit": u.unit_id },
    `${u.name} · ${u.hours} 小时 · ${u.projects} 个项目`))) : h("p", { class: "hint", id: "top-units" }, "本时段暂无单位服务记录。");
  main.replaceChildren(
    h("h1", { id: "org-name" }, r.org.name),
    h("p", { class: "hint", id: "period-label" }, `${r.period.label}(按需求发布时间统计,北京时间)`),
    periodForm(r.period.key.includes("/") ? "" : r.period.key),
    h("h2", {}, "服务成果"),
    h("div", { class: "rates", id: "figures" },
      figure("projects-completed", "完成项目", String(r.projects_completed), `共 ${r.projects} 个项目、${r.needs} 个需求`),
      figure("people-served", "服务人次", String(r.people_served), "已完成项目服务的居民人数"),
      figure("hours", "服务时长", String(r.hours), "社区已确认的小时")),
    h("h2", {}, "三率"),
    h("div", { class: "rates", id: "rates" },
      figure("rate-response", "响应率", pct(r.response.rate), `${r.response.responded}/${r.response.needs} 个需求在 ${r.response.within_hours} 小时内响应`),
      figure("rate-resolution", "解决率", pct(r.resolution.rate), `${r.resolution.resolved}/${r.resolution.needs} 个需求已解决`),
      figure("rate-satisfaction", "满意率", pct(r.satisfaction.rate), `${r.satisfaction.satisfied}/${r.satisfaction.ratings} 条评价为 4–5 星`)),
    h("h2", {}, "服务较多的驻区单位"), units,
    h("h2", {}, "一事一评"), ratings,
    h("h2", {}, "公开承诺"), pledges(r.pledges || []),
    h("p", { class: "hint" }, "党员姓名已隐去,不公开任何个人联系方式。"));
}

/** 公开承诺 ("1+3") reviewed by the secretary, with their progress; members' names masked by the API. */
function pledges(rows) {
  if (!rows.length) return h("p", { class: "hint", id: "pledges" }, "暂无已公示的公开承诺。");
  return h("ul", { class: "list", id: "pledges" }, rows.map((p) => h("li", { "data-pledge": p.id },
    h("div", {}, h("strong", {}, p.title), ` · ${p.provider_name || ""}${p.provider_kind === "Member" ? "(党员)" : ""}`),
    p.content ? h("div", {}, p.content) : null,
    h("div", { class: "meta" }, [p.target ? `目标:${p.target}` : "", p.due_on ? `期限:${p.due_on}` : "", p.status === "completed" ? "已完成" : "进行中"].filter(Boolean).join(" · ")),
    h("div", {}, h("progress", { max: 100, value: p.percent || 0, "aria-label": "完成进度" }), ` ${p.percent || 0}%`),
    p.progress.length ? h("div", { class: "meta" }, `最近进展(${day(p.progress[p.progress.length - 1].at)}):${p.progress[p.progress.length - 1].note}`) : null)));
}

async function load() {
  const period = params.get("period") || defaultPeriod();
  const res = await fetch(`/public/orgs/${encodeURIComponent(orgId)}/results?${new URLSearchParams({ period })}`);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    flash.textContent = body.message || "加载失败,请稍后再试";
    flash.className = "flash error";
    flash.hidden = false;
    main.replaceChildren(periodForm(period));
    return;
  }
  render(body);
}

load();
