"""Time for the use cases: ISO-8601 UTC strings (the store's only time format), injectable in tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.errors import Invalid
from graph_schema.validation import BEIJING, normalize_datetime

ISO = "%Y-%m-%dT%H:%M:%SZ"


def utc_now() -> str:
    """The current time as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return datetime.now(UTC).strftime(ISO)


def resolve(now: str | None) -> str:
    """``now`` normalised to UTC, or the current time when None (services' ``now`` argument)."""
    return normalize_datetime(now) if now else utc_now()


def optional_time(raw: str | None, name: str) -> str | None:
    """A caller's optional ISO-8601 time (a filter's bound) as UTC text, a time without a zone
    being Beijing time; None when blank; Invalid naming the field when it is not a time."""
    if raw is None or not raw.strip():
        return None
    try:
        return normalize_datetime(raw)
    except ValueError as exc:
        raise Invalid(f"“{name}”应为日期时间(如 2026-11-24T08:00:00+08:00)") from exc


def parse(at: str) -> datetime:
    """An ISO-8601 UTC string as an aware datetime."""
    return datetime.fromisoformat(normalize_datetime(at).replace("Z", "+00:00"))


def shift(at: str, hours: float) -> str:
    """``at`` moved by ``hours`` (negative for earlier)."""
    return (parse(at) + timedelta(hours=hours)).strftime(ISO)


def period_starts(now: str) -> dict[str, str]:
    """Start of the current week, month, quarter and year at ``now``, on the Beijing calendar.

    Offering capacity counts the active claims made since the start of the offering's
    period (weeks start on Monday); a ``once`` offering counts every claim it ever had.
    """
    local = parse(now).astimezone(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
    starts = {
        "week": local - timedelta(days=local.weekday()),
        "month": local.replace(day=1),
        "quarter": local.replace(month=3 * ((local.month - 1) // 3) + 1, day=1),
        "year": local.replace(month=1, day=1),
    }
    return {f"{name}_start": when.astimezone(UTC).strftime(ISO) for name, when in starts.items()}
