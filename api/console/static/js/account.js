// Every role's own account: changing one's password, setting up the TOTP second factor.
import { api, renewToken, session } from "./api.js";
import { act, field, h, wire } from "./ui.js";

/** Change the signed-in account's password (8–128 characters, typed twice). */
export async function passwordPage() {
  const form = h("form", { class: "card narrow", "aria-label": "修改密码" },
    field("新密码 *", h("input", { name: "password", type: "password", required: true, maxlength: 128, autocomplete: "new-password" }), "至少 10 位,含字母、数字、符号中的两类;不能是常见密码"),
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
  return ["修改密码", form, h("p", {}, h("a", { href: "#/totp" }, "动态口令(双重验证)")), h("a", { href: "#/home" }, "返回工作台")];
}

const CODE = () => h("input", { name: "code", required: true, inputmode: "numeric", autocomplete: "one-time-code", maxlength: 8, pattern: "[0-9]{6,8}" });

/** The TOTP second factor of the signed-in account: set it up (a secret for an authenticator app,
 * then a code from it) or turn it off with a code. An account that must use it lands here. */
export async function totpPage() {
  const me = await api("/auth/me");
  const back = h("a", { href: "#/home" }, "返回工作台");
  if (me.totp_enabled) {
    const off = h("form", { class: "card narrow", "aria-label": "关闭动态口令" },
      field("动态口令 *", CODE(), "身份验证器上的 6 位数字"), h("button", { type: "submit" }, "关闭动态口令"));
    wire(off, async (v) => {
      await api("/auth/totp", { method: "DELETE", body: { code: v.code } });
      location.reload();
    });
    return ["动态口令", h("p", {}, "动态口令已开启:登录时除密码外还需输入身份验证器上的 6 位数字。"),
      me.totp_required ? h("p", { class: "hint" }, "管理员要求本账号使用动态口令;关闭后下次登录需重新设置。") : null, off, back];
  }
  const box = h("div");
  const start = act("获取密钥,开始设置", async () => {
    const setup = await api("/auth/totp/setup", { method: "POST" });
    const confirm = h("form", { class: "card narrow", "aria-label": "确认动态口令" },
      field("动态口令 *", CODE(), "输入身份验证器显示的 6 位数字"), h("button", { type: "submit" }, "确认并开启"));
    wire(confirm, async (v) => {
      renewToken(await api("/auth/totp/confirm", { method: "POST", body: { code: v.code } }));
      box.replaceChildren(h("p", { class: "msg ok", role: "status" }, "动态口令已开启,下次登录时请输入身份验证器上的 6 位数字。"));
    });
    box.replaceChildren(
      h("p", {}, "在手机的身份验证器(如 Google Authenticator、Microsoft Authenticator、FreeOTP)中添加账号,输入下面的密钥(或把链接转成二维码扫描)。密钥只显示这一次。"),
      h("p", { class: "code", "aria-label": "动态口令密钥" }, setup.secret),
      h("p", { class: "hint", "aria-label": "otpauth 链接" }, setup.otpauth_uri),
      confirm);
  });
  const must = me.totp_required || session()?.enrol;
  return ["动态口令", must ? h("p", { class: "msg error", role: "alert" }, "本账号必须使用动态口令登录,请先完成设置。") : h("p", {}, "开启动态口令后,登录时除密码外还需输入手机身份验证器上的 6 位数字,账号更安全。"),
    box, start, back];
}
