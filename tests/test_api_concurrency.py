"""Concurrent claims over HTTP on a real uvicorn server: 50 providers, each signed in with its own
account and offering, claim one need at the same instant; exactly the wanted number win, the
others get 409 with a Chinese message, nothing else is written and no offering exceeds its
capacity."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from api_world import ApiWorld, api_fixture  # noqa: F401  (the fixture "api")

from api.auth.tokens import issue_token
from engine.services.clock import utc_now
from engine.store.queries.nodes import node_stmt

CLAIMANTS = 50
ACCOUNT_PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$not-a-usable-hash"
"""Accounts made here sign in by token only; their stored hash matches no password."""


def make_accounts(api: ApiWorld, accounts: Iterable[dict[str, Any]]) -> None:
    """Store accounts (``id``, ``role`` and ``scope_org_id`` or ``subject_id``) in one bulk write:
    argon2 hashing costs 0.4 s per password, too slow for dozens of test accounts."""
    now = utc_now()
    rows = [
        {"display_name": a["id"], "password_hash": ACCOUNT_PASSWORD_HASH, "active": True, "created_at": now,
         "updated_at": now, **a}
        for a in accounts
    ]  # fmt: skip
    api.store.run(node_stmt("bulk_create", "Account"), {"rows": rows})


def signed_in(api: ApiWorld, account_id: str) -> httpx.Client:
    """A client with a bearer token of ``account_id``, signed with the server's secret (as
    ``/auth/token`` would issue it, without the password check)."""
    secret = api.server.server.config.app.state.token_secret  # type: ignore[union-attr]
    token = issue_token(account_id, secret, 60)
    return httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def need_body(org_id: str, people_wanted: int, **extra: Any) -> dict[str, Any]:
    """A valid need for ``org_id`` whose window is open now and for the next 30 days."""
    now = datetime.now(UTC)
    return {
        "org_id": org_id,
        "title": "楼道清理志愿服务",
        "description": "清理楼道堆放杂物,需志愿者协助",
        "category": "environment.cleanup",
        "people_wanted": people_wanted,
        "window_start": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "window_end": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **extra,
    }


def offering_body(capacity: int) -> dict[str, Any]:
    """A valid service offering with ``capacity`` claims a month."""
    return {
        "title": "周末志愿服务",
        "category": "environment.cleanup",
        "capacity": capacity,
        "period": "month",
    }


def providers(api: ApiWorld, n: int) -> list[dict[str, Any]]:
    """``n`` demo providers (half units, half members) with a fresh account each."""
    units = [("unit", u["id"]) for u in api.dataset.nodes["Unit"]]
    members = [("member", m["id"]) for m in api.dataset.nodes["Member"]]
    picked = [*units[1 : 1 + n // 2], *members[1 : 1 + n - n // 2]]
    return [
        {"id": f"race-{role}-{i:02d}", "role": role, "subject_id": sid}
        for i, (role, sid) in enumerate(picked)
    ]


def race(clients: list[httpx.Client], bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    """POST every claim at once: the threads are released together by a barrier."""
    gate = threading.Barrier(len(clients))

    def attempt(i: int) -> httpx.Response:
        gate.wait()
        return clients[i].post("/claims", json=bodies[i])

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return list(pool.map(attempt, range(len(clients))))


def audit_count(api: ApiWorld) -> int:
    """How many audit entries the graph holds."""
    return int(api.store.one(node_stmt("count", "AuditEntry"), {})["count"])  # type: ignore[index]


def test_fifty_parallel_claims_over_http_let_exactly_the_wanted_number_win(api: ApiWorld) -> None:
    crowd = providers(api, CLAIMANTS)
    make_accounts(api, crowd)
    clients = [signed_in(api, a["id"]) for a in crowd]
    try:
        offerings = []
        for client in clients:
            made = client.post("/offerings", json=offering_body(capacity=2))
            assert made.status_code == 201, made.text
            offerings.append(made.json()["id"])
        community = api.accounts["secretary"]["scope_org_id"]
        for wanted in (1, 3):
            posted = api.client("secretary").post("/needs", json=need_body(community, wanted))
            assert posted.status_code == 201, posted.text
            need_id = posted.json()["id"]
            audits = audit_count(api)

            answers = race(clients, [{"need_id": need_id, "offering_id": o} for o in offerings])

            statuses = Counter(a.status_code for a in answers)
            assert statuses == {201: wanted, 409: CLAIMANTS - wanted}, statuses
            losses = [a.json() for a in answers if a.status_code == 409]
            assert {e["code"] for e in losses} == {"need_full"}
            assert all("认领满额" in e["message"] for e in losses)
            winners = [offerings[i] for i, a in enumerate(answers) if a.status_code == 201]
            assert sum(1 for a in answers if a.status_code == 201 and a.json()["project_id"]) == 1
            assert audit_count(api) == audits + wanted  # the 49 (or 47) refusals wrote nothing

            need = api.client("secretary").get(f"/needs/{need_id}").json()
            assert need["status"] == "claimed" and need["claimed"] == wanted
            claims = api.client("secretary").get("/claims", params={"need_id": need_id}).json()
            assert sorted(c["offering_id"] for c in claims if c["status"] == "active") == sorted(winners)
            for client, offering in zip(clients, offerings, strict=True):
                seen = client.get(f"/offerings/{offering}").json()
                assert seen["used_in_period"] <= seen["capacity"] == 2
        used = [
            c.get(f"/offerings/{o}").json()["used_in_period"] for c, o in zip(clients, offerings, strict=True)
        ]
        assert sum(used) == 1 + 3  # every winning claim, and nothing else, took capacity
    finally:
        for client in clients:
            client.close()
