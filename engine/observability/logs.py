"""Log lines for ``lianjian serve``, ``demo --serve`` and ``worker``: one JSON object per line (the
default; what a log collector reads) or plain text (a person at a console), both carrying the
request id of the request being handled."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Literal

from engine.observability.context import current_request_id

LogFormat = Literal["json", "text"]

ACCESS_LOGGER = "lianjian.access"
"""The logger of the one line per request (see api/observability/middleware.py)."""

ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "account")
"""Fields an access line carries besides the message (given as ``extra``). Only these and the fixed
ones reach a line: never a request's body, query string, headers, token or password."""


def _utc(record: logging.LogRecord) -> str:
    at = datetime.fromtimestamp(record.created, UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time (ISO UTC), level, logger, message, request_id, the access
    fields when present, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": _utc(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            line["request_id"] = request_id
        for name in ACCESS_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A record as a readable line: time, level, logger, [request id], message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(rid)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None) or current_request_id()
        record.rid = f" [{request_id}]" if request_id else ""
        return super().format(record)


def configure_logging(fmt: LogFormat, level: str) -> None:
    """Send every log record of the process (uvicorn's, the store's, the worker's) to stderr in
    ``fmt``, replacing the handlers set before."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):  # theirs reach ours, once
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
