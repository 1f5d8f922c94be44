"""The sealed hash chain over the audit trail: sealing, verifying, tampering found, concurrent
sealers, events (imports, exports, job runs) audited, filters over HTTP, the CLI and the console."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from api_world import ApiWorld, api_fixture  # noqa: F401  (the `api` fixture)
from console_world import browser_fixture, page_for, shot  # noqa: F401  (the `browser` fixture)
from playwright.sync_api import expect
from test_api_concurrency import need_body
from test_cli import run_cli

from engine.actors import SYSTEM
from engine.services.audit import list_audit
from engine.services.audit_chain import GENESIS, record_event, seal, verify
from engine.settings import Settings
from engine.store.base import GraphStore
from engine.store.connect import open_store
from engine.store.queries import audit_chain as chain_queries
from engine.store.queries.nodes import node_stmt
from engine.store.registry import all_statements

AE = "AuditEntry"


def _events(store: GraphStore, n: int, prefix: str = "e") -> list[str]:
    return [
        record_event(store, SYSTEM, "test.event", "Test", f"{prefix}{i}", {"i": i, "名": "张三"})
        for i in range(n)
    ]


def _entry(store: GraphStore, entry_id: str) -> dict[str, Any]:
    row = store.one(node_stmt("get", AE), {"id": entry_id})
    assert row is not None
    return dict(row["node"])


def _by_seq(store: GraphStore) -> dict[int, dict[str, Any]]:
    rows = store.run(node_stmt("list", AE), {"skip": 0, "limit": 1000})
    return {r["node"]["seq"]: r["node"] for r in rows if r["node"].get("seq") is not None}


def test_seal_makes_a_chain_that_verifies_and_later_entries_are_sealed_later(store: GraphStore) -> None:
    assert verify(store).ok and verify(store).entries == 0
    _events(store, 7)
    report = verify(store)
    assert (report.entries, report.unsealed, report.ok) == (0, 7, True)
    assert seal(store, batch=3) == 7
    chain = _by_seq(store)
    assert sorted(chain) == list(range(1, 8))
    assert chain[1]["prev_hash"] == GENESIS
    assert all(chain[s]["prev_hash"] == chain[s - 1]["hash"] for s in range(2, 8))
    assert len({e["hash"] for e in chain.values()}) == 7
    _events(store, 2, prefix="late")  # written after the seal: unsealed until the next one
    report = verify(store)
    assert (report.entries, report.unsealed, report.head_seq, report.ok) == (7, 2, 7, True)
    assert seal(store) == 2 and seal(store) == 0
    report = verify(store, page=3)  # several pages
    assert (report.entries, report.unsealed, report.head_seq, report.ok) == (9, 0, 9, True)


UNLABELLED_AUDIT = re.compile(r"CREATE\s*\(\s*\w*\s*:\s*AuditEntry\s*(?!:\s*Unsealed)[{)\s]")


def test_every_statement_writes_its_audit_entry_unsealed() -> None:
    """The sealer finds entries by the label Unsealed: an entry created without it would never be
    sealed (and verify would not count it). The generic node statements are left out: they write
    the rows they are given (the demo loader, tests), and no domain write audits through them."""
    domain = [s for s in all_statements() if not s.name.startswith("node.")]
    texts = {s.name: {t for t in (s.neo4j, s.falkordb) if t} for s in domain}
    creating = {name for name, ts in texts.items() if any(":AuditEntry" in t and "CREATE" in t for t in ts)}
    assert len(creating) >= 50  # every write statement audits itself
    bare = [name for name in creating for t in texts[name] if UNLABELLED_AUDIT.search(t)]
    assert not bare, f"audit entries created without the Unsealed label: {bare}"
    assert UNLABELLED_AUDIT.search("CREATE (a:AuditEntry) SET a = $audit")  # so it can fail


def test_sealed_entries_lose_the_unsealed_label(store: GraphStore) -> None:
    ids = _events(store, 3)
    labelled = store.run(chain_queries.UNSEALED, {"limit": 10})  # found by the label alone
    assert sorted(r["entry"]["id"] for r in labelled) == sorted(ids)
    assert seal(store) == 3
    assert store.run(chain_queries.UNSEALED, {"limit": 10}) == [] and len(_by_seq(store)) == 3


def test_the_hash_is_the_same_on_both_backends(store: GraphStore) -> None:
    """A fixed entry's hash is a constant: FalkorDB and Neo4j store and return it alike."""
    audit = {
        "id": "0000000000000001fixedentry000001",
        "at": "2026-12-07T08:00:00Z",
        "actor": "cli",
        "role": "admin",
        "action": "import",
        "entity_label": "Import",
        "entity_id": "members.csv",
        "after": '{"rows":{"Member":12}}',
    }
    store.run("audit.event", {"audit": audit})
    seal(store)
    # the documented canonical form, written out by hand: sorted keys, no spaces, seq and prev_hash
    text = (
        '{"action":"import","actor":"cli","after":"{\\"rows\\":{\\"Member\\":12}}",'
        '"at":"2026-12-07T08:00:00Z","entity_id":"members.csv","entity_label":"Import",'
        f'"id":"0000000000000001fixedentry000001","prev_hash":"{"0" * 64}","role":"admin","seq":1}}'
    )
    expected = hashlib.sha256(text.encode()).hexdigest()
    assert expected == "b62cd348dcf1b2116838502b510b204fcdd234efea5883d98aa9640c472acea3"
    assert _entry(store, audit["id"])["hash"] == expected


@pytest.mark.parametrize("tamper", ["content", "missing", "prev_hash", "head", "removed_field", "head_back"])
def test_tampering_is_found_at_the_first_broken_link(store: GraphStore, tamper: str) -> None:
    _events(store, 6)
    seal(store)
    chain = _by_seq(store)
    if tamper in ("content", "removed_field"):
        # removing a field (set to null) changes the canonical form as much as changing it
        value = "forged" if tamper == "content" else None
        store.run(node_stmt("update", AE), {"id": chain[3]["id"], "props": {"entity_id": value}})
        expect = (3, chain[3]["id"], "content")
    elif tamper == "missing":
        store.run(node_stmt("delete", AE), {"id": chain[3]["id"]})
        expect = (3, chain[4]["id"], "missing")
    elif tamper == "prev_hash":
        store.run(node_stmt("update", AE), {"id": chain[4]["id"], "props": {"prev_hash": "f" * 64}})
        expect = (4, chain[4]["id"], "prev_hash")
    elif tamper == "head_back":  # the head set back to seq 4: entries 5 and 6 lie beyond it
        store.run(
            node_stmt("update", "AuditChain"), {"id": "main", "props": {"seq": 4, "hash": chain[4]["hash"]}}
        )
        expect = (5, None, "head")
    else:  # the last entry deleted: the chain itself is intact, but shorter than its head says
        store.run(node_stmt("delete", AE), {"id": chain[6]["id"]})
        expect = (6, chain[5]["id"], "head")
    report = verify(store)
    assert report.broken is not None and not report.ok
    assert (report.broken.seq, report.broken.entry_id, report.broken.problem) == expect
    assert report.broken.detail  # a message for people


def test_two_concurrent_sealers_make_one_unbroken_chain(store: GraphStore) -> None:
    _events(store, 60)
    sealed: list[int] = []
    reports: list[Any] = []
    sealing = threading.Event()

    def writer() -> None:  # entries keep arriving while the sealers run
        for i in range(40):
            record_event(store, SYSTEM, "test.event", "Test", f"w{i}", {"i": i})

    def sealer() -> None:
        for _ in range(6):
            sealed.append(seal(store, batch=7))

    def verifier() -> None:  # verifying while the head moves never reports a break
        while sealing.is_set() and len(reports) < 50:
            reports.append(verify(store, page=10))

    sealing.set()
    threads = [threading.Thread(target=f) for f in (writer, sealer, sealer)]
    checker = threading.Thread(target=verifier)
    for t in [*threads, checker]:
        t.start()
    for t in threads:
        t.join()
    sealing.clear()
    checker.join()
    sealed.append(seal(store))
    assert reports and all(r.ok for r in reports), [r.broken for r in reports if not r.ok]
    report = verify(store)
    assert report.ok, report.broken
    assert (report.entries, report.unsealed) == (100, 0)
    assert sum(sealed) == 100  # no entry sealed twice


# Events: imports, exports, job runs --------------------------------------------------------------


def test_cli_import_and_export_are_audited_and_verify_exits_1_on_tampering(
    settings_for: Settings, tmp_path: Path
) -> None:
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("id,name,level,kind\norg-1,玉林街道党工委,street,big_council\n", encoding="utf-8")
    bad = tmp_path / "units.csv"
    bad.write_text("id,name\nu-1,\n", encoding="utf-8")
    assert run_cli(settings_for, "import", str(orgs)).returncode == 0
    assert run_cli(settings_for, "import", str(bad)).returncode == 1  # rejected: audited all the same
    done = run_cli(settings_for, "export", str(tmp_path / "out.json"), "--format", "json")
    assert done.returncode == 0, done.stderr
    ok = run_cli(settings_for, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "ok: 3 entries, chain intact" in ok.stdout  # sealed by the commands themselves
    with open_store(settings_for) as store:
        entries = {e["action"]: e for e in list_audit(store, SYSTEM, entity_label=None, limit=10)}
        assert set(entries) == {"import", "import.rejected", "export"}
        imported = entries["import"]
        assert (imported["actor"], imported["entity_label"], imported["entity_id"]) == (
            "cli",
            "Import",
            "orgs.csv",
        )
        assert imported["after"]["rows"] == {"orgs": 1} and imported["after"]["written"] == {"orgs": 1}
        assert imported["after"]["by"]  # the operating-system user
        assert entries["import.rejected"]["after"]["problems"] >= 1
        exported = entries["export"]["after"]
        assert (exported["format"], exported["scope"], exported["masked"]) == ("json", None, False)
        assert (exported["nodes"]["Org"], exported["nodes"]["AuditEntry"]) == (1, 2)  # the two imports
        assert exported["files"] == [str(tmp_path / "out.json")]
        store.run(
            node_stmt("update", AE), {"id": imported["id"], "props": {"after": '{"rows":{"orgs":1000}}'}}
        )
    broken = run_cli(settings_for, "audit", "verify")
    assert broken.returncode == 1
    assert f"seq {imported['seq']}" in broken.stderr and imported["id"] in broken.stderr
    assert "content" in broken.stderr and "Traceback" not in broken.stderr


def test_a_worker_job_run_that_changed_something_leaves_one_entry(store: GraphStore) -> None:
    from engine.notify.worker import jobs

    past = "2026-01-01T00:00:00Z"
    store.run(
        node_stmt("create", "Need"),
        {
            "props": {
                "id": "N-old",
                "title": "旧需求",
                "status": "open",
                "window_start": past,
                "window_end": past,
            }
        },
    )
    run = jobs(store, Settings(), None)
    assert run["expire_needs"]() == {"expired": 1}
    assert run["expire_needs"]() == {"expired": 0}  # a run that changed nothing leaves no entry
    assert run["deliver"]() == {"leased": 0}
    job_entries = list_audit(store, SYSTEM, entity_label="Job")
    assert [(e["action"], e["actor"], e["after"]) for e in job_entries] == [
        ("job.expire_needs", "system", {"expired": 1})
    ]
    assert run["seal_audit"]() == {"sealed": 2}  # the need's expiry and the run
    assert verify(store).ok and verify(store).entries == 2


# Filters over HTTP, sealing in the API, the console ---------------------------------------------


def test_filters_and_verify_over_http_and_the_api_seals_by_itself(api: ApiWorld) -> None:
    admin, sec = api.client("admin"), api.client("secretary")
    org = sec.get("/auth/me").json()["scope_org_id"]
    made = sec.post("/needs", json=need_body(org, 1))
    assert made.status_code == 201, made.text
    need = made.json()["id"]
    # the write woke the sealer: soon nothing is left unsealed, and the chain holds
    deadline = time.monotonic() + 20
    while (report := admin.get("/audit/verify").json())["unsealed"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert report["ok"] and report["unsealed"] == 0 and report["entries"] == report["head_seq"] > 0
    everything = admin.get("/audit", params={"limit": 500}).json()
    assert all(e["seq"] and len(e["hash"]) == 64 for e in everything)

    def ids(**params: Any) -> list[str]:
        answer = admin.get("/audit", params={"limit": 500, **params})
        assert answer.status_code == 200, answer.text
        return [e["id"] for e in answer.json()]

    def expected(keep: Any) -> list[str]:
        return [e["id"] for e in everything if keep(e)]

    posted = ids(actor="secretary")
    assert posted and posted == expected(lambda e: e["actor"] == "secretary")
    assert (
        ids(action="need.post", entity_id=need)
        == expected(lambda e: e["action"] == "need.post" and e["entity_id"] == need)
        and len(ids(action="need.post", entity_id=need)) == 1
    )
    assert ids(action="account") == expected(lambda e: e["action"].startswith("account."))
    assert ids(entity_label="Account") == expected(lambda e: e["entity_label"] == "Account")
    middle = sorted({e["at"] for e in everything})
    cut = middle[len(middle) // 2]
    assert ids(since=cut) == expected(lambda e: e["at"] >= cut)
    assert ids(until=cut) == expected(lambda e: e["at"] <= cut)
    beijing = (datetime.fromisoformat(cut.replace("Z", "+00:00")) + timedelta(hours=8)).strftime(
        "%Y-%m-%dT%H:%M:%S"
    )
    assert ids(since=beijing) == ids(since=cut)  # a time without a zone is Beijing time
    assert ids(skip=1, limit=2) == [e["id"] for e in everything][1:3]
    for bad in ({"since": "yesterday"}, {"since": "2026-12-02T00:00:00Z", "until": "2026-12-01T00:00:00Z"}):
        refused = admin.get("/audit", params=bad)
        assert refused.status_code == 422 and refused.json()["message"], refused.text
    assert sec.get("/audit/verify").status_code == 403
    # tampering shows in the API's report too
    api.store.run(node_stmt("delete", AE), {"id": everything[-1]["id"]})  # the oldest: seq 1
    broken = admin.get("/audit/verify").json()["broken"]
    assert (broken["seq"], broken["problem"]) == (1, "missing")


def test_console_audit_page_filters_and_verifies(browser: Any, api: ApiWorld) -> None:
    admin = page_for(browser, api, "admin")
    admin.get_by_role("link", name="操作日志").click()
    admin.locator("#audit").wait_for()
    filters = admin.get_by_role("form", name="筛选操作日志")
    filters.get_by_label("操作", exact=True).fill("account.create")
    filters.get_by_label("对象编号").fill("planner")
    filters.get_by_role("button", name="筛选").click()
    admin.wait_for_url("**#/audit?*")
    # the filtered list replaces the whole one (an account is created once: one row)
    rows = admin.locator("#audit tbody tr")
    expect(rows).to_have_count(1)
    assert rows.count() == 1 and "创建账号" in rows.first.inner_text()
    assert filters.get_by_label("对象编号").input_value() == "planner"  # the filter stays shown
    deadline = time.monotonic() + 30  # the API seals by itself within seconds of the last write
    while api.client("admin").get("/audit/verify").json()["unsealed"] and time.monotonic() < deadline:
        time.sleep(0.2)
    admin.get_by_role("button", name="核验哈希链").click()
    result = admin.locator("#chain-result")
    result.wait_for()
    report = api.client("admin").get("/audit/verify").json()
    assert f"已核验 {report['entries']} 条记录" in result.inner_text() and report["ok"]
    shot(admin, "admin-audit-filtered")
