"""Sign-in and accounts through the real server: tokens, expiry, disabled accounts, admin only."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from api_world import ROLES, ApiWorld, api_fixture  # noqa: F401  (the fixture "api")

from api.auth.tokens import issue_token
from engine.actors import Actor, Role
from engine.demo.accounts import DEMO_PASSWORD
from engine.errors import Conflict
from engine.services.accounts import AccountDraft, create_account, get_account, set_active


def test_every_demo_role_signs_in_and_sees_itself(api: ApiWorld) -> None:
    for role in ROLES:
        me = api.client(role).get("/auth/me")
        assert me.status_code == 200, me.text
        body = me.json()
        assert body["id"] == role and body["role"] == role
        assert "password_hash" not in body


def test_wrong_password_and_unknown_user_get_the_same_401(api: ApiWorld) -> None:
    with api.anonymous() as anon:
        wrong = anon.post("/auth/token", data={"username": "secretary", "password": "not-the-password"})
        nobody = anon.post("/auth/token", data={"username": "nobody", "password": DEMO_PASSWORD})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json()["code"] == "unauthorized" and "密码" in wrong.json()["message"]
    assert wrong.json() == nobody.json()


def test_missing_forged_and_expired_tokens_are_refused(api: ApiWorld) -> None:
    secret = api.server.server.config.app.state.token_secret  # type: ignore[union-attr]
    expired = issue_token("secretary", secret, 5, now=datetime.now(UTC) - timedelta(minutes=10))
    forged = issue_token("admin", "not-the-secret-but-long-enough-for-hs256", 60)
    with api.anonymous() as anon:
        assert anon.get("/auth/me").status_code == 401
        for token in (expired, forged, "garbage"):
            answer = anon.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 401 and answer.json()["message"], token


def test_admin_creates_an_account_that_can_sign_in(api: ApiWorld) -> None:
    community = next(o for o in api.dataset.nodes["Org"] if o["level"] == "community")
    created = api.client("admin").post(
        "/accounts",
        json={
            "id": "li-shuji",
            "display_name": "李书记",
            "role": "secretary",
            "scope_org_id": community["id"],
            "password": "a-long-password",
        },
    )
    assert created.status_code == 201, created.text
    assert "password_hash" not in created.json() and "password" not in created.json()
    with api.sign_in("li-shuji", "a-long-password") as li:
        assert li.get("/auth/me").json()["scope_org_id"] == community["id"]
    again = api.client("admin").post(
        "/accounts",
        json={"id": "li-shuji", "display_name": "x", "role": "admin", "password": "another-password"},
    )
    assert again.status_code == 409 and again.json()["code"] == "duplicate_account"


def test_bad_account_input_is_422_in_chinese_and_writes_nothing(api: ApiWorld) -> None:
    street = next(o for o in api.dataset.nodes["Org"] if o["level"] == "street")
    before = api.client("admin").get("/accounts").json()
    cases = [
        {"id": "x", "display_name": "短", "role": "admin", "password": "a-long-password"},
        {"id": "ok-name", "display_name": "无范围", "role": "secretary", "password": "a-long-password"},
        {"id": "ok-name", "display_name": "街道当社区", "role": "secretary", "scope_org_id": street["id"],
         "password": "a-long-password"},
        {"id": "ok-name", "display_name": "短密码", "role": "admin", "password": "short"},
    ]  # fmt: skip
    for body in cases:
        answer = api.client("admin").post("/accounts", json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["code"] and answer.json()["message"]
    assert api.client("admin").get("/accounts").json() == before


def test_only_admins_manage_accounts(api: ApiWorld) -> None:
    for role in ROLES[1:]:
        assert api.client(role).get("/accounts").status_code == 403
        created = api.client(role).post(
            "/accounts",
            json={"id": f"by-{role}", "display_name": "x", "role": "admin", "password": "long-enough"},
        )
        assert created.status_code == 403 and created.json()["code"] == "forbidden"
    ids = {a["id"] for a in api.client("admin").get("/accounts").json()}
    assert not any(i.startswith("by-") for i in ids)


def test_a_disabled_account_cannot_sign_in_or_use_its_token(api: ApiWorld) -> None:
    member = api.client("member")
    assert member.get("/auth/me").status_code == 200
    assert api.client("admin").put("/accounts/member/active", json={"active": False}).status_code == 200
    assert member.get("/auth/me").status_code == 401
    with api.anonymous() as anon:
        assert (
            anon.post("/auth/token", data={"username": "member", "password": DEMO_PASSWORD}).status_code
            == 401
        )


def test_password_change_takes_effect(api: ApiWorld) -> None:
    assert api.client("unit").post("/auth/password", json={"password": "a-new-password"}).status_code == 200
    with api.anonymous() as anon:
        assert (
            anon.post("/auth/token", data={"username": "unit", "password": DEMO_PASSWORD}).status_code == 401
        )
    with api.sign_in("unit", "a-new-password") as again:
        assert again.get("/auth/me").status_code == 200


def _audit(api: ApiWorld, account_id: str) -> list[dict[str, object]]:
    """The audit entries of one account, newest first."""
    entries = api.client("admin").get("/audit", params={"entity_id": account_id})
    assert entries.status_code == 200, entries.text
    return list(entries.json())


def test_a_token_issued_before_a_password_change_is_refused(api: ApiWorld) -> None:
    """Changing one's password ends every other session; the changer goes on with the new token."""
    stolen = api.sign_in("unit")
    assert stolen.get("/auth/me").status_code == 200
    changed = api.client("unit").post("/auth/password", json={"password": "a-new-password"})
    assert changed.status_code == 200, changed.text
    refused = stolen.get("/auth/me")
    assert refused.status_code == 401 and "重新登录" in refused.json()["message"]
    assert api.client("unit").get("/auth/me").status_code == 401  # its token was issued before, too
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    with httpx.Client(base_url=api.url, headers=fresh, timeout=30) as again:
        assert again.get("/auth/me").json()["id"] == "unit"
    assert _audit(api, "unit")[0]["action"] == "account.set_password"


def test_re_enabling_an_account_does_not_revive_its_old_tokens(api: ApiWorld) -> None:
    member = api.client("member")
    admin = api.client("admin")
    assert admin.put("/accounts/member/active", json={"active": False}).status_code == 200
    assert admin.put("/accounts/member/active", json={"active": True}).status_code == 200
    assert member.get("/auth/me").status_code == 401
    with api.sign_in("member") as again:
        assert again.get("/auth/me").status_code == 200
    assert [e["action"] for e in _audit(api, "member")[:2]] == ["account.set_active"] * 2


def test_enabling_an_active_account_keeps_its_tokens(api: ApiWorld) -> None:
    assert api.client("admin").put("/accounts/member/active", json={"active": True}).status_code == 200
    assert api.client("member").get("/auth/me").status_code == 200


def test_an_admin_revokes_an_accounts_sessions(api: ApiWorld) -> None:
    """``DELETE /accounts/{id}/sessions`` ends the account's tokens (audited); it may sign in again."""
    secretary = api.client("secretary")
    assert secretary.get("/auth/me").status_code == 200
    assert secretary.delete("/accounts/secretary/sessions").status_code == 403
    assert secretary.get("/auth/me").status_code == 200
    revoked = api.client("admin").delete("/accounts/secretary/sessions")
    assert revoked.status_code == 204, revoked.text
    assert secretary.get("/auth/me").status_code == 401
    with api.sign_in("secretary") as again:
        assert again.get("/auth/me").status_code == 200
    entry = _audit(api, "secretary")[0]
    assert (entry["action"], entry["actor"]) == ("account.revoke_sessions", "admin")
    missing = api.client("admin").delete("/accounts/nobody/sessions")
    assert missing.status_code == 404 and missing.json()["message"]


def test_an_admin_cannot_disable_itself(api: ApiWorld) -> None:
    admin = api.client("admin")
    audit_before = _audit(api, "admin")
    refused = admin.put("/accounts/admin/active", json={"active": False})
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "own_account" and "自己" in refused.json()["message"]
    assert admin.get("/auth/me").status_code == 200
    assert _audit(api, "admin") == audit_before


def test_the_last_active_admin_cannot_be_disabled(api: ApiWorld) -> None:
    """Whoever asks (here the engine's own admin actor, as a command-line tool would), the last
    active admin stays; with a second admin, either may be disabled."""
    system = Actor("ops", Role.ADMIN)
    with pytest.raises(Conflict) as refused:
        set_active(api.store, system, "admin", False)
    assert refused.value.code == "last_admin" and "管理员" in refused.value.message_zh
    assert (get_account(api.store, "admin") or {})["active"] is True
    create_account(api.store, system, AccountDraft(id="admin-2", display_name="备用管理员", role=Role.ADMIN,
                                                    password="a-long-password"))  # fmt: skip
    assert set_active(api.store, system, "admin", False)["active"] is False
    with pytest.raises(Conflict):
        set_active(api.store, system, "admin-2", False)
    assert (get_account(api.store, "admin-2") or {})["active"] is True


def _disable(client: httpx.Client, account_id: str) -> httpx.Response:
    return client.put(f"/accounts/{account_id}/active", json={"active": False})


def test_two_admins_disabling_each_other_at_once_leave_one(api: ApiWorld) -> None:
    """Concurrent disables of the only two admins, five rounds: exactly one succeeds each time; the
    other gets 409 (the last admin), or 401 when its own disable landed before it was read."""
    passwords = {"admin": DEMO_PASSWORD, "admin-2": "a-long-password"}
    made = api.client("admin").post(
        "/accounts",
        json={
            "id": "admin-2",
            "display_name": "备用管理员",
            "role": "admin",
            "password": passwords["admin-2"],
        },
    )
    assert made.status_code == 201, made.text
    for _ in range(5):
        clients = {who: api.sign_in(who, pw) for who, pw in passwords.items()}
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(_disable, [clients["admin"], clients["admin-2"]], ["admin-2", "admin"]))
        codes = sorted(a.status_code for a in answers)
        assert codes in ([200, 401], [200, 409]), [a.text for a in answers]
        active = [a for a in passwords if (get_account(api.store, a) or {}).get("active")]
        assert len(active) == 1, codes
        disabled = next(a for a in passwords if a not in active)
        with api.sign_in(active[0], passwords[active[0]]) as survivor:
            assert survivor.put(f"/accounts/{disabled}/active", json={"active": True}).status_code == 200
        for client in clients.values():
            client.close()
