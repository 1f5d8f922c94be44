"""Statements of the closed loop (issue 3): needs, offerings, claims, projects, evaluations,
points, reports, audit and jurisdiction. Importing this package registers them all.

Each write is one statement holding its check, its change and its ``AuditEntry``
(ARCHITECTURE.md: FalkorDB has no multi-statement transaction). The ``Need`` is the
aggregate root: every statement that changes a need, its claims or its project locks the
need first (lock-before-read), so concurrent writes on one need serialise on both backends.

Two FalkorDB 4.16 defects shape the text (both reproduced on this machine):
- a pattern comprehension whose pattern binds two outer variables, e.g.
  ``[(q)-[:MAKES]->(c:Claim)-[:FOR]->(n) | c]`` with q and n bound, gives the right answer the
  first time a query text runs and a stale one when its cached plan is reused (a duplicate
  claim went through). Bind one end only and compare the other by id:
  ``[(q)-[:MAKES]->(c:Claim)-[:FOR]->(n2:Need) WHERE n2.id = n.id | c]``;
- ``all(k IN keys($m) WHERE …)`` in a WHERE right after ``WITH v`` is mis-evaluated: compute the
  list in the WITH (``fragments.STALE``) and test its size; pattern comprehensions inside a
  WHERE fail outright, so they too are computed in the WITH before it.
"""

from engine.store.queries.closed_loop import (  # noqa: F401
    audit,
    claims,
    evaluations,
    needs,
    offerings,
    points,
    projects,
    reports,
    scope,
)
