"""The sealed hash chain over the audit trail (engine/services/audit_chain.py), and audit entries
of events that are not part of a domain write (imports, exports, job runs).

Entries are written unsealed by every write's own statement, labelled ``Unsealed`` as well; a
sealer later gives them, in one statement guarded by a compare-and-set on the chain's head, a
``seq``, the previous entry's hash and their own hash, and takes the label off. The label is what
finds the unsealed ones: a label scan reads only them, where ``seq IS NULL`` read the whole trail
(no index serves a missing property) on every sealing round. Hashes are computed in Python:
neither Cypher dialect can hash.
"""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock
from engine.store.registry import cypher

ENSURE_HEAD = cypher(
    "audit.chain.ensure_head",
    "write",
    """
    MERGE (h:AuditChain {id: 'main'})
    ON CREATE SET h.seq = 0, h.hash = $genesis, h.updated_at = $now
    RETURN h.seq AS seq, h.hash AS hash
    """,
    "the chain's head (last sealed seq and hash), created at seq 0 on first use; safe to re-run",
)

HEAD = cypher(
    "audit.chain.head",
    "read",
    """
    MATCH (h:AuditChain {id: 'main'})
    RETURN h.seq AS seq, h.hash AS hash
    """,
    "the chain's head, if any entry was ever sealed",
)

UNSEALED = cypher(
    "audit.chain.unsealed",
    "read",
    """
    MATCH (a:Unsealed)
    WITH a ORDER BY a.at, a.id LIMIT $limit
    RETURN a {.*} AS entry
    """,
    "the oldest unsealed audit entries, in (at, id) order, for the sealer",
)

COUNT_UNSEALED = cypher(
    "audit.chain.count_unsealed",
    "read",
    """
    MATCH (a:Unsealed)
    RETURN count(a) AS n
    """,
    "how many audit entries are not yet sealed",
)

# Compare-and-set on the head: the head is locked before it is read, and the batch is written
# only when the head still stands where the sealer read it and every entry of the batch is still
# unsealed; otherwise nothing changes and no row comes back (the sealer re-reads and retries).
SEAL = cypher(
    "audit.chain.seal",
    "write",
    f"""
    MATCH (h:AuditChain {{id: 'main'}})
    {lock("h")}
    WITH h WHERE h.seq = $from_seq AND h.hash = $from_hash
    UNWIND $rows AS row
    MATCH (a:AuditEntry:Unsealed {{id: row.id}})
    WITH h, collect(a) AS entries, collect(row) AS rows
    WHERE size(entries) = size($rows)
    UNWIND range(0, size(entries) - 1) AS i
    WITH h, entries[i] AS a, rows[i] AS row
    SET a.seq = row.seq, a.prev_hash = row.prev_hash, a.hash = row.hash
    REMOVE a:Unsealed
    WITH h, count(a) AS sealed
    SET h.seq = $to_seq, h.hash = $to_hash, h.updated_at = $now
    RETURN sealed
    """,
    "seal a batch of audit entries (seq, prev_hash, hash) and move the head, only if the head "
    "is still at $from_seq/$from_hash (compare-and-set); no row when another sealer won",
)

PAGE = cypher(
    "audit.chain.page",
    "read",
    """
    MATCH (a:AuditEntry)
    WHERE a.seq > $after AND a.seq <= $upto
    WITH a ORDER BY a.seq
    RETURN a {.*} AS entry
    """,
    "sealed audit entries with $after < seq <= $upto, in chain order (verify streams the chain)",
)

MAX_SEQ = cypher(
    "audit.chain.max_seq",
    "read",
    """
    MATCH (a:AuditEntry)
    WHERE a.seq IS NOT NULL
    RETURN max(a.seq) AS max_seq
    """,
    "the highest seq any entry holds (entries beyond the head are a forged or stale head)",
)

EVENT = cypher(
    "audit.event",
    "write",
    f"""
    {AUDIT}
    RETURN audit.id AS id
    """,
    "one audit entry of an event that is not part of a domain write (an import, an export, a "
    "scheduled job's run)",
)
