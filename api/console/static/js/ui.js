// Small DOM helpers: element builder, flash messages, forms that validate as the API does.
export function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
  return el;
}

export function flash(text, kind = "error") {
  const box = document.getElementById("flash");
  box.textContent = text; box.className = `flash ${kind}`; box.hidden = !text;
  if (text) box.dataset.fresh = "1";
}

export const badge = (status, names) => h("span", { class: `badge ${status}` }, names[status] || status);

// Times: the API speaks UTC ("2026-11-24T02:00:00Z"); people read and type 北京时间 (UTC+8 all
// year), whatever time zone the browser itself is set to.
const BEIJING = 8 * 3600000;
const instant = (t) => (t instanceof Date ? t.getTime() : typeof t === "number" ? t
  : Date.parse(/(?:[zZ]|[+-]\d\d:?\d\d)$/.test(t) ? t : `${t}${String(t).length === 10 ? "T00:00" : ""}Z`));

/** An instant (the API's ISO string, a Date or milliseconds) as Beijing wall time "2026-11-24T10:00", as a datetime input takes it. */
export function beijing(t) { return new Date(instant(t) + BEIJING).toISOString().slice(0, 16); }

/** Beijing wall time typed in a page ("2026-11-24T10:00", or a day "2026-11-24" = its midnight) as the UTC time the API takes. */
export function utc(v) {
  const wall = v.length === 10 ? `${v}T00:00` : v.slice(0, 16);
  return new Date(Date.parse(`${wall}:00Z`) - BEIJING).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** An API time shown in Beijing time, "2026-11-24 10:00" (a dash when there is none). */
export function when(t) {
  if (t === null || t === undefined || t === "") return "—";
  return Number.isNaN(instant(t)) ? String(t) : beijing(t).replace("T", " ");
}

export function pct(rate) { return rate === null || rate === undefined ? "—" : `${Math.round(rate * 1000) / 10}%`; }

let seq = 0;
/** A labelled field; `input` is an element whose name is `name`. */
export function field(label, input, hint) {
  const id = input.id || `f${++seq}`;
  input.id = id;
  const err = h("span", { class: "field-error", id: `${id}-err`, "aria-live": "polite" });
  input.setAttribute("aria-describedby", `${id}-err`);
  return h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("span", { class: "hint" }, hint) : null, err);
}

function checkOne(el) {
  const v = el.value.trim();
  const label = el.labels && el.labels[0] ? el.labels[0].textContent.replace(/[*\s]+$/, "") : el.name;
  if (el.required && !v) return `请填写“${label}”`;
  if (!v) return "";
  const max = el.getAttribute("maxlength");
  if (max && v.length > Number(max)) return `“${label}”最多 ${max} 个字(现在 ${v.length} 个)`;
  if (el.type === "number") {
    const n = Number(v);
    if (Number.isNaN(n)) return `“${label}”必须是数字`;
    if (el.min !== "" && n < Number(el.min)) return `“${label}”不能小于 ${el.min}`;
    if (el.max !== "" && n > Number(el.max)) return `“${label}”不能大于 ${el.max}`;
  }
  return "";
}

/**
 * Wire a form: checks each field as the API would (plus `extra(values)` rules returning
 * {name: message}), calls `submit(values)`, shows the API's refusal in the form and keeps
 * what was typed.
 */
export function wire(form, submit, extra) {
  form.noValidate = true;
  const msg = h("div", { class: "msg", role: "alert", hidden: true });
  form.append(msg);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    msg.hidden = true;
    const values = {};
    let first = null;
    const errors = {};
    for (const el of form.elements) {
      if (!el.name) continue;
      values[el.name] = el.value.trim();
      const e = checkOne(el);
      if (e) errors[el.name] = e;
    }
    Object.assign(errors, Object.fromEntries(Object.entries(extra ? extra(values) : {}).filter(([k]) => !errors[k])));
    for (const el of form.elements) {
      if (!el.name) continue;
      const e = errors[el.name] || "";
      el.setAttribute("aria-invalid", e ? "true" : "false");
      const slot = document.getElementById(`${el.id}-err`);
      if (slot) slot.textContent = e;
      if (e && !first) first = el;
    }
    if (first) {
      msg.className = "msg error"; msg.textContent = "请先改正标红的内容再提交。"; msg.hidden = false;
      first.focus();
      return;
    }
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      const done = await submit(values);
      if (done) { msg.className = "msg ok"; msg.textContent = done; msg.hidden = false; }
    } catch (err) {
      msg.className = "msg error"; msg.textContent = err.message || String(err); msg.hidden = false;
    } finally {
      if (button) button.disabled = false;
    }
  });
  return form;
}

/** A button that runs an action and reports its failure in the flash area. */
export function act(label, run, cls) {
  const b = h("button", { type: "button", class: cls });
  b.textContent = label;
  b.addEventListener("click", async () => {
    b.disabled = true;
    try { await run(); } catch (err) { flash(err.message || String(err)); } finally { b.disabled = false; }
  });
  return b;
}

/** A table that stacks into label/value rows on a phone. */
export function table(cols, rows) {
  return h("table", { class: "stack" },
    h("thead", {}, h("tr", {}, cols.map(([label]) => h("th", { scope: "col" }, label)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, cols.map(([label, cell]) => h("td", { "data-label": label }, cell(r)))))));
}

/**
 * A list read a page at a time: `load(skip, limit)` gives rows, `render(rows)` a table (or a hint
 * when there are none); "显示更多" appends the next page's rows while the API has more.
 */
export async function paged(load, render, size = 50) {
  const box = h("div", { class: "paged" });
  const more = h("button", { type: "button", class: "secondary more" }, "显示更多");
  const count = h("span", { class: "hint count" });
  let skip = 0;
  const step = async () => {
    const rows = await load(skip, size + 1);  // one more than shown tells whether there is a next page
    const page = rows.slice(0, size);
    const body = box.querySelector("tbody");
    if (body) body.append(...render(page).querySelectorAll("tbody > tr"));
    else box.prepend(render(page));
    skip += page.length;
    more.hidden = rows.length <= size;
    count.hidden = !skip || (more.hidden && skip <= size);
    count.textContent = more.hidden ? `共 ${skip} 条` : `已显示 ${skip} 条`;
  };
  more.addEventListener("click", async () => {
    more.disabled = true;
    try { await step(); } catch (err) { flash(err.message || String(err)); } finally { more.disabled = false; }
  });
  box.append(h("div", { class: "actions more-row" }, more, count));
  await step();
  return box;
}

/** A part of a page that is slow to read: the page shows at once with "正在加载……" here, then
 *  `fill()`'s elements (or its failure in words) replace it. */
export function later(fill, attrs = {}) {
  const box = h("div", { ...attrs, "aria-busy": "true" }, h("p", { class: "hint" }, "正在加载……"));
  fill().then((els) => box.replaceChildren(...[els].flat().filter(Boolean)))
    .catch((err) => box.replaceChildren(h("p", { class: "msg error" }, err.message || String(err))))
    .finally(() => box.removeAttribute("aria-busy"));
  return box;
}

