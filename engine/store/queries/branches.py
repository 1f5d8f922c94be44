"""三缘 feature branches (issue 12): members join and leave them (``(:Member)-[:JOINS {since}]->(:Org)``)
without touching their formal affiliation (BELONGS_TO). Each write locks the branch first."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock
from engine.store.registry import cypher

BRANCH = cypher(
    "branches.get",
    "read",
    """
    MATCH (o:Org {id: $id})
    WITH o, [(p:Org)-[:LEADS]->(o) | p.id] AS parent_ids,
         size([(x:Member)-[j:JOINS]->(o) | x]) AS joined
    RETURN o {.id, .name, .level, .kind, .basis} AS org, parent_ids, joined
    """,
    "one org with the orgs leading it and how many members joined it",
)

LIST = cypher(
    "branches.list",
    "read",
    """
    MATCH (o:Org {kind: 'feature'})
    WHERE $org_ids IS NULL OR o.id IN $org_ids
    WITH o, [(p:Org)-[:LEADS]->(o) | p.id] AS parent_ids,
         size([(x:Member)-[j:JOINS]->(o) | x]) AS joined
    RETURN o {.id, .name, .level, .kind, .basis} AS org, parent_ids, joined
    ORDER BY o.id
    """,
    "the 三缘 feature branches (of some orgs, or all), each with how many members joined it",
)

ROSTER = cypher(
    "branches.roster",
    "read",
    """
    MATCH (o:Org {id: $id})
    WITH o
    MATCH (m:Member)-[j:JOINS]->(o)
    WITH m, j, [(m)-[:BELONGS_TO]->(b:Org) | {id: b.id, name: b.name}] AS belongs_to
    RETURN m.id AS id, m.name AS name, m.phone AS phone, j.since AS since, belongs_to
    ORDER BY m.id SKIP $skip LIMIT $limit
    """,
    "the members who joined a branch, with when and their formal affiliation",
)

OF_MEMBER = cypher(
    "branches.of_member",
    "read",
    """
    MATCH (m:Member {id: $member_id})
    WITH m
    MATCH (m)-[j:JOINS]->(o:Org)
    RETURN o {.id, .name, .level, .kind, .basis} AS org, j.since AS since
    ORDER BY o.id
    """,
    "the branches one member joined",
)

JOIN = cypher(
    "branches.join",
    "write",
    f"""
    MATCH (o:Org {{id: $org_id}})
    {lock("o")}
    WITH o
    MATCH (m:Member {{id: $member_id}})
    WITH o, m, [(x:Member)-[jx:JOINS]->(o) | x.id] AS joined
    WHERE o.kind = 'feature' AND NOT (m.id IN joined)
    CREATE (m)-[j:JOINS]->(o) SET j.since = $since
    {AUDIT}
    RETURN o.id AS id
    """,
    "a member joins a 三缘 feature branch (once); the formal affiliation is not touched",
)

LEAVE = cypher(
    "branches.leave",
    "write",
    f"""
    MATCH (o:Org {{id: $org_id}})
    {lock("o")}
    WITH o
    MATCH (m:Member {{id: $member_id}})
    WITH o, m, [(x:Member)-[jx:JOINS]->(o) | x.id] AS joined
    WHERE m.id IN joined
    MATCH (m)-[j:JOINS]->(o)
    DELETE j
    WITH DISTINCT o
    {AUDIT}
    RETURN o.id AS id
    """,
    "a member leaves a branch it joined (the audit entry keeps when it joined and left)",
)
