"""Check node and relationship payloads against the schema before they reach the store.

Problems are returned, not raised, so an import can report every one of them at once;
messages are plain Chinese for the secretaries and clerks who read them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from graph_schema.domain import SCHEMA
from graph_schema.model import Prop, PropType, Schema

TYPE_NAMES_ZH = {
    PropType.STRING: "文本",
    PropType.INTEGER: "整数",
    PropType.FLOAT: "数字",
    PropType.BOOLEAN: "是/否",
    PropType.DATETIME: "日期时间(如 2026-11-24T08:00:00Z)",
    PropType.DATE: "日期(如 2026-11-24)",
    PropType.STRING_LIST: "文本列表(用 ; 分隔)",
}
_TRUE = {"true", "1", "yes", "y", "是", "对", "t"}
_FALSE = {"false", "0", "no", "n", "否", "不是", "f"}
LIST_SEPARATORS = (";", "；", "|", "、")
BEIJING = timezone(timedelta(hours=8))


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one property of a payload."""

    field: str
    message: str


class CoercionError(ValueError):
    """A raw text value that cannot become the property's type."""


def _title(prop: Prop) -> str:
    return f"“{prop.title_zh or prop.name}”({prop.name})"


def normalize_datetime(value: str) -> str:
    """An ISO-8601 date-time as a UTC string ending in Z; naive values are taken as UTC+8 (Beijing)."""
    text = value.strip().replace(" ", "T", 1)
    if len(text) > 10 and text[10] == "t":  # RFC 3339 allows a lower-case t and z
        text = text[:10] + "T" + text[11:]
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=BEIJING)
    try:
        return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except OverflowError as exc:  # year 1 or 9999 moved across midnight by its offset
        raise ValueError(f"日期时间超出范围:{value}") from exc


def coerce(prop: Prop, raw: Any) -> Any:
    """Turn a raw value (text from a CSV cell, or a JSON value) into the property's type.

    Empty text becomes None. Raises CoercionError with a Chinese message.
    """
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    t = prop.type
    try:
        if t is PropType.STRING:
            return str(raw).strip() if not isinstance(raw, str) else raw.strip()
        if t is PropType.INTEGER:
            if isinstance(raw, bool):
                raise ValueError
            if isinstance(raw, float):
                if not raw.is_integer():
                    raise ValueError
                return int(raw)
            return int(str(raw).strip())
        if t is PropType.FLOAT:
            if isinstance(raw, bool):
                raise ValueError
            value = float(str(raw).strip()) if isinstance(raw, str) else float(raw)
            if not math.isfinite(value):
                raise ValueError
            return value
        if t is PropType.BOOLEAN:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError
        if t is PropType.DATETIME:
            if isinstance(raw, datetime):
                raw = raw.isoformat()
            return normalize_datetime(str(raw))
        if t is PropType.DATE:
            if isinstance(raw, datetime):
                return raw.date().isoformat()
            if isinstance(raw, date):
                return raw.isoformat()
            return date.fromisoformat(str(raw).strip()[:10]).isoformat()
        if t is PropType.STRING_LIST:
            if isinstance(raw, list | tuple):
                items = [str(x).strip() for x in raw]
            else:
                text = str(raw)
                for sep in LIST_SEPARATORS[1:]:
                    text = text.replace(sep, LIST_SEPARATORS[0])
                items = [x.strip() for x in text.split(LIST_SEPARATORS[0])]
            return [x for x in items if x]
    except (ValueError, TypeError) as exc:
        raise CoercionError(f"{_title(prop)}应为{TYPE_NAMES_ZH[t]},收到“{raw}”") from exc
    raise CoercionError(f"{_title(prop)}的类型未知")  # pragma: no cover - exhaustive above


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
"""Characters no text of the graph holds: control characters (tabs and line breaks aside) and
lone surrogates (neither store can encode one)."""


def bad_characters(text: str) -> bool:
    """Whether ``text`` holds a control character (tab and line breaks aside) or a lone surrogate."""
    return _CONTROL.search(text) is not None


def check_value(prop: Prop, value: Any) -> list[Problem]:
    """Problems with an already typed value: type, choices, length and range."""
    if value is None:
        return [Problem(prop.name, f"{_title(prop)}必须填写")] if prop.required else []
    problems: list[Problem] = []
    expected: dict[PropType, tuple[type, ...]] = {
        PropType.STRING: (str,),
        PropType.INTEGER: (int,),
        PropType.FLOAT: (int, float),
        PropType.BOOLEAN: (bool,),
        PropType.DATETIME: (str,),
        PropType.DATE: (str,),
        PropType.STRING_LIST: (list,),
    }
    ok_type = isinstance(value, expected[prop.type])
    if prop.type in (PropType.INTEGER, PropType.FLOAT) and isinstance(value, bool):
        ok_type = False
    if not ok_type:
        return [Problem(prop.name, f"{_title(prop)}应为{TYPE_NAMES_ZH[prop.type]}")]
    if prop.type is PropType.STRING_LIST and not all(isinstance(x, str) for x in value):
        return [Problem(prop.name, f"{_title(prop)}应为{TYPE_NAMES_ZH[prop.type]}")]
    texts = value if prop.type is PropType.STRING_LIST else [value] if isinstance(value, str) else []
    if any(bad_characters(x) for x in texts):
        return [Problem(prop.name, f"{_title(prop)}含有不允许的字符(控制字符或无效编码)")]
    if prop.type is PropType.DATETIME:
        try:
            normalize_datetime(value)
        except ValueError:
            problems.append(Problem(prop.name, f"{_title(prop)}不是有效的日期时间:“{value}”"))
    if prop.type is PropType.DATE:
        try:
            date.fromisoformat(value)
        except ValueError:
            problems.append(Problem(prop.name, f"{_title(prop)}不是有效的日期:“{value}”"))
    if prop.choices:
        items = value if isinstance(value, list) else [value]
        bad = [x for x in items if x not in prop.choices]
        if bad:
            allowed = "、".join(prop.choices)
            problems.append(Problem(prop.name, f"{_title(prop)}的取值“{bad[0]}”不在允许范围内({allowed})"))
    if prop.max_length is not None and isinstance(value, str) and len(value) > prop.max_length:
        problems.append(
            Problem(prop.name, f"{_title(prop)}过长:最多 {prop.max_length} 个字,实际 {len(value)} 个")
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        if prop.minimum is not None and value < prop.minimum:
            problems.append(Problem(prop.name, f"{_title(prop)}不能小于 {prop.minimum:g},收到 {value}"))
        if prop.maximum is not None and value > prop.maximum:
            problems.append(Problem(prop.name, f"{_title(prop)}不能大于 {prop.maximum:g},收到 {value}"))
    return problems


PAIRED = ("lat", "lon")
"""Properties given together or not at all: a place is a latitude and a longitude."""
PAIR_MESSAGE = "“纬度”(lat)和“经度”(lon)须同时填写或同时不填"


def pair_problem(payload: Mapping[str, Any]) -> Problem | None:
    """The problem of a payload holding one of ``PAIRED`` without the other (None counts as absent)."""
    given = [name for name in PAIRED if payload.get(name) is not None]
    if len(given) == 1:
        return Problem(given[0], PAIR_MESSAGE)
    return None


def _check_payload(
    props: tuple[Prop, ...], owner: str, payload: Mapping[str, Any], partial: bool
) -> list[Problem]:
    known = {p.name: p for p in props}
    problems = [Problem(k, f"{owner}没有属性“{k}”") for k in payload if k not in known]
    for prop in props:
        if prop.name in payload:
            problems += check_value(prop, payload[prop.name])
        elif prop.required and not partial:
            problems.append(Problem(prop.name, f"{_title(prop)}必须填写"))
    paired = all(name in known for name in PAIRED)
    pair = pair_problem(payload) if paired and not partial else None
    return problems + ([pair] if pair else [])


def validate_node(
    label: str, payload: Mapping[str, Any], *, partial: bool = False, schema: Schema = SCHEMA
) -> list[Problem]:
    """Problems of a node payload; ``partial`` for an update that sets only some properties."""
    if not schema.has_label(label):
        return [Problem("label", f"未知的节点类型“{label}”")]
    lb = schema.label(label)
    return _check_payload(lb.props, lb.title_zh, payload, partial)


def validate_relationship(
    rel_type: str,
    start_label: str,
    end_label: str,
    payload: Mapping[str, Any] | None = None,
    *,
    schema: Schema = SCHEMA,
) -> list[Problem]:
    """Problems of a relationship: its endpoints' labels and its properties."""
    if not schema.has_rel(rel_type):
        return [Problem("type", f"未知的关系类型“{rel_type}”")]
    rt = schema.rel(rel_type)
    problems: list[Problem] = []
    if start_label not in rt.starts or end_label not in rt.ends:
        problems.append(
            Problem("type", f"关系“{rt.title_zh}”({rel_type})不能从 {start_label} 连到 {end_label}")
        )
    return problems + _check_payload(rt.props, f"关系“{rt.title_zh}”", payload or {}, False)
