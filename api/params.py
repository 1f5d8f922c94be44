"""Query parameters shared by the list routes, with their allowed values in the OpenAPI itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Query


def status_query(statuses: Mapping[str, str], example: str) -> Any:
    """An optional ``status`` filter whose OpenAPI lists the codes ``statuses`` allows (the engine
    refuses any other with a Chinese message)."""
    words = " · ".join(f"{code} {name}" for code, name in statuses.items())
    return Query(
        None,
        description=f"按状态筛选:{words}",
        examples=[example],
        json_schema_extra={"enum": list(statuses)},
    )
