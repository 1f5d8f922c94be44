"""One ASGI middleware around every HTTP request: it picks the request id (a sane incoming
``X-Request-ID``, else a new one), returns it as the ``X-Request-ID`` header of every answer, counts
and times the request per route template in the metrics, and writes the one access line."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine.observability.context import REQUEST_ID, new_request_id, sane_request_id
from engine.observability.logs import ACCESS_LOGGER
from engine.observability.metrics import observe_request

HEADER = "X-Request-ID"
UNMATCHED = "unmatched"
"""The route label of a request no route matched (its raw path is neither counted nor logged: it
could be anything a client typed, a phone number included)."""

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Methods counted by name; any other is counted as ``OTHER`` (a client cannot grow the label set)."""

access_log = logging.getLogger(ACCESS_LOGGER)


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/needs/{need_id}``), or ``unmatched``."""
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


def _incoming(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            return sane_request_id(value.decode("latin-1"))
    return None


class ObservabilityMiddleware:
    """Request id, metrics and access line of each HTTP request (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming(scope) or new_request_id()
        REQUEST_ID.set(request_id)  # this request's task only; kept for the 500 handler's log line
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append(HEADER, request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except BaseException:
            status = 500
            raise
        finally:
            self._record(scope, status, time.perf_counter() - started)

    @staticmethod
    def _record(scope: Scope, status: int, seconds: float) -> None:
        method = scope["method"] if scope["method"] in METHODS else "OTHER"
        route = route_template(scope)
        observe_request(method, route, status, seconds)
        if access_log.isEnabledFor(logging.INFO):
            duration_ms = round(seconds * 1000, 2)
            account = scope["state"].get("account_id")
            access_log.info(
                "%s %s %d %.1f ms",
                method,
                route,
                status,
                duration_ms,
                extra={
                    "method": method,
                    "path": route,
                    "status": status,
                    "duration_ms": duration_ms,
                    "account": account,
                },
            )
