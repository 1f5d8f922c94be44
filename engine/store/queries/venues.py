"""Venues by time slot and goods and funds with amounts (issue 12, point 2).

A booking reserves the half-open slot [start, end) of a venue offering; an allocation takes an
amount from a goods or funds offering. Both lock the offering before they read its bookings or
what is left (lock-before-read), so of concurrent overlapping bookings exactly one wins and
concurrent allocations never take more than is left. Times are ISO-8601 UTC strings of one format
(``YYYY-MM-DDTHH:MM:SSZ``), so comparing them as strings compares the instants; ``start`` and
``end`` of a booking carry no index (FalkorDB answers ``<`` on an indexed string wrongly).
"""

from __future__ import annotations

from engine.store.queries.closed_loop.fragments import AUDIT, lock
from engine.store.registry import cypher

# The active bookings of venue ``f`` that overlap [$start, $end), computed in a WITH.
_CLASH = (
    "[(b0:Booking)-[:RESERVES]->(f) WHERE b0.status = 'active' AND b0.start < $end "
    "AND b0.end > $start | b0.id] AS clash"
)

_BOOKING_VIEW = """
RETURN b {.*} AS booking, f.id AS offering_id, f.title AS offering_title,
       [(q)-[:OFFERS]->(f) | q.id][0] AS provider_id,
       [(q2)-[:OFFERS]->(f) | labels(q2)[0]][0] AS provider_kind,
       [(b)-[:BOOKED_FOR]->(n:Need) | n.id][0] AS need_id,
       [(b)-[:BOOKED_FOR]->(n2:Need) | n2.title][0] AS need_title
"""

_ALLOCATION_VIEW = """
RETURN a {.*} AS allocation, f.id AS offering_id, f.title AS offering_title,
       f.amount_left AS amount_left, f.amount_unit AS amount_unit,
       [(q)-[:OFFERS]->(f) | q.id][0] AS provider_id,
       [(q2)-[:OFFERS]->(f) | labels(q2)[0]][0] AS provider_kind,
       [(a)-[:ALLOCATED_TO]->(n:Need) | n.id][0] AS need_id,
       [(a)-[:ALLOCATED_TO]->(n2:Need) | n2.title][0] AS need_title
"""

BOOK = cypher(
    "venue.booking.create",
    "write",
    f"""
    MATCH (f:Offering {{id: $offering_id}})
    {lock("f")}
    WITH f, {_CLASH}
    WHERE f.kind = 'venue' AND f.status = 'active' AND size(clash) = 0
    CREATE (b:Booking) SET b = $booking
    CREATE (b)-[:RESERVES]->(f)
    WITH f, b
    OPTIONAL MATCH (n:Need {{id: $need_id}})
    FOREACH (x IN CASE WHEN n IS NULL THEN [] ELSE [n] END | CREATE (b)-[:BOOKED_FOR]->(x))
    WITH f, b
    {AUDIT}
    RETURN b.id AS id
    """,
    "book the slot [start, end) of an active venue when no active booking of it overlaps the slot "
    "(the venue is locked first, so of concurrent overlapping bookings exactly one wins); "
    "optionally for a need; one audit entry",
)

CLASHES = cypher(
    "venue.booking.clashes",
    "read",
    """
    MATCH (b:Booking)-[:RESERVES]->(f:Offering {id: $offering_id})
    WHERE b.status = 'active' AND b.start < $end AND b.end > $start
    RETURN b.start AS start, b.end AS end
    ORDER BY b.start
    """,
    "the active bookings of a venue that overlap a slot (to name the slot a booking clashed with)",
)

CANCEL = cypher(
    "venue.booking.cancel",
    "write",
    f"""
    MATCH (b:Booking {{id: $id}})
    {lock("b")}
    WITH b
    WHERE b.status = 'active'
    SET b.status = 'cancelled', b.status_reason = $reason, b.updated_at = $now
    {AUDIT}
    RETURN b.id AS id
    """,
    "cancel an active booking (its slot is free again); one audit entry",
)

BOOKING_DETAIL = cypher(
    "venue.booking.detail",
    "read",
    f"""
    MATCH (b:Booking {{id: $id}})-[:RESERVES]->(f:Offering)
    {_BOOKING_VIEW}
    """,
    "one booking with its venue, the venue's provider and its need",
)

BOOKINGS = cypher(
    "venue.booking.list",
    "read",
    f"""
    MATCH (b:Booking)-[:RESERVES]->(f:Offering {{id: $offering_id}})
    WHERE ($status IS NULL OR b.status = $status)
      AND ($from IS NULL OR b.end > $from) AND ($to IS NULL OR b.start < $to)
    WITH b, f ORDER BY b.start, b.id SKIP $skip LIMIT $limit
    {_BOOKING_VIEW}
    """,
    "a venue's bookings in time order, by status, overlapping [from, to)",
)

ALLOCATE = cypher(
    "venue.allocation.create",
    "write",
    f"""
    MATCH (f:Offering {{id: $offering_id}})
    {lock("f")}
    WITH f
    WHERE f.kind IN ['goods', 'funds'] AND f.status = 'active' AND f.amount_left >= $amount
    SET f.amount_left = f.amount_left - $amount, f.updated_at = $now
    CREATE (a:Allocation) SET a = $allocation
    CREATE (a)-[:DRAWS_ON]->(f)
    WITH f, a
    OPTIONAL MATCH (n:Need {{id: $need_id}})
    FOREACH (x IN CASE WHEN n IS NULL THEN [] ELSE [n] END | CREATE (a)-[:ALLOCATED_TO]->(x))
    WITH f, a
    {AUDIT}, audit.after = $after_head + ',"amount_left":' + toString(f.amount_left) + '}}'
    RETURN a.id AS id, f.amount_left AS amount_left
    """,
    "take an amount from an active goods or funds offering when that much is left (the offering "
    "is locked first: concurrent takes never exceed it); optionally for a need; one audit entry",
)

RETURN_ALLOCATION = cypher(
    "venue.allocation.return",
    "write",
    f"""
    MATCH (a:Allocation {{id: $id}})-[:DRAWS_ON]->(f:Offering)
    {lock("f")}
    {lock("a")}
    WITH a, f
    WHERE a.status = 'active'
    SET a.status = 'returned', a.status_reason = $reason, a.updated_at = $now,
        f.amount_left = f.amount_left + a.amount, f.updated_at = $now
    {AUDIT}, audit.after = $after_head + ',"amount_left":' + toString(f.amount_left) + '}}'
    RETURN a.id AS id, f.amount_left AS amount_left
    """,
    "return an active allocation: its amount is left again; one audit entry",
)

ALLOCATION_DETAIL = cypher(
    "venue.allocation.detail",
    "read",
    f"""
    MATCH (a:Allocation {{id: $id}})-[:DRAWS_ON]->(f:Offering)
    {_ALLOCATION_VIEW}
    """,
    "one allocation with its offering, what is left of it, its provider and its need",
)

ALLOCATIONS = cypher(
    "venue.allocation.list",
    "read",
    f"""
    MATCH (a:Allocation)-[:DRAWS_ON]->(f:Offering {{id: $offering_id}})
    WHERE $status IS NULL OR a.status = $status
    WITH a, f ORDER BY a.created_at DESC, a.id SKIP $skip LIMIT $limit
    {_ALLOCATION_VIEW}
    """,
    "the allocations of a goods or funds offering, newest first, by status",
)

SET_AMOUNT = cypher(
    "venue.amount.set",
    "write",
    f"""
    MATCH (f:Offering {{id: $id}})
    {lock("f")}
    WITH f, coalesce(f.amount_left, 0) + $amount - coalesce(f.amount, 0) AS left_after,
         f.amount AS old_amount, f.amount_left AS old_left
    WHERE f.kind IN ['goods', 'funds'] AND f.status <> 'retired' AND left_after >= 0
    SET f.amount = $amount, f.amount_left = left_after, f.updated_at = $now,
        f.amount_unit = coalesce($unit, f.amount_unit)
    {AUDIT}, audit.before = '{{"amount":' + coalesce(toString(old_amount), 'null')
        + ',"amount_left":' + coalesce(toString(old_left), 'null') + '}}'
    RETURN f.amount AS amount, f.amount_left AS amount_left
    """,
    "set a goods or funds offering's total amount: what is left moves by the same difference and "
    "may not fall below zero (what is already taken stays taken); one audit entry",
)

EXPORT_BOOKINGS = cypher(
    "venue.export.bookings_of",
    "read",
    """
    UNWIND $ids AS oid
    MATCH (b:Booking)-[:RESERVES]->(f:Offering {id: oid})
    RETURN b.id AS id
    """,
    "the bookings of some venues (a scoped export takes those of its offerings)",
)

EXPORT_ALLOCATIONS = cypher(
    "venue.export.allocations_of",
    "read",
    """
    UNWIND $ids AS oid
    MATCH (a:Allocation)-[:DRAWS_ON]->(f:Offering {id: oid})
    RETURN a.id AS id
    """,
    "the allocations of some goods or funds offerings (a scoped export takes those of its offerings)",
)
