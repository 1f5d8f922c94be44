"""GeoReport's error form for the Open311 routes: a list of ``{code, description}`` with the
HTTP status as the code. The app's handlers (api/errors.py) still decide the status and the
message; these routes only reshape the answer."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field


class GeoReportError(BaseModel):
    """One GeoReport error: the HTTP status and a description in Chinese."""

    code: int = Field(examples=[404])
    description: str = Field(examples=["服务请求不存在"])


GEOREPORT_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": list[GeoReportError], "description": words}
    for status, words in ((400, "请求无法解析"), (404, "服务请求或辖区不存在"), (422, "查询参数有误"))
}
"""The error answers of the Open311 routes, in GeoReport's form (they replace the app's)."""


async def _app_answer(request: Request, exc: Exception) -> Response:
    """The answer the app's own handler for ``exc`` gives; re-raises when it has none."""
    handlers = request.app.exception_handlers
    handler = next((handlers[c] for c in type(exc).__mro__ if c in handlers), None)
    if handler is None:
        raise exc
    answer = handler(request, exc)
    return await answer if inspect.isawaitable(answer) else answer


class GeoReportRoute(APIRoute):
    """A route whose errors answer as GeoReport's list of ``{code, description}``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def georeport(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:  # every error the app maps, reshaped below
                answer = await _app_answer(request, exc)
            message = json.loads(bytes(answer.body)).get("message", "") if answer.body else ""
            headers = {
                k: v for k, v in answer.headers.items() if k.lower() not in ("content-length", "content-type")
            }
            return JSONResponse(
                [{"code": answer.status_code, "description": message}],
                status_code=answer.status_code,
                headers=headers,
            )

        return georeport
