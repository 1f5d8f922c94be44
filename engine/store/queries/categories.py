"""The service taxonomy managed in place (issue 12): ``Category`` nodes with ``PART_OF`` their parent.

The standard list (graph_schema/taxonomy.py) is written into the graph when missing (``SEED``:
creates only, never overwrites); administrators then add, rename, retire and restore entries, each
one statement with its audit entry. A retired entry keeps its node, so needs and offerings that
use it still name it.
"""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock
from engine.store.registry import cypher

LIST = cypher(
    "categories.list",
    "read",
    """
    MATCH (c:Category)
    WITH c, [(c)-[:PART_OF]->(p:Category) | p.id] AS parent_ids
    RETURN c {.*} AS category, parent_ids
    ORDER BY c.id
    """,
    "every category node of the graph with its parent",
)

GET = cypher(
    "categories.get",
    "read",
    """
    MATCH (c:Category {id: $id})
    WITH c, [(c)-[:PART_OF]->(p:Category) | p {.*}] AS parents
    RETURN c {.*} AS category, parents
    """,
    "one category node with its parent (whose retirement retires its items too)",
)

SEED = cypher(
    "categories.seed",
    "write",
    """
    UNWIND $rows AS row
    MERGE (c:Category {id: row.id})
    ON CREATE SET c = row.props
    WITH c, row
    OPTIONAL MATCH (p:Category {id: row.parent})
    WITH c, p, [(c)-[r:PART_OF]->(q:Category) | q.id] AS parent_ids
    FOREACH (x IN CASE WHEN p IS NULL OR size(parent_ids) > 0 THEN [] ELSE [p] END |
        CREATE (c)-[:PART_OF]->(x))
    RETURN count(c) AS rows
    """,
    "the standard taxonomy's entries missing from the graph (existing nodes are left as they are)",
)

ADD = cypher(
    "categories.add",
    "write",
    f"""
    MERGE (c:Category {{id: $id}})
    ON CREATE SET c._created = $nonce
    WITH c
    WHERE c._created = $nonce
    REMOVE c._created
    SET c += $props
    WITH c
    OPTIONAL MATCH (p:Category {{id: $parent_id}})
    FOREACH (x IN CASE WHEN p IS NULL THEN [] ELSE [p] END | CREATE (c)-[:PART_OF]->(x))
    {AUDIT}
    RETURN c.id AS id
    """,
    "an administrator adds a category or an item under one (refused when the code exists)",
)

RENAME = cypher(
    "categories.rename",
    "write",
    f"""
    MATCH (c:Category {{id: $id}})
    {lock("c")}
    WITH c
    WHERE c.name = $before_name
    SET c.name = $name, c.description = coalesce($description, c.description), c.updated_at = $now
    {AUDIT}
    RETURN c.id AS id
    """,
    "an administrator renames a category (if it still has the name the rename was based on)",
)

SET_STATUS = cypher(
    "categories.set_status",
    "write",
    f"""
    MATCH (c:Category {{id: $id}})
    {lock("c")}
    WITH c
    WHERE coalesce(c.status, 'active') = $from
    SET c.status = $to, c.retired_at = $retired_at, c.updated_at = $now
    {AUDIT}
    RETURN c.id AS id
    """,
    "an administrator retires a category (no new needs or offerings use it; history kept) or restores it",
)

USAGE = cypher(
    "categories.usage",
    "read",
    """
    MATCH (n:Need)
    WHERE n.category = $id OR n.category STARTS WITH $prefix
    WITH count(n) AS needs
    OPTIONAL MATCH (f:Offering)
    WHERE f.category = $id OR f.category STARTS WITH $prefix
    RETURN needs, count(f) AS offerings
    """,
    "how many needs and offerings use a category or its items (what retiring it leaves as history)",
)
