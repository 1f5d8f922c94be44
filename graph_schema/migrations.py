"""Schema versions and the migrations between them.

The graph records its version in one ``SchemaVersion`` node. A migration is a list of
named statements (registered, so they are linted and tested like every other) that take
the graph from ``version - 1`` to ``version``; the store runs the missing ones in order.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph_schema.domain import SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class Migration:
    """Steps from ``version - 1`` to ``version``: names of registered write statements."""

    version: int
    description: str
    statements: tuple[str, ...]


# Version 1 is the initial schema: nothing to migrate. Later issues append here.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        2,
        "hours confirmed before they earn points: earlier work logs confirmed on finished projects, "
        "pending on the rest; logged and confirmed hours kept apart on SERVES and Project",
        ("migrate.v2.work_logs", "migrate.v2.serves_hours", "migrate.v2.project_hours"),
    ),
    Migration(
        3,
        "unsealed audit entries labelled Unsealed, so the sealer reads only them, not the whole trail",
        ("migrate.v3.unsealed_audit",),
    ),
)


def pending(current: int | None, target: int = SCHEMA_VERSION) -> list[Migration]:
    """The migrations to run, in order, for a graph at ``current`` (None: an empty graph)."""
    start = current or 0
    return [m for m in MIGRATIONS if start < m.version <= target]
