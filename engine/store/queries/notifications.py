"""Notifications (issue 11): the inbox (list, unread count, mark read), delivery with a lease
(claim, sent with its sent-log entry, retry), and the scheduler's reminder jobs.

Event notifications are written by the events' own statements (``outbox.notify``); the reminder
jobs here write theirs with MERGE on a dedupe id (kind, object, day, account), so a job run twice
reminds once, and each run writes one AuditEntry with its counts.
"""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock
from engine.store.queries.outbox import provider_account
from engine.store.registry import cypher

INBOX = cypher(
    "notify.inbox",
    "read",
    """
    MATCH (x:Notification)
    WHERE x.account_id = $account_id AND ($unread = false OR x.read_at IS NULL)
    WITH x ORDER BY x.created_at DESC, x.id DESC SKIP $skip LIMIT $limit
    RETURN x {.*} AS notification
    """,
    "an account's notifications, newest first (all or unread only)",
)

UNREAD = cypher(
    "notify.unread_count",
    "read",
    """
    MATCH (x:Notification)
    WHERE x.account_id = $account_id AND x.read_at IS NULL
    RETURN count(x) AS unread
    """,
    "how many of an account's notifications are unread (the console's badge)",
)

READ = cypher(
    "notify.read",
    "write",
    f"""
    MATCH (x:Notification {{id: $id}})
    {lock("x")}
    WITH x WHERE x.account_id = $account_id
    SET x.read_at = coalesce(x.read_at, $now)
    RETURN x {{.*}} AS notification
    """,
    "the recipient marks one notification read (again: no change); nothing for another's",
)

READ_ALL = cypher(
    "notify.read_all",
    "write",
    f"""
    MATCH (x:Notification)
    WHERE x.account_id = $account_id AND x.read_at IS NULL
    {lock("x")}
    WITH x WHERE x.read_at IS NULL
    SET x.read_at = $now
    RETURN count(x) AS marked
    """,
    "the recipient marks every unread notification read",
)

# Delivery ----------------------------------------------------------------------------------------

_DUE = (
    "((x.delivery = 'pending' AND x.next_attempt_at <= $now) "
    "OR (x.delivery = 'sending' AND x.lease_until <= $now))"
)

LEASE = cypher(
    "notify.delivery.lease",
    "write",
    f"""
    MATCH (x:Notification)
    WHERE {_DUE}
    WITH x ORDER BY x.created_at, x.id LIMIT $limit
    {lock("x")}
    WITH x WHERE {_DUE}
    SET x.delivery = 'sending', x.lease_until = $lease_until, x.lease_owner = $worker,
        x.attempts = coalesce(x.attempts, 0) + 1
    WITH x
    OPTIONAL MATCH (a:Account {{id: x.account_id}})
    RETURN x {{.*}} AS notification, a.email AS email, a.display_name AS name
    """,
    "a worker leases due notifications (pending and due, or sending with an expired lease: its "
    "worker died) for delivery until $lease_until; each lease counts as an attempt",
)

DEPTH = cypher(
    "notify.delivery.depth",
    "read",
    f"""
    MATCH (x:Notification)
    WHERE x.delivery IN ['pending', 'sending']
    RETURN count(x) AS waiting, toInteger(sum(CASE WHEN {_DUE} THEN 1 ELSE 0 END)) AS due
    """,
    "the outbox's depth for the metrics: notifications awaiting delivery, and those due now",
)

SENT = cypher(
    "notify.delivery.sent",
    "write",
    f"""
    MATCH (x:Notification {{id: $id}})
    {lock("x")}
    WITH x WHERE x.delivery IN ['sending', 'pending']
    MERGE (d:DeliveryLog {{id: $key}})
    ON CREATE SET d.channel = $channel, d.notification_id = $id, d.sent_at = $now, d.worker = $worker
    SET x.delivery = 'sent', x.sent_at = $now, x.lease_until = null, x.last_error = null
    RETURN x.id AS id
    """,
    "a channel accepted the message: its idempotency key enters the sent-log and the notification "
    "is sent (one statement)",
)

LOGGED = cypher(
    "notify.delivery.logged",
    "read",
    "MATCH (d:DeliveryLog {id: $key}) RETURN d.id AS id, d.sent_at AS sent_at",
    "whether a message with this idempotency key was already accepted by its channel",
)

RETRY = cypher(
    "notify.delivery.retry",
    "write",
    f"""
    MATCH (x:Notification {{id: $id}})
    {lock("x")}
    WITH x WHERE x.delivery = 'sending' AND x.lease_owner = $worker
    SET x.delivery = CASE WHEN x.attempts >= $max_attempts THEN 'failed' ELSE 'pending' END,
        x.next_attempt_at = $next_attempt_at, x.last_error = $error, x.lease_until = null
    RETURN x.delivery AS delivery, x.attempts AS attempts
    """,
    "a delivery failed: back to pending until $next_attempt_at, or failed after the last attempt",
)

DELIVERIES = cypher(
    "notify.delivery.counts",
    "read",
    """
    MATCH (x:Notification)
    RETURN x.delivery AS delivery, count(x) AS n
    """,
    "notifications per delivery status (the worker's log and the tests)",
)

# Reminder jobs -----------------------------------------------------------------------------------


def _remind(kind: str, label: str, entity: str, title: str) -> str:
    """MERGE one reminder per (kind, object, day, account) row ``entity``/``acc``, then audit the
    run with how many rows matched and how many reminders are new."""
    return f"""
    MERGE (note:Notification {{id: '{kind}:' + {entity}.id + ':' + $day + ':' + acc.id}})
    ON CREATE SET note.account_id = acc.id, note.kind = '{kind}', note.title = {title},
        note.entity_label = '{label}', note.entity_id = {entity}.id, note.created_at = $now,
        note.dedupe = '{kind}:' + {entity}.id + ':' + $day, note.job_run = $run,
        note.delivery = CASE WHEN acc.email IS NULL THEN 'none' ELSE 'pending' END,
        note.attempts = 0, note.next_attempt_at = $now
    WITH count(note) AS matched, toInteger(sum(CASE WHEN note.job_run = $run THEN 1 ELSE 0 END)) AS created
    {AUDIT}, audit.after = '{{"matched":' + toString(matched) + ',"created":' + toString(created) + '}}'
    RETURN matched, created
    """


START_TOMORROW = cypher(
    "job.remind.start_tomorrow",
    "write",
    f"""
    MATCH (n:Need)
    WHERE n.status = 'claimed' AND n.window_start >= $from AND n.window_start < $to
    WITH n
    MATCH (q)-[:MAKES]->(c:Claim)-[:FOR]->(n)
    WHERE c.status = 'active'
    WITH n, q
    MATCH (acc:Account)
    WHERE acc.active = true AND {provider_account("q")}
    WITH n, acc
    {lock("n")}
    WITH n, acc WHERE n.status = 'claimed'
    {_remind("start_tomorrow", "Need", "n", "'明日服务提醒:' + n.title")}
    """,
    "the day-before reminder to the providers claiming a need whose window starts tomorrow "
    "(Beijing), once per need, account and day; one audit entry with the counts",
)

OVERDUE = cypher(
    "job.remind.overdue",
    "write",
    f"""
    MATCH (p:Project)-[:FULFILLS]->(n:Need)
    WHERE p.status IN ['in_progress', 'problem'] AND n.window_end < $now
    WITH p, n
    MATCH (q)-[:SERVES]->(p)
    WITH p, n, q
    MATCH (acc:Account)
    WHERE acc.active = true AND {provider_account("q")}
    WITH p, n, acc
    {lock("n")}
    WITH p, acc WHERE p.status IN ['in_progress', 'problem']
    {_remind("overdue", "Project", "p", "'服务已超过时间窗口,请尽快完成:' + p.title")}
    """,
    "remind the providers of projects still in progress past their need's window, once per "
    "project, account and day; one audit entry with the counts",
)

EVALUATION_OVERDUE = cypher(
    "job.remind.evaluation",
    "write",
    f"""
    MATCH (p:Project)-[:FULFILLS]->(n:Need)-[:POSTED_BY]->(o:Org)
    WHERE p.status = 'completed' AND p.completed_at <= $cutoff
    WITH p, n, [o.id] + [(pl:Org)-[:LEADS]->(o) | pl.id] AS orgs,
         size([(e:Evaluation)-[:ABOUT]->(p) WHERE e.direction = 'community_to_provider' | e]) AS rated
    WITH p, n, orgs WHERE rated = 0
    MATCH (acc:Account)
    WHERE acc.active = true AND acc.role = 'secretary' AND acc.scope_org_id IN orgs
    WITH p, n, acc
    {lock("n")}
    WITH p, acc WHERE p.status = 'completed'
    {_remind("evaluation_overdue", "Project", "p", "'项目已完成多日尚未评价服务方:' + p.title")}
    """,
    "remind the secretaries of projects completed before $cutoff whose provider is not yet rated, "
    "once per project, account and day; one audit entry with the counts",
)
