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
AUDIT = "CREATE (audit:AuditEntry) SET audit = $audit"


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
