"""GraphStore: the only place that speaks Cypher; embedded FalkorDB or Neo4j 5 behind one interface."""

from engine.store.base import GraphStore, Row
from engine.store.connect import open_store
from engine.store.errors import ConstraintViolation, StatementError, StoreError, StoreUnavailable
from engine.store.schema_apply import SchemaReport, apply_schema

__all__ = [
    "ConstraintViolation",
    "GraphStore",
    "Row",
    "SchemaReport",
    "StatementError",
    "StoreError",
    "StoreUnavailable",
    "apply_schema",
    "open_store",
]
