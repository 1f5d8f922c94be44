"""Cypher fragments that write notifications inside an event's own statement (the outbox).

An event's statement appends ``notify(...)`` after its change and audit entry, so the inbox rows
exist exactly when the event does (one statement: all or nothing, on both backends). Recipients
are accounts resolved in the statement; the acting account is never told of its own act.
"""

from __future__ import annotations


def notify(
    carry: str,
    who: str,
    *,
    kind: str,
    title: str,
    label: str,
    entity_id: str,
    extra: str = "",
    actor: str = "$audit.actor",
    at: str = "$now",
) -> str:
    """Cypher creating one pending Notification per active account matching ``who`` (a predicate
    on ``acc``); ``carry`` lists the variables the statement still needs after it.

    ``kind``, ``title`` and ``entity_id`` are Cypher expressions (``acc`` is in scope for them);
    ``extra`` (``expr AS name``) is computed before the match, for ``who`` to use (FalkorDB fails
    on pattern comprehensions inside a WHERE).
    Delivery is ``pending`` for an account with an email, else ``none`` (inbox only).
    """
    return f"""
    WITH {carry}{", " + extra if extra else ""}
    OPTIONAL MATCH (acc:Account)
    WHERE acc.active = true AND acc.id <> {actor} AND ({who})
    WITH {carry}, collect(acc) AS recipients
    FOREACH (acc IN recipients |
      CREATE (note:Notification {{id: randomUUID()}})
      SET note.account_id = acc.id, note.kind = {kind}, note.title = {title},
          note.entity_label = '{label}', note.entity_id = {entity_id}, note.created_at = {at},
          note.delivery = CASE WHEN acc.email IS NULL THEN 'none' ELSE 'pending' END,
          note.attempts = 0, note.next_attempt_at = {at})
    """


def secretaries_of(orgs: str) -> str:
    """Predicate: ``acc`` is a secretary account of one of the org ids in list ``orgs``."""
    return f"(acc.role = 'secretary' AND acc.scope_org_id IN {orgs})"


def need_orgs(need: str) -> str:
    """Cypher list of the org that posted ``need`` and the orgs that lead it (its community's)."""
    return (
        f"[({need})-[:POSTED_BY]->(po:Org) | po.id] + "
        f"[({need})-[:POSTED_BY]->(:Org)<-[:LEADS]-(pl:Org) | pl.id]"
    )


def provider_account(provider: str) -> str:
    """Predicate: ``acc`` is the account of provider node ``provider`` (a Unit or a Member)."""
    return (
        f"(acc.subject_id = {provider}.id "
        f"AND acc.role = CASE WHEN {provider}:Unit THEN 'unit' ELSE 'member' END)"
    )
