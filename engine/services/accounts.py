"""Accounts and sign-in: an administrator creates accounts with a role and a place in the org
tree (or the unit/member they act for); passwords are kept only as argon2 hashes. An account's
token version ends its tokens when raised: by a password change, a disable or a revoke."""

from __future__ import annotations

from typing import Any, NamedTuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, Field, model_validator

from engine.actors import Actor, Role
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.services.clock import resolve
from engine.services.records import audit_record, check_page, public
from engine.services.scope import require_role
from engine.store.base import GraphStore
from engine.store.errors import ConstraintViolation
from engine.store.queries import accounts as accounts_queries
from engine.store.queries.nodes import node_stmt

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("timing-equaliser")  # verified when the account does not exist
SCOPE_LEVELS = {
    Role.PLANNER: ("district", "street"),
    Role.SECRETARY: ("community",),
    Role.GRID_WORKER: ("community", "grid", "compound"),
}
SUBJECT_LABELS = {Role.UNIT: "Unit", Role.MEMBER: "Member"}
PRIVATE = ("password_hash", "token_version", "totp_secret", "totp_pending", "totp_last_step")
MIN_PASSWORD_LENGTH = 10
# A few of the passwords tried first by anyone guessing (lower-cased); refused whatever their length.
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password123",
        "passw0rd",
        "p@ssw0rd",
        "p@ssword1",
        "qwerty123",
        "qwertyuiop",
        "1qaz2wsx",
        "1q2w3e4r5t",
        "1234567890",
        "12345678910",
        "0123456789",
        "abc123456",
        "abcd123456",
        "a123456789",
        "admin123",
        "admin12345",
        "admin@123",
        "admin123456",
        "iloveyou1",
        "woaini1314",
        "woaini520",
        "5201314520",
        "123qweasd",
        "qweasdzxc",
        "zxcvbnm123",
        "lianjian123",
        "lianjian2026",
        "letmein123",
        "welcome123",
        "changeme123",
    }
)


class AccountDraft(BaseModel):
    """A new account: who signs in, in which role, over which org or as which provider."""

    id: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$", description="登录名")
    display_name: str = Field(min_length=1, max_length=50, description="显示名称")
    role: Role = Field(description="角色")
    scope_org_id: str | None = Field(None, max_length=64, description="管辖党组织(规划人员、社区书记)")
    subject_id: str | None = Field(None, max_length=64, description="对应驻区单位或党员(单位、党员)")
    password: str = Field(min_length=8, max_length=128, description="密码,至少 8 位")
    email: str | None = Field(
        None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$", description="电子邮箱(接收通知;个人信息)"
    )

    @model_validator(mode="after")
    def _role_fits(self) -> AccountDraft:
        if self.role in SCOPE_LEVELS and not self.scope_org_id:
            raise ValueError("规划人员和社区书记账号必须指定管辖党组织")
        if self.role in SUBJECT_LABELS and not self.subject_id:
            raise ValueError("单位和党员账号必须指定对应的单位或党员")
        return self


def view(account: dict[str, Any]) -> dict[str, Any]:
    """An account without its password hash, TOTP secret or internal fields (whether TOTP is on)."""
    shown = {k: v for k, v in public(account).items() if k not in PRIVATE}
    return {**shown, "totp_enabled": bool(account.get("totp_secret"))}


def check_password(password: str, account_id: str, min_length: int = MIN_PASSWORD_LENGTH) -> None:
    """The password policy (issue 13): long enough, of at least two kinds of letters, digits and
    symbols, not the login name and not a common password; Invalid (422) otherwise."""
    if not min_length <= len(password) <= 128:
        raise Invalid(f"密码长度应为 {min_length} 到 128 位", "weak_password")
    kinds = (
        any(c.isalpha() for c in password)
        + any(c.isdigit() for c in password)
        + any(not c.isalnum() for c in password)
    )
    if kinds < 2:
        raise Invalid("密码应至少包含字母、数字、符号中的两类", "weak_password")
    if password.lower() == account_id.lower():
        raise Invalid("密码不能与登录名相同", "weak_password")
    if password.lower() in COMMON_PASSWORDS:
        raise Invalid("该密码过于常见,容易被猜中,请换一个", "weak_password")


def verify_password(account: dict[str, Any] | None, password: str) -> bool:
    """Whether ``password`` is the account's (the same work when there is no account)."""
    try:
        return bool(_HASHER.verify(account["password_hash"] if account else _DUMMY_HASH, password))
    except (VerificationError, InvalidHashError):
        return False


def _check_anchor(store: GraphStore, draft: AccountDraft) -> None:
    """The scope org or subject must exist and fit the role (a secretary's org is a community)."""
    if draft.role in SCOPE_LEVELS:
        row = store.one(node_stmt("get", "Org"), {"id": draft.scope_org_id})
        if row is None:
            raise Invalid(f"党组织“{draft.scope_org_id}”不存在", "unknown_org")
        if row["node"].get("level") not in SCOPE_LEVELS[draft.role]:
            allowed = "、".join(SCOPE_LEVELS[draft.role])
            raise Invalid(f"该角色的管辖党组织层级应为 {allowed}", "wrong_scope_level")
    if draft.role in SUBJECT_LABELS:
        label = SUBJECT_LABELS[draft.role]
        if store.one(node_stmt("get", label), {"id": draft.subject_id}) is None:
            raise Invalid(
                f"{'驻区单位' if label == 'Unit' else '党员'}“{draft.subject_id}”不存在", "unknown_subject"
            )


def create_account(
    store: GraphStore,
    actor: Actor,
    draft: AccountDraft,
    *,
    now: str | None = None,
    min_password_length: int = MIN_PASSWORD_LENGTH,
) -> dict[str, Any]:
    """Create an account (administrators only); its id must be new, its password pass the policy."""
    require_role(actor, (Role.ADMIN,), "只有管理员可以创建账号")
    check_password(draft.password, draft.id, min_password_length)
    _check_anchor(store, draft)
    at = resolve(now)
    props = {
        "id": draft.id,
        "display_name": draft.display_name,
        "role": draft.role.value,
        "password_hash": _HASHER.hash(draft.password),
        "active": True,
        "token_version": 0,
        "created_at": at,
        "updated_at": at,
        **{k: v for k, v in (("scope_org_id", draft.scope_org_id), ("subject_id", draft.subject_id)) if v},
    }
    if draft.email:
        props["email"] = draft.email  # personal data: kept out of the audit entry
    logged = {k: v for k, v in view(props).items() if k != "email"}
    audit = audit_record(actor, "account.create", "Account", draft.id, at, before=None, after=logged)
    try:
        store.run(accounts_queries.CREATE, {"props": props, "audit": audit})
    except ConstraintViolation:
        raise Conflict(f"登录名“{draft.id}”已被使用", "duplicate_account") from None
    return view(props)


def get_account(store: GraphStore, account_id: str) -> dict[str, Any] | None:
    """The account called ``account_id`` (with its hash: for sign-in only), or None."""
    row = store.one(accounts_queries.GET, {"id": account_id})
    return row["account"] if row else None


def list_accounts(
    store: GraphStore, actor: Actor, *, role: Role | None = None, skip: int = 0, limit: int = 100
) -> list[dict[str, Any]]:
    """Accounts, without password hashes (administrators only)."""
    require_role(actor, (Role.ADMIN,), "只有管理员可以查看账号")
    check_page(skip, limit)
    rows = store.run(
        accounts_queries.LIST, {"role": role.value if role else None, "skip": skip, "limit": limit}
    )
    at = resolve(None)
    return [
        {**view(r["account"]), "locked_until": r["locked_until"] if (r["locked_until"] or "") > at else None}
        for r in rows
    ]


def set_active(
    store: GraphStore, actor: Actor, account_id: str, active: bool, *, now: str | None = None
) -> dict[str, Any]:
    """Enable or disable an account (administrators only). A disabled account cannot sign in and its
    tokens end for good (re-enabling does not revive them); an admin cannot disable itself, and
    the last active admin cannot be disabled (checked in the writing statement)."""
    require_role(actor, (Role.ADMIN,), "只有管理员可以停用或启用账号")
    if not active and account_id == actor.account_id:
        raise Conflict("不能停用自己的账号,请由其他管理员操作", "own_account")
    before = get_account(store, account_id)
    if before is None:
        raise NotFound(f"账号“{account_id}”不存在")
    at = resolve(now)
    audit = audit_record(
        actor,
        "account.set_active",
        "Account",
        account_id,
        at,
        before={"active": before.get("active")},
        after={"active": active},
    )
    row = store.one(
        accounts_queries.SET_ACTIVE, {"id": account_id, "active": active, "now": at, "audit": audit}
    )
    if row is None:
        if get_account(store, account_id) is None:
            raise NotFound(f"账号“{account_id}”不存在")
        raise Conflict("不能停用最后一个启用的管理员账号,系统至少要保留一个管理员", "last_admin")
    return view(row["account"])


def set_password(
    store: GraphStore,
    actor: Actor,
    account_id: str,
    password: str,
    *,
    now: str | None = None,
    min_password_length: int = MIN_PASSWORD_LENGTH,
) -> int:
    """Give an account a new password (its owner or an administrator), ending every token issued
    before; the account's new token version, for the caller's fresh token."""
    if not actor.is_admin and actor.account_id != account_id:
        raise Forbidden("只能修改自己的密码")
    check_password(password, account_id, min_password_length)
    at = resolve(now)
    audit = audit_record(
        actor, "account.set_password", "Account", account_id, at, before=None, after={"password": "changed"}
    )
    row = store.one(
        accounts_queries.SET_PASSWORD,
        {"id": account_id, "password_hash": _HASHER.hash(password), "now": at, "audit": audit},
    )
    if row is None:
        raise NotFound(f"账号“{account_id}”不存在")
    return int(row["token_version"])


def revoke_sessions(store: GraphStore, actor: Actor, account_id: str, *, now: str | None = None) -> None:
    """End every token of an account (administrators only); it may sign in again with its password."""
    require_role(actor, (Role.ADMIN,), "只有管理员可以撤销账号的登录会话")
    at = resolve(now)
    audit = audit_record(
        actor,
        "account.revoke_sessions",
        "Account",
        account_id,
        at,
        before=None,
        after={"sessions": "revoked"},
    )
    if store.one(accounts_queries.REVOKE_SESSIONS, {"id": account_id, "now": at, "audit": audit}) is None:
        raise NotFound(f"账号“{account_id}”不存在")


def token_version(account: dict[str, Any]) -> int:
    """The account's current token version (0 for an account made before versions existed)."""
    return int(account.get("token_version") or 0)


class SignIn(NamedTuple):
    """A successful sign-in: who acts, and the token version its token must carry."""

    actor: Actor
    token_version: int


def authenticate(store: GraphStore, account_id: str, password: str) -> SignIn | None:
    """The actor and token version of an active account whose password matches, else None (same
    work either way)."""
    account = get_account(store, account_id)
    ok = verify_password(account, password)
    if not ok or account is None or not account.get("active", False):
        return None
    return SignIn(to_actor(account), token_version(account))


def to_actor(account: dict[str, Any]) -> Actor:
    """The Actor an account acts as."""
    return Actor(
        account_id=account["id"],
        role=Role(account["role"]),
        scope_org_id=account.get("scope_org_id"),
        subject_id=account.get("subject_id"),
        display_name=account.get("display_name", ""),
    )
