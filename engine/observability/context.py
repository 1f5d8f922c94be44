"""The request id of the work in progress, carried by a context variable so that every log line
written while handling a request (in the engine too, on the thread pool) names it."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("lianjian_request_id", default=None)

_SANE = re.compile(r"[A-Za-z0-9._:\-]{8,128}")


def sane_request_id(value: str | None) -> str | None:
    """``value`` when it is fit to be echoed and logged (8–128 letters, digits or ``._:-``), else None:
    an id a client sends is kept so its logs and ours join up, but never one that could forge log
    lines or carry personal data."""
    if value is None or not _SANE.fullmatch(value):
        return None
    return value


def new_request_id() -> str:
    """A fresh request id (32 hex digits)."""
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The request id of the request being handled, if any."""
    return REQUEST_ID.get()
