"""Personal data under PIPL (issue 13 point 6): a person's own data, anonymising a person, the
retention purge of closed needs' beneficiary details, and the audited break-glass phone reveal.
Each write carries its audit entry in the same statement."""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock
from engine.store.queries.outbox import notify
from engine.store.registry import Statement, cypher
from graph_schema.domain import PROVIDERS, SCHEMA

# A request's (诉求) personal props: its contact, and the address it names.
REQUEST_PERSONAL = (*SCHEMA.label("Request").pii_props, "address")


def _nulls(var: str, props: tuple[str, ...]) -> str:
    """``var.p = null`` for each of ``props`` (schema names only)."""
    return ", ".join(f"{var}.{p} = null" for p in sorted(props))


def _any_set(var: str, props: tuple[str, ...]) -> str:
    """Whether ``var`` still holds one of ``props``."""
    return "(" + " OR ".join(f"{var}.{p} IS NOT NULL" for p in sorted(props)) + ")"


# The person and everything one relationship away (memberships, offerings, claims, projects served,
# work logs, evaluations, points, sign-ups, registrations, pledges…), plus the needs its claims were for.
# Each comprehension has its own variable names: FalkorDB 4.16 answered the second one empty when
# it reused the first one's ``r`` and ``x``.
PERSON: dict[str, Statement] = {}
for _label in PROVIDERS:
    PERSON[_label] = cypher(
        f"pipl.person.{_label}",
        "read",
        f"""
        MATCH (p:{_label} {{id: $id}})
        RETURN p {{.*}} AS person,
               [(p)-[r]->(x) | {{relationship: type(r), direction: 'out', label: labels(x)[0],
                                 relationship_props: properties(r), node: properties(x)}}] AS outgoing,
               [(p)<-[s]-(y) | {{relationship: type(s), direction: 'in', label: labels(y)[0],
                                 relationship_props: properties(s), node: properties(y)}}] AS incoming,
               [(p)-[:MAKES]->(c:Claim)-[:FOR]->(n:Need) | {{claim_id: c.id, need_id: n.id,
                                                             need_title: n.title}}] AS claimed_needs
        """,
        "everything the graph holds one step from a member or unit, for its own download",
    )

PERSON_ACCOUNTS = cypher(
    "pipl.person_accounts",
    "read",
    """
    MATCH (a:Account {subject_id: $id})
    OPTIONAL MATCH (n:Notification {account_id: a.id})
    WITH a, n ORDER BY n.created_at
    RETURN a {.id, .display_name, .role, .email, .active, .created_at, .updated_at} AS account,
           collect(n {.*}) AS notifications
    """,
    "a person's accounts (never password or TOTP secrets) and their notifications",
)

PERSON_REQUESTS = cypher(
    "pipl.person_requests",
    "read",
    """
    MATCH (r:Request {contact_phone: $phone})
    RETURN r {.*} AS request ORDER BY r.created_at
    """,
    "requests (诉求) whose contact phone is the person's own: what it submitted as a resident",
)

EXPORTED = cypher(
    "pipl.exported",
    "write",
    f"{AUDIT} RETURN audit.id AS id",
    "a person downloaded its own data: the audit entry alone (what was read, never the data)",
)

MEMBER_PERSONAL = tuple(p for p in SCHEMA.label("Member").pii_props if p != "name")  # removed, not replaced
# Anonymise a member: every personal prop replaced (the name by ``$name``, the others removed),
# history kept; its accounts disabled (their tokens end) and renamed. Only when not anonymised already.
ANONYMISE_MEMBER = cypher(
    "pipl.anonymise.member",
    "write",
    f"""
    MATCH (p:Member {{id: $id}})
    {lock("p")}
    WITH p WHERE NOT coalesce(p.name, '') STARTS WITH $prefix
    OPTIONAL MATCH (a:Account {{subject_id: p.id}})
    WITH p, collect(a) AS accounts
    SET {_nulls("p", MEMBER_PERSONAL)}, p.name = $name, p.updated_at = $now
    FOREACH (a IN accounts |
      SET a.active = false, a.token_version = coalesce(a.token_version, 0) + 1,
          a.display_name = $name, a.email = null, a.updated_at = $now)
    WITH p, size(accounts) AS disabled
    {AUDIT}
    RETURN p.id AS id, disabled
    """,
    "an administrator anonymises a member on request: personal props replaced, its accounts "
    "disabled and their sessions ended, history kept; one audit entry without the old values",
)

ANONYMISE_REQUEST = cypher(
    "pipl.anonymise.request",
    "write",
    f"""
    MATCH (r:Request {{id: $id}})
    {lock("r")}
    WITH r WHERE {_any_set("r", REQUEST_PERSONAL)}
    SET {_nulls("r", REQUEST_PERSONAL)}, r.updated_at = $now
    WITH r
    {AUDIT}
    RETURN r.id AS id
    """,
    "an administrator removes a request's contact and address on the resident's request; one audit entry",
)

# Retention: a closed need's address and the contacts of the requests that became it are removed
# once the need has not changed for the retention period; counts go into the one audit entry.
_COUNTS_AFTER = "'{\"needs\": ' + toString(needs) + ', \"requests\": ' + toString(requests) + '}'"
PURGE_NEEDS = cypher(
    "pipl.purge.needs",
    "write",
    f"""
    MATCH (n:Need)
    WHERE n.status IN $closed AND n.updated_at < $cutoff
    OPTIONAL MATCH (r:Request)-[:BECAME]->(n)
    WITH n, [x IN collect(r) WHERE {_any_set("x", REQUEST_PERSONAL)}] AS rs
    WHERE n.address IS NOT NULL OR size(rs) > 0
    WITH n, rs ORDER BY n.id LIMIT $limit
    {lock("n")}
    WITH n, rs WHERE n.status IN $closed AND n.updated_at < $cutoff
    SET n.address = null
    FOREACH (x IN rs | SET {_nulls("x", REQUEST_PERSONAL)})
    WITH count(n) AS needs, toInteger(sum(size(rs))) AS requests
    WHERE needs > 0
    {AUDIT}
    SET audit.after = {_COUNTS_AFTER}
    RETURN needs, requests
    """,
    "retention: one batch of closed needs past retention lose their address and their requests' "
    "contacts; one audit entry with the counts",
)

PURGE_REQUESTS = cypher(
    "pipl.purge.requests",
    "write",
    f"""
    MATCH (r:Request {{status: 'closed'}})
    WHERE coalesce(r.decided_at, r.updated_at) < $cutoff AND {_any_set("r", REQUEST_PERSONAL)}
    WITH r ORDER BY r.id LIMIT $limit
    {lock("r")}
    WITH r WHERE r.status = 'closed' AND coalesce(r.decided_at, r.updated_at) < $cutoff
    SET {_nulls("r", REQUEST_PERSONAL)}
    WITH count(r) AS requests, 0 AS needs
    WHERE requests > 0
    {AUDIT}
    SET audit.after = {_COUNTS_AFTER}
    RETURN needs, requests
    """,
    "retention: one batch of requests closed without a need past retention lose their contact; "
    "one audit entry with the count",
)

# Break-glass: the phones of some members (or units' contact phones) inside the caller's scope,
# read in the statement that writes the audit entry (which never holds the phones).
REVEAL = cypher(
    "pipl.reveal",
    "write",
    f"""
    UNWIND $ids AS pid
    OPTIONAL MATCH (m:Member {{id: pid}})
    WITH pid, m
    OPTIONAL MATCH (u:Unit {{id: pid}})
    WITH collect(coalesce(m, u)) AS found
    UNWIND found AS p
    {lock("p")}
    WITH collect(p) AS people
    WHERE size(people) > 0
    CREATE (audit:AuditEntry:Unsealed) SET audit = $audit
    {
        notify(
            "people",
            "acc.role IN ['member', 'unit'] AND acc.subject_id IN revealed",
            kind="'data_viewed'",
            title="$viewer + ' 因“' + $reason + '”查看了您的联系电话(应急联系,已记入操作日志)'",
            label="Org",
            entity_id="$audit.entity_id",
            extra="[x IN people | x.id] AS revealed",
            at="$audit.at",
        )
    }
    WITH people
    UNWIND people AS p
    RETURN p.id AS id, CASE WHEN p:Member THEN p.phone ELSE p.contact_phone END AS phone
    """,
    "a planner reveals callees' phones in an emergency with a stated reason; one audit entry "
    "naming whom, never the phones (each person locked first, so a reveal never reads a phone an "
    "anonymisation is removing); each person's own accounts are told who looked and why",
)

CALLEE_PHONES = cypher(
    "pipl.callee_phones",
    "read",
    """
    UNWIND $ids AS pid
    OPTIONAL MATCH (m:Member {id: pid})
    WITH pid, m
    OPTIONAL MATCH (u:Unit {id: pid})
    WITH coalesce(m, u) AS p
    WITH p WHERE p IS NOT NULL
    RETURN p.id AS id, CASE WHEN p:Member THEN p.phone ELSE p.contact_phone END AS phone
    """,
    "phones of mobilisation callees, masked by the caller unless it may see them",
)
