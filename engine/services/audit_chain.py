"""The tamper-evident audit trail: a hash chain sealed in Python right after the writes.

Every write's statement leaves an unsealed ``AuditEntry`` (no ``seq``). ``seal`` gives the oldest
unsealed entries, in (at, id) order, the next ``seq``, the previous entry's hash (``prev_hash``) and
their own ``hash``; the chain's head (``AuditChain {id:'main'}``) holds the last seq and hash.
``verify`` walks the chain in seq order and names the first broken link.

Canonical form of an entry (what its ``hash`` is the SHA-256 hex digest of): the entry's stored
properties except ``seq``, ``hash``, ``prev_hash`` and internal ones (``_lock`` …), absent and null
values left out, plus ``seq`` (an integer) and ``prev_hash``; a float with an integral value is
written as an integer (FalkorDB and Neo4j may return either for the same stored number); serialised
as JSON with sorted keys, separators ``,`` and ``:``, non-ASCII characters as themselves, UTF-8.
The first entry's ``prev_hash`` is 64 zeros (``GENESIS``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from engine.actors import Actor
from engine.services.clock import utc_now
from engine.services.records import audit_record
from engine.store.base import GraphStore
from engine.store.queries import audit_chain as q

log = logging.getLogger("lianjian.audit")

GENESIS = "0" * 64
CHAIN_FIELDS = frozenset({"seq", "hash", "prev_hash"})
Problem = Literal["content", "missing", "prev_hash", "order", "head"]


def _norm(value: Any) -> Any:
    """``value`` with integral floats as ints (lists too), so both backends serialise alike."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def canonical(entry: Mapping[str, Any], seq: int, prev_hash: str) -> bytes:
    """The bytes an entry's hash is taken over (see the module's docstring)."""
    body = {
        k: _norm(v)
        for k, v in entry.items()
        if k not in CHAIN_FIELDS and not k.startswith("_") and v is not None
    }
    body["seq"] = int(seq)
    body["prev_hash"] = prev_hash
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8")


def entry_hash(entry: Mapping[str, Any], seq: int, prev_hash: str) -> str:
    """SHA-256 hex digest of the entry's canonical form."""
    return hashlib.sha256(canonical(entry, seq, prev_hash)).hexdigest()


# Sealing -----------------------------------------------------------------------------------------


def _head(store: GraphStore) -> tuple[int, str]:
    """The head's seq and hash; created (MERGE, a write) only when it does not exist yet."""
    row = store.one(q.HEAD) or store.one(q.ENSURE_HEAD, {"genesis": GENESIS, "now": utc_now()})
    assert row is not None  # MERGE always returns the head
    return int(row["seq"]), str(row["hash"])


def seal(store: GraphStore, batch: int = 500, attempts: int = 8) -> int:
    """Seal every unsealed entry, oldest first, ``batch`` per statement; returns how many.

    Each batch is written with a compare-and-set on the head, so concurrent sealers (threads or
    processes) never fork the chain: the loser writes nothing, re-reads and carries on after the
    winner. Gives up after ``attempts`` lost races in a row (the winner is sealing anyway).
    """
    sealed, lost = 0, 0
    while True:
        seq, prev = _head(store)
        rows = store.run(q.UNSEALED, {"limit": batch})
        if not rows:
            return sealed
        out = []
        for row in rows:
            entry = row["entry"]
            seq += 1
            digest = entry_hash(entry, seq, prev)
            out.append({"id": entry["id"], "seq": seq, "prev_hash": prev, "hash": digest})
            prev = digest
        won = store.one(
            q.SEAL,
            {
                "from_seq": out[0]["seq"] - 1,
                "from_hash": out[0]["prev_hash"],
                "rows": out,
                "to_seq": seq,
                "to_hash": prev,
                "now": utc_now(),
            },
        )
        if won is None:
            lost += 1
            if lost >= attempts:
                log.info("audit seal: gave up after %d lost races (sealed %d)", lost, sealed)
                return sealed
            time.sleep(random.uniform(0.005, 0.05) * lost)
            continue
        lost = 0
        sealed += int(won["sealed"])
        if len(rows) < batch:
            return sealed


# Verifying ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """The first place the chain does not hold: where, which entry, and what is wrong."""

    seq: int
    entry_id: str | None
    problem: Problem
    detail: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    """What ``verify`` found: entries checked, entries not yet sealed, the head, the first break."""

    entries: int
    unsealed: int
    head_seq: int
    broken: BrokenLink | None

    @property
    def ok(self) -> bool:
        """True when every sealed entry and the head hold."""
        return self.broken is None

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data (the API's answer)."""
        return {**asdict(self), "ok": self.ok}


def _entries(store: GraphStore, upto: int, page: int) -> Iterator[dict[str, Any]]:
    """Sealed entries with 0 < seq <= ``upto`` in seq order, one seq range per query."""
    after = 0
    while after < upto:
        end = min(after + page, upto)
        for row in store.run(q.PAGE, {"after": after, "upto": end}):
            yield row["entry"]
        after = end


def verify(store: GraphStore, page: int = 5000) -> ChainReport:
    """Walk the chain from seq 1 to the head and report the first broken link, if any."""
    head = store.one(q.HEAD)
    head_seq, head_hash = (int(head["seq"]), str(head["hash"])) if head else (0, GENESIS)
    unsealed = int((store.one(q.COUNT_UNSEALED) or {"n": 0})["n"])
    seq, prev, last_id, checked = 0, GENESIS, None, 0

    def report(broken: BrokenLink | None) -> ChainReport:
        return ChainReport(checked, unsealed, head_seq, broken)

    for entry in _entries(store, head_seq, page):
        at, eid = int(entry["seq"]), str(entry["id"])
        if at <= seq:
            return report(BrokenLink(at, eid, "order", f"序号 {at} 重复或顺序错乱"))
        if at > seq + 1:
            return report(BrokenLink(seq + 1, eid, "missing", f"缺少序号 {seq + 1} 的记录(已被删除)"))
        if entry.get("prev_hash") != prev:
            return report(BrokenLink(at, eid, "prev_hash", f"序号 {at} 的前序哈希与上一条记录不符"))
        if entry.get("hash") != entry_hash(entry, at, prev):
            return report(BrokenLink(at, eid, "content", f"序号 {at} 的内容已被改动(哈希不符)"))
        seq, prev, last_id, checked = at, str(entry["hash"]), eid, checked + 1
    if seq < head_seq:
        return report(
            BrokenLink(seq + 1, last_id, "head", f"链尾缺少序号 {seq + 1}–{head_seq} 的记录(已被截断)")
        )
    if prev != head_hash:
        return report(BrokenLink(seq, last_id, "head", "链头的哈希与最后一条记录不符"))
    # A sealer may have moved the head since it was read: entries and head move in one statement,
    # so the highest seq read first may not pass the head read after it.
    beyond = (store.one(q.MAX_SEQ) or {}).get("max_seq")
    now = store.one(q.HEAD)
    limit = max(head_seq, int(now["seq"])) if now else head_seq
    if beyond is not None and int(beyond) > limit:
        return report(BrokenLink(limit + 1, None, "head", f"有序号超过链头({limit})的记录"))
    return report(None)


# Events that are not part of a domain write --------------------------------------------------------


def record_event(
    store: GraphStore,
    actor: Actor,
    action: str,
    label: str,
    entity_id: str,
    details: Mapping[str, Any],
    *,
    at: str | None = None,
) -> str:
    """Write one audit entry of an event (an import, an export, a job run) with its details as
    the entry's ``after``; returns the entry's id. ``entity_id`` is cut to the schema's 64 chars."""
    audit = audit_record(actor, action, label, entity_id[:64], at or utc_now(), before=None, after=details)
    store.run(q.EVENT, {"audit": audit})
    return str(audit["id"])


# Sealing soon after the writes -----------------------------------------------------------------------


class BackgroundSealer:
    """A thread that seals when woken (after a write; the writes of the next ``gather`` seconds join
    that round) and every ``interval`` seconds anyway.

    ``wake`` only sets a flag, so a request never waits for sealing; a failed round is logged
    and retried at the next wake.
    """

    def __init__(
        self, store: GraphStore, interval: float = 5.0, batch: int = 500, gather: float = 1.0
    ) -> None:
        self.store, self.interval, self.batch, self.gather = store, interval, batch, gather
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, name="audit-sealer", daemon=True)

    def start(self) -> BackgroundSealer:
        """Start the thread; returns self."""
        self._thread.start()
        return self

    def wake(self) -> None:
        """Ask for a round soon (cheap: sets an event)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Seal what is left, then end the thread."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            self._wake.wait(self.interval)
            self._stop.wait(self.gather)  # a burst of writes, one round: a round reads all unsealed
            self._wake.clear()
            try:
                seal(self.store, batch=self.batch)
            except Exception:  # the store may be briefly away; the next round retries
                log.exception("audit seal failed")
            if self._stop.is_set():
                return
