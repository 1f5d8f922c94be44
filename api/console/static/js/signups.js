// Sign-up, waitlist, check-in and volunteer records (报名、候补、签到、志愿服务记录) in the console:
// the need page's sign-up box (members sign up or withdraw; organisers open the roster), the
// organiser's phone page with the check-in code and the roster (confirm hours, answer corrections),
// and the member's page to check in and out with the code, ask for a correction and download the
// 志愿服务记录证明.
import { api, download } from "./api.js";
import { act, flash, h, when } from "./ui.js";
import { me } from "./common.js";
import { route } from "./app.js";

const STATUS = { signed: "已报名", waitlisted: "候补", withdrawn: "已退出" };
const HOURS = { pending: "待确认", confirmed: "已确认" };
const CORRECTION = { pending: "更正待处理", accepted: "更正已接受", declined: "更正未接受" };
const OPEN = ["open", "claimed", "in_progress"];
const pct = (x) => (x === null || x === undefined ? "—" : `${Math.round(x * 100)}%`);
const enc = encodeURIComponent;

/** The need page's sign-up box: figures, the member's own place (sign up / withdraw), the roster link. */
export async function signupParts(need, who) {
  const s = await api(`/signups/needs/${enc(need.id)}`).catch(() => null);
  if (!s) return [];
  const box = h("section", { class: "card", id: "signup-box", "aria-label": "志愿报名" },
    h("p", {}, `需要 ${s.people_wanted} 人 · 已报名 ${s.signed} 人 · 候补 ${s.waitlisted} 人`));
  if (who.role === "member") {
    if (s.my_signup_id) {
      box.append(h("p", { class: "msg ok" }, s.my_waitlist_position ? `您在候补名单第 ${s.my_waitlist_position} 位,有人退出时按顺序递补。` : "您已报名。"),
        h("div", { class: "actions" },
          act("退出报名", async () => {
            await api(`/signups/${enc(s.my_signup_id)}/withdraw`, { method: "POST" });
            await route(); flash("已退出报名。", "ok");
          }, "secondary"),
          h("a", { href: "#/signups", class: "button" }, "签到 / 签退")));
    } else if (OPEN.includes(need.status)) {
      box.append(h("div", { class: "actions" }, act(s.signed >= s.people_wanted ? "报名候补" : "报名参加", async () => {
        const made = await api(`/signups/needs/${enc(need.id)}`, { method: "POST" });
        await route(); flash(made.status === "signed" ? "报名成功。" : `名额已满,您已进入候补名单(第 ${made.seq} 号)。`, "ok");
      })));
    }
  }
  if (["secretary", "admin", "planner"].includes(who.role)) {
    box.append(h("div", { class: "actions" }, h("a", { href: `#/signups/needs/${enc(need.id)}`, class: "button" }, "报名名单与签到码")));
  }
  return [h("h2", {}, "志愿报名"), box];
}

function attendance(x) {
  return [x.checkin_at ? `签到 ${when(x.checkin_at)}` : "未签到", x.checkout_at ? `签退 ${when(x.checkout_at)}` : null,
    x.coverage !== null && x.coverage !== undefined ? `到场 ${pct(x.coverage)}` : null,
    x.hours_status ? `时长 ${x.hours ?? "—"} 小时(${HOURS[x.hours_status] || x.hours_status})` : null,
    x.correction_status ? `${CORRECTION[x.correction_status]}:${x.correction_hours} 小时,${x.correction_reason || ""}` : null]
    .filter(Boolean).join(" · ");
}

function rosterItem(x) {
  const hours = h("input", { name: "hours", type: "number", min: 0.1, step: 0.1, inputmode: "decimal", placeholder: "小时(默认按签到签退)", "aria-label": "确认时长" });
  const actions = [];
  if (x.status !== "withdrawn" && !x.checkin_at) {
    actions.push(act("移出名单", async () => {
      await api(`/signups/${enc(x.id)}/withdraw`, { method: "POST" }); flash("已移出名单。", "ok"); await route();
    }, "secondary"));
  }
  if (x.status === "signed" && x.checkin_at && x.hours_status !== "confirmed") {
    actions.push(hours, act("确认时长", async () => {
      const v = hours.value.trim();
      await api(`/signups/${enc(x.id)}/confirm`, { method: "POST", body: v ? { hours: Number(v) } : {} });
      flash("时长已确认。", "ok"); await route();
    }));
  }
  if (x.correction_status === "pending") {
    const decide = (accept) => async () => {
      await api(`/signups/${enc(x.id)}/correction/decision`, { method: "POST", body: { accept } });
      flash(accept ? "已接受更正。" : "已不予更正。", "ok"); await route();
    };
    actions.push(act("接受更正", decide(true)), act("不予更正", decide(false), "secondary"));
  }
  return h("li", { "data-id": x.id, "data-status": x.status },
    h("div", {}, h("strong", {}, `${x.seq}. ${x.member_name || x.member_id}`), " ", h("span", { class: `badge ${x.status}` }, STATUS[x.status] || x.status),
      x.low_attendance ? h("span", { class: "badge problem", title: "到场时长不足活动时长的 60%" }, "到场不足六成") : null),
    h("div", { class: "meta" }, attendance(x)),
    actions.length ? h("div", { class: "actions" }, ...actions) : null);
}

/** The organiser's phone page: the check-in code, the figures and the roster in order. */
export async function rosterPage(needId) {
  const r = await api(`/signups/needs/${enc(needId)}/roster`);
  const code = r.checkin_code
    ? h("p", { class: "checkin-code", "aria-label": "签到码", style: "font-size:2.5rem;letter-spacing:.3rem;font-weight:bold;text-align:center;margin:.5rem 0" }, r.checkin_code)
    : h("p", { class: "hint" }, "还没有签到码。活动开始时生成签到码,请志愿者在“我的志愿报名”输入。");
  const renew = act(r.checkin_code ? "更换签到码" : "生成签到码", async () => {
    await api(`/signups/needs/${enc(needId)}/code`, { method: "POST" }); await route(); flash("签到码已更新,旧码失效。", "ok");
  }, r.checkin_code ? "secondary" : undefined);
  const live = r.signups.filter((x) => x.status !== "withdrawn");
  return [`报名名单 · ${r.need_title}`,
    h("section", { class: "card" },
      h("p", { class: "meta" }, `活动时间(北京时间):${when(r.window_start)} 至 ${when(r.window_end)}`),
      h("p", {}, `需要 ${r.people_wanted} 人 · 已报名 ${r.signed} · 候补 ${r.waitlisted} · 已签到 ${r.checked_in}`),
      code, r.checkin_code ? h("p", { class: "meta" }, "或把签到链接发给志愿者:",
        h("a", { href: `#/signups/code/${enc(r.checkin_code)}`, "aria-label": "签到链接", style: "word-break:break-all" }, `${location.origin}/#/signups/code/${r.checkin_code}`)) : null,
      h("div", { class: "actions" }, renew)),
    h("h2", {}, "名单"),
    live.length ? h("ul", { class: "list", "aria-label": "报名名单" }, live.map(rosterItem)) : h("p", { class: "hint" }, "还没有人报名。"),
    r.signups.length > live.length ? h("details", {}, h("summary", {}, `已退出 ${r.signups.length - live.length} 人`),
      h("ul", { class: "list" }, r.signups.filter((x) => x.status === "withdrawn").map(rosterItem))) : null,
    h("p", {}, h("a", { href: `#/needs/${enc(needId)}` }, "返回需求"))];
}

function mineItem(x) {
  const parts = [h("div", {}, h("a", { href: `#/needs/${enc(x.need_id)}` }, x.need_title), " ", h("span", { class: `badge ${x.status}` }, STATUS[x.status] || x.status),
    x.low_attendance ? h("span", { class: "badge problem" }, "到场不足六成") : null),
  h("div", { class: "meta" }, `${x.org_name} · ${when(x.window_start)} 至 ${when(x.window_end)}`),
  h("div", { class: "meta" }, attendance(x))];
  if (x.hours_status === "confirmed" && x.correction_status !== "pending") {
    const hours = h("input", { name: "hours", type: "number", min: 0.1, step: 0.1, inputmode: "decimal", "aria-label": "更正后时长" });
    const reason = h("input", { name: "reason", maxlength: 500, placeholder: "更正理由", "aria-label": "更正理由" });
    parts.push(h("details", {}, h("summary", {}, "时长有误?申请更正"), h("div", { class: "actions" }, hours, reason,
      act("提交更正申请", async () => {
        await api(`/signups/${enc(x.id)}/correction`, { method: "POST", body: { hours: Number(hours.value), reason: reason.value.trim() } });
        flash("更正申请已提交,等待组织方处理。", "ok"); await route();
      }))));
  }
  return h("li", { "data-id": x.id, "data-status": x.status }, ...parts);
}

/** The member's page: check in / out with the organiser's code, my sign-ups, the certificate. */
export async function mySignupsPage(code) {
  const rows = await api("/signups/mine");
  const input = h("input", { name: "code", maxlength: 16, autocomplete: "off", autocapitalize: "characters", "aria-label": "签到码", placeholder: "组织方手机上显示的签到码", value: code || null });
  const send = (what, path) => act(what, async () => {
    const done = await api(path, { method: "POST", body: { code: input.value.trim() } });
    await route(); flash(`${what}成功:${done.need_title}`, "ok");
  });
  const year = String(new Date().getFullYear());
  const period = h("input", { name: "period", value: year, maxlength: 10, "aria-label": "证明时段", placeholder: "2026 或 2026-Q4 或 2026-11" });
  const member = me().subject_id;
  return ["我的志愿报名",
    h("section", { class: "card", "aria-label": "签到签退" }, h("p", {}, "到达活动现场后,输入组织方手机上显示的签到码:"),
      h("div", { class: "actions" }, input, send("签到", "/signups/check-in"), send("签退", "/signups/check-out"))),
    h("h2", {}, "报名记录"),
    rows.length ? h("ul", { class: "list", "aria-label": "我的报名" }, rows.map(mineItem)) : h("p", { class: "hint" }, "还没有报名。可在需求页面报名参加志愿服务。"),
    h("h2", {}, "志愿服务记录证明"),
    h("section", { class: "card" }, h("p", { class: "hint" }, "按《志愿服务记录与证明出具办法》(民政部令第67号),列出经组织方确认的志愿服务时长。"),
      h("div", { class: "actions" }, period, act("下载证明(Word)", async () => {
        await download(`/signups/members/${enc(member)}/record.docx?period=${enc(period.value.trim())}`, `志愿服务记录证明-${period.value.trim()}.docx`);
      })))];
}
