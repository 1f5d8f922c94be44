"""Typed building blocks of the graph's vocabulary: properties, labels, relationship types."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class PropType(StrEnum):
    """Value types a property may hold; all portable between Neo4j and FalkorDB."""

    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATETIME = "datetime"  # ISO-8601 UTC string, e.g. 2026-11-24T08:00:00Z (never a driver datetime)
    DATE = "date"  # ISO-8601 date string, e.g. 2026-11-24
    STRING_LIST = "string_list"  # homogeneous list of strings


@dataclass(frozen=True, slots=True)
class Prop:
    """One property of a label or relationship type.

    ``pii`` marks personal data that is masked for roles that must not see it;
    ``choices`` restricts a string (or each item of a string list) to known codes.
    """

    name: str
    type: PropType
    required: bool = False
    pii: bool = False
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    title_zh: str = ""


@dataclass(frozen=True, slots=True)
class Label:
    """A node label with its properties; every label has a unique, indexed ``id``."""

    name: str
    title_zh: str
    props: tuple[Prop, ...]
    fulltext: tuple[str, ...] = ()  # properties covered by the full-text index

    def prop(self, name: str) -> Prop | None:
        """The property called ``name``, or None."""
        for p in self.props:
            if p.name == name:
                return p
        return None

    @property
    def pii_props(self) -> tuple[str, ...]:
        """Names of the properties that hold personal data."""
        return tuple(p.name for p in self.props if p.pii)


@dataclass(frozen=True, slots=True)
class RelType:
    """A relationship type with the labels it may start and end at."""

    name: str
    title_zh: str
    starts: tuple[str, ...]
    ends: tuple[str, ...]
    props: tuple[Prop, ...] = ()

    def endpoint_pairs(self) -> list[tuple[str, str]]:
        """Every (start label, end label) pair this type allows."""
        return [(s, e) for s in self.starts for e in self.ends]

    def prop(self, name: str) -> Prop | None:
        """The property called ``name``, or None."""
        for p in self.props:
            if p.name == name:
                return p
        return None


@dataclass(frozen=True, slots=True)
class Schema:
    """The whole vocabulary at one version."""

    version: int
    labels: tuple[Label, ...]
    rel_types: tuple[RelType, ...]
    _by_label: dict[str, Label] = field(default_factory=dict, compare=False, repr=False)
    _by_rel: dict[str, RelType] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_label.update({lb.name: lb for lb in self.labels})
        self._by_rel.update({r.name: r for r in self.rel_types})
        for r in self.rel_types:
            for lb in (*r.starts, *r.ends):
                if lb not in self._by_label:
                    raise ValueError(f"relationship {r.name} names unknown label {lb}")

    def label(self, name: str) -> Label:
        """The label called ``name``; KeyError when it is not in the schema."""
        return self._by_label[name]

    def rel(self, name: str) -> RelType:
        """The relationship type called ``name``; KeyError when it is not in the schema."""
        return self._by_rel[name]

    def has_label(self, name: str) -> bool:
        """Whether ``name`` is a label of the schema."""
        return name in self._by_label

    def has_rel(self, name: str) -> bool:
        """Whether ``name`` is a relationship type of the schema."""
        return name in self._by_rel
