// The unit's and member's pages: home (projects, recommendations, open needs, offerings, points).
import { api, offers } from "./api.js";
import { act, badge, field, flash, h, later, table, wire } from "./ui.js";
import { catName, categoryOptions, jump, OFFERING, pagedLedger, pagedNeeds, PROJECT } from "./common.js";
import { withdraw } from "./need.js";
import { route } from "./app.js";

export async function providerHome(who) {
  const sid = encodeURIComponent(who.subject_id);
  const [open, projects, mine, balance, ledger] = await Promise.all([
    pagedNeeds({ status: "open" }, 10), api(`/projects?provider_id=${sid}&limit=100`),
    api(`/offerings?provider_id=${sid}&limit=100`), api(`/points/${sid}`), pagedLedger(who.subject_id)]);
  const parts = [h("nav", { class: "jump", "aria-label": "本页导航" },
    h("a", { href: "#/home", onclick: jump("my-projects") }, "我的项目"), h("a", { href: "#/home", onclick: jump("open-needs") }, "待认领的需求"),
    h("a", { href: "#/home", onclick: jump("my-offerings") }, "我的资源"), h("a", { href: "#/series", id: "series-link" }, "常态化项目"), h("a", { href: "#/registrations", id: "registrations-link" }, "双报到"), who.role === "unit" ? h("a", { href: "#/agreements", id: "agreements-link" }, "共建协议") : null, h("a", { href: "#/home", onclick: jump("points") }, `积分 ${balance.balance}`),
    h("a", { href: "#/pledges", id: "pledges-link" }, "公开承诺"),
    h("a", { href: "#/unit-needs", id: "unit-needs-link" }, who.role === "unit" ? "本单位需求" : "单位需求"),
    who.role === "member" ? h("a", { href: "#/signups" }, "志愿报名签到") : null,
    who.role === "member" ? h("a", { href: "#/branches", id: "branches-link" }, "三缘支部") : null)];
  const done = projects.filter((p) => p.status === "completed" || p.status === "evaluated");
  const rated = new Map(await Promise.all(done.map(async (p) => [p.id, (await api(`/projects/${encodeURIComponent(p.id)}/evaluations`).catch(() => []))
    .find((e) => e.direction === "provider_to_community" && e.rater_id === who.subject_id)])));
  parts.push(h("h2", {}, "我的项目"), h("div", { id: "my-projects" }, projects.length ? h("ul", { class: "list" }, projects.map((p) => projectItem(p, sid, rated.get(p.id)))) : h("p", { class: "hint" }, "还没有项目。")));
  if (await offers("/recommendations/needs")) {
    parts.push(h("h2", {}, "为您推荐"), mine.some((o) => o.status === "active")
      ? later(recommended, { id: "recommendations" })  // ~0.5 s on a district: the page shows first
      : h("p", { class: "hint", id: "recommendations" }, "您还没有可用的资源。在下方“登记新资源”后,这里会推荐与资源相符的需求。"));
  }
  parts.push(h("h2", {}, "待认领的需求"), h("div", { id: "open-needs" }, open));
  parts.push(h("h2", {}, "我的资源"), h("div", { id: "my-offerings" }, offeringsTable(mine)), h("h3", {}, "登记新资源"), await offeringForm());
  parts.push(h("h2", {}, "积分"), h("section", { class: "card", id: "points" },
    h("p", {}, "当前积分:", h("strong", { class: "balance" }, String(balance.balance)), ` (共 ${balance.entries} 条记录)`),
    ledger));
  return [`${who.display_name} · 工作台`, ...parts];
}


/** Needs matched to one's active offerings, each with why (the API ranks them). */
async function recommended() {
  const recs = await api("/recommendations/needs?k=5");
  if (!recs.length) return h("p", { class: "hint" }, "暂时没有与您的资源相符的推荐,可在下方浏览全部待认领需求。");
  const titles = new Map((await Promise.all(recs.map((r) => api(`/needs/${encodeURIComponent(r.need_id)}`).catch(() => null))))
    .filter(Boolean).map((n) => [n.id, n.title]));
  return h("ul", { class: "list", id: "recommended" }, recs.map((r) => h("li", {},
    h("a", { href: `#/needs/${encodeURIComponent(r.need_id)}` }, titles.get(r.need_id) || "查看需求"),
    h("div", { class: "meta" }, r.reasons || r.path_words))));
}

/** One of the provider's projects with what it can do next; `rating` its own rating of the community, if given. */
function projectItem(p, sid, rating) {
  const li = h("li", {}, h("strong", {}, p.title), " ", badge(p.status, PROJECT), " ", h("a", { href: `#/needs/${p.need_id}` }, "需求详情"),
    h("div", { class: "meta" }, `${p.org_name || ""} · 累计 ${p.hours_total || 0} 小时(已确认)` +
      ((p.hours_logged || 0) > (p.hours_total || 0) ? ` · 待社区确认 ${Number(((p.hours_logged || 0) - (p.hours_total || 0)).toFixed(1))} 小时` : "")));
  if (p.status === "claimed") {
    li.append(h("div", { class: "actions" }, act("开始服务", async () => { await api(`/projects/${p.id}/start`, { method: "POST" }); await route(); flash(`“${p.title}”已开始服务。`, "ok"); }),
      act("撤回认领", async () => {  // before work starts (the API's rule)
        const [claim] = await api(`/claims?need_id=${encodeURIComponent(p.need_id)}&provider_id=${sid}&status=active&limit=1`);
        await withdraw(claim, p.title);
      }, "secondary")));
  }
  if (p.status === "in_progress" || p.status === "problem") {
    const hours = wire(h("form", { "aria-label": "登记服务时长" }, h("div", { class: "row" },
      field("服务时长(小时)*", h("input", { name: "hours", type: "number", required: true, min: 0.1, max: 24, step: "0.5" })),
      field("说明", h("input", { name: "note", maxlength: 500 }))), h("button", { type: "submit" }, "登记时长")),
    async (v) => { await api(`/projects/${p.id}/hours`, { method: "POST", body: { hours: Number(v.hours), note: v.note || null } }); await route(); flash(`已登记 ${Number(v.hours)} 小时,社区确认后记入积分。`, "ok"); });
    const done = wire(h("form", { "aria-label": "完成项目" }, field("完成情况 *", h("textarea", { name: "report", required: true, maxlength: 2000, rows: 2 })), h("button", { type: "submit" }, "完成项目")),
      async (v) => { await api(`/projects/${p.id}/complete`, { method: "POST", body: { report: v.report } }); await route(); flash("项目已完成;服务时长经社区确认后记入积分。", "ok"); });
    const problem = wire(h("form", { "aria-label": "问题上报" }, field("遇到的问题", h("textarea", { name: "description", required: true, maxlength: 2000, rows: 2 })), h("button", { type: "submit", class: "secondary" }, "上报问题")),
      async (v) => { await api(`/projects/${p.id}/problems`, { method: "POST", body: { description: v.description } }); await route(); flash("问题已上报,社区书记处理后会在项目中显示处理结果。", "ok"); });
    li.append(hours, done, problem);
  }
  if (rating) li.append(h("p", { class: "meta rated" }, `已评价社区:${rating.rating} 分${rating.comment ? `,“${rating.comment}”` : ""}`));
  else if (p.status === "completed" || p.status === "evaluated") {
    li.append(wire(h("form", { "aria-label": "评价社区" }, h("div", { class: "row" },
      field("给社区的评分 *", h("select", { name: "rating", required: true }, [5, 4, 3, 2, 1].map((n) => h("option", { value: n }, `${n} 分`)))),
      field("评语", h("input", { name: "comment", maxlength: 500 }))), h("button", { type: "submit", class: "secondary" }, "评价社区")),
    async (v) => {
      await api(`/projects/${p.id}/evaluations/community`, { method: "POST", body: { rating: Number(v.rating), comment: v.comment || null } });
      return "已评价社区,谢谢!";
    }));
  }
  return li;
}

function offeringsTable(list) {
  if (!list.length) return h("p", { class: "hint" }, "还没有登记资源。");
  return table([["资源", (o) => (["venue", "goods", "funds"].includes(o.kind) ? h("a", { href: `#/venues/${encodeURIComponent(o.id)}` }, o.title) : o.title)], ["类别", (o) => catName(o.category)], ["状态", (o) => badge(o.status, OFFERING)],
    ["本期已用", (o) => `${o.used_in_period}/${o.capacity}`],
    ["操作", (o) => h("div", { class: "actions" },
      o.status === "active" ? act("暂停", () => change(o, "pause", "已暂停"), "secondary") : null,
      o.status === "paused" ? act("恢复", () => change(o, "resume", "已恢复"), "secondary") : null,
      o.status !== "retired" ? act("下架", () => change(o, "retire", "已下架"), "secondary") : null)]], list);
}

/** Pause, resume or retire an offering, then say so. */
async function change(o, step, done) {
  await api(`/offerings/${encodeURIComponent(o.id)}/${step}`, { method: "POST" });
  await route();
  flash(`资源“${o.title}”${done}。`, "ok");
}

async function offeringForm() {
  const form = h("form", { class: "card", "aria-label": "登记资源" },
    h("div", { class: "row" },
      field("资源名称 *", h("input", { name: "title", required: true, maxlength: 100 })),
      field("服务类别 *", h("select", { name: "category", required: true }, h("option", { value: "" }, "请选择"), await categoryOptions()))),
    h("div", { class: "row" },
      field("类型", h("select", { name: "kind" }, [["service", "服务"], ["venue", "场地"], ["goods", "物资"], ["funds", "资金"]].map(([k, v]) => h("option", { value: k }, v)))),
      field("每期可服务次数 *", h("input", { name: "capacity", type: "number", required: true, min: 1, max: 10000, value: 1 })),
      field("周期", h("select", { name: "period" }, [["month", "每月"], ["week", "每周"], ["quarter", "每季度"], ["year", "每年"], ["once", "一次性"]].map(([k, v]) => h("option", { value: k }, v))))),
    field("说明", h("textarea", { name: "description", maxlength: 2000, rows: 2 })),
    h("button", { type: "submit" }, "登记资源"));
  return wire(form, async (v) => {
    const body = { title: v.title, category: v.category, kind: v.kind, capacity: Number(v.capacity), period: v.period };
    if (v.description) body.description = v.description;
    await api("/offerings", { method: "POST", body });
    await route();
    flash(`资源“${v.title}”已登记。`, "ok");
  });
}

