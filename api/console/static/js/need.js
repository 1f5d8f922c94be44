// A need's page, for every role: its facts, claims, the project's progress, evaluation and claiming.
import { api, offers } from "./api.js";
import { act, badge, field, flash, h, table, wire, when } from "./ui.js";
import { catName, CLAIM, CORRECTION, loadCategories, me, NEED, offeringFits, PROBLEM, PROJECT, proposalsTable, URGENCY, WORKLOG } from "./common.js";
import { cancelForm, manages, resolveForm } from "./secretary.js";
import { signupParts } from "./signups.js";
import { route } from "./app.js";

export async function needPage(id) {
  const who = me();
  let need;
  try {
    need = await api(`/needs/${encodeURIComponent(id)}`);
  } catch (err) {
    const project = err.status === 403 && who.subject_id ? await ownProject(id, who) : null;
    if (!project) throw err;
    return [project.need_title, h("section", { class: "card" },
      h("p", {}, badge(project.need_status, NEED), " ", catName(project.category), project.org_name ? ` · 发布:${project.org_name}` : ""),
      h("p", { class: "msg note" }, "这个需求的详情只向发布它的社区和认领它的服务方开放;下面是您参与的项目。")),
    ...(await projectParts(project.id, who)), h("p", {}, h("a", { href: "#/home" }, "返回工作台"))];
  }
  const parts = [h("section", { class: "card" },
    h("p", {}, badge(need.status, NEED), " ", catName(need.category), " · ", URGENCY[need.urgency] || need.urgency),
    need.description ? h("p", {}, need.description) : null,
    h("p", { class: "meta" }, `时间(北京时间):${when(need.window_start)} 至 ${when(need.window_end)};需要 ${need.people_wanted} 人,已认领 ${need.claimed}`),
    need.address ? h("p", { class: "meta" }, `地址:${need.address}`) : null,
    need.org_name ? h("p", { class: "meta" }, `发布:${need.org_name}`) : null,
    need.status_reason ? h("p", { class: "meta" }, `说明:${need.status_reason}`) : null)];
  const manage = (need.status === "open" || need.status === "claimed") && (await manages(need));
  if (manage && need.status === "open") parts.push(h("div", { class: "actions" }, h("a", { href: `#/needs/${encodeURIComponent(id)}/edit`, class: "button" }, "修改需求")));
  if (manage && need.status === "open") {  // 允许跨类认领 for this need (issue 12)
    const allow = !need.allow_cross_category;
    parts.push(h("div", { class: "actions" }, act(allow ? "允许跨类认领" : "取消允许跨类认领", async () => {
      await api(`/needs/${encodeURIComponent(id)}/cross-category`, { method: "PUT", body: { allow } });
      await route(); flash(allow ? "已允许跨类认领:认领会带提示,双方可见。" : "已取消允许跨类认领。", "ok");
    }, "secondary")));
  }
  const claims = await api(`/claims?need_id=${encodeURIComponent(id)}&limit=100`);
  const cols = [
    ["服务方", (c) => c.provider_name || c.provider_id], ["资源", (c) => c.offering_title || c.offering_id],
    ["方式", (c) => (c.via === "dispatch" ? "派单" : "自主认领")], ["状态", (c) => badge(c.status, CLAIM)], ["时间", (c) => when(c.created_at)]];
  // before work starts a provider may withdraw its own active claim (the API's rule)
  const mine = (c) => c.status === "active" && c.provider_id === who.subject_id && (need.status === "open" || need.status === "claimed");
  if (claims.some((c) => c.fit_warning)) cols.push(["跨类提示", (c) => c.fit_warning || ""]);  // issue 12: both sides see it
  if (claims.some(mine)) cols.push(["操作", (c) => (mine(c) ? act("撤回认领", () => withdraw(c, need.title), "secondary") : "")]);
  parts.push(h("h2", {}, "认领情况"), claims.length ? table(cols, claims) : h("p", { class: "hint" }, "还没有人认领。"));
  if (need.status === "open" && ["secretary", "admin", "planner"].includes(who.role) && (await offers("/dispatch/proposals"))) {
    // dispatch proposals for this need, with their reasons; the need's secretary (or an admin) decides
    const pending = await api(`/dispatch/proposals?need_id=${encodeURIComponent(id)}&status=pending&limit=20`).catch(() => []);
    const decides = who.role !== "planner" && (manage || who.role === "admin");
    parts.push(h("h2", {}, "派单建议"), h("div", { id: "need-proposals" },
      pending.length ? proposalsTable(pending, decides ? route : null) : h("p", { class: "hint" }, "没有待处理的派单建议。")));
  }
  parts.push(...(await signupParts(need, who)));  // 志愿报名 (issue 12): sign-ups, waitlist, check-in
  if (need.project_id) parts.push(...(await projectParts(need.project_id, who)));
  if (who.role === "unit" || who.role === "member") {
    if (need.status === "open") parts.push(h("h2", {}, "认领这个需求"), await claimForm(need, who));
  }
  if (manage) parts.push(h("h2", {}, "取消需求"), cancelForm(need));
  parts.push(h("p", {}, h("a", { href: "#/home" }, "返回工作台")));
  return [need.title, ...parts];
}

/** The provider's own project for need `id`, if any (a provider may serve a need without an own claim on record). */
async function ownProject(id, who) {
  const mine = await api(`/projects?provider_id=${encodeURIComponent(who.subject_id)}&limit=500`);
  return mine.find((p) => p.need_id === id) || null;
}

/** A provider withdraws its claim before work starts; the need is open again. */
export async function withdraw(claim, title) {
  await api(`/claims/${encodeURIComponent(claim.id)}/withdraw`, { method: "POST" });
  await route();
  flash(`已撤回对“${title}”的认领。`, "ok");
}

async function projectParts(pid, who) {
  const p = await api(`/projects/${encodeURIComponent(pid)}`);
  const parts = [h("h2", {}, "项目进展"), h("section", { class: "card", id: "project" },
    h("p", {}, badge(p.status, PROJECT), ` 开始:${when(p.started_at)} 完成:${when(p.completed_at)}`),
    h("p", {}, h("strong", {}, `累计服务 ${p.hours_total || 0} 小时`), `(经社区确认;共登记 ${p.hours_logged || 0} 小时)`),
    p.report ? h("p", {}, `完成情况:${p.report}`) : null,
    ...(await hoursParts(p, who)),
    h("h3", {}, "问题上报"),
    p.problems.length ? h("ul", { class: "list" }, p.problems.map((x) => h("li", {}, badge(x.status, PROBLEM), " ", x.description,
      x.resolution ? h("div", { class: "meta" }, `处理结果:${x.resolution}`) : null,
      who.role === "secretary" && x.status === "open" ? resolveForm(x) : null))) : h("p", { class: "hint" }, "没有问题上报。"))];
  if (p.status !== "completed" && p.status !== "evaluated") return parts;
  const ratings = await api(`/projects/${encodeURIComponent(pid)}/evaluations`).catch(() => []);
  const named = new Map(p.providers.map((x) => [x.provider_id, x.provider_name || x.provider_id]));
  parts.push(h("h2", {}, "评价"), ratings.length ? h("ul", { class: "list", id: "ratings" }, ratings.map((e) => h("li", {},
    e.direction === "community_to_provider" ? `社区评价${named.get(e.ratee_id) || "服务方"}:` : `${named.get(e.rater_id) || "服务方"}评价社区:`,
    h("strong", {}, `${e.rating} 分`), e.comment ? `,“${e.comment}”` : "", h("span", { class: "meta" }, `(${when(e.created_at)})`))))
    : h("p", { class: "hint" }, "还没有评价。"));
  const unrated = p.providers.filter((x) => !ratings.some((e) => e.direction === "community_to_provider" && e.ratee_id === x.provider_id));
  if (who.role === "secretary" && p.status === "completed" && unrated.length) {
    const form = h("form", { class: "card", "aria-label": "评价服务方" },
      field("服务方 *", h("select", { name: "provider_id", required: true }, unrated.map((x) => h("option", { value: x.provider_id }, x.provider_name || x.provider_id)))),
      field("评分 *", h("select", { name: "rating", required: true }, [5, 4, 3, 2, 1].map((n) => h("option", { value: n }, `${n} 分`)))),
      field("评语", h("textarea", { name: "comment", maxlength: 500, rows: 2 })),
      h("button", { type: "submit" }, "提交评价"));
    wire(form, async (v) => {
      await api(`/projects/${pid}/evaluations/provider`, { method: "POST", body: { provider_id: v.provider_id, rating: Number(v.rating), comment: v.comment || null } });
      await route();
      flash("评价已提交,谢谢!", "ok");
      return "";
    });
    parts.push(h("h2", {}, "评价服务方"), form);
  }
  return parts;
}

/** The hours logged on a project: which await confirmation; the need's secretary confirms them and
 * answers correction requests, a provider asks for a correction of its own log. */
async function hoursParts(p, who) {
  if (!p.work_logs.length) return [h("p", { class: "hint" }, "暂无服务时长记录。")];
  const secretary = (who.role === "secretary" || who.role === "admin") && (await manages({ org_id: p.org_id }));
  const pid = encodeURIComponent(p.id);
  const decide = (w, verb) => async () => {
    await api(`/projects/${pid}/hours/${encodeURIComponent(w.id)}/correction/${verb}`, { method: "POST", body: {} });
    await route();
    flash(verb === "accept" ? `已接受更正,改为 ${w.correction_hours} 小时。` : "已拒绝该更正申请。", "ok");
  };
  const cols = [["服务方", (w) => w.provider_name || w.provider_id], ["小时", (w) => w.hours], ["确认", (w) => badge(w.status || "pending", WORKLOG)],
    ["说明", (w) => w.note || ""], ["登记时间", (w) => when(w.logged_at)],
    ["更正", (w) => (w.correction_status ? h("span", {}, badge(w.correction_status, CORRECTION), ` 改为 ${w.correction_hours} 小时:${w.correction_reason || ""}`) : "")]];
  if (secretary && p.work_logs.some((w) => w.correction_status === "pending")) {
    cols.push(["操作", (w) => (w.correction_status === "pending" ? h("div", { class: "actions" }, act("接受更正", decide(w, "accept")), act("拒绝更正", decide(w, "decline"), "secondary")) : "")]);
  }
  const parts = [h("div", { id: "work-logs" }, table(cols, p.work_logs))];
  const pending = p.work_logs.filter((w) => w.status === "pending");
  if (pending.length) {
    const total = pending.reduce((t, w) => t + w.hours, 0);
    parts.push(h("p", { class: "meta", id: "hours-pending" }, `待社区确认 ${pending.length} 条,共 ${Number(total.toFixed(1))} 小时;确认后按时长记入积分。`));
    if (secretary) {
      parts.push(h("div", { class: "actions" }, act(`确认全部待确认时长(${pending.length} 条)`, async () => {
        const done = await api(`/projects/${pid}/hours/confirm`, { method: "POST", body: {} });
        await route();
        flash(`已确认 ${done.confirmed.length} 条服务时长,记入积分 ${done.credited.reduce((t, c) => t + c.points, 0)} 分。`, "ok");
      })));
    }
  }
  const own = p.work_logs.filter((w) => w.provider_id === who.subject_id && w.correction_status !== "pending");
  if (own.length && p.status !== "cancelled") {
    const form = h("form", { class: "card", "aria-label": "申请更正服务时长" },
      field("要更正的记录 *", h("select", { name: "log_id", required: true }, own.map((w) => h("option", { value: w.id }, `${when(w.logged_at)} · ${w.hours} 小时`)))),
      h("div", { class: "row" },
        field("更正后小时 *", h("input", { name: "hours", type: "number", required: true, min: 0.1, max: 24, step: "0.1" })),
        field("更正理由 *", h("input", { name: "reason", required: true, maxlength: 500 }))),
      h("button", { type: "submit", class: "secondary" }, "申请更正"));
    parts.push(h("h3", {}, "申请更正服务时长"), wire(form, async (v) => {
      await api(`/projects/${pid}/hours/${encodeURIComponent(v.log_id)}/correction`, { method: "POST", body: { hours: Number(v.hours), reason: v.reason } });
      await route();
      flash("更正申请已提交,待社区书记处理。", "ok");
    }));
  }
  return parts;
}

async function claimForm(need, who) {
  const mine = await api(`/offerings?provider_id=${encodeURIComponent(who.subject_id)}&status=active&limit=100`);
  if (!mine.length) return h("p", { class: "hint" }, "您还没有可用的资源,请先在", h("a", { href: "#/home" }, "工作台"), "的“登记新资源”中登记。");
  await loadCategories();
  // offerings that fit the need first (a misfit is refused unless the secretary allows 跨类认领)
  const ranked = [...mine.filter((o) => offeringFits(need, o)), ...mine.filter((o) => !offeringFits(need, o))];
  const label = (o) => `${o.title}(${catName(o.category)})${offeringFits(need, o) ? "" : " · 类别或技能不符"}`;
  const form = h("form", { class: "card", "aria-label": "认领需求" },
    field("用哪项资源认领 *", h("select", { name: "offering_id", required: true }, ranked.map((o) => h("option", { value: o.id }, label(o))))),
    field("留言", h("textarea", { name: "note", maxlength: 500, rows: 2 })),
    h("button", { type: "submit" }, "认领"));
  return wire(form, async (v) => {
    const made = await api("/claims", { method: "POST", body: { need_id: need.id, offering_id: v.offering_id, note: v.note || null } });
    await route();
    flash(made.fit_warning ? `已认领“${need.title}”。${made.fit_warning}` : `已认领“${need.title}”。`, "ok");
  });
}
