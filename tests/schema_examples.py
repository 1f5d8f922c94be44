"""Valid example payloads for any label or relationship type, built from its Prop specs.

The contract tests parametrize over the whole schema, so the payloads must follow the
schema as it grows: required props, the first allowed code, the right type and range.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from graph_schema.domain import SCHEMA
from graph_schema.model import Prop, PropType

# One example text per index, Chinese on purpose: it must round-trip unchanged.
TEXTS = ("联建共建示例", "党群服务中心", "网格党支部“微心愿”")


def _clamp(value: float, prop: Prop) -> float:
    if prop.minimum is not None:
        value = max(value, prop.minimum)
    if prop.maximum is not None:
        value = min(value, prop.maximum)
    return value


def example_value(prop: Prop, n: int = 0) -> Any:
    """A valid value of ``prop``; ``n`` varies it so several examples differ."""
    if prop.choices:
        code = prop.choices[n % len(prop.choices)]
        return [code] if prop.type is PropType.STRING_LIST else code
    if prop.type is PropType.STRING:
        if prop.name == "id":
            return f"ex-{uuid.uuid4().hex[:16]}"
        text = f"{TEXTS[n % len(TEXTS)]}{n}"
        return text[: prop.max_length] if prop.max_length else text
    if prop.type is PropType.INTEGER:
        return int(_clamp(3 + n, prop))
    if prop.type is PropType.FLOAT:
        return float(_clamp(1.5 + n, prop))
    if prop.type is PropType.BOOLEAN:
        return n % 2 == 0
    if prop.type is PropType.DATETIME:
        return f"2026-11-{24 - n % 20:02d}T08:00:00Z"
    if prop.type is PropType.DATE:
        return f"2026-11-{24 - n % 20:02d}"
    if prop.type is PropType.STRING_LIST:
        return [f"技能{n}", "急救", "法律咨询"]
    raise AssertionError(f"no example for {prop.type}")  # pragma: no cover - exhaustive above


def example_props(props: Iterable[Prop], n: int = 0, *, full: bool = True) -> dict[str, Any]:
    """A payload for ``props``: every property when ``full``, else only the required ones."""
    return {p.name: example_value(p, n) for p in props if full or p.required}


def example_node(label: str, n: int = 0, *, full: bool = True) -> dict[str, Any]:
    """A valid payload for a node of ``label`` with a fresh unique id."""
    return example_props(SCHEMA.label(label).props, n, full=full)


def example_rel_props(rel_type: str, n: int = 0) -> dict[str, Any]:
    """A valid property map for a relationship of ``rel_type`` (empty when it has none)."""
    return example_props(SCHEMA.rel(rel_type).props, n)
