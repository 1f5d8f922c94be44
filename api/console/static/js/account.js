// Every role's own account: changing one's password.
import { api, renewToken } from "./api.js";
import { field, h, wire } from "./ui.js";

/** Change the signed-in account's password (8–128 characters, typed twice). */
export async function passwordPage() {
  const form = h("form", { class: "card narrow", "aria-label": "修改密码" },
    field("新密码 *", h("input", { name: "password", type: "password", required: true, maxlength: 128, autocomplete: "new-password" }), "至少 8 位"),
    field("确认新密码 *", h("input", { name: "again", type: "password", required: true, maxlength: 128, autocomplete: "new-password" })),
    h("button", { type: "submit" }, "修改密码"));
  wire(form, async (v) => {
    renewToken(await api("/auth/password", { method: "POST", body: { password: v.password } }));
    form.reset();
    return "密码已修改,其他设备上的登录已失效;下次登录请使用新密码。";
  }, (v) => {
    if (v.password && v.password.length < 8) return { password: "“新密码”至少 8 位" };
    if (v.again && v.again !== v.password) return { again: "两次输入的密码不一致" };
    return {};
  });
  return ["修改密码", form, h("a", { href: "#/home" }, "返回工作台")];
}
