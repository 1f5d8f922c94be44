// The public request page (诉求受理): no account. A resident (or a grid worker signed in to the
// console in this tab, whose token is sent along) submits a request, gets its tracking code
// (查询码) and follows its public timeline. Routes: #/new, #/track, #/track/<code>.
import { flash, h, when } from "./ui.js";

const TOKEN_KEY = "lianjian.session";
let lastReceipt = null;

/** The console's bearer token when a grid worker is signed in on this browser, else null. */
function gridToken() {
  try {
    const s = JSON.parse(sessionStorage.getItem(TOKEN_KEY) || "null");
    return s && s.me && s.me.role === "grid_worker" ? s.token : null;
  } catch { return null; }
}

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body) headers["Content-Type"] = "application/json";
  const token = method === "POST" ? gridToken() : null;
  if (token) headers.Authorization = `Bearer ${token}`;
  const answer = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const data = await answer.json().catch(() => ({}));
  if (!answer.ok) throw new Error(data.message || "请求失败,请稍后再试");
  return data;
}

function show(title, ...kids) {
  const main = document.getElementById("main");
  main.replaceChildren(h("h1", {}, title), ...kids);
  document.title = `联建 · ${title}`;
}

const field = (label, input, hint) =>
  h("label", { class: "field" }, h("span", {}, label), input, hint ? h("small", { class: "hint" }, hint) : null);

async function newPage() {
  const services = await call("GET", "/open311/v2/services.json");
  const select = h("select", { name: "category", required: true },
    h("option", { value: "" }, "请选择"),
    services.map((s) => h("option", { value: s.service_code }, s.description)));
  const lat = h("input", { name: "lat", type: "hidden" });
  const lon = h("input", { name: "lon", type: "hidden" });
  const where = h("small", { class: "hint" }, "");
  const locate = h("button", { type: "button", class: "secondary", onclick: () => {
    if (!navigator.geolocation) { where.textContent = "此设备无法定位,请填写地址"; return; }
    where.textContent = "正在定位……";
    navigator.geolocation.getCurrentPosition(
      (p) => { lat.value = p.coords.latitude; lon.value = p.coords.longitude; where.textContent = "已获取当前位置"; },
      () => { where.textContent = "未能定位,请填写地址"; });
  } }, "使用当前位置");
  const form = h("form", { class: "card", "aria-label": "反映诉求" },
    field("诉求类别 *", select),
    field("诉求内容 *", h("textarea", { name: "description", required: true, minlength: 2, maxlength: 2000, rows: 4 })),
    field("地址", h("input", { name: "address", maxlength: 200, placeholder: "写明社区、小区和楼栋" }), "可填地址,或使用当前位置"),
    h("div", { class: "actions" }, locate, where), lat, lon,
    h("p", { class: "hint" }, "联系方式(选填):只有本社区书记能看到,用于回访。"),
    field("姓名", h("input", { name: "name", maxlength: 50, autocomplete: "name" })),
    field("手机号", h("input", { name: "phone", type: "tel", maxlength: 30, autocomplete: "tel" })),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "提交诉求")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = Object.fromEntries(new FormData(form));
    const name = (v.name || "").trim();
    const body = {
      category: v.category, description: v.description,
      address: v.address.trim() || null,
      lat: v.lat ? Number(v.lat) : null, lon: v.lon ? Number(v.lon) : null,
      contact_last_name: name ? name.slice(0, 1) : null, contact_first_name: name.length > 1 ? name.slice(1) : null,
      contact_phone: (v.phone || "").trim() || null,
    };
    try {
      flash("");
      lastReceipt = await call("POST", "/intake/requests", body);
      location.hash = "#/received";
    } catch (err) { flash(err.message); }
  });
  show("我要反映诉求", h("p", { class: "hint" }, "无需登录。提交后会得到查询码,凭码查看办理进度。"), form);
}

function receivedPage(r) {
  const dup = r.duplicates.length
    ? h("div", { class: "msg", role: "note" }, "已有相同诉求,可关注:",
      r.duplicates.map((d) => h("a", { href: `#/track/${d.code}` }, ` ${d.code} `)))
    : null;
  show("诉求已提交",
    h("div", { class: "card" },
      h("p", {}, "您的查询码:"),
      h("p", { class: "code", "aria-label": "查询码", style: "font-size:1.6rem;letter-spacing:.15em;font-weight:bold" }, r.code),
      h("p", {}, r.notice),
      dup,
      h("div", { class: "actions" }, h("a", { href: `#/track/${r.code}` }, "查看办理进度"), h("a", { href: "#/new" }, "再提交一条"))));
}

function trackForm() {
  const form = h("form", { class: "card", "aria-label": "查询进度" },
    field("查询码", h("input", { name: "code", required: true, maxlength: 20, autocapitalize: "characters" })),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "查询")));
  form.addEventListener("submit", (ev) => { ev.preventDefault(); location.hash = `#/track/${new FormData(form).get("code").trim().toUpperCase()}`; });
  return form;
}

async function trackPage(code) {
  if (!code) return show("查询办理进度", trackForm());
  const r = await call("GET", `/intake/requests/${encodeURIComponent(code)}`);
  show("诉求办理进度",
    h("div", { class: "card" },
      h("p", {}, `查询码 ${r.code} · ${r.category_name} · ${r.org_name}`),
      h("p", {}, "当前状态:", h("span", { class: `badge ${r.status}` }, r.status_zh),
        r.need_status_zh ? h("span", {}, ` 服务需求:${r.need_status_zh}`) : null),
      h("ol", { class: "list timeline", "aria-label": "办理进度" },
        r.timeline.map((s) => h("li", {}, h("span", { class: "hint" }, when(s.at)), " ", s.text)))),
    trackForm());
}

async function route() {
  const path = location.hash.replace(/^#/, "") || "/new";
  if (path === "/received" && lastReceipt) return receivedPage(lastReceipt);
  const tracked = path.match(/^\/track(?:\/(.+))?$/);
  try {
    if (tracked) await trackPage(tracked[1] ? decodeURIComponent(tracked[1]) : "");
    else await newPage();
  } catch (err) {
    show("出错了", h("p", { class: "msg error", role: "alert" }, err.message || String(err)), h("a", { href: "#/new" }, "返回"));
  }
}

window.addEventListener("hashchange", () => { flash(""); route(); });
route();
