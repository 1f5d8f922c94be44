"""Points 积分: balances as sums of the ledger, the ledger itself, and admin corrections."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT
from engine.store.registry import Statement, cypher

HOLDERS = ("Unit", "Member", "Org")

BALANCE: dict[str, Statement] = {}  # by label
LEDGER: dict[str, Statement] = {}  # by label
CORRECT: dict[str, Statement] = {}  # by label
for _label in HOLDERS:
    BALANCE[_label] = cypher(
        f"loop.points.balance.{_label}",
        "read",
        f"""
        MATCH (h:{_label} {{id: $id}})
        OPTIONAL MATCH (e:PointEntry)-[c:CREDITS]->(h)
        RETURN toInteger(coalesce(sum(e.points), 0)) AS balance, count(c) AS entries
        """,
        "a holder's balance: the sum of its ledger",
    )
    LEDGER[_label] = cypher(
        f"loop.points.ledger.{_label}",
        "read",
        f"""
        MATCH (e:PointEntry)-[:CREDITS]->(h:{_label} {{id: $id}})
        OPTIONAL MATCH (e)-[:FOR_PROJECT]->(p:Project)
        WITH e, p ORDER BY e.at DESC, e.id SKIP $skip LIMIT $limit
        RETURN e {{.*}} AS entry, p.id AS project_id
        """,
        "a holder's ledger entries, newest first",
    )
    CORRECT[_label] = cypher(
        f"loop.points.correct.{_label}",
        "write",
        f"""
        MATCH (h:{_label} {{id: $holder_id}})
        CREATE (e:PointEntry) SET e = $entry
        CREATE (e)-[:CREDITS]->(h)
        WITH e
        OPTIONAL MATCH (p:Project {{id: $project_id}})
        FOREACH (x IN CASE WHEN p IS NULL THEN [] ELSE [p] END | CREATE (e)-[:FOR_PROJECT]->(x))
        {AUDIT}
        RETURN e.id AS id
        """,
        "an admin's correction: a new ledger entry (entries are never edited)",
    )
