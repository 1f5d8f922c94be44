"""Report periods on the Beijing calendar: a year ``2026``, a quarter ``2026-Q4`` or a month
``2026-11`` (月查/季报/年度考核), or explicit start/end times, as UTC bounds [start, end)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from engine.errors import Invalid
from engine.services.clock import ISO, parse
from graph_schema.validation import BEIJING, normalize_datetime

_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?$")
PERIOD_HELP = "统计时段应为年(2026)、季度(2026-Q4)或月份(2026-11),或同时给出开始和结束时间"
MAX_BUCKETS = 240  # twenty years of months: a series longer than that is a mistake


@dataclass(frozen=True, slots=True)
class Period:
    """A period: its kind (year, quarter, month, custom), its label in Chinese and its UTC bounds."""

    kind: str
    key: str
    label: str
    start: str
    end: str


def _utc(local: datetime) -> str:
    return local.astimezone(UTC).strftime(ISO)


def _month_start(year: int, month: int) -> datetime:
    return datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1, tzinfo=BEIJING)


def named_period(text: str) -> Period:
    """The period a name such as 2026, 2026-Q4 or 2026-11 stands for; Invalid otherwise."""
    match = _PERIOD.match(text.strip())
    if not match or not 1900 <= int(match.group(1)) <= 2200:
        raise Invalid(PERIOD_HELP, "invalid_period")
    year = int(match.group(1))
    if match.group(2):
        q = int(match.group(2))
        first, months, kind = 3 * q - 2, 3, "quarter"
        label, key = f"{year}年第{'一二三四'[q - 1]}季度", f"{year}-Q{q}"
    elif match.group(3):
        first, months, kind = int(match.group(3)), 1, "month"
        label, key = f"{year}年{first}月", f"{year}-{first:02d}"
    else:
        first, months, kind, label, key = 1, 12, "year", f"{year}年", f"{year}"
    start, end = _month_start(year, first), _month_start(year, first + months)
    return Period(kind, key, label, _utc(start), _utc(end))


def resolve_period(period: str | None, start: str | None, end: str | None) -> Period:
    """A named ``period`` or explicit ``start``/``end`` (ISO, naive means Beijing), never both."""
    if period is not None:
        if start is not None or end is not None:
            raise Invalid("统计时段只能用 period 或 start/end 之一", "invalid_period")
        return named_period(period)
    if start is None or end is None:
        raise Invalid(PERIOD_HELP, "invalid_period")
    try:
        start, end = normalize_datetime(start), normalize_datetime(end)
    except (ValueError, AttributeError, IndexError) as exc:
        raise Invalid("统计时段应为日期时间(如 2026-11-24T08:00:00Z)", "invalid_period") from exc
    if end <= start:
        raise Invalid("统计时段的结束须晚于开始", "invalid_period")
    first, last = parse(start).astimezone(BEIJING), parse(end).astimezone(BEIJING)
    label = f"{first:%Y-%m-%d} 至 {last:%Y-%m-%d}"
    return Period("custom", f"{start}/{end}", label, start, end)


def buckets(period: Period, by: str) -> list[Period]:
    """The months or quarters (Beijing calendar) that cover ``period``, clipped to its bounds."""
    if by not in ("month", "quarter"):
        raise Invalid("分组方式应为 month(按月)或 quarter(按季度)", "invalid_period")
    step = 1 if by == "month" else 3
    local = parse(period.start).astimezone(BEIJING)
    month = local.month if by == "month" else 3 * ((local.month - 1) // 3) + 1
    year, out = local.year, list[Period]()
    while True:
        named = named_period(f"{year}-{month:02d}" if by == "month" else f"{year}-Q{(month + 2) // 3}")
        if named.start >= period.end:
            return out
        out.append(
            Period(by, named.key, named.label, max(named.start, period.start), min(named.end, period.end))
        )
        if len(out) > MAX_BUCKETS:
            raise Invalid(f"统计时段过长:最多 {MAX_BUCKETS} 个分组", "invalid_period")
        month += step
        if month > 12:
            year, month = year + 1, month - 12
