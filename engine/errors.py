"""Domain errors of the engine's use cases, each with a stable code and a Chinese message.

The API maps them to HTTP answers (``http_status``) and ``{code, message}`` JSON; the
engine never knows about HTTP beyond that number.
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """A use case refused: ``code`` is stable for programs, ``message_zh`` is for people."""

    http_status: ClassVar[int] = 400
    default_code: ClassVar[str] = "domain_error"
    retry_after: int | None = None  # seconds to wait before trying again (a Retry-After header)

    def __init__(self, code: str, message_zh: str) -> None:
        super().__init__(message_zh)
        self.code = code
        self.message_zh = message_zh

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message_zh!r})"


class NotFound(DomainError):
    """The thing named does not exist (or the actor may not know that it does)."""

    http_status = 404
    default_code = "not_found"

    def __init__(self, message_zh: str, code: str = "not_found") -> None:
        super().__init__(code, message_zh)


class Forbidden(DomainError):
    """The actor's role or jurisdiction does not allow the action; nothing was written."""

    http_status = 403
    default_code = "forbidden"

    def __init__(self, message_zh: str = "无权进行此操作", code: str = "forbidden") -> None:
        super().__init__(code, message_zh)


class Conflict(DomainError):
    """The action clashes with the current state (full, capacity, status, duplicate)."""

    http_status = 409
    default_code = "conflict"

    def __init__(self, message_zh: str, code: str = "conflict") -> None:
        super().__init__(code, message_zh)


class RateLimited(DomainError):
    """Too many submissions from one contact or for one address; nothing was written."""

    http_status = 429
    default_code = "too_many_requests"

    def __init__(
        self, message_zh: str, code: str = "too_many_requests", retry_after: int | None = None
    ) -> None:
        super().__init__(code, message_zh)
        self.retry_after = retry_after


class Unauthenticated(DomainError):
    """A sign-in that did not prove who it is (wrong password or code); counted as a failure."""

    http_status = 401
    default_code = "unauthorized"

    def __init__(self, message_zh: str, code: str = "unauthorized") -> None:
        super().__init__(code, message_zh)


class Locked(DomainError):
    """An account locked after repeated failed sign-ins: refused even with the right password."""

    http_status = 423
    default_code = "locked"

    def __init__(self, message_zh: str, code: str = "locked", retry_after: int | None = None) -> None:
        super().__init__(code, message_zh)
        self.retry_after = retry_after


class Invalid(DomainError):
    """The input breaks a rule that only the engine can check (e.g. across fields)."""

    http_status = 422
    default_code = "invalid_input"

    def __init__(self, message_zh: str, code: str = "invalid_input") -> None:
        super().__init__(code, message_zh)
