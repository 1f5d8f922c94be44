"""The API answers on a real uvicorn server: /health reports the store, /docs and OpenAPI exist."""

from __future__ import annotations

import httpx
from conftest import LiveServer

from engine.store.base import GraphStore
from engine.store.schema_apply import current_version


def test_health_reports_the_store_it_runs_on(live_server: LiveServer, store: GraphStore) -> None:
    response = httpx.get(f"{live_server.url}/health", timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["backend"] == store.backend
    assert body["schema_version"] == current_version(store)


def test_docs_and_openapi_are_served(live_server: LiveServer) -> None:
    docs = httpx.get(f"{live_server.url}/docs", timeout=10)
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    spec = httpx.get(f"{live_server.url}/openapi.json", timeout=10).json()
    assert "/health" in spec["paths"]
