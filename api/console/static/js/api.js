// The API client: bearer token in sessionStorage, errors turned into plain Chinese words.
const KEY = "lianjian.session";

export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

export function session() {
  try { return JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch { return null; }
}

/** Forget the session and whatever else the console kept for it (the explorer's chosen path ends). */
export function signOut() {
  for (const k of Object.keys(sessionStorage)) if (k.startsWith("lianjian.")) sessionStorage.removeItem(k);
}

const PLAIN = {
  401: "登录已失效,请重新登录。",
  403: "您没有权限进行这个操作(超出您的管辖范围)。",
  404: "要找的内容不存在或已被删除。",
  409: "操作与当前状态冲突,请刷新后再试。",
  422: "填写的内容有误,请检查后再提交。",
};

function words(status, body) {
  // the API's messages name fields both by code and in Chinese: keep the Chinese only (a quoted
  // code only where the API says it is a field's, as other messages may quote a login name)
  let said = body && typeof body.message === "string" ? body.message.replace(/\([a-z_][a-z0-9_.]*\)/g, "") : "";
  if (Array.isArray(body && body.details)) said = said.replace(/“[a-z_][a-z0-9_.]*”/g, "");
  if (status === 403) return `没有权限:${said || PLAIN[403]}`;
  if (said) return said;
  return PLAIN[status] || `服务器暂时无法处理(错误 ${status}),请稍后再试。`;
}

export async function api(path, { method = "GET", body, form } = {}) {
  const headers = {};
  const s = session();
  if (s) headers.Authorization = `Bearer ${s.token}`;
  let payload;
  if (form) { payload = new URLSearchParams(form); }
  else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  let res;
  try { res = await fetch(path, { method, headers, body: payload }); }
  catch { throw new ApiError(0, "network", "无法连接服务器,请检查网络后再试。"); }
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    // a request sent with a token renewed meanwhile (a password change) does not sign the user out
    if (res.status === 401 && s && session()?.token === s.token) signOut();
    throw new ApiError(res.status, data && data.code, words(res.status, data));
  }
  return data;
}

export async function signIn(username, password, otp) {
  const form = otp ? { username, password, otp } : { username, password };
  const token = await api("/auth/token", { method: "POST", form });
  // an account that must use TOTP and has not set it up gets a token that only enrols it
  const enrol = Boolean(token.totp_enrolment_required);
  sessionStorage.setItem(KEY, JSON.stringify({ token: token.access_token, enrol }));
  const me = await api("/auth/me");
  sessionStorage.setItem(KEY, JSON.stringify({ token: token.access_token, me, enrol }));
  return me;
}

/** Go on with a fresh token (a password change ends every token issued before it). */
export function renewToken(token) {
  const s = session();
  if (s) sessionStorage.setItem(KEY, JSON.stringify({ ...s, token: token.access_token, enrol: Boolean(token.totp_enrolment_required) }));
}

/** Whether the live API offers a path (for features other engineers may add later). */
let openapi = null;
export async function offers(path) {
  if (!openapi) openapi = await fetch("/openapi.json").then((r) => r.json()).catch(() => ({ paths: {} }));
  return Boolean(openapi.paths && openapi.paths[path]);
}

/** Fetch a signed-in download (a report file) and hand it to the browser under `filename`. */
export async function download(path, filename) {
  const s = session();
  let res;
  try { res = await fetch(path, { headers: s ? { Authorization: `Bearer ${s.token}` } : {} }); }
  catch { throw new ApiError(0, "network", "无法连接服务器,请检查网络后再试。"); }
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    throw new ApiError(res.status, data && data.code, words(res.status, data));
  }
  const url = URL.createObjectURL(await res.blob());
  const link = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
