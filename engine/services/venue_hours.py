"""Opening hours of venues and the rules of venue and amount fields (issue 12, point 2): pure
functions over the stored list (``["mon 09:00-17:00", "sat 09:00-12:00"]``, Beijing time)."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta

from engine.services.clock import parse
from graph_schema.validation import BEIJING

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_ZH = dict(zip(WEEKDAYS, ("周一", "周二", "周三", "周四", "周五", "周六", "周日"), strict=True))
_ENTRY = re.compile(
    r"^\s*(?P<days>[a-z]{3}(?:\s*[-,]\s*[a-z]{3})*)\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*[-–~]\s*(?P<end>\d{1,2}:\d{2})\s*$"
)


def _minutes(text: str, *, end: bool) -> int:
    hours, minutes = (int(x) for x in text.split(":"))
    value = hours * 60 + minutes
    if minutes > 59 or value > 24 * 60 or (value == 24 * 60 and not end):
        raise ValueError(f"时间“{text}”无效")
    return value


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days(text: str) -> list[str]:
    days: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        ends = [d.strip() for d in part.split("-")]
        for d in ends:
            if d not in WEEKDAYS:
                raise ValueError(f"星期“{d}”无效,请用 mon、tue、wed、thu、fri、sat、sun")
        if len(ends) == 1:
            days.append(ends[0])
        else:
            first, last = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
            if last < first:
                raise ValueError(f"星期范围“{part}”无效")
            days += WEEKDAYS[first : last + 1]
    return days


def hours_table(entries: list[str] | None) -> dict[str, list[tuple[int, int]]]:
    """Opening intervals (minutes of the day, [start, end)) per weekday code; ValueError with a
    Chinese message on a bad entry or intervals of one day that overlap."""
    table: dict[str, list[tuple[int, int]]] = {}
    for entry in entries or []:
        found = _ENTRY.match(entry.lower())
        if not found:
            raise ValueError(f"开放时间“{entry}”格式不对,应如“mon-fri 09:00-17:00”")
        start, end = _minutes(found["start"], end=False), _minutes(found["end"], end=True)
        if end <= start:
            raise ValueError(f"开放时间“{entry}”的结束须晚于开始")
        for day in _days(found["days"]):
            table.setdefault(day, []).append((start, end))
    for day, spans in table.items():
        spans.sort()
        for (_, end_a), (start_b, _) in itertools.pairwise(spans):
            if start_b < end_a:
                raise ValueError(f"{WEEKDAY_ZH[day]}的开放时间有重叠")
    return table


def normalize_hours(entries: list[str] | None) -> list[str] | None:
    """The stored form of opening hours: one ``day HH:MM-HH:MM`` per interval, Monday first."""
    if entries is None:
        return None
    table = hours_table(entries)
    return [f"{day} {_clock(s)}-{_clock(e)}" for day in WEEKDAYS for s, e in table.get(day, [])]


def hours_text(entries: list[str] | None) -> str:
    """Opening hours in Chinese, days in a row with the same hours joined: ``周一至周五 09:00–17:00、
    周六 09:00–12:00``."""
    table = hours_table(entries)
    runs: list[tuple[int, int, tuple[tuple[int, int], ...]]] = []  # first day, last day, spans
    for i, day in enumerate(WEEKDAYS):
        spans = tuple(table.get(day, []))
        if spans and runs and runs[-1][1] == i - 1 and runs[-1][2] == spans:
            runs[-1] = (runs[-1][0], i, spans)
        elif spans:
            runs.append((i, i, spans))
    parts = []
    for first, last, spans in runs:
        days = WEEKDAY_ZH[WEEKDAYS[first]] + (f"至{WEEKDAY_ZH[WEEKDAYS[last]]}" if last > first else "")
        parts.append(f"{days} " + "、".join(f"{_clock(s)}–{_clock(e)}" for s, e in spans))
    return ";".join(parts)


def _local(at: str) -> datetime:
    return parse(at).astimezone(BEIJING)


def within_hours(entries: list[str] | None, start: str, end: str) -> bool:
    """Whether [start, end) lies inside one opening interval of its Beijing day (no hours: always)."""
    if not entries:
        return True
    table = hours_table(entries)
    a, b = _local(start), _local(end)
    midnight = a.replace(hour=0, minute=0, second=0, microsecond=0)
    if b > midnight + timedelta(days=1):
        return False
    first = (a - midnight).total_seconds() / 60
    last = (b - midnight).total_seconds() / 60
    return any(s <= first and last <= e for s, e in table.get(WEEKDAYS[a.weekday()], []))


def slot_text(start: str, end: str) -> str:
    """A slot in Beijing time, e.g. ``12月12日 09:00–11:00`` (the end's date too when it differs)."""
    a, b = _local(start), _local(end)
    same_day = (b - timedelta(seconds=1)).date() == a.date()
    tail = f"{b:%H:%M}" if same_day else f"{b.month}月{b.day}日 {b:%H:%M}"
    return f"{a.month}月{a.day}日 {a:%H:%M}–{tail}"


def venue_rules(kind: str | None, access: str | None, price: float | None, hours: list[str] | None) -> None:
    """Raise ValueError (Chinese) when a venue's use mode, price and hours do not fit together."""
    if kind != "venue" and (hours or price is not None):
        raise ValueError("只有场所类资源需要填写开放时间和收费标准")
    if price is not None and access != "paid":
        raise ValueError("只有收费使用的场所需要填写收费标准")
    if access == "paid" and price is None:
        raise ValueError("收费使用的场所须填写收费标准(元/小时)")
    hours_table(hours)


def amount_rules(kind: str | None, amount: int | None, unit: str | None) -> None:
    """Raise ValueError (Chinese) when an amount is given to an offering that is not goods or funds."""
    if (amount is not None or unit) and kind not in ("goods", "funds"):
        raise ValueError("只有物资和资金类资源需要填写总量")
