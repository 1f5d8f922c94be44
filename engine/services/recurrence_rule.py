"""Recurrence rules of 常态化共建项目 (issue 12, point 3): an RFC 5545 RRULE checked and expanded
with python-dateutil, on the Beijing calendar (``BYDAY=WE`` means a Wednesday in Beijing).

Pure: text and ISO-8601 UTC strings in, ISO-8601 UTC strings out. A rule must be bounded (COUNT
or UNTIL), repeat at most daily, yield between 1 and ``MAX_OCCURRENCES`` occurrences and end
within ``MAX_SPAN_DAYS`` of its first start; anything else is refused with a Chinese message.
Occurrences are materialised up to ``HORIZON_DAYS`` ahead (at least the first one); a job
extends the horizon as time passes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from itertools import islice

from dateutil.rrule import rrule, rrulestr

from engine.errors import Invalid
from engine.services.clock import ISO, parse
from graph_schema.validation import BEIJING

HORIZON_DAYS = 90
MAX_OCCURRENCES = 200
MAX_SPAN_DAYS = 731
FREQUENCIES = {"DAILY": "每天", "WEEKLY": "每周", "MONTHLY": "每月", "YEARLY": "每年"}
# What community schedules need; each accepted combination recurs at least about yearly, so the
# expansion, cut at the two-year span, is quick (dateutil walks to the year 9999 looking for a day
# that no month has, such as BYMONTH=2;BYMONTHDAY=31, or a BYSETPOS past its set).
_KEYS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST"}
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _numbers(key: str, value: str, low: int, high: int) -> list[int]:
    try:
        numbers = [int(x) for x in value.split(",")]
    except ValueError:
        raise Invalid(f"重复规则中 {key} 的取值应为整数") from None
    if not all(low <= abs(n) <= high for n in numbers) or (low > 0 and 0 in numbers):
        raise Invalid(f"重复规则中 {key} 的取值须在 {low} 到 {high} 之间")
    return numbers


def _check_by_parts(parts: dict[str, str]) -> None:
    """Refuse BY* values dateutil would reject or that no day satisfies."""
    if "INTERVAL" in parts:
        _numbers("INTERVAL", parts["INTERVAL"], 1, 52)
    if "WKST" in parts and parts["WKST"] not in _DAYS:
        raise Invalid("重复规则中 WKST 的取值应为 MO 到 SU")
    months = _numbers("BYMONTH", parts["BYMONTH"], 1, 12) if "BYMONTH" in parts else list(range(1, 13))
    if "BYDAY" in parts:
        for day in parts["BYDAY"].split(","):
            match = _BYDAY.match(day)
            if match is None:
                raise Invalid(f"重复规则中 BYDAY 的取值“{day}”有误,应为 MO、TU…SU(每月可写 1WE、-1FR)")
            if match.group(1) is not None:
                limit = 5 if parts["FREQ"] == "MONTHLY" else 53 if parts["FREQ"] == "YEARLY" else 0
                if not 1 <= abs(int(match.group(1))) <= limit:
                    raise Invalid(f"重复规则中 BYDAY 的序号“{day}”超出范围或与频率不符")
    if "BYMONTHDAY" in parts:
        if "BYDAY" in parts:
            raise Invalid("重复规则不能同时设定 BYDAY 和 BYMONTHDAY")
        days = _numbers("BYMONTHDAY", parts["BYMONTHDAY"], 1, 31)
        if not any(abs(d) <= _MONTH_DAYS[m - 1] for m in months for d in days):
            raise Invalid("重复规则中的日期在所选月份里不存在(如 2 月 30 日)")


_UNTIL = re.compile(r"^(\d{8})(T(\d{6})(Z?))?$")


def _local(at: str) -> datetime:
    """An ISO UTC time as a naive Beijing wall-clock time (what the rule is expanded on)."""
    return parse(at).astimezone(BEIJING).replace(tzinfo=None)


def _utc(local: datetime) -> str:
    return local.replace(tzinfo=BEIJING).astimezone(UTC).strftime(ISO)


def normalise(rule: str) -> str:
    """The rule as ``KEY=VALUE;…`` with upper-case keys, a UTC ``UNTIL`` turned into Beijing time and
    a date-only ``UNTIL`` meaning the end of that day; raises Invalid when it is not one RRULE."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text or any(c in text for c in "\r\n:"):
        raise Invalid("重复规则格式有误:应为一条 RRULE,例如 FREQ=WEEKLY;BYDAY=WE;COUNT=12")
    parts: dict[str, str] = {}
    for item in text.strip(";").split(";"):
        key, sep, value = item.partition("=")
        key, value = key.strip().upper(), value.strip().upper()
        if not sep or not value:
            raise Invalid(f"重复规则格式有误:“{item}”应为 键=值")
        if key not in _KEYS:
            raise Invalid(f"重复规则不支持“{key}”")
        if key in parts:
            raise Invalid(f"重复规则中“{key}”出现了两次")
        parts[key] = value
    freq = parts.get("FREQ")
    if freq not in FREQUENCIES:
        raise Invalid("重复规则须设定频率 FREQ(DAILY、WEEKLY、MONTHLY 或 YEARLY)")
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise Invalid("重复规则须设定次数 COUNT 或截止日期 UNTIL,不能无限重复")
    if "COUNT" in parts and "UNTIL" in parts:
        raise Invalid("重复规则不能同时设定 COUNT 和 UNTIL")
    if "COUNT" in parts and not (parts["COUNT"].isdigit() and 1 <= int(parts["COUNT"]) <= MAX_OCCURRENCES):
        raise Invalid(f"重复次数 COUNT 须在 1 到 {MAX_OCCURRENCES} 之间")
    if "UNTIL" in parts:
        match = _UNTIL.match(parts["UNTIL"])
        if match is None:
            raise Invalid("截止日期 UNTIL 格式有误,应为 20270301 或 20270301T000000Z")
        try:
            if match.group(2) is None:
                until = datetime.strptime(match.group(1), "%Y%m%d") + timedelta(days=1, seconds=-1)
            else:
                until = datetime.strptime(match.group(1) + match.group(3), "%Y%m%d%H%M%S")
                if match.group(4):
                    until = until.replace(tzinfo=UTC).astimezone(BEIJING).replace(tzinfo=None)
        except ValueError:
            raise Invalid("截止日期 UNTIL 不是有效的日期") from None
        parts["UNTIL"] = until.strftime("%Y%m%dT%H%M%S")
    _check_by_parts(parts)
    return ";".join(f"{k}={v}" for k, v in parts.items())


def build(rule: str, dtstart: str) -> rrule:
    """The dateutil rule of ``rule`` starting at ``dtstart`` (ISO UTC), on Beijing wall-clock time."""
    try:
        parsed = rrulestr(normalise(rule), dtstart=_local(dtstart))
    except (ValueError, TypeError, OverflowError) as exc:
        if isinstance(exc, Invalid):
            raise
        raise Invalid("重复规则无法解析,请检查 BYDAY、BYMONTHDAY 等取值") from exc
    assert isinstance(parsed, rrule)
    return parsed


def expand(rule: str, dtstart: str) -> list[str]:
    """Every occurrence start of ``rule`` as ISO UTC, in order; raises Invalid when the rule yields
    none, more than ``MAX_OCCURRENCES`` or runs past ``MAX_SPAN_DAYS`` from ``dtstart``.

    The expansion never looks past that span (a rule no day satisfies, such as 2 月 31 日, would
    otherwise make dateutil walk to the year 9999)."""
    parts = dict(p.split("=", 1) for p in normalise(rule).split(";"))
    limit = _local(dtstart) + timedelta(days=MAX_SPAN_DAYS)
    if "UNTIL" in parts and datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%S") > limit:
        raise Invalid("常态化项目最长两年,请提前截止日期 UNTIL")
    bounded = ";".join(f"{k}={v}" for k, v in parts.items() if k != "COUNT")
    if "UNTIL" not in parts:
        bounded += f";UNTIL={limit:%Y%m%dT%H%M%S}"
    count = int(parts.get("COUNT", MAX_OCCURRENCES + 1))
    starts = list(islice(build(bounded, dtstart), min(count, MAX_OCCURRENCES + 1)))
    if not starts:
        raise Invalid("重复规则在两年内没有产生任何场次,请检查规则与首次开始时间")
    if len(starts) > MAX_OCCURRENCES:
        raise Invalid(f"重复规则产生的场次过多(超过 {MAX_OCCURRENCES} 次),请缩短截止日期或减少次数")
    if "COUNT" in parts and len(starts) < count:
        raise Invalid(f"常态化项目最长两年:两年内只有 {len(starts)} 次,少于 COUNT={count}")
    return [_utc(s) for s in starts]


def due(starts: list[str], now: str, horizon_days: int = HORIZON_DAYS) -> int:
    """How many of ``starts`` are materialised at ``now``: those starting before the horizon,
    and at least the first one."""
    horizon = (parse(now) + timedelta(days=horizon_days)).strftime(ISO)
    return max(1, sum(1 for s in starts if s < horizon))


def window_end(start: str, duration_minutes: int) -> str:
    """The end of an occurrence starting at ``start``."""
    return (parse(start) + timedelta(minutes=duration_minutes)).strftime(ISO)


def describe(rule: str) -> str:
    """A short Chinese gloss of the rule's frequency and bound, e.g. 每周 · 共 12 次."""
    parts = dict(p.split("=", 1) for p in normalise(rule).split(";"))
    interval = parts.get("INTERVAL", "1")
    freq = FREQUENCIES[parts["FREQ"]]
    if interval != "1":
        freq = f"每{interval}{freq[1:]}"
    if "COUNT" in parts:
        return f"{freq} · 共 {parts['COUNT']} 次"
    until = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%S")
    return f"{freq} · 至 {until:%Y-%m-%d}"
