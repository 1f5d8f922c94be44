"""Text search over HTTP: ``GET /search?q=…&kind=…`` within the caller's jurisdiction."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from api.deps import ActorDep, StoreDep
from api.search.schemas import SearchOut
from engine.services.records import MAX_LIMIT
from engine.services.search import KINDS, MAX_QUERY_CHARS, search

router = APIRouter(tags=["search 搜索"])


@router.get("/search", response_model=SearchOut, summary="搜索需求、资源、单位、组织和党员")
def search_(
    store: StoreDep,
    actor: ActorDep,
    q: str = Query(
        ...,
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        description="要搜索的文字:汉字、字母或数字(其余字符只作分隔),多个词须全部命中",
        examples=["助老"],
    ),
    kind: str | None = Query(
        None,
        description="只搜一类:" + " · ".join(f"{k} {v}" for k, v in KINDS.items()) + ";不填则每类各一页",
        examples=["need"],
        json_schema_extra={"enum": list(KINDS)},
    ),
    skip: int = Query(0, ge=0),
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """Needs, offerings, units, orgs and members whose title, description or name hold every
    word of ``q``, within what the caller may see (members' names masked unless entitled),
    hits in the title or name first, then by relevance; a page of each kind."""
    return search(store, actor, q, kind=kind, skip=skip, limit=limit)
