"""The shape of the graph every analysis takes, and helpers to build one by hand (tests, notebooks).

A node is keyed by its ``id`` (application ids are unique across labels) and carries ``label`` plus
its properties; an edge carries ``type`` (the relationship type) plus its properties. The product's
graphs are projected from the store by ``engine.services.analytics_projection``; treat one as a
read-only snapshot (the analyses cache derived indexes per graph object).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx


def add_entity(graph: nx.MultiDiGraph, label: str, props: Mapping[str, Any]) -> str:
    """Add one node (keyed by ``props['id']``) with its label and properties; returns the id."""
    node_id = str(props["id"])
    graph.add_node(node_id, label=label, **props)
    return node_id


def add_tie(
    graph: nx.MultiDiGraph, rel_type: str, start: str, end: str, props: Mapping[str, Any] | None = None
) -> None:
    """Add one relationship ``start -[rel_type]-> end`` with its properties."""
    graph.add_edge(start, end, type=rel_type, **(props or {}))
