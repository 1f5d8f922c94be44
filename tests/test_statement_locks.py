"""The lock-before-read idiom is kept by every check-then-write statement, and it is what keeps
concurrent writes honest on Neo4j.

Neo4j runs at read-committed isolation: a statement that checks a state (``WHERE n.status = 'open'``)
and then writes may act on what another transaction is changing, unless it first takes a write lock
(``SET n._lock = true REMOVE n._lock``) on the node its check depends on. FalkorDB runs writes one
at a time, so a missing lock shows only on Neo4j. Two guards:
- static, over the registry: in every write statement, the last check before the first write comes
  after a lock (the check is re-done once the lock is held); stripping the lock from each locked
  statement makes this check fail, so it can;
- a race on Neo4j: 50 concurrent claims of a need wanting one provider give exactly one winner, and
  more than one once the lock is stripped from the claim statement (the lock is what the
  concurrency tests rely on).
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import neo4j
import pytest
from conftest import BACKENDS, neo4j_uri
from test_services_concurrency import volunteers
from test_services_world import (
    NOW,
    World,
    need_draft,
    world_fixture,  # noqa: F401  (the fixture "world")
)

from engine.actors import Actor
from engine.errors import Conflict
from engine.services import ClaimRequest, NeedDraft, claim_need, post_need
from engine.settings import Settings
from engine.store.base import GraphStore
from engine.store.embedded import EmbeddedFalkorDB
from engine.store.errors import StatementError
from engine.store.neo4j_store import Neo4jStore
from engine.store.registry import REGISTRY, Statement, all_statements

CLAUSE = re.compile(
    r"\b(OPTIONAL MATCH|MATCH|WITH|WHERE|SET|REMOVE|CREATE|MERGE|RETURN|UNWIND|DETACH DELETE|DELETE|"
    r"CALL|FOREACH|ORDER BY|LIMIT|SKIP)\b"
)
LOCK = re.compile(r"SET (\w+)\._lock = true REMOVE \1\._lock")
WRITES = {"SET", "REMOVE", "DELETE", "DETACH DELETE", "CREATE", "MERGE", "FOREACH"}
MARK = "⟨lock⟩"


def clauses(text: str) -> list[tuple[str, str]]:
    """(keyword, body) of each clause, in order; a lock fragment becomes a marker in its body."""
    parts = CLAUSE.split(LOCK.sub(f" {MARK} ", text))
    out: list[tuple[str, str]] = [("", parts[0])]
    out += [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
    return out


ASSIGNED_FROM = re.compile(r"\w+\.\w+\s*=\s*([^,]*)")  # the right-hand side of each `x.p = …`
PROPERTY_READ = re.compile(r"(?<![$\w.])([a-z_]\w*)\.(?!_lock)\w+")  # `n.status`, not `$audit.id`


def read_modify_write(body: str, created: set[str]) -> bool:
    """Whether a SET clause computes a value from a property of a node it did not create."""
    return any(
        set(PROPERTY_READ.findall(rhs)) - created for rhs in ASSIGNED_FROM.findall(body.split(" AS ")[0])
    )


def unlocked_check(text: str) -> str | None:
    """The last check before the statement's first write (a WHERE, or a SET that reads what it
    changes) when no lock precedes it, else None."""
    found = clauses(text)
    created = {
        v for kw, body in found if kw in ("CREATE", "MERGE") for v in re.findall(r"\(\s*(\w+)\s*:", body)
    }
    first_write = next(
        (i for i, (kw, body) in enumerate(found) if kw in WRITES and MARK not in body), len(found)
    )
    checks = [i for i, (kw, _) in enumerate(found[:first_write]) if kw == "WHERE"]
    if (
        first_write < len(found)
        and found[first_write][0] == "SET"
        and read_modify_write(found[first_write][1], created)
    ):
        checks.append(first_write)
    if not checks:
        return None
    locks = [i for i, (_, body) in enumerate(found) if MARK in body]
    if locks and locks[0] < checks[-1]:
        return None
    return found[checks[-1]][1].strip()


def texts(stmt: Statement) -> set[str]:
    """The statement's texts on the backends it runs on."""
    return {t for t in (stmt.neo4j, stmt.falkordb) if t}


def locked_statements() -> list[Statement]:
    """The write statements that take a lock."""
    return [s for s in all_statements() if s.mode == "write" and any(LOCK.search(t) for t in texts(s))]


def test_every_check_then_write_statement_checks_under_a_lock() -> None:
    writes = [s for s in all_statements() if s.mode == "write"]
    assert len(locked_statements()) >= 20  # claims, needs, projects, evaluations, offerings, accounts…
    unguarded = {s.name: check for s in writes for t in texts(s) if (check := unlocked_check(t))}
    assert not unguarded, f"checks made before any lock is held: {unguarded}"


@pytest.mark.parametrize("stmt", locked_statements(), ids=lambda s: s.name)
def test_the_check_fails_on_the_statement_without_its_lock(stmt: Statement) -> None:
    for text in texts(stmt):
        stripped = LOCK.sub("WITH *", text)
        assert unlocked_check(stripped), f"{stmt.name} without its lock was not caught"


CLAIMANTS = 50


@contextmanager
def own_driver(database: str) -> Iterator[GraphStore]:
    """A store over a driver of one connection for one claimant. The claimants share no driver:
    under 50 deadlocking claims a shared pool once handed one connection to two threads (one sat
    in a blocking recv of the other's socket until the test timed out, twice in CI). A deadlocked
    claim gives up after 2 s of retries instead of the store driver's 30 s."""
    s = Settings()
    with neo4j.GraphDatabase.driver(
        neo4j_uri(),
        auth=(s.neo4j_user, s.neo4j_password),
        notifications_min_severity="OFF",
        max_transaction_retry_time=2.0,
        max_connection_pool_size=1,
        connection_acquisition_timeout=30.0,
    ) as driver:
        yield Neo4jStore(driver, database)


def claim_race(world: World, server: EmbeddedFalkorDB, round_: int, *, locked: bool = True) -> int:
    """Winners among CLAIMANTS concurrent claims of one new need that wants a single provider,
    each over its own driver. With the lock every other claim is a Conflict; without it some may
    also die in a deadlock (a StatementError), another symptom of the missing lock, which counts
    as no win."""
    crowd = volunteers(world, CLAIMANTS, prefix=f"R{round_}V")
    draft = NeedDraft(**need_draft("G1", people_wanted=1))
    need_id = post_need(world.store, world.actor("sec1"), draft, now=NOW)["id"]
    jobs = [(actor, ClaimRequest(need_id=need_id, offering_id=offering)) for actor, offering in crowd]
    gate = threading.Barrier(len(jobs))
    assert isinstance(world.store, Neo4jStore)
    database = world.store.database

    def attempt(job: tuple[Actor, ClaimRequest]) -> object:
        with own_driver(database) as store:
            gate.wait()
            try:
                return claim_need(store, job[0], job[1], now=NOW)
            except (Conflict, StatementError) as exc:
                return exc

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(attempt, jobs))
    allowed: tuple[type, ...] = (dict, Conflict) if locked else (dict, Conflict, StatementError)
    assert all(isinstance(r, allowed) for r in results), [r for r in results if not isinstance(r, allowed)]
    return sum(1 for r in results if isinstance(r, dict))


@pytest.mark.skipif("neo4j" not in BACKENDS, reason="the race shows only on Neo4j")
@pytest.mark.parametrize("empty_store", ["neo4j"], indirect=True)
def test_without_the_lock_concurrent_claims_overfill_a_need_on_neo4j(
    world: World, falkordb_server: EmbeddedFalkorDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert claim_race(world, falkordb_server, 0) == 1  # as the statement is

    for name in ("loop.claim.create.Member", "loop.claim.create.Unit"):
        stmt = REGISTRY[name]
        assert stmt.neo4j and LOCK.search(stmt.neo4j)
        monkeypatch.setitem(REGISTRY, name, dataclasses.replace(stmt, neo4j=LOCK.sub("WITH *", stmt.neo4j)))
    winners = [claim_race(world, falkordb_server, i, locked=False) for i in range(1, 4)]
    assert max(winners) > 1, f"no race lost without the lock in 3 tries: {winners}"
