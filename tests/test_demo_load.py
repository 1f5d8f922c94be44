"""Loading the demo into a real store: everything arrives, linked to the right ids, with progress reported."""

from __future__ import annotations

from collections import Counter

import pytest

from engine.demo import generate, graph_counts, load_dataset
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
