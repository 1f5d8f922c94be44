"""Write a generated demo into a store through the registered bulk statements, and count what is there."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.actors import Actor
from engine.demo.accounts import demo_account_drafts
from engine.demo.dataset import DemoDataset
from engine.services.accounts import create_account
from engine.store.base import GraphStore
from engine.store.queries import meta as meta_queries
from engine.store.queries.nodes import node_stmt, rel_stmt

Progress = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What ``load_dataset`` wrote and how long it took."""

    nodes: int
    relationships: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        """Nodes and relationships written per second."""
        return (self.nodes + self.relationships) / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True, slots=True)
class GraphCounts:
    """Nodes per label and relationships per type, as the store counts them."""

    nodes: dict[str, int]
    relationships: dict[str, int]


def _reporter(progress: Progress | None, step: str) -> Callable[[int], None] | None:
    if progress is None:
        return None
    return lambda done: progress(step, done)


def load_dataset(
    store: GraphStore, dataset: DemoDataset, *, batch_size: int = 2000, progress: Progress | None = None
) -> LoadReport:
    """Create every node (``node.bulk_create.<Label>``), then every relationship
    (``rel.bulk_create.<TYPE>.<Start>.<End>``), in batches of ``batch_size`` rows.

    The store must have the schema applied (the id indexes make relationship writes fast)
    and hold none of the dataset's ids yet. ``progress(step, rows)`` is called after each
    batch; steps are the keys of ``dataset.counts()`` (labels, then relationship types).
    """
    started = time.perf_counter()
    nodes = 0
    for label, rows in dataset.nodes.items():
        if rows:
            name = node_stmt("bulk_create", label)
            nodes += store.bulk(name, rows, batch_size=batch_size, on_batch=_reporter(progress, label))
    relationships = 0
    for (rel_type, start, end), rows in dataset.rels.items():
        if rows:
            name = rel_stmt("bulk_create", rel_type, start, end)
            relationships += store.bulk(
                name, rows, batch_size=batch_size, on_batch=_reporter(progress, rel_type)
            )
    store.compact()  # so a restart loads a snapshot instead of replaying every batch
    return LoadReport(nodes, relationships, time.perf_counter() - started)


def graph_counts(store: GraphStore) -> GraphCounts:
    """Nodes per label and relationships per type in the whole graph (for summaries and checks)."""
    nodes = {str(row["label"]): int(row["count"]) for row in store.run(meta_queries.COUNT_BY_LABEL)}
    rels = {str(row["type"]): int(row["count"]) for row in store.run(meta_queries.COUNT_BY_REL)}
    return GraphCounts(nodes, rels)


def create_demo_accounts(store: GraphStore, dataset: DemoDataset, actor: Actor) -> list[dict[str, Any]]:
    """Create one sign-in account per role in a freshly loaded demo graph; returns them (no hashes)."""
    return [create_account(store, actor, draft) for draft in demo_account_drafts(dataset)]
