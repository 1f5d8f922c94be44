"""GET /health: is the service up and does its graph store answer; /health/live and /health/ready
for an orchestrator's probes."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import anyio
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import SettingsDep, StoreDep
from api.errors import ErrorBody, error_response
from api.health.schemas import Health, Live, Ready
from engine.store.base import GraphStore
from engine.store.errors import StoreError
from engine.store.queries import meta as meta_queries
from engine.store.schema_apply import current_version
from graph_schema.domain import SCHEMA_VERSION

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


@router.get("/health/live", response_model=Live, summary="存活探针")
async def live() -> Live:
    """The process answers (no store call): restart it only when this fails."""
    return Live(status="ok")


def _schema_version(store: GraphStore) -> int | None:
    store.run(meta_queries.PING)
    return current_version(store)


@router.get(
    "/health/ready",
    response_model=Ready,
    summary="就绪探针",
    responses={503: {"model": ErrorBody, "description": "图数据库无响应或模式版本不是当前版本"}},
)
async def ready(store: StoreDep, settings: SettingsDep) -> Ready | JSONResponse:
    """Ready when the graph store answers within ``ready_timeout_seconds`` and its schema is at the
    current version; 503 with the reason otherwise (send no traffic here until it is ready)."""
    timeout = settings.ready_timeout_seconds
    found: int | None = None
    try:
        with anyio.fail_after(timeout):
            found = await anyio.to_thread.run_sync(_schema_version, store, abandon_on_cancel=True)
    except TimeoutError:
        return error_response(503, "not_ready", f"图数据库在 {timeout:g} 秒内没有响应")
    except StoreError:
        return error_response(503, "not_ready", "图数据库不可用")
    if found != SCHEMA_VERSION:
        return error_response(
            503,
            "not_ready",
            f"图数据库的模式版本为 {found if found is not None else '空'},应为 {SCHEMA_VERSION},"
            "请运行 lianjian schema apply",
        )
    return Ready(status="ready", backend=store.backend, schema_version=found)
