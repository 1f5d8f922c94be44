"""The public Open311 GeoReport v2 view of needs: only the fields a request may show (no
provider, no claimant, no personal data), named one by one rather than ``n {.*}``."""

from __future__ import annotations

from engine.store.registry import cypher

REQUESTS = cypher(
    "open311.requests",
    "read",
    """
    MATCH (n:Need)-[:POSTED_BY]->(o:Org)
    WHERE ($org_ids IS NULL OR o.id IN $org_ids)
      AND ($ids IS NULL OR n.id IN $ids)
      AND ($categories IS NULL OR n.category IN $categories)
      AND ($statuses IS NULL OR n.status IN $statuses)
      AND ($start IS NULL OR n.created_at >= $start)
      AND ($end IS NULL OR n.created_at <= $end)
    WITH n, o ORDER BY n.created_at DESC, n.id LIMIT $limit
    RETURN n.id AS id, n.status AS status, n.status_reason AS status_reason, n.category AS category,
           n.title AS title, n.description AS description, n.created_at AS created_at,
           n.updated_at AS updated_at, n.window_end AS window_end, n.address AS address,
           n.lat AS lat, n.lon AS lon, o.name AS org_name
    """,
    "needs as GeoReport requests, newest first: by orgs, ids, categories, statuses, posting time",
)
