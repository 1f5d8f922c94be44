"""Posts 职务 held by members (issue 12): ``(:Member)-[:HOLDS {id, role, since, until, unit_id}]->(:Org)``.

A post that ends keeps its relationship with ``until`` set (history); a current post has no
``until``. Each write locks the org first, so concurrent assignments to one org see each other.
Posts imported or generated before issue 12 may have no ``id``: they are addressed by the key
``h:<org id>:<member id>:<role>`` (``POST_KEY``) until an edit or an end writes it as their id.
"""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock
from engine.store.registry import cypher


def post_key(h: str, o: str, m: str) -> str:
    """Cypher for the id of post ``h`` of member ``m`` at org ``o`` (schema names only)."""
    return f"coalesce({h}.id, 'h:' + {o}.id + ':' + {m}.id + ':' + {h}.role)"


_VIEW = f"""
RETURN {post_key("h", "o", "m")} AS id, h.role AS role, h.since AS since, h.until AS until,
       h.unit_id AS unit_id, h.note AS note, h.ended_reason AS ended_reason,
       m.id AS member_id, m.name AS member_name, m.phone AS member_phone,
       o.id AS org_id, o.name AS org_name, u.name AS unit_name
"""

LIST = cypher(
    "posts.list",
    "read",
    f"""
    MATCH (o:Org {{id: $org_id}})
    WITH o
    MATCH (m:Member)-[h:HOLDS]->(o)
    WHERE $all OR h.until IS NULL
    WITH o, m, h
    OPTIONAL MATCH (u:Unit {{id: h.unit_id}})
    WITH o, m, h, u
    {_VIEW}
    """,
    "the posts of one org: current ones, or with the ended ones too (history)",
)

GET = cypher(
    "posts.get",
    "read",
    f"""
    MATCH (m:Member)-[h:HOLDS]->(o:Org)
    WHERE {post_key("h", "o", "m")} = $id
    WITH o, m, h
    OPTIONAL MATCH (u:Unit {{id: h.unit_id}})
    WITH o, m, h, u
    {_VIEW}
    """,
    "one post by its id (or the key of a post stored without one)",
)

OF_MEMBER = cypher(
    "posts.of_member",
    "read",
    f"""
    MATCH (m:Member {{id: $member_id}})
    WITH m
    MATCH (m)-[h:HOLDS]->(o:Org)
    WITH o, m, h
    OPTIONAL MATCH (u:Unit {{id: h.unit_id}})
    WITH o, m, h, u
    {_VIEW}
    """,
    "every post of one member, current ones first (with the ended ones: history)",
)

ASSIGN = cypher(
    "posts.assign",
    "write",
    f"""
    MATCH (o:Org {{id: $org_id}})
    {lock("o")}
    WITH o
    MATCH (m:Member {{id: $member_id}})
    OPTIONAL MATCH (u:Unit {{id: $unit_id}})
    WITH o, m, u,
         [(x:Member)-[hx:HOLDS]->(o) WHERE hx.role = $role AND hx.until IS NULL | x.id] AS holders
    WHERE ($unit_id IS NULL OR u IS NOT NULL) AND NOT (m.id IN holders)
      AND (NOT $sole OR size(holders) = 0 OR $replace)
    WITH o, m
    OPTIONAL MATCH (prev:Member)-[old:HOLDS]->(o)
    WHERE $replace AND old.role = $role AND old.until IS NULL
    SET old.until = $since, old.ended_reason = $replaced_reason,
        old.id = coalesce(old.id, 'h:' + o.id + ':' + prev.id + ':' + old.role)
    WITH DISTINCT o, m
    CREATE (m)-[h:HOLDS]->(o) SET h = $props
    {AUDIT}
    RETURN h.id AS id
    """,
    "a member takes a post at an org (a 兼职委员 names an existing unit); nobody holds the same "
    "role there twice at once; for a sole role (书记) the current holder's post ends the day the new "
    "one starts (history kept) when $replace, else the assignment is refused",
)

EDIT = cypher(
    "posts.edit",
    "write",
    f"""
    MATCH (o:Org {{id: $org_id}})
    {lock("o")}
    WITH o
    MATCH (m:Member)-[h:HOLDS]->(o)
    WHERE {post_key("h", "o", "m")} = $id AND h.until IS NULL
    OPTIONAL MATCH (u:Unit {{id: $unit_id}})
    WITH o, m, h, u,
         [(x:Member)-[hx:HOLDS]->(o) WHERE hx.role = $role AND hx.until IS NULL
          | {post_key("hx", "o", "x")}] AS same_role,
         [(y:Member)-[hy:HOLDS]->(o) WHERE hy.role = $role AND hy.until IS NULL | y.id] AS role_holders
    WHERE h.role = $before_role AND coalesce(h.since, '') = coalesce($before_since, '')
      AND coalesce(h.unit_id, '') = coalesce($before_unit_id, '')
      AND coalesce(h.note, '') = coalesce($before_note, '')
      AND ($unit_id IS NULL OR u IS NOT NULL)
      AND (NOT $sole OR size([k IN same_role WHERE k <> $id]) = 0)
      AND (h.role = $role OR NOT (m.id IN role_holders))
    SET h.role = $role, h.since = $since, h.unit_id = $unit_id, h.note = $note, h.id = $id
    {AUDIT}
    RETURN h.id AS id
    """,
    "a current post's role, start date, unit or note changes if it still has the values the edit "
    "was based on; a sole role (书记) gets no second current holder, and nobody holds a role twice",
)

END = cypher(
    "posts.end",
    "write",
    f"""
    MATCH (o:Org {{id: $org_id}})
    {lock("o")}
    WITH o
    MATCH (m:Member)-[h:HOLDS]->(o)
    WHERE {post_key("h", "o", "m")} = $id AND h.until IS NULL AND coalesce(h.since, '') <= $until
    SET h.until = $until, h.ended_reason = $reason, h.id = $id
    {AUDIT}
    RETURN h.id AS id
    """,
    "a current post ends on a date (not before it started), with a reason; the post stays as history",
)

BULK_IMPORT = cypher(
    "posts.bulk_import",
    "write",
    f"""
    UNWIND $rows AS row
    MATCH (o:Org {{id: row.org_id}})
    {lock("o")}
    WITH o, row
    MATCH (m:Member {{id: row.member_id}})
    OPTIONAL MATCH (m)-[old:HOLDS]->(o)
    WHERE coalesce(old.id, 'h:' + o.id + ':' + m.id + ':' + old.role) = row.props.id
    WITH m, o, row, collect(old) AS found
    FOREACH (x IN found | SET x += row.props)
    FOREACH (_ IN CASE WHEN size(found) = 0 THEN [1] ELSE [] END |
        CREATE (m)-[h:HOLDS]->(o) SET h = row.props)
    RETURN count(row) AS rows
    """,
    "posts from an import file, upserted by post id (a post with an id already stored is updated)",
)

ALL = cypher(
    "posts.all",
    "read",
    f"""
    MATCH (m:Member)-[h:HOLDS]->(o:Org)
    WHERE $org_ids IS NULL OR o.id IN $org_ids
    WITH o, m, h
    OPTIONAL MATCH (u:Unit {{id: h.unit_id}})
    WITH o, m, h, u
    {_VIEW}
    ORDER BY org_id, member_id, role, since
    SKIP $skip LIMIT $limit
    """,
    "every post (of some orgs), current and ended, in a stable order: the export's posts file",
)
