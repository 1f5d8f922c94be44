"""Constant Cypher fragments shared by the closed-loop statements (schema names only, never data)."""

from __future__ import annotations


def lock(var: str) -> str:
    """Take ``var``'s write lock before reading it (the portable lock-before-read idiom)."""
    return f"SET {var}._lock = true REMOVE {var}._lock"


def status_json(expr: str, key: str = "status") -> str:
    """Cypher for the JSON text ``{"<key>":"<code>"}`` of a status read inside the statement.

    Only for schema codes (statuses), which need no JSON escaping; free text is always
    serialised in Python and passed as a parameter.
    """
    return f"'{{\"{key}\":\"' + {expr} + '\"}}'"


# Keys of ``$before`` whose value the node no longer holds (a compare-and-set edit writes only
# when this is empty). Computed in a WITH: FalkorDB 4.16 mis-evaluates ``all(k IN keys($m) …)``
# inside a WHERE that follows ``WITH v``.
STALE = (
    "[k IN keys($before) WHERE NOT (coalesce({v}[k] = $before[k], false) "
    "OR ({v}[k] IS NULL AND $before[k] IS NULL))] AS stale"
)

# The audit entry of the statement's write; ``$audit`` holds every field Python knows.
AUDIT = "CREATE (audit:AuditEntry:Unsealed) SET audit = $audit"

# Claim ``c`` (from ``$claim``) of need ``n`` by provider ``q`` with its offering ``f``, and its three ties.
CREATE_CLAIM = """
CREATE (c:Claim) SET c = $claim
CREATE (q)-[:MAKES]->(c)
CREATE (c)-[:FOR]->(n)
CREATE (c)-[:USES]->(f)
"""


def fill_need(carry: str = "") -> str:
    """After claim ``c`` of need ``n`` that had ``taken`` active claims before it: the claim that
    fills the need marks it claimed and creates its project (``$project_id``) with every active
    claimant serving. Keeps ``n, c, fills`` and the variables listed in ``carry`` ("f, " …)."""
    return f"""
    WITH n, c, {carry}taken + 1 >= n.people_wanted AS fills
    SET n.status = CASE WHEN fills THEN 'claimed' ELSE n.status END, n.updated_at = $now
    WITH n, c, {carry}fills,
         [(q2)-[:MAKES]->(c4:Claim)-[:FOR]->(n) WHERE c4.status = 'active'
          | {{provider: q2, offering_id: c4.offering_id}}] AS crew
    FOREACH (_ IN CASE WHEN fills THEN [1] ELSE [] END |
      CREATE (p:Project)
      SET p.id = $project_id, p.title = n.title, p.status = 'claimed', p.hours_total = 0.0,
          p.created_at = $now, p.updated_at = $now
      CREATE (p)-[:FULFILLS]->(n)
      FOREACH (x IN crew | FOREACH (q3 IN [x.provider] |
        CREATE (q3)-[:SERVES {{offering_id: x.offering_id, hours: 0.0}}]->(p)))
    )
    """


def period_start(var: str) -> str:
    """Start of offering ``var``'s current capacity period, from the four starts Python passes."""
    return (
        f"CASE {var}.period WHEN 'week' THEN $week_start WHEN 'month' THEN $month_start "
        "WHEN 'quarter' THEN $quarter_start WHEN 'year' THEN $year_start ELSE '' END"
    )


# The name a provider is shown by: a unit's name is public, a member's name is personal data.
def provider_name(var: str) -> str:
    """Cypher for the public name of provider ``var`` (None for members)."""
    return f"CASE WHEN {var}:Unit THEN {var}.name ELSE null END"
