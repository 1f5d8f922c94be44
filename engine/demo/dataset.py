"""The generated demo: property dicts per label and relationship rows per (type, start, end)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Labels in the order the loader writes them (parents of the taxonomy and territory first).
NODE_LABELS = (
    "Category", "Area", "Org", "Unit", "Member", "Agreement", "Series", "Need", "Offering", "Project",
    "Claim", "WorkLog", "Evaluation", "PointEntry", "Signup", "Booking", "Allocation",
    "Pledge", "PledgeProgress",
)  # fmt: skip

RelKey = tuple[str, str, str]  # (relationship type, start label, end label)


@dataclass
class DemoDataset:
    """A whole demo graph as plain data, ready for ``load_dataset`` or for export.

    Relationship rows are ``{"start": id, "end": id, "props": {...}}``, the shape the
    registered ``rel.bulk_create.*`` statements take.
    """

    size: str
    seed: int
    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rels: dict[RelKey, list[dict[str, Any]]] = field(default_factory=dict)

    def node_counts(self) -> dict[str, int]:
        """Nodes per label, for the labels the dataset has nodes of (a tiny one has no Series)."""
        return {label: len(rows) for label, rows in self.nodes.items() if rows}

    def rel_counts(self) -> dict[str, int]:
        """Relationships per type, summed over endpoint pairs."""
        out: dict[str, int] = {}
        for (rel_type, _start, _end), rows in self.rels.items():
            if rows:
                out[rel_type] = out.get(rel_type, 0) + len(rows)
        return out

    def counts(self) -> dict[str, int]:
        """Nodes per label and relationships per type in one map (labels and types never clash).

        The keys are the step names ``load_dataset`` reports progress under.
        """
        return {**self.node_counts(), **self.rel_counts()}

    def to_json(self) -> str:
        """The dataset as canonical JSON (sorted keys): equal datasets give equal text."""
        return json.dumps(
            {
                "size": self.size,
                "seed": self.seed,
                "nodes": self.nodes,
                "rels": {" ".join(key): rows for key, rows in self.rels.items()},
            },
            sort_keys=True,
            ensure_ascii=False,
        )
