"""GET /health: is the service up and does its graph store answer."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter

from api.deps import StoreDep
from api.health.schemas import Health
from engine.store.queries import meta as meta_queries
from engine.store.schema_apply import current_version

router = APIRouter(tags=["health"])


def _version() -> str:
    try:
        return version("lianjian")
    except PackageNotFoundError:  # running from a source tree that was not installed
        return "unknown"


@router.get("/health", response_model=Health, summary="服务与图数据库状态")
def health(store: StoreDep) -> Health:
    """Answer ok when the graph store responds to a query."""
    store.run(meta_queries.PING)
    return Health(
        status="ok", backend=store.backend, schema_version=current_version(store), version=_version()
    )
