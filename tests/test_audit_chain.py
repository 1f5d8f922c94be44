"""The sealed hash chain over the audit trail: sealing, verifying, tampering found, concurrent
sealers, events (imports, exports, job runs) audited, filters over HTTP, the CLI and the console."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import pytest

from engine.actors import SYSTEM
from engine.services.audit_chain import GENESIS, record_event, seal, verify
from engine.store.base import GraphStore
from engine.store.queries.nodes import node_stmt

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


@pytest.mark.parametrize("tamper", ["content", "missing", "prev_hash", "head", "removed_field"])
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
    stop = threading.Event()

    def writer() -> None:  # entries keep arriving while the sealers run
        i = 0
        while not stop.is_set() and i < 40:
            record_event(store, SYSTEM, "test.event", "Test", f"w{i}", {"i": i})
            i += 1

    def sealer() -> None:
        for _ in range(6):
            sealed.append(seal(store, batch=7))

    threads = [threading.Thread(target=f) for f in (writer, sealer, sealer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sealed.append(seal(store))
    report = verify(store)
    assert report.ok, report.broken
    assert (report.entries, report.unsealed) == (100, 0)
    assert sum(sealed) == 100  # no entry sealed twice
