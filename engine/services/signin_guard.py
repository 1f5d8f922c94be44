"""Sign-in security (issue 13): failed sign-ins are counted in the graph per tried name and per
source address, so a throttle and a lock hold across API processes and restarts; a TOTP second
factor (pyotp) an account enrols itself and an administrator may require. TOTP seeds are stored
sealed under the deployment's data key (``engine.services.secret_box``), never in the clear.

One attempt is one counting statement: a failure is counted, and its audit entry (and a lock's)
written, under both counters' locks; a right password signs in only if, under the same locks,
neither the name nor the address is locked at that moment. Unknown names are counted like known
ones and answered alike (no user enumeration). The password tried is never stored."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pyotp

from engine.actors import SYSTEM, Actor, Role
from engine.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    Locked,
    NotFound,
    RateLimited,
    Unauthenticated,
)
from engine.services.accounts import SignIn, get_account, to_actor, token_version, verify_password, view
from engine.services.clock import parse, resolve, shift
from engine.services.records import audit_record
from engine.services.scope import require_role
from engine.services.secret_box import PREFIX, SecretBox, SecretBoxError, is_sealed
from engine.settings import Settings
from engine.store.base import GraphStore
from engine.store.queries import signin as q

ANONYMOUS = "anonymous"  # the audit role of a sign-in attempt: nobody is signed in yet
ISSUER = "联建 lianjian"
WRONG = "用户名或密码错误,或账号已停用"


@dataclass(frozen=True)
class SignInPolicy:
    """The throttle and lock thresholds and which roles must use TOTP (from the settings)."""

    window_minutes: int = 15
    slow_after: int = 3
    slow_seconds: int = 5
    lock_after: int = 5
    lock_minutes: float = 15
    address_slow_after: int = 10
    address_lock_after: int = 30
    totp_required_roles: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: Settings) -> SignInPolicy:
        """The policy the settings describe."""
        roles = frozenset(r.strip() for r in settings.totp_required_roles.split(",") if r.strip())
        return cls(
            window_minutes=settings.signin_window_minutes,
            slow_after=settings.signin_slow_after,
            slow_seconds=settings.signin_slow_seconds,
            lock_after=settings.signin_lock_after,
            lock_minutes=settings.signin_lock_minutes,
            address_slow_after=settings.signin_address_slow_after,
            address_lock_after=settings.signin_address_lock_after,
            totp_required_roles=roles,
        )


@dataclass(frozen=True)
class Granted:
    """A sign-in that passed: the account, and whether its token may only enrol TOTP (required
    for the account but not yet set up)."""

    signed_in: SignIn
    enrol_only: bool


def user_key(name: str) -> str:
    """The counter id of a tried name (long names are cut: ids hold 64 characters)."""
    return f"user:{name[:59]}"


def addr_key(address: str) -> str:
    """The counter id of a source address."""
    return f"addr:{address[:59]}"


def _seconds_until(at: str, until: str) -> int:
    """Whole seconds from ``at`` to ``until`` (at least 1)."""
    return max(1, math.ceil((parse(until) - parse(at)).total_seconds()))


def _minutes(seconds: int) -> int:
    """Whole minutes of ``seconds``, rounded up (the message names minutes)."""
    return max(1, math.ceil(seconds / 60))


def _locked_account(seconds: int) -> Locked:
    """The answer to a locked name (423), ``seconds`` before the lock ends."""
    return Locked(f"登录失败次数过多,账号已锁定,请{_minutes(seconds)}分钟后再试", "account_locked", seconds)


def _locked_address(seconds: int) -> RateLimited:
    """The answer to a locked source address (429), ``seconds`` before the lock ends."""
    return RateLimited(
        f"该地址登录失败次数过多,已暂停登录,请{_minutes(seconds)}分钟后再试", "address_locked", seconds
    )


def _attempt_audit(name: str, at: str, action: str, address: str, reason: str, **more: Any) -> dict[str, Any]:
    """The audit entry of an attempt: the tried name as actor (role anonymous), never the password."""
    who = Actor(account_id=name[:64] or "-", role=Role.ADMIN)  # no Role for nobody: replaced below
    entry = audit_record(
        who,
        action,
        "Account",
        name[:64] or "-",
        at,
        before=None,
        after={"address": address, "reason": reason, **more},
    )
    entry["role"] = ANONYMOUS
    return entry


def _refusal(
    policy: SignInPolicy, counters: dict[str, dict[str, Any]], name: str, address: str, at: str
) -> DomainError | None:
    """Why an attempt is refused before its password is checked (locked or slowed), or None."""
    window_start = shift(at, -policy.window_minutes / 60)
    for key, is_user in ((user_key(name), True), (addr_key(address), False)):
        c = counters.get(key) or {}
        until = c.get("locked_until")
        if until and until > at:
            seconds = _seconds_until(at, until)
            return _locked_account(seconds) if is_user else _locked_address(seconds)
    for key, after in ((user_key(name), policy.slow_after), (addr_key(address), policy.address_slow_after)):
        c = counters.get(key) or {}
        last = c.get("last_at")
        fresh = (c.get("first_at") or "") >= window_start
        if fresh and int(c.get("failures") or 0) >= after and last:
            ready = shift(last, policy.slow_seconds / 3600)
            if ready > at:
                seconds = _seconds_until(at, ready)
                return RateLimited(f"登录失败次数较多,请{seconds}秒后再试", "sign_in_slowed", seconds)
    return None


def _counters(store: GraphStore, name: str, address: str) -> dict[str, dict[str, Any]]:
    """The counters of the tried name and the source address that exist, by id."""
    rows = store.run(q.STATE, {"ids": [user_key(name), addr_key(address)]})
    return {r["counter"]["id"]: r["counter"] for r in rows}


def _fail(
    store: GraphStore,
    policy: SignInPolicy,
    name: str,
    address: str,
    at: str,
    reason: str,
    refusal: DomainError,
) -> DomainError:
    """Count a failed attempt (one statement, with its audit entries); the error to answer: the
    lock it caused, else ``refusal``."""
    until = shift(at, policy.lock_minutes / 60)
    store.run(q.ENSURE, {"ids": [user_key(name), addr_key(address)]})
    row = store.one(
        q.FAILED,
        {
            "user_id": user_key(name),
            "addr_id": addr_key(address),
            "now": at,
            "window_start": shift(at, -policy.window_minutes / 60),
            "user_lock_after": policy.lock_after,
            "addr_lock_after": policy.address_lock_after,
            "until": until,
            "audit": _attempt_audit(name, at, "auth.sign_in_failed", address, reason),
            "user_locked": _attempt_audit(name, at, "auth.locked", address, "account", until=until),
            "addr_locked": _attempt_audit(name, at, "auth.locked", address, "address", until=until),
        },
    )
    if row and row["user_locked"]:
        return _locked_account(_seconds_until(at, until))
    if row and row["addr_locked"]:
        return _locked_address(_seconds_until(at, until))
    return refusal


def totp_step(secret: str, code: str, at: str) -> int | None:
    """The time step a 6-digit ``code`` belongs to (this one, the one before or after), or None."""
    totp = pyotp.TOTP(secret)
    when = parse(at)
    clean = code.strip()
    for drift in (0, -1, 1):
        step = totp.timecode(when) + drift
        if pyotp.utils.strings_equal(totp.generate_otp(step), clean):
            return int(step)
    return None


def totp_required(policy: SignInPolicy, account: dict[str, Any]) -> bool:
    """Whether the account must sign in with TOTP (its role or its own flag)."""
    return bool(account.get("totp_required")) or account.get("role") in policy.totp_required_roles


def sign_in(
    store: GraphStore,
    policy: SignInPolicy,
    name: str,
    password: str,
    address: str,
    otp: str | None = None,
    *,
    box: SecretBox,
    now: str | None = None,
) -> Granted:
    """Check a sign-in attempt from ``address``: refused early while the name or address is locked
    (423 / 429) or slowed (429); a wrong password, a disabled account, a missing or wrong or
    replayed code is counted (401, or the lock it causes); a right one resets the name's count."""
    at = resolve(now)
    refusal = _refusal(policy, _counters(store, name, address), name, address, at)
    if refusal is not None:
        reason = "locked" if refusal.code.endswith("locked") else "slowed"
        store.run(q.REFUSED, {"audit": _attempt_audit(name, at, "auth.sign_in_failed", address, reason)})
        raise refusal
    account = get_account(store, name)
    ok = verify_password(account, password)
    at = resolve(now)  # after the (slow) hash check: a failure's slow-down runs from its answer
    if account is None or not ok or not account.get("active", False):
        reason = "unknown_account" if account is None else "bad_password" if not ok else "disabled"
        raise _fail(store, policy, name, address, at, reason, Unauthenticated(WRONG))
    secret = account.get("totp_secret")
    if secret:
        if not otp:
            raise _fail(
                store,
                policy,
                name,
                address,
                at,
                "otp_missing",
                Unauthenticated("该账号已开启动态口令,请输入身份验证器上的 6 位动态口令", "otp_required"),
            )
        step = totp_step(_opened(box, secret, name), otp, at)
        if step is None:
            raise _fail(
                store,
                policy,
                name,
                address,
                at,
                "otp_wrong",
                Unauthenticated("动态口令错误或已过期,请输入身份验证器上最新的 6 位数字", "otp_wrong"),
            )
        if store.one(q.TOTP_USE, {"account_id": name, "secret": secret, "step": step}) is None:
            raise _fail(
                store,
                policy,
                name,
                address,
                at,
                "otp_replayed",
                Unauthenticated("该动态口令已使用过,请等待身份验证器显示新的口令", "otp_replayed"),
            )
    if store.one(q.SUCCEEDED, {"user_id": user_key(name), "addr_id": addr_key(address), "now": at}) is None:
        # locked by a concurrent failure since the early check: the right password is refused too
        late = _refusal(policy, _counters(store, name, address), name, address, at)
        raise late or _locked_account(60)
    enrol_only = not secret and totp_required(policy, account)
    return Granted(SignIn(to_actor(account), token_version(account)), enrol_only)


def unlock(store: GraphStore, actor: Actor, account_id: str, *, now: str | None = None) -> None:
    """Lift an account's sign-in lock and forget its failures (administrators only)."""
    require_role(actor, (Role.ADMIN,), "只有管理员可以解除账号锁定")
    at = resolve(now)
    audit = audit_record(
        actor, "account.unlock", "Account", account_id, at, before=None, after={"locked": False}
    )
    if (
        store.one(q.UNLOCK, {"account_id": account_id, "user_id": user_key(account_id), "audit": audit})
        is None
    ):
        raise NotFound(f"账号“{account_id}”不存在")


def locked_until(store: GraphStore, account_id: str, *, now: str | None = None) -> str | None:
    """When the account's sign-in lock ends, if it is locked now."""
    at = resolve(now)
    rows = store.run(q.STATE, {"ids": [user_key(account_id)]})
    until = rows[0]["counter"].get("locked_until") if rows else None
    return until if until and until > at else None


def totp_setup(store: GraphStore, actor: Actor, *, box: SecretBox, now: str | None = None) -> dict[str, str]:
    """A new TOTP secret for the signed-in account, awaiting its first code (confirm_totp); the
    secret is shown this once and stored sealed. Refused while TOTP is on (turn it off first)."""
    at = resolve(now)
    secret = pyotp.random_base32()
    sealed = box.seal(secret, owner=actor.account_id)
    audit = audit_record(
        actor, "account.totp_setup", "Account", actor.account_id, at, before=None, after={"totp": "pending"}
    )
    row = store.one(
        q.TOTP_PENDING, {"account_id": actor.account_id, "secret": sealed, "now": at, "audit": audit}
    )
    if row is None:
        raise Conflict("动态口令已开启;如需更换,请先关闭后重新设置", "totp_on")
    uri = pyotp.TOTP(secret).provisioning_uri(name=actor.account_id, issuer_name=ISSUER)
    return {"secret": secret, "otpauth_uri": uri}


def totp_confirm(
    store: GraphStore, actor: Actor, code: str, *, box: SecretBox, now: str | None = None
) -> None:
    """Turn TOTP on with a code from the pending secret (that code cannot be used again)."""
    at = resolve(now)
    account = get_account(store, actor.account_id) or {}
    pending = account.get("totp_pending")
    if not pending:
        raise Conflict("请先获取动态口令密钥(设置动态口令)", "totp_not_pending")
    step = totp_step(_opened(box, pending, actor.account_id), code, at)
    if step is None:
        raise Invalid("动态口令错误,请核对身份验证器上的 6 位数字", "otp_wrong")
    audit = audit_record(
        actor, "account.totp_on", "Account", actor.account_id, at, before=None, after={"totp": True}
    )
    params = {"account_id": actor.account_id, "secret": pending, "step": step, "now": at, "audit": audit}
    if store.one(q.TOTP_CONFIRM, params) is None:
        raise Conflict("动态口令设置已变化,请重新设置", "totp_changed")


def totp_off(
    store: GraphStore,
    actor: Actor,
    account_id: str,
    code: str | None = None,
    *,
    box: SecretBox,
    now: str | None = None,
) -> None:
    """Turn an account's TOTP off: its owner with a current code, or an administrator for anyone."""
    at = resolve(now)
    if not actor.is_admin or actor.account_id == account_id:
        if actor.account_id != account_id:
            raise Forbidden("只能关闭自己的动态口令")
        account = get_account(store, account_id) or {}
        secret = account.get("totp_secret")
        if secret and (not code or totp_step(_opened(box, secret, account_id), code, at) is None):
            raise Invalid("动态口令错误,请核对身份验证器上的 6 位数字", "otp_wrong")
    audit = audit_record(
        actor, "account.totp_off", "Account", account_id, at, before=None, after={"totp": False}
    )
    if store.one(q.TOTP_OFF, {"account_id": account_id, "now": at, "audit": audit}) is None:
        if get_account(store, account_id) is None:
            raise NotFound(f"账号“{account_id}”不存在")
        raise Conflict("该账号未开启动态口令", "totp_off")


def require_totp(
    store: GraphStore, actor: Actor, account_id: str, required: bool, *, now: str | None = None
) -> dict[str, Any]:
    """Require (or stop requiring) TOTP for one account (administrators only)."""
    require_role(actor, (Role.ADMIN,), "只有管理员可以要求账号使用动态口令")
    at = resolve(now)
    audit = audit_record(
        actor,
        "account.totp_required",
        "Account",
        account_id,
        at,
        before=None,
        after={"totp_required": required},
    )
    row = store.one(
        q.TOTP_REQUIRE, {"account_id": account_id, "required": required, "now": at, "audit": audit}
    )
    if row is None:
        raise NotFound(f"账号“{account_id}”不存在")
    return view(row["account"])


def seal_stored_totp(store: GraphStore, box: SecretBox, *, now: str | None = None) -> int:
    """Seal the TOTP secrets stored in the clear before sealing existed (run at the API's start);
    how many accounts were sealed. One changed meanwhile is left for the next start."""
    at = resolve(now)
    sealed = 0
    for row in store.run(q.UNSEALED_TOTP, {"prefix": PREFIX}):
        account_id = str(row["id"])
        audit = audit_record(
            SYSTEM, "account.totp_sealed", "Account", account_id, at, before=None, after={"sealed": True}
        )
        params = {
            "account_id": account_id,
            "old_secret": row["secret"],
            "old_pending": row["pending"],
            "secret": _sealed(box, row["secret"], account_id),
            "pending": _sealed(box, row["pending"], account_id),
            "audit": audit,
        }
        sealed += store.one(q.SEAL_TOTP, params) is not None
    return sealed


def _sealed(box: SecretBox, value: str | None, owner: str) -> str | None:
    """``value`` sealed for ``owner`` unless it is absent or sealed already."""
    return value if value is None or is_sealed(value) else box.seal(value, owner=owner)


def _opened(box: SecretBox, stored: str, owner: str) -> str:
    """The TOTP secret ``stored`` for ``owner``; a Conflict when this deployment's data key does not
    open it (a backup restored without its data key): an administrator turns that TOTP off."""
    try:
        return box.open(stored, owner=owner)
    except SecretBoxError as exc:
        raise Conflict(
            "动态口令无法核验:本系统的数据密钥与存储的口令不一致(如恢复备份时未带上数据密钥),"
            "请联系管理员关闭后重新设置动态口令",
            "otp_unreadable",
        ) from exc
