"""Concurrent claims on a real FalkorDB: many providers claim one need at once (each thread with
its own client on the same graph) and exactly the right number win; an offering's capacity
holds when it is used for many needs at once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from test_services_world import (
    NOW,
    World,
    count,
    need_draft,
    offering_draft,
    world_fixture,  # noqa: F401  (the fixture "world")
)

from engine.actors import Actor, Role
from engine.errors import Conflict
from engine.services import ClaimRequest, NeedDraft, claim_need, get_need, get_project, list_claims, post_need
from engine.services.offerings import register_offering
from engine.store.base import GraphStore
from engine.store.embedded import EmbeddedFalkorDB
from engine.store.queries.nodes import node_stmt, rel_stmt

CLAIMANTS = 50


def store_per_thread(store: GraphStore, server: EmbeddedFalkorDB) -> Callable[[], GraphStore]:
    """A factory of stores on the test's graph: a new FalkorDB client each (Neo4j shares its driver)."""
    if store.backend != "falkordb":
        return lambda: store
    from falkordb import FalkorDB

    from engine.store.falkordb_store import FalkorDBStore

    graph = store.graph_name  # type: ignore[attr-defined]
    return lambda: FalkorDBStore(FalkorDB(unix_socket_path=str(server.socket_path)), graph)


def volunteers(w: World, n: int, prefix: str = "V") -> list[tuple[Actor, str]]:
    """``n`` new members of G1 (ids ``prefix`` + number), each with one offering of capacity 1:
    (actor, offering id)."""
    ids = [f"{prefix}{i:03d}" for i in range(n)]
    w.store.run(
        node_stmt("bulk_create", "Member"),
        {"rows": [{"id": i, "name": f"志愿者{i}", "created_at": NOW, "updated_at": NOW} for i in ids]},
    )
    w.store.run(
        rel_stmt("bulk_create", "BELONGS_TO", "Member", "Org"),
        {"rows": [{"start": i, "end": "G1", "props": {}} for i in ids]},
    )
    out = []
    for i in ids:
        actor = Actor(f"acc-{i}", Role.MEMBER, subject_id=i)
        out.append((actor, register_offering(w.store, actor, offering_draft(capacity=1), now=NOW)["id"]))
    return out


def race(shared: GraphStore, server: EmbeddedFalkorDB, jobs: list[tuple[Actor, ClaimRequest]]) -> list[Any]:
    """Run every claim at once (threads released together, each with its own store client);
    each result is the claim or the Conflict."""
    factory = store_per_thread(shared, server)
    stores = [factory() for _ in jobs]
    gate = threading.Barrier(len(jobs))

    def attempt(i: int) -> Any:
        actor, req = jobs[i]
        gate.wait()
        try:
            return claim_need(stores[i], actor, req, now=NOW)
        except Conflict as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(attempt, range(len(jobs))))
    for s in stores:
        if s is not shared:
            s.close()
    return results


@pytest.mark.parametrize("wanted", [1, 3])
def test_parallel_claims_let_exactly_the_wanted_number_win(
    world: World, falkordb_server: EmbeddedFalkorDB, wanted: int
) -> None:
    w, s = world, world.store
    crowd = volunteers(w, CLAIMANTS)
    need_id = post_need(s, w.actor("sec1"), NeedDraft(**need_draft("G1", people_wanted=wanted)), now=NOW)[
        "id"
    ]
    audits = count(s, "AuditEntry")
    jobs = [(actor, ClaimRequest(need_id=need_id, offering_id=offering)) for actor, offering in crowd]
    results = race(s, falkordb_server, jobs)

    wins = [r for r in results if isinstance(r, dict)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == wanted and len(losses) == CLAIMANTS - wanted
    assert Counter(e.code for e in losses) == {"need_full": CLAIMANTS - wanted}
    assert all("认领满额" in e.message_zh for e in losses)
    # Exactly one claim filled the need and made its project, staffed by the winners.
    assert sum(1 for r in wins if r["project_id"]) == 1
    need = get_need(s, w.actor("sec1"), need_id)
    assert need["status"] == "claimed" and need["claimed"] == wanted
    project = get_project(s, w.actor("sec1"), need["project_id"])
    assert {p["provider_id"] for p in project["providers"]} == {r["provider_id"] for r in wins}
    active = list_claims(s, w.actor("sec1"), need_id=need_id, status="active")
    assert len(active) == wanted
    assert count(s, "Project") == 1 and count(s, "Claim") == wanted
    assert count(s, "AuditEntry") == audits + wanted  # the losers wrote nothing


def test_an_offering_used_for_many_needs_at_once_keeps_its_capacity(
    world: World, falkordb_server: EmbeddedFalkorDB
) -> None:
    w, s = world, world.store
    capacity, needs = 2, 5
    offering = register_offering(s, w.actor("U1"), offering_draft(capacity=capacity, period="week"), now=NOW)[
        "id"
    ]
    need_ids = [
        post_need(s, w.actor("sec1"), NeedDraft(**need_draft(title=f"需求{i}")), now=NOW)["id"]
        for i in range(needs)
    ]
    jobs = [(w.actor("U1"), ClaimRequest(need_id=n, offering_id=offering)) for n in need_ids]
    results = race(s, falkordb_server, jobs)

    wins = [r for r in results if isinstance(r, dict)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == capacity
    assert Counter(e.code for e in losses) == {"capacity_exhausted": needs - capacity}
    claimed = {n for n in need_ids if get_need(s, w.actor("sec1"), n)["status"] == "claimed"}
    assert claimed == {r["need_id"] for r in wins}
    assert len(list_claims(s, w.actor("U1"), status="active")) == capacity
