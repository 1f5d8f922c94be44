"""Loading the demo into a real store: everything arrives, linked to the right ids, with progress reported."""

from __future__ import annotations

from collections import Counter

import pytest

from engine.actors import Actor, Role
from engine.demo import generate, graph_counts, load_dataset
from engine.demo.history import RESPONSE_HOURS
from engine.errors import Forbidden
from engine.services.clock import parse
from engine.services.needs import get_need
from engine.services.points import balance
from engine.services.reports import org_report
from engine.settings import Settings
from engine.store import GraphStore
from engine.store.errors import ConstraintViolation
from engine.store.queries.nodes import rel_stmt


def test_loading_tiny_gives_the_dataset_counts(store: GraphStore) -> None:
    ds = generate("tiny")
    steps: Counter[str] = Counter()
    report = load_dataset(store, ds, batch_size=97, progress=lambda step, n: steps.update({step: n}))
    counts = graph_counts(store)
    assert {k: v for k, v in counts.nodes.items() if k != "SchemaVersion"} == ds.node_counts()
    assert counts.relationships == ds.rel_counts()
    assert report.nodes == sum(ds.node_counts().values())
    assert report.relationships == sum(ds.rel_counts().values())
    assert dict(steps) == ds.counts()  # every step reports all of its rows, under the names counts() uses


def test_loaded_relationships_join_the_generated_ids(store: GraphStore) -> None:
    ds = generate("tiny", 5)
    load_dataset(store, ds)
    for rel, start, end in (
        ("BELONGS_TO", "Member", "Org"),
        ("HOLDS", "Member", "Org"),
        ("SERVES", "Unit", "Project"),
    ):
        stored = store.run(rel_stmt("list", rel, start, end), {"skip": 0, "limit": 100_000})
        got = Counter((r["start_id"], r["end_id"], (r["props"] or {}).get("role")) for r in stored)
        want = Counter((x["start"], x["end"], x["props"].get("role")) for x in ds.rels[(rel, start, end)])
        assert got == want, rel


def test_loading_twice_is_refused_by_the_unique_ids(store: GraphStore) -> None:
    ds = generate("tiny")
    load_dataset(store, ds)
    with pytest.raises(ConstraintViolation):
        load_dataset(store, ds)


def test_the_loaded_history_gives_a_street_a_real_response_rate(store: GraphStore) -> None:
    """The report's response rate is strictly between 0 and 1 and equals the share computed from the rows."""
    ds = generate("tiny")
    load_dataset(store, ds)
    street = next(o["id"] for o in ds.nodes["Org"] if o["level"] == "street")
    led: dict[str, list[str]] = {}
    for x in ds.rels[("LEADS", "Org", "Org")]:
        led.setdefault(x["start"], []).append(x["end"])
    subtree, todo = set(), [street]
    while todo:
        org = todo.pop()
        subtree.add(org)
        todo += led.get(org, [])
    posted = {x["start"] for x in ds.rels[("POSTED_BY", "Need", "Org")] if x["end"] in subtree}
    claimed_at = {c["id"]: c["created_at"] for c in ds.nodes["Claim"]}
    first: dict[str, str] = {}
    for x in ds.rels[("FOR", "Claim", "Need")]:
        first[x["end"]] = min(first.get(x["end"], "9999"), claimed_at[x["start"]])
    cohort = [n for n in ds.nodes["Need"] if n["id"] in posted and n["status"] != "cancelled"]
    limit = RESPONSE_HOURS * 3600
    responded = sum(
        1
        for n in cohort
        if n["id"] in first and (parse(first[n["id"]]) - parse(n["created_at"])).total_seconds() <= limit
    )
    report = org_report(
        store,
        Actor("admin", Role.ADMIN),
        street,
        "2000-01-01T00:00:00Z",
        "2100-01-01T00:00:00Z",
        settings=Settings(response_hours=RESPONSE_HOURS),
    )
    rate = report["response"]["rate"]
    assert 0 < rate < 1
    assert (report["response"]["responded"], report["response"]["needs"]) == (responded, len(cohort))
    assert report["points_total"] == sum(
        e["points"] for e in ds.nodes["PointEntry"]
    )  # one street: all of them
    assert report["satisfaction"]["ratings"] > 0


def test_point_balances_are_the_sums_of_the_generated_entries(store: GraphStore) -> None:
    ds = generate("tiny")
    load_dataset(store, ds)
    points = {e["id"]: e["points"] for e in ds.nodes["PointEntry"]}
    want: Counter[str] = Counter()
    for holder in ("Unit", "Member", "Org"):
        for x in ds.rels.get(("CREDITS", "PointEntry", holder), []):
            want[x["end"]] += points[x["start"]]
    admin = Actor("admin", Role.ADMIN)
    got = {holder_id: balance(store, admin, holder_id)["balance"] for holder_id in want}
    assert got == dict(want) and sum(got.values()) > 0


def test_a_provider_opens_the_need_of_its_past_project(store: GraphStore) -> None:
    ds = generate("tiny")
    load_dataset(store, ds)
    done = {p["id"] for p in ds.nodes["Project"] if p["status"] in ("completed", "evaluated")}
    need_of = {x["start"]: x["end"] for x in ds.rels[("FULFILLS", "Project", "Need")]}
    opened = 0
    for kind, role in (("Unit", Role.UNIT), ("Member", Role.MEMBER)):
        for x in ds.rels.get(("SERVES", kind, "Project"), []):
            if x["end"] in done:
                provider = Actor(f"acct-{x['start']}", role, subject_id=x["start"])
                assert get_need(store, provider, need_of[x["end"]])["id"] == need_of[x["end"]]
                opened += 1
    assert opened > 0
    outsider = next(
        u["id"]
        for u in ds.nodes["Unit"]
        if u["id"] not in {x["start"] for x in ds.rels[("SERVES", "Unit", "Project")]}
    )
    with pytest.raises(Forbidden):
        get_need(store, Actor("acct-x", Role.UNIT, subject_id=outsider), need_of[sorted(done)[0]])
