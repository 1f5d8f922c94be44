"""Response schemas of the health resource."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Health(BaseModel):
    """Liveness of the service and of its graph store."""

    status: str = Field(examples=["ok"])
    backend: str = Field(description="graph store in use", examples=["falkordb"])
    schema_version: int | None = Field(description="schema version recorded in the graph", examples=[1])
    version: str = Field(description="lianjian version", examples=["0.1.0"])


class Live(BaseModel):
    """The process answers."""

    status: str = Field(examples=["ok"])


class Ready(BaseModel):
    """The graph store answers and its schema is the current one."""

    status: str = Field(examples=["ready"])
    backend: str = Field(description="graph store in use", examples=["falkordb"])
    schema_version: int = Field(description="schema version recorded in the graph", examples=[1])
