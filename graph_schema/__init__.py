"""The graph's vocabulary as typed data: labels, properties, relationships, DDL, versions."""

from graph_schema.domain import SCHEMA, SCHEMA_VERSION
from graph_schema.model import Label, Prop, PropType, RelType, Schema

__all__ = ["SCHEMA", "SCHEMA_VERSION", "Label", "Prop", "PropType", "RelType", "Schema"]
