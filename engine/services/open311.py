"""The read-only Open311 GeoReport v2 view (https://wiki.open311.org/GeoReport_v2): taxonomy
categories as services, needs as service requests. Public, so it shows only what a request
may show: category, description, place, times, status and the responsible org's name; never
a claimant, provider or any personal data. Query values arrive as GeoReport defines them
(comma-delimited lists, W3C date-times). A jurisdiction is a Party org (the district for the
whole platform): its requests are those of the org and the orgs it leads."""

from __future__ import annotations

from typing import Any

from engine.errors import Invalid, NotFound
from engine.services.clock import optional_time, resolve, shift
from engine.services.needs import status_zh
from engine.services.scope import subtree
from engine.store.base import GraphStore, Row
from engine.store.queries import open311 as open311_queries
from graph_schema.domain import NEED_STATUSES
from graph_schema.taxonomy import CATEGORIES, CATEGORY_BY_ID

OPEN_STATUSES = ("open", "claimed", "in_progress")
"""Need statuses shown as GeoReport ``open``: still waiting for, or receiving, service."""
GEOREPORT_STATUSES: dict[str, tuple[str, ...]] = {
    "open": OPEN_STATUSES,
    "closed": tuple(s for s in NEED_STATUSES if s not in OPEN_STATUSES),
}
MAX_REQUESTS = 1000
"""GeoReport's default page: the most recent 1000 requests."""
DEFAULT_DAYS = 90
"""GeoReport's default window when neither start_date nor end_date is given: the last 90 days."""


def jurisdiction_orgs(store: GraphStore, jurisdiction_id: str | None) -> list[str] | None:
    """The orgs of a GeoReport jurisdiction (an org id: it and the orgs it leads); None when no
    jurisdiction is named (the whole platform); NotFound for an unknown one."""
    if jurisdiction_id is None or not jurisdiction_id.strip():
        return None
    orgs = subtree(store, jurisdiction_id.strip())
    if not orgs:
        raise NotFound(f"辖区“{jurisdiction_id}”不存在(辖区编号为党组织编号,如区委)")
    return sorted(orgs)


def georeport_services(store: GraphStore, jurisdiction_id: str | None = None) -> list[dict[str, Any]]:
    """Every category of the service taxonomy as a GeoReport service (the same in every
    jurisdiction, which must exist); items are grouped under their top category, and the skills
    they ask for are the keywords."""
    jurisdiction_orgs(store, jurisdiction_id)
    return [
        {
            "service_code": c.id,
            "service_name": c.name,
            "description": (
                f"{CATEGORY_BY_ID[c.parent].name} · {c.name}" if c.parent else f"{c.name}(一级类别)"
            ),
            "metadata": False,
            "type": "realtime",
            "keywords": ",".join(c.skills),
            "group": CATEGORY_BY_ID[c.parent].name if c.parent else c.name,
        }
        for c in CATEGORIES
    ]


def _split(raw: str | None) -> list[str] | None:
    """A GeoReport comma-delimited list: None when absent or empty."""
    items = [x.strip() for x in (raw or "").split(",") if x.strip()]
    return items or None


def _statuses(raw: str | None) -> list[str] | None:
    wanted = _split(raw)
    if wanted is None:
        return None
    unknown = [s for s in wanted if s not in GEOREPORT_STATUSES]
    if unknown:
        raise Invalid(f"“status”只能是 open 或 closed,不认识:{','.join(unknown)}")
    return [s for w in wanted for s in GEOREPORT_STATUSES[w]]


def _request(row: Row) -> dict[str, Any]:
    """One need as a GeoReport service request (every field of the standard, null when unknown)."""
    status = row["status"]
    notes = status_zh(status) + (f":{row['status_reason']}" if row.get("status_reason") else "")
    category = CATEGORY_BY_ID.get(row["category"])
    title, text = row["title"], row.get("description")
    return {
        "service_request_id": row["id"],
        "status": "open" if status in OPEN_STATUSES else "closed",
        "status_notes": notes,
        "service_name": category.name if category else row["category"],
        "service_code": row["category"],
        "description": f"{title}:{text}" if text else title,
        "agency_responsible": row["org_name"],
        "service_notice": None,
        "requested_datetime": row["created_at"],
        "updated_datetime": row.get("updated_at") or row["created_at"],
        "expected_datetime": row.get("window_end"),
        "address": row.get("address"),
        "address_id": None,
        "zipcode": None,
        "lat": row.get("lat"),
        "long": row.get("lon"),
        "media_url": None,
    }


def georeport_requests(
    store: GraphStore,
    *,
    jurisdiction_id: str | None = None,
    service_request_id: str | None = None,
    service_code: str | None = None,
    status: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    limit: int = MAX_REQUESTS,
    now: str | None = None,
) -> list[dict[str, Any]]:
    """Needs as GeoReport requests, newest first, filtered by the standard's query parameters:
    request ids (comma-delimited; they override the other filters, as the standard says), else
    service codes, status (open, closed or both) and the posting time between start_date and
    end_date (inclusive; the last 90 days when neither is given); within the jurisdiction."""
    orgs = jurisdiction_orgs(store, jurisdiction_id)
    ids = _split(service_request_id)
    start, end = optional_time(start_date, "start_date"), optional_time(end_date, "end_date")
    if start and end and end < start:
        raise Invalid("“end_date”不能早于“start_date”")
    if not 1 <= limit <= MAX_REQUESTS:
        raise Invalid(f"最多返回 {MAX_REQUESTS} 条")
    if ids is not None:
        categories, statuses, start, end = None, None, None, None
    else:
        categories, statuses = _split(service_code), _statuses(status)
        if start is None and end is None:
            start = shift(resolve(now), -24 * DEFAULT_DAYS)
    rows = store.run(
        open311_queries.REQUESTS,
        {
            "org_ids": orgs,
            "ids": ids,
            "categories": categories,
            "statuses": statuses,
            "start": start,
            "end": end,
            "limit": limit,
        },
    )
    return [_request(r) for r in rows]


def georeport_request(
    store: GraphStore, service_request_id: str, jurisdiction_id: str | None = None
) -> list[dict[str, Any]]:
    """One need as a GeoReport request, in a list as the standard answers; NotFound when none
    (or when it lies outside the jurisdiction named)."""
    found = georeport_requests(
        store, jurisdiction_id=jurisdiction_id, service_request_id=service_request_id, limit=1
    )
    if not found or found[0]["service_request_id"] != service_request_id:
        raise NotFound("服务请求不存在")
    return found
