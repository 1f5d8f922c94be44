// The console: sign-in, hash routes to each role's pages (in their own modules).
import { api, session, signIn, signOut } from "./api.js";
import { field, flash, h, wire } from "./ui.js";
import { go, loadCategories, ROLE, show } from "./common.js";
import { passwordPage, totpPage } from "./account.js";
import { accountsPage, adminHome, auditPage, correctionPage } from "./admin.js";
import { needPage } from "./need.js";
import { explorePage, pathsPage, plannerHome } from "./planner.js";
import { providerHome } from "./provider.js";
import { gridHome, queuePage } from "./intake.js";
import { inboxPage, refreshBadge } from "./inbox.js";
import { agreementsPage, registrationsPage } from "./agreements.js";
import { newSeriesPage, seriesListPage, seriesPage } from "./series.js";
import { mySignupsPage, rosterPage } from "./signups.js";
import { foundPage, searchPage, setupSearchBox } from "./search.js";
import { editNeedPage, ledgerPage, newNeedPage, pointsPage, secretaryHome } from "./secretary.js";
import { venuePage, venuesPage } from "./venues.js";
import { pledgesPage, unitNeedsPage } from "./pledges.js";
import { branchesPage, branchPage, categoriesPage, postsPage } from "./masterdata.js";

// ---------- sign in ----------
function signInPage() {
  routes += 1;  // any slower page still loading must not cover the sign-in form
  document.getElementById("busy").hidden = true;
  document.getElementById("who").textContent = "";
  document.getElementById("sign-out").hidden = true;
  document.getElementById("password-link").hidden = true;
  document.getElementById("intake-link").hidden = true;
  document.getElementById("inbox-link").hidden = true;
  setupSearchBox(null);
  const form = h("form", { class: "card signin", "aria-label": "登录" },
    field("用户名", h("input", { name: "username", required: true, autocomplete: "username", maxlength: 64 })),
    field("密码", h("input", { name: "password", type: "password", required: true, autocomplete: "current-password" })),
    h("div", { class: "otp-field", hidden: true },
      field("动态口令", h("input", { name: "otp", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 8 }), "身份验证器上的 6 位数字")),
    h("button", { type: "submit" }, "登录"));
  wire(form, async (v) => {
    try {
      await signIn(v.username, v.password, v.otp);
      go(session()?.enrol ? "#/totp" : "#/home");
    } catch (err) {
      // the account uses TOTP: ask for the code (the answer says so only after a right password)
      if (["otp_required", "otp_wrong", "otp_replayed"].includes(err.code)) {
        form.querySelector(".otp-field").hidden = false;
        form.querySelector("[name=otp]").focus();
      }
      throw err;  // shown under the form: wrong password, code needed, slowed or locked (with when)
    }
  });
  show("登录联建工作台", form);
}


// ---------- routing ----------
let routes = 0;
const HOMES = { secretary: secretaryHome, unit: providerHome, member: providerHome, planner: plannerHome, admin: adminHome, grid_worker: gridHome };

/** Pages by path pattern: the first match renders; its groups, URI-decoded, are the page's arguments. */
const PAGES = [
  [/^\/inbox$/, inboxPage],
  [/^\/pledges$/, pledgesPage],
  [/^\/unit-needs$/, unitNeedsPage],
  [/^\/posts$/, postsPage],
  [/^\/posts\/(.+)$/, postsPage],
  [/^\/branches$/, branchesPage],
  [/^\/branches\/(.+)$/, branchPage],
  [/^\/categories$/, categoriesPage],
  [/^\/agreements$/, agreementsPage],
  [/^\/registrations$/, registrationsPage],
  [/^\/venues$/, venuesPage],
  [/^\/venues\/(.+)$/, venuePage],
  [/^\/search\/([^/]+)\/(need|offering|unit|org|member)\/(\d+)$/, searchPage],
  [/^\/search\/([^/]+)\/(need|offering|unit|org|member)$/, searchPage],
  [/^\/search\/([^/]+)$/, searchPage],
  [/^\/found\/(offering|unit|org|member)\/(.+)$/, foundPage],
  [/^\/projects\/(.+)$/, projectPage],
  [/^\/requests\/(.+)$/, requestPage],
  [/^\/intake$/, queuePage],
  [/^\/series$/, seriesListPage],
  [/^\/series\/new$/, newSeriesPage],
  [/^\/series\/(.+)$/, seriesPage],
  [/^\/signups$/, mySignupsPage],
  [/^\/signups\/code\/(.+)$/, mySignupsPage],
  [/^\/signups\/needs\/(.+)$/, rosterPage],
  [/^\/needs\/new$/, newNeedPage],
  [/^\/needs\/(.+)\/edit$/, editNeedPage],
  [/^\/needs\/(.+)$/, needPage],
  [/^\/explore\/([^/]+)\/([12])$/, explorePage],
  [/^\/explore\/(.+)$/, explorePage],
  [/^\/paths\/([^/]+)\/([^/]+)$/, pathsPage],
  [/^\/paths$/, pathsPage],
  [/^\/password$/, passwordPage],
  [/^\/totp$/, totpPage],
  [/^\/accounts$/, accountsPage],
  [/^\/audit(?:\?.*)?$/, auditPage],  // filters in the query: #/audit?actor=…
  [/^\/points\/correct$/, correctionPage],
  [/^\/points$/, pointsPage],
  [/^\/points\/(\d{4}-\d\d-\d\d)\/(\d{4}-\d\d-\d\d)$/, pointsPage],
  [/^\/ledger\/(.+)$/, ledgerPage],
];

/** A notification's project: the page of the need it fulfils. */
async function projectPage(id) {
  const project = await api(`/projects/${encodeURIComponent(id)}`);
  return needPage(project.need_id);
}

/** A notification's request: its public tracking page (what the resident sees). */
async function requestPage(code) {
  location.replace(`/console/request.html#/track/${encodeURIComponent(code)}`);
  return ["诉求办理进度", h("a", { href: `/console/request.html#/track/${encodeURIComponent(code)}` }, "查看诉求办理进度")];
}

export async function route() {
  const s = session();
  const path = location.hash.replace(/^#/, "") || "/home";
  if (!s || !s.me) return signInPage();
  document.getElementById("who").textContent = `${s.me.display_name}(${ROLE[s.me.role] || s.me.role})`;
  document.getElementById("sign-out").hidden = false;
  document.getElementById("password-link").hidden = false;
  document.getElementById("intake-link").hidden = !["secretary", "admin", "planner"].includes(s.me.role);
  setupSearchBox(s.me);
  refreshBadge();  // on every navigation (and every 60 s while signed in)
  const ticket = ++routes;  // a newer navigation wins over a slower earlier one
  const busy = document.getElementById("busy");
  const slow = setTimeout(() => { if (ticket === routes) busy.hidden = false; }, 300);  // a slow page says it is coming
  try {
    await loadCategories();
    // a token that only enrols TOTP reaches the TOTP and password pages alone
    const allowed = !s.enrol || path === "/totp" || path === "/password";
    const page = allowed ? PAGES.map(([re, fn]) => [path.match(re), fn]).find(([m]) => m) : [["/totp"], totpPage];
    const view = page ? await page[1](...page[0].slice(1).map(decodeURIComponent)) : await HOMES[s.me.role](s.me);
    if (ticket === routes) show(...view);
  } catch (err) {
    if (!session()) return signInPage();
    if (ticket === routes) show("出错了", h("p", { class: "msg error", role: "alert" }, err.message || String(err)), h("a", { href: "#/home" }, "返回工作台"));
  } finally {
    clearTimeout(slow);
    if (ticket === routes) busy.hidden = true;
  }
}

window.addEventListener("hashchange", () => {
  const box = document.getElementById("flash");
  if (box.dataset.fresh) delete box.dataset.fresh; else flash("");
  route();
});
document.querySelector(".brand").addEventListener("click", (ev) => { ev.preventDefault(); go("#/home"); });  // refreshes when already home
document.getElementById("sign-out").addEventListener("click", () => { signOut(); flash("您已退出登录。", "ok"); go("#/signin"); });
route();
