"""Sign-in security (issue 13 point 1) against real parts: failed sign-ins counted in the graph per
name and per source address (slowed, then locked; the right password refused while locked; an
administrator unlocks), every failure and lock audited in its counting statement, exact counts under
20 simultaneous attempts, the lock's expiry on a clock the test controls, TOTP enrolment, sign-in,
wrong and replayed codes and an enrolment-only token, the password policy, session revocation of a
locked account, and the security headers, through a real uvicorn on each backend (each test signs
in from a loopback source address of its own, so address counters never mix)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pyotp
import pytest
from conftest import BACKENDS, LiveServer, make_store, release_store
from console_world import browser_fixture, needs_chromium, new_page, shot  # noqa: F401  (the `browser` fixture)

from engine.actors import Actor, Role
from engine.errors import Invalid, Locked, RateLimited, Unauthenticated
from engine.services.accounts import AccountDraft, check_password, create_account
from engine.services.clock import shift
from engine.services.secret_box import SecretBox, is_sealed
from engine.services.signin_guard import SignInPolicy, sign_in, totp_confirm, totp_setup
from engine.settings import Settings
from engine.store.base import GraphStore
from engine.store.embedded import EmbeddedFalkorDB
from engine.store.queries.nodes import node_stmt
from engine.store.schema_apply import apply_schema

ADMIN = Actor("root", Role.ADMIN, display_name="管理员")
PASSWORD = "lianjian-demo"
NOW = "2026-12-07T08:00:00Z"
SLOW = 3.05  # seconds past a slow-down (times are kept to the second)
LIMITS: dict[str, Any] = {
    "signin_slow_after": 3,
    "signin_slow_seconds": 3,
    "signin_lock_after": 5,
    "signin_lock_minutes": 15,
    "signin_address_slow_after": 4,
    "signin_address_lock_after": 6,
}


def make_account(store: GraphStore, name: str, role: Role = Role.ADMIN) -> None:
    """An admin-role account ``name`` with the demo password (admins need no org or subject)."""
    create_account(store, ADMIN, AccountDraft(id=name, display_name=name, role=role, password=PASSWORD))


def nodes(store: GraphStore, label: str) -> list[dict[str, Any]]:
    """Every node of ``label``, in id order."""
    return [r["node"] for r in store.run(node_stmt("list", label), {"skip": 0, "limit": 100_000})]


def audits(store: GraphStore, actor: str, action: str) -> list[dict[str, Any]]:
    """The audit entries of ``action`` naming ``actor``, oldest first."""
    return [e for e in nodes(store, "AuditEntry") if e["actor"] == actor and e["action"] == action]


class World:
    """A real server over a fresh graph with the admin ``root`` and a client per source address."""

    def __init__(self, store: GraphStore, server: LiveServer, settings: Settings) -> None:
        self.store = store
        self.server = server
        self.settings = settings
        self.box = SecretBox.from_settings(settings)  # the server's data key
        self.next_host = 10

    def client(self, token: str | None = None) -> httpx.Client:
        """A client from a loopback address of its own (127.0.0.10, .11, …)."""
        self.next_host += 1
        transport = httpx.HTTPTransport(local_address=f"127.0.0.{self.next_host}")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.server.url, transport=transport, headers=headers, timeout=30)

    def token(self, name: str, password: str = PASSWORD, otp: str | None = None) -> str:
        """A bearer token of ``name`` (signed in from an address of its own)."""
        with self.client() as c:
            answer = c.post(
                "/auth/token", data={"username": name, "password": password, **({"otp": otp} if otp else {})}
            )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, falkordb_server: EmbeddedFalkorDB, tmp_path_factory: Any
) -> Iterator[World]:
    """One server per backend for the module, with short sign-in limits."""
    from api.app import create_app

    store = make_store(request.param, falkordb_server)
    try:
        apply_schema(store)
        make_account(store, "root")
        settings = Settings(data_dir=tmp_path_factory.mktemp("signin") / "data").model_copy(update=LIMITS)
        with LiveServer(create_app(settings, store)) as server:
            yield World(store, server, settings)
    finally:
        release_store(store)


def attempt(
    c: httpx.Client, name: str, password: str = "wrong-password-1", otp: str | None = None
) -> httpx.Response:
    return c.post(
        "/auth/token", data={"username": name, "password": password, **({"otp": otp} if otp else {})}
    )


def test_lockout_refuses_the_right_password_until_an_admin_unlocks(world: World) -> None:
    make_account(world.store, "lock-me")
    admin = world.client(world.token("root"))
    with world.client() as c:
        codes = []
        for i in range(5):
            if i >= 3:
                time.sleep(SLOW)  # past the slow-down after the 3rd and the 4th
            codes.append(attempt(c, "lock-me").status_code)
        assert codes == [401, 401, 401, 401, 423]
        right = attempt(c, "lock-me", PASSWORD)
        assert right.status_code == 423, right.text
        assert right.json()["code"] == "account_locked" and "账号已锁定" in right.json()["message"]
        assert 14 * 60 < int(right.headers["Retry-After"]) <= 15 * 60
        assert "access_token" not in right.text
        listed = {a["id"]: a for a in admin.get("/accounts").json()}
        assert listed["lock-me"]["locked_until"]
        # a revoke of a locked account's sessions still works
        assert admin.delete("/accounts/lock-me/sessions").status_code == 204
        assert admin.post("/accounts/lock-me/unlock").status_code == 204
        assert admin.post("/accounts/nobody-here/unlock").status_code == 404
    with world.client() as c:  # (the first address is slowed by its own five failures)
        assert attempt(c, "lock-me", PASSWORD).status_code == 200
    assert not {a["id"]: a for a in admin.get("/accounts").json()}["lock-me"]["locked_until"]
    failed = audits(world.store, "lock-me", "auth.sign_in_failed")
    assert len(failed) == 6  # five counted, one refused while locked
    assert {e["role"] for e in failed} == {"anonymous"}
    reasons = [json.loads(e["after"])["reason"] for e in failed]
    assert reasons == ["bad_password"] * 5 + ["locked"]
    assert all(json.loads(e["after"])["address"].startswith("127.0.0.") for e in failed)
    assert not any("wrong-password" in json.dumps(e) or PASSWORD in json.dumps(e) for e in failed)
    assert len(audits(world.store, "lock-me", "auth.locked")) == 1
    assert len(audits(world.store, "root", "account.unlock")) == 1


def test_a_slowed_name_waits_and_unknown_names_are_throttled_alike(world: World) -> None:
    make_account(world.store, "slow-me")
    with world.client() as c:
        known = [attempt(c, "slow-me").status_code for _ in range(3)]
    with world.client() as c:  # another address: the name is slowed wherever it is tried from
        assert attempt(c, "slow-me", PASSWORD).status_code == 429
        time.sleep(SLOW)
        assert attempt(c, "slow-me", PASSWORD).status_code == 200  # and a success resets the count
        assert attempt(c, "slow-me").status_code == 401
        assert attempt(c, "slow-me", PASSWORD).status_code == 200
    with world.client() as c:
        unknown = [attempt(c, "no-such-user").status_code for _ in range(3)]
        slowed = attempt(c, "no-such-user")
    assert known == unknown == [401, 401, 401]
    assert slowed.status_code == 429 and slowed.json()["code"] == "sign_in_slowed"
    assert slowed.headers["Retry-After"] in ("1", "2", "3") and "秒后再试" in slowed.json()["message"]


def test_an_address_is_slowed_then_locked_for_every_name(world: World) -> None:
    make_account(world.store, "behind-nat")
    with world.client() as c:
        codes = [attempt(c, f"guess-{i}").status_code for i in range(4)]
        slowed = attempt(c, "behind-nat", PASSWORD)
        time.sleep(SLOW)
        codes.append(attempt(c, "guess-4").status_code)
        time.sleep(SLOW)
        locking = attempt(c, "guess-5")
        locked = attempt(c, "behind-nat", PASSWORD)
    assert codes == [401] * 5
    assert slowed.status_code == 429 and slowed.json()["code"] == "sign_in_slowed"
    assert locking.status_code == 429 and locking.json()["code"] == "address_locked"
    assert (
        locked.status_code == 429 and "该地址" in locked.json()["message"] and locked.headers["Retry-After"]
    )
    assert world.token("behind-nat")  # the same account from another address
    locks = [e for e in audits(world.store, "guess-5", "auth.locked")]
    assert [json.loads(e["after"])["reason"] for e in locks] == ["address"]


def test_twenty_simultaneous_failures_are_each_counted_once(world: World) -> None:
    store = world.store
    make_account(store, "crowd")
    policy = SignInPolicy(slow_after=100, lock_after=100, address_slow_after=100, address_lock_after=100)

    def wrong(i: int) -> Exception | None:
        try:
            sign_in(store, policy, "crowd", f"wrong-{i}", f"10.0.0.{i % 2}", box=world.box, now=NOW)
        except Unauthenticated as exc:
            return exc
        return None

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(wrong, range(20)))
    assert all(isinstance(r, Unauthenticated) for r in results)
    counters = {c["id"]: c["failures"] for c in nodes(store, "SignInCounter")}
    assert [counters[k] for k in ("user:crowd", "addr:10.0.0.0", "addr:10.0.0.1")] == [20, 10, 10]
    assert len(audits(store, "crowd", "auth.sign_in_failed")) == 20


def test_simultaneous_failures_lock_once_and_the_lock_expires(world: World) -> None:
    store = world.store
    make_account(store, "racer")
    policy = SignInPolicy(lock_after=5, lock_minutes=15, address_slow_after=100, address_lock_after=100)

    def wrong(i: int) -> str:
        try:
            sign_in(store, policy, "racer", f"wrong-{i}", f"10.1.0.{i}", box=world.box, now=NOW)
        except (Unauthenticated, Locked, RateLimited) as exc:
            return exc.code
        return "signed in"

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(wrong, range(20)))
    assert "signed in" not in codes and codes.count("account_locked") >= 1
    assert len(audits(store, "racer", "auth.locked")) == 1
    with pytest.raises(Locked):  # the right password, a minute before the lock ends
        sign_in(store, policy, "racer", PASSWORD, "10.1.1.1", box=world.box, now=shift(NOW, 14 / 60))
    granted = sign_in(store, policy, "racer", PASSWORD, "10.1.1.1", box=world.box, now=shift(NOW, 16 / 60))
    assert granted.signed_in.actor.account_id == "racer"


def totp_now(secret: str, ahead: int = 0) -> str:
    """The code of ``secret`` ``ahead`` time steps from now."""
    return pyotp.TOTP(secret).at(time.time() + 30 * ahead)


def test_totp_enrol_sign_in_wrong_and_replayed_codes_and_turning_it_off(world: World) -> None:
    make_account(world.store, "two-factor")
    me = world.client(world.token("two-factor"))
    setup = me.post("/auth/totp/setup").json()
    secret = setup["secret"]
    assert setup["otpauth_uri"].startswith("otpauth://totp/") and secret in setup["otpauth_uri"]
    assert (
        me.post(
            "/auth/totp/confirm", json={"code": "000000" if totp_now(secret) != "000000" else "111111"}
        ).status_code
        == 422
    )
    assert me.post("/auth/totp/confirm", json={"code": totp_now(secret)}).status_code == 200
    assert me.get("/auth/me").json()["totp_enabled"] is True
    assert me.post("/auth/totp/setup").status_code == 409  # the secret is never handed out again
    stored = world.store.one(node_stmt("get", "Account"), {"id": "two-factor"})["node"]["totp_secret"]  # type: ignore[index]
    assert is_sealed(stored) and secret not in stored  # sealed at rest, under the data key
    assert world.box.open(stored, owner="two-factor") == secret
    assert not any(secret in json.dumps(e) for e in audits(world.store, "two-factor", "account.totp_on"))
    with world.client() as c:
        missing = attempt(c, "two-factor", PASSWORD)
        wrong = attempt(
            c, "two-factor", PASSWORD, otp=str((int(totp_now(secret, 5)) + 1) % 1_000_000).zfill(6)
        )
        code = totp_now(secret, 1)  # the confirmation used this step up: the next one is still valid
        right = attempt(c, "two-factor", PASSWORD, otp=code)
        replayed = attempt(c, "two-factor", PASSWORD, otp=code)
    assert (missing.status_code, missing.json()["code"]) == (401, "otp_required")
    assert "动态口令" in missing.json()["message"]
    assert (wrong.status_code, wrong.json()["code"]) == (401, "otp_wrong")
    assert right.status_code == 200, right.text
    assert (replayed.status_code, replayed.json()["code"]) == (401, "otp_replayed")
    reasons = [
        json.loads(e["after"])["reason"] for e in audits(world.store, "two-factor", "auth.sign_in_failed")
    ]
    assert reasons == ["otp_missing", "otp_wrong", "otp_replayed"]
    full = world.client(right.json()["access_token"])
    assert (
        full.request(
            "DELETE", "/auth/totp", json={"code": "123456" if code != "123456" else "654321"}
        ).status_code
        == 422
    )
    assert full.request("DELETE", "/auth/totp", json={"code": totp_now(secret)}).status_code == 204
    assert world.token("two-factor")  # no code needed any more


def test_a_secret_stored_in_the_clear_is_sealed_when_the_api_starts(world: World) -> None:
    """TOTP secrets stored before sealing existed: the next start of the API seals them (audited,
    once), and the account signs in with its codes as before."""
    from api.app import create_app

    make_account(world.store, "legacy-2fa")
    secret = pyotp.random_base32()
    world.store.run(node_stmt("update", "Account"), {"id": "legacy-2fa", "props": {"totp_secret": secret}})
    with LiveServer(create_app(world.settings, world.store)):  # a restart after the upgrade
        pass
    stored = world.store.one(node_stmt("get", "Account"), {"id": "legacy-2fa"})["node"]["totp_secret"]  # type: ignore[index]
    assert is_sealed(stored) and world.box.open(stored, owner="legacy-2fa") == secret
    with LiveServer(create_app(world.settings, world.store)):  # and again: nothing left to seal
        pass
    assert len(audits(world.store, "system", "account.totp_sealed")) == 1
    assert world.token("legacy-2fa", otp=totp_now(secret))


def test_a_secret_the_data_key_cannot_open_is_refused_clearly_and_an_admin_resets_it(world: World) -> None:
    """A backup restored without its data key: the TOTP secret does not open. Sign-in answers 409
    with what to do (not counted as a failure, not a 500), and an administrator turns TOTP off."""
    make_account(world.store, "lost-key")
    foreign = SecretBox(bytes(32)).seal(pyotp.random_base32(), owner="lost-key")
    world.store.run(node_stmt("update", "Account"), {"id": "lost-key", "props": {"totp_secret": foreign}})
    with world.client() as c:
        answer = attempt(c, "lost-key", PASSWORD, otp="123456")
    assert (answer.status_code, answer.json()["code"]) == (409, "otp_unreadable")
    assert "管理员" in answer.json()["message"]
    assert audits(world.store, "lost-key", "auth.sign_in_failed") == []
    admin = world.client(world.token("root"))
    assert admin.delete("/accounts/lost-key/totp").status_code == 204
    assert world.token("lost-key")


def test_required_totp_gives_an_enrolment_only_token(world: World) -> None:
    make_account(world.store, "must-enrol")
    admin = world.client(world.token("root"))
    required = admin.put("/accounts/must-enrol/totp-required", json={"required": True})
    assert required.status_code == 200 and required.json()["totp_required"] is True
    with world.client() as c:
        answer = attempt(c, "must-enrol", PASSWORD)
    assert answer.status_code == 200 and answer.json()["totp_enrolment_required"] is True
    limited = world.client(answer.json()["access_token"])
    refused = limited.get("/accounts")
    assert refused.status_code == 403 and "动态口令" in refused.json()["message"]
    assert limited.get("/auth/me").json()["totp_required"] is True
    secret = limited.post("/auth/totp/setup").json()["secret"]
    confirmed = limited.post("/auth/totp/confirm", json={"code": totp_now(secret)})
    assert confirmed.status_code == 200 and confirmed.json()["totp_enrolment_required"] is False
    assert world.client(confirmed.json()["access_token"]).get("/accounts").status_code == 200
    # an administrator turns it off (a lost phone): the next sign-in enrols again
    assert admin.delete("/accounts/must-enrol/totp").status_code == 204
    with world.client() as c:
        again = attempt(c, "must-enrol", PASSWORD)
    assert again.status_code == 200 and again.json()["totp_enrolment_required"] is True
    offs = audits(world.store, "root", "account.totp_off")
    assert [e["entity_id"] for e in offs].count("must-enrol") == 1


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("short-1", "长度"),
        ("abcdefghijkl", "两类"),
        ("1234567890123", "两类"),
        ("policy-user", "登录名"),
        ("Password123", "常见"),
    ],
)
def test_the_password_policy_refuses_weak_passwords(password: str, words: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_password(password, "policy-user")
    assert words in refused.value.message_zh


def test_the_policy_applies_to_new_accounts_and_password_changes(world: World) -> None:
    check_password(PASSWORD, "admin")  # the demo accounts' password passes
    admin = world.client(world.token("root"))
    body = {"id": "new-one", "display_name": "新账号", "role": "admin"}
    weak = admin.post("/accounts", json={**body, "password": "password123"})
    assert weak.status_code == 422 and "常见" in weak.json()["message"]
    assert admin.post("/accounts", json={**body, "password": "strong-pass-7"}).status_code == 201
    me = world.client(world.token("new-one", "strong-pass-7"))
    refused = me.post("/auth/password", json={"password": "onlyletters"})
    assert refused.status_code == 422 and "两类" in refused.json()["message"]
    assert me.post("/auth/password", json={"password": "another-pass-8"}).status_code == 200


def test_security_headers_on_the_console_the_api_and_the_docs(world: World) -> None:
    with world.client() as c:
        for path in ("/", "/console/js/app.js", "/auth/me", "/openapi.json", "/docs"):
            answer = c.get(path)
            assert answer.headers["x-frame-options"] == "DENY", path
            assert answer.headers["referrer-policy"] == "no-referrer", path
            assert answer.headers["x-content-type-options"] == "nosniff", path
            csp = answer.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp, path
            if path == "/docs":
                assert "https://cdn.jsdelivr.net" in csp
            else:
                assert "script-src 'self';" in csp and "cdn" not in csp, path


def console_sign_in(page: Any, url: str, name: str, password: str = PASSWORD) -> None:
    """Fill the console's sign-in form and submit it."""
    page.goto(f"{url}/")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


@needs_chromium
def test_the_console_shows_the_lock_and_asks_for_the_totp_code(world: World, browser: Any) -> None:
    """In Chromium: a locked account's right password shows the lock message; an account with
    TOTP gets the code field after its password and signs in with a code."""
    make_account(world.store, "web-locked")
    make_account(world.store, "web-2fa")
    strict = SignInPolicy(slow_after=100, address_slow_after=100, address_lock_after=100)
    for i in range(5):
        with pytest.raises((Unauthenticated, Locked)):
            sign_in(world.store, strict, "web-locked", f"wrong-{i}", "10.9.9.9", box=world.box)
    owner = Actor("web-2fa", Role.ADMIN)
    secret = totp_setup(world.store, owner, box=world.box)["secret"]
    totp_confirm(world.store, owner, totp_now(secret), box=world.box)
    page = new_page(browser)
    console_sign_in(page, world.server.url, "web-locked")
    page.get_by_text("登录失败次数过多,账号已锁定,请15分钟后再试").wait_for()
    console_sign_in(page, world.server.url, "web-2fa")
    page.get_by_text("请输入身份验证器上的 6 位动态口令").wait_for()
    page.get_by_label("动态口令").fill(totp_now(secret, 1))
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="退出登录").wait_for()
    shot(page, "signin-totp")
    page.context.close()
