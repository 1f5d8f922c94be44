"""Text search 搜索 (issue 12, point 7): one read per kind, the matching part per backend.

Neo4j: the full-text index of the label (``graph_schema/ddl.py``, 'cjk' analyzer: Chinese as
overlapping bigrams), through ``db.index.fulltext.queryNodes`` with a Lucene query that
``engine/services/search.py`` builds from the user's words alone (``$query``), ranked by Lucene's
score.

FalkorDB: every word must be a substring of the indexed properties (``CONTAINS`` over the
lower-cased text), scored by how many words the title or name holds. Its full-text index
(RediSearch inside FalkorDB 4.16) cannot do this: a run of Chinese is one term of its default
tokenizer, and infix queries (``*助老*``) answered nothing at all once the index held some 40
terms (Latin words too; docs/architecture-notes.md has the measurements); its 'chinese' language
segments words (friso), so 助老 did not find 助老助餐服务. Its indexes stay (made by the DDL) for
the day infix queries work; the statement's FalkorDB text is the one place to change.

The rest of each statement, the scope filter, the ranking and the page, is the same text on both.
Parameters of every statement: ``$query`` (Neo4j's full-text query), ``$tokens`` (the lower-case
words), ``$org_ids`` (the caller's jurisdiction, null for everything), ``$skip`` and ``$limit``.
"""

from __future__ import annotations

from engine.store.registry import Statement, dialects
from graph_schema.ddl import IndexKind, IndexSpec
from graph_schema.domain import SCHEMA


def _neo4j_index(label: str) -> str:
    """The name of ``label``'s full-text index on Neo4j (the name the DDL gives it)."""
    return IndexSpec(IndexKind.FULLTEXT, label, SCHEMA.label(label).fulltext).name


def _search(name: str, label: str, rest: str, description: str) -> Statement:
    """A search read for ``label``: what matches on each backend, then ``rest`` over ``node``
    and ``score``."""
    props = SCHEMA.label(label).fulltext
    text = " + ' ' + ".join(f"coalesce(node.{p}, '')" for p in props)
    return dialects(
        name,
        "read",
        neo4j=f"""
        CALL db.index.fulltext.queryNodes('{_neo4j_index(label)}', $query) YIELD node, score
        {rest}
        """,
        falkordb=f"""
        MATCH (node:{label})
        WITH node, size([t IN $tokens WHERE toLower({text}) CONTAINS t]) AS found
        WHERE found = size($tokens)
        WITH node, toFloat(found) AS score
        {rest}
        """,
        description=description,
    )


def _title_hits(expr: str) -> str:
    """How many of ``$tokens`` the lower-cased text ``expr`` contains (hits in a title rank first)."""
    return f"size([t IN $tokens WHERE toLower(coalesce({expr}, '')) CONTAINS t])"


# A need is in scope when its posting org is; ``$open_only`` (providers) keeps the public list of
# open needs, wherever they are.
NEED = _search(
    "search.need",
    "Need",
    f"""
    WITH node AS n, score
    MATCH (n)-[:POSTED_BY]->(o:Org)
    WHERE ($org_ids IS NULL OR o.id IN $org_ids) AND ($open_only = false OR n.status = 'open')
    WITH n, o, score, {_title_hits("n.title")} AS title_hits
    ORDER BY title_hits DESC, score DESC, n.id
    SKIP $skip LIMIT $limit
    RETURN n.id AS id, n.title AS title, n.description AS description, n.status AS status,
           n.category AS category, o.id AS org_id, o.name AS org_name, score, title_hits
    """,
    "needs whose title or description hold the words, within the caller's jurisdiction",
)

# An offering is in scope when its provider is tied to an org in scope (reports to, belongs to,
# joins it, or is the unit it is embedded in); ``$self_id`` (providers) keeps active offerings
# and the provider's own in any status.
OFFERING = _search(
    "search.offering",
    "Offering",
    f"""
    WITH node AS f, score
    MATCH (q)-[:OFFERS]->(f)
    WITH f, q, score,
         [(q)-[:BELONGS_TO|REPORTS_TO|JOINS]->(o:Org) | o.id] + [(e:Org)-[:EMBEDDED_IN]->(q) | e.id] AS ties
    WITH f, q, score, size([x IN ties WHERE x IN coalesce($org_ids, [])]) AS tied
    WHERE ($org_ids IS NULL OR tied > 0) AND ($self_id IS NULL OR f.status = 'active' OR q.id = $self_id)
    WITH f, q, score, {_title_hits("f.title")} AS title_hits
    ORDER BY title_hits DESC, score DESC, f.id
    SKIP $skip LIMIT $limit
    RETURN f.id AS id, f.title AS title, f.description AS description, f.status AS status,
           f.category AS category, f.kind AS offering_kind, q.id AS provider_id,
           labels(q)[0] AS provider_kind, score, title_hits
    """,
    "offerings whose title or description hold the words, of providers in the caller's jurisdiction",
)

# A unit is in scope when it reports to an org in scope (双报到) or its own party org is in scope.
UNIT = _search(
    "search.unit",
    "Unit",
    f"""
    WITH node AS u, score
    WITH u, score,
         [(u)-[:REPORTS_TO]->(o:Org) | o.id] + [(e:Org)-[:EMBEDDED_IN]->(u) | e.id] AS ties
    WITH u, score, ties, size([x IN ties WHERE x IN coalesce($org_ids, [])]) AS tied
    WHERE $org_ids IS NULL OR tied > 0
    WITH u, score, {_title_hits("u.name")} AS title_hits
    ORDER BY title_hits DESC, score DESC, u.id
    SKIP $skip LIMIT $limit
    RETURN u.id AS id, u.name AS title, u.type AS unit_type, u.address AS address,
           [(u)-[:REPORTS_TO]->(r:Org) | r.name] AS reports_to, score, title_hits
    """,
    "resident units whose name holds the words, tied to the caller's jurisdiction",
)

ORG = _search(
    "search.org",
    "Org",
    f"""
    WITH node AS o, score
    WHERE $org_ids IS NULL OR o.id IN $org_ids
    WITH o, score, {_title_hits("o.name")} AS title_hits
    ORDER BY title_hits DESC, score DESC, o.id
    SKIP $skip LIMIT $limit
    RETURN o.id AS id, o.name AS title, o.level AS level, o.kind AS org_kind,
           [(p:Org)-[:LEADS]->(o) | p.name] AS parents, score, title_hits
    """,
    "party orgs whose name holds the words, within the caller's jurisdiction",
)

# A member is in scope when it belongs or reports to an org in scope; ``$self_id`` (a member)
# keeps only itself. The name comes back in full: the service masks it for those not entitled.
MEMBER = _search(
    "search.member",
    "Member",
    f"""
    WITH node AS m, score
    WHERE $self_id IS NULL OR m.id = $self_id
    WITH m, score, [(m)-[:BELONGS_TO|REPORTS_TO]->(o:Org) | o.id] AS ties
    WITH m, score, size([x IN ties WHERE x IN coalesce($org_ids, [])]) AS tied
    WHERE $org_ids IS NULL OR tied > 0
    WITH m, score, {_title_hits("m.name")} AS title_hits
    ORDER BY title_hits DESC, score DESC, m.id
    SKIP $skip LIMIT $limit
    RETURN m.id AS id, m.name AS title, [(m)-[:BELONGS_TO]->(b:Org) | b.name] AS belongs_to,
           score, title_hits
    """,
    "members whose name holds the words, tied to the caller's jurisdiction (names masked by the caller)",
)

BY_KIND: dict[str, Statement] = {
    "need": NEED,
    "offering": OFFERING,
    "unit": UNIT,
    "org": ORG,
    "member": MEMBER,
}
