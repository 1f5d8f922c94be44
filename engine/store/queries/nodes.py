"""Generic statements per label and per relationship endpoint pair, generated from the schema.

Labels and relationship types are the schema's own names, never user data (Cypher cannot
take them as parameters); every value travels as a parameter.
"""

from __future__ import annotations

from engine.store.registry import Statement, cypher
from graph_schema.domain import SCHEMA


def node_stmt(action: str, label: str) -> str:
    """Name of the generic statement ``action`` for ``label``."""
    return f"node.{action}.{label}"


def rel_stmt(action: str, rel_type: str, start: str, end: str) -> str:
    """Name of the generic statement ``action`` for one endpoint pair of ``rel_type``."""
    return f"rel.{action}.{rel_type}.{start}.{end}"


def _register_label(label: str) -> list[Statement]:
    n = f"(n:{label}"
    return [
        cypher(node_stmt("create", label), "write", f"CREATE {n}) SET n = $props RETURN n.id AS id"),
        cypher(node_stmt("get", label), "read", f"MATCH {n} {{id: $id}}) RETURN n {{.*}} AS node"),
        cypher(
            node_stmt("get_many", label), "read", f"MATCH {n}) WHERE n.id IN $ids RETURN n {{.*}} AS node"
        ),
        cypher(
            node_stmt("update", label),
            "write",
            f"MATCH {n} {{id: $id}}) SET n += $props RETURN n {{.*}} AS node",
        ),
        cypher(
            node_stmt("delete", label),
            "write",
            f"MATCH {n} {{id: $id}}) DETACH DELETE n RETURN count(n) AS deleted",
        ),
        cypher(
            node_stmt("list", label),
            "read",
            f"MATCH {n}) RETURN n {{.*}} AS node ORDER BY n.id SKIP $skip LIMIT $limit",
        ),
        cypher(node_stmt("count", label), "read", f"MATCH {n}) RETURN count(n) AS count"),
        cypher(node_stmt("bulk_create", label), "write", f"UNWIND $rows AS row CREATE {n}) SET n = row"),
        cypher(
            node_stmt("bulk_upsert", label),
            "write",
            f"UNWIND $rows AS row MERGE {n} {{id: row.id}}) SET n += row",
        ),
        cypher(
            node_stmt("bulk_delete", label),
            "write",
            f"UNWIND $ids AS id MATCH {n} {{id: id}}) DETACH DELETE n RETURN count(n) AS deleted",
        ),
    ]


def _register_pair(rel_type: str, start: str, end: str) -> list[Statement]:
    match = f"UNWIND $rows AS row MATCH (a:{start} {{id: row.start}}) MATCH (b:{end} {{id: row.end}})"
    return [
        cypher(
            rel_stmt("bulk_create", rel_type, start, end),
            "write",
            f"{match} CREATE (a)-[r:{rel_type}]->(b) SET r = row.props",
        ),
        cypher(
            rel_stmt("bulk_merge", rel_type, start, end),
            "write",
            f"{match} MERGE (a)-[r:{rel_type}]->(b) SET r += row.props",
        ),
        cypher(
            rel_stmt("delete", rel_type, start, end),
            "write",
            f"MATCH (a:{start} {{id: $start}})-[r:{rel_type}]->(b:{end} {{id: $end}}) "
            "DELETE r RETURN count(r) AS deleted",
        ),
        cypher(
            rel_stmt("list", rel_type, start, end),
            "read",
            f"MATCH (a:{start})-[r:{rel_type}]->(b:{end}) "
            "RETURN a.id AS start_id, b.id AS end_id, properties(r) AS props "
            "ORDER BY start_id, end_id SKIP $skip LIMIT $limit",
        ),
    ]


for _label in SCHEMA.labels:
    _register_label(_label.name)
for _rel in SCHEMA.rel_types:
    for _start, _end in _rel.endpoint_pairs():
        _register_pair(_rel.name, _start, _end)
