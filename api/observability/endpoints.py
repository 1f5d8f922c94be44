"""GET /metrics: the process's Prometheus metrics in the text format, with the outbox's depth
counted at scrape time; open unless the settings name a token or networks."""

from __future__ import annotations

import hmac
import ipaddress
import logging

from fastapi import APIRouter, HTTPException, Request, Response

from api.deps import SettingsDep, StoreDep
from engine.observability.metrics import exposition
from engine.observability.outbox import record_outbox_depth
from engine.settings import Settings
from engine.store.errors import StoreError

router = APIRouter(tags=["observability 运维"])
log = logging.getLogger(__name__)

_TEXT = {"text/plain": {"schema": {"type": "string"}}}


def _check_access(request: Request, settings: Settings) -> None:
    """403 for a client outside ``metrics_networks``, 401 without ``metrics_token`` (when set)."""
    if settings.metrics_networks:
        host = request.client.host if request.client else ""
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if address is None or not any(address in net for net in settings.metrics_networks):
            raise HTTPException(403, "本机地址无权读取运行指标")
    if settings.metrics_token is not None:
        expected = f"Bearer {settings.metrics_token.get_secret_value()}".encode()
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            raise HTTPException(401, "读取运行指标需要访问令牌", headers={"WWW-Authenticate": "Bearer"})


@router.get(
    "/metrics",
    summary="运行指标 (Prometheus)",
    response_class=Response,
    responses={200: {"content": _TEXT, "description": "Prometheus text format 0.0.4"}},
)
def metrics(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """Request counts and latency per route, store query time per statement, dispatch run time,
    worker job runs and the notification outbox's depth, for Prometheus to scrape."""
    _check_access(request, settings)
    try:
        record_outbox_depth(store)
    except StoreError as exc:  # the rest still answers; readiness reports the store
        log.warning("outbox depth not counted: %s", exc)
    body, content_type = exposition()
    return Response(body, media_type=content_type)
