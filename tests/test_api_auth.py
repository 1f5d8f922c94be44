"""Sign-in and accounts through the real server: tokens, expiry, disabled accounts, admin only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api_world import ROLES, ApiWorld, api_fixture  # noqa: F401  (the fixture "api")

from api.auth.tokens import issue_token
from engine.demo.accounts import DEMO_PASSWORD


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
    secret = api.server.server.config.app.state.token_secret  # type: ignore[attr-defined]
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
    assert api.client("unit").post("/auth/password", json={"password": "a-new-password"}).status_code == 204
    with api.anonymous() as anon:
        assert (
            anon.post("/auth/token", data={"username": "unit", "password": DEMO_PASSWORD}).status_code == 401
        )
    with api.sign_in("unit", "a-new-password") as again:
        assert again.get("/auth/me").status_code == 200
