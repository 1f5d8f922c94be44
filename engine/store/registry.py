"""The one registry of Cypher statements: every query and write the product runs, by name.

A statement is portable Cypher (ARCHITECTURE.md) unless the dialects really differ, in
which case it carries one text per backend. Tests list the registry to lint every Neo4j
text with Neo4j's own parser and to run every FalkorDB text on a real server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Mode = Literal["read", "write"]
Backend = Literal["falkordb", "neo4j"]


@dataclass(frozen=True, slots=True)
class Statement:
    """A named Cypher statement. ``None`` for a backend means it does not run there."""

    name: str
    mode: Mode
    neo4j: str | None
    falkordb: str | None
    description: str = ""

    def text(self, backend: Backend) -> str:
        """The Cypher for ``backend``; KeyError when the statement has no text for it."""
        text = self.neo4j if backend == "neo4j" else self.falkordb
        if text is None:
            raise KeyError(f"statement {self.name} does not run on {backend}")
        return text


REGISTRY: dict[str, Statement] = {}


def register(stmt: Statement) -> Statement:
    """Add ``stmt`` to the registry; a second statement with the same name is a bug."""
    existing = REGISTRY.get(stmt.name)
    if existing is not None and existing != stmt:
        raise ValueError(f"statement {stmt.name} registered twice with different text")
    REGISTRY[stmt.name] = stmt
    return stmt


def cypher(name: str, mode: Mode, text: str, description: str = "") -> Statement:
    """Register a portable statement that runs unchanged on both backends."""
    return register(Statement(name, mode, text.strip(), text.strip(), description))


def dialects(
    name: str, mode: Mode, *, neo4j: str | None, falkordb: str | None, description: str = ""
) -> Statement:
    """Register a statement whose text differs per backend."""
    return register(
        Statement(
            name, mode, neo4j.strip() if neo4j else None, falkordb.strip() if falkordb else None, description
        )
    )


def get(name: str) -> Statement:
    """The statement called ``name``; loads every query module first."""
    import engine.store.queries  # noqa: F401  (registers all statements)

    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"no registered statement named {name!r}") from None


def all_statements() -> list[Statement]:
    """Every registered statement, sorted by name."""
    import engine.store.queries  # noqa: F401  (registers all statements)

    return sorted(REGISTRY.values(), key=lambda s: s.name)
