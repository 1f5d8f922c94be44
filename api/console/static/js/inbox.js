// Every role's inbox 通知: the header's unread badge, the list (unread bold), a link to each
// notification's object (opening it marks it read) and "全部标为已读".
import { api, session } from "./api.js";
import { act, flash, h, when } from "./ui.js";
import { route } from "./app.js";

/** Where a notification's link leads: a request's is its public tracking page. */
export function target(link) {
  const request = /^#\/requests\/(.+)$/.exec(link || "");
  return request ? `/console/request.html#/track/${request[1]}` : link;
}

let polling = null;
/** Read the unread count into the header's badge (quietly: the badge is not worth an error). */
export async function refreshBadge() {
  const count = document.getElementById("unread");
  const link = document.getElementById("inbox-link");
  if (!session()) { link.hidden = true; return; }
  link.hidden = false;
  if (!polling) polling = setInterval(() => { refreshBadge(); }, 60000);
  try {
    const { unread } = await api("/notifications/unread-count");
    count.textContent = unread > 99 ? "99+" : String(unread);
    count.hidden = unread === 0;
    count.dataset.unread = String(unread);
    link.setAttribute("aria-label", unread ? `通知(${unread} 条未读)` : "通知(没有未读)");
  } catch { /* signed out or offline: the next navigation tries again */ }
}

async function open(n, href) {
  if (!n.read) await api(`/notifications/${encodeURIComponent(n.id)}/read`, { method: "POST" });
  if (href.startsWith("#")) location.hash = href; else location.href = href;
  refreshBadge();
}

function item(n) {
  const href = target(n.link);
  const title = n.read ? h("span", { class: "title" }, n.title) : h("strong", { class: "title" }, n.title);
  return h("li", { class: n.read ? "read" : "unread", "data-id": n.id },
    h("div", {}, title),
    h("div", { class: "meta" }, `${n.kind_zh || n.kind} · ${when(n.created_at)} · `,
      h("span", { class: `badge ${n.read ? "read" : "unread"}` }, n.read ? "已读" : "未读")),
    h("div", { class: "actions" },
      href ? h("a", { href, onclick: (ev) => { ev.preventDefault(); open(n, href).catch((e) => flash(e.message)); } }, "查看") : null,
      n.read ? null : act("标为已读", async () => { await open(n, "#/inbox"); route(); }, "secondary")));
}

/** The signed-in account's notifications, newest first. */
export async function inboxPage() {
  const rows = await api("/notifications?limit=100");
  refreshBadge();
  const unread = rows.filter((n) => !n.read).length;
  return ["通知",
    h("p", { class: "hint" }, unread ? `${unread} 条未读。点“查看”打开相关内容,同时标为已读。` : "没有未读通知。"),
    unread ? h("div", { class: "actions" }, act("全部标为已读", async () => {
      const { marked } = await api("/notifications/read-all", { method: "POST" });
      flash(`已将 ${marked} 条通知标为已读。`, "ok"); route();
    })) : null,
    rows.length ? h("ul", { class: "list inbox", "aria-label": "通知列表" }, rows.map(item)) : h("p", { class: "hint" }, "暂无通知。"),
    h("a", { href: "#/home" }, "返回工作台")];
}
