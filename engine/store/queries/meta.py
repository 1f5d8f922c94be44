"""Statements about the graph itself: liveness, counts, schema version, bulk deletion."""

from engine.store.registry import cypher, dialects

PING = cypher("meta.ping", "read", "RETURN 1 AS ok")

COUNT_BY_LABEL = cypher(
    "meta.count_by_label",
    "read",
    "MATCH (n) RETURN labels(n)[0] AS label, count(n) AS count ORDER BY label",
    "nodes per label, for summaries",
)

COUNT_BY_REL = cypher(
    "meta.count_by_rel",
    "read",
    "MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS count ORDER BY type",
    "relationships per type, for summaries",
)

SCHEMA_VERSION_GET = cypher(
    "meta.schema_version_get",
    "read",
    "MATCH (v:SchemaVersion {id: 'schema'}) RETURN v.version AS version",
)

SCHEMA_VERSION_SET = cypher(
    "meta.schema_version_set",
    "write",
    """
    MERGE (v:SchemaVersion {id: 'schema'})
    SET v.version = $version, v.applied_at = $applied_at
    RETURN v.version AS version
    """,
)

DELETE_SOME = cypher(
    "meta.delete_some",
    "write",
    "MATCH (n) WITH n LIMIT $limit DETACH DELETE n RETURN count(n) AS deleted",
    "delete up to $limit nodes; repeat until 0 to empty a graph in bounded transactions",
)

FALKORDB_INDEXES = dialects(
    "meta.falkordb_indexes",
    "read",
    neo4j=None,
    falkordb="CALL db.indexes() YIELD label, properties, types RETURN label, properties, types",
    description="FalkorDB's indexes, to create only the missing ones",
)

FALKORDB_CONSTRAINTS = dialects(
    "meta.falkordb_constraints",
    "read",
    neo4j=None,
    falkordb="""
    CALL db.constraints() YIELD type, label, properties, status
    RETURN type, label, properties, status
    """,
    description="FalkorDB's constraints and whether they hold yet",
)

NEO4J_INDEX_NAMES = dialects(
    "meta.neo4j_index_names",
    "read",
    neo4j="SHOW INDEXES YIELD name RETURN name",
    falkordb=None,
    description="Neo4j's index and constraint-backed index names",
)
