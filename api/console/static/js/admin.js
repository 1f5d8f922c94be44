// The administrator's pages.
import { api } from "./api.js";
import { h } from "./ui.js";
import { needsTable } from "./common.js";

export async function adminHome(who) {
  return [`${who.display_name} · 工作台`, h("h2", {}, "全部需求"), needsTable(await api("/needs?limit=100"))];
}
