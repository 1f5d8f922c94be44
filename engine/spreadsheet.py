"""Spreadsheet cells that cannot run as formulas (CSV/formula injection, PIPL point 4 of issue 13).

Excel and WPS treat a cell whose text starts with ``= + - @`` (or a tab or carriage return before
one) as a formula: an exported name such as ``=HYPERLINK(...)`` would run on the reader's machine.
Text cells that start so get a leading single quote; numbers stay numbers (a negative number is no
formula). The importer drops that quote again (``formula_unescaped``), so an export round-trips.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def formula_safe(value: Any) -> Any:
    """``value`` for a spreadsheet cell: text that could start a formula prefixed with ``'``;
    anything else (numbers, dates, None) as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return QUOTE + value
    return value


def formula_unescaped(text: str) -> str:
    """``text`` read from a cell with the quote ``formula_safe`` added removed (other text unchanged)."""
    if text.startswith(QUOTE) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
