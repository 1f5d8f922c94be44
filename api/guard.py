"""One check of every string the API takes, at the edge: path parameters, query parameters, form
fields and every string (keys included) of a JSON body. Control characters (a NUL byte, say) and
lone surrogates never reach the engine or the store: the request is refused with 422 and the
field named, through the app's one error mapping (``api/errors.py``).

Free text in a body may hold tabs and line breaks; ids, path and query values may not."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

# C0 controls, DEL, C1 controls and UTF-16 surrogates (a lone one is all a Python str can hold:
# a JSON "\ud83d\ude00" pair is joined into one character when parsed).
_NOT_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_IN_VALUE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
MAX_DEPTH = 32
BAD_CHARACTER = "bad_character"
"""The error type of a refused string (``api/errors.py`` words it)."""


def bad_text(text: str, *, free_text: bool) -> bool:
    """Whether ``text`` holds a character the API refuses (tabs and line breaks are free text's)."""
    return (_NOT_IN_TEXT if free_text else _NOT_IN_VALUE).search(text) is not None


def _json_strings(value: Any) -> Iterator[tuple[tuple[str | int, ...], str, bool]]:
    """Every string of a parsed JSON value with where it is and whether it is free text (a value)
    or a name (an object's key)."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:
        loc, item = stack.pop()
        if len(loc) > MAX_DEPTH:
            yield loc, "\x00", False  # nesting no input of this API has: refused like a bad string
        elif isinstance(item, str):
            yield loc, item, True
        elif isinstance(item, dict):
            for key, inner in item.items():
                yield (*loc, str(key)), str(key), False
                stack.append(((*loc, str(key)), inner))
        elif isinstance(item, list):
            stack.extend(((*loc, i), inner) for i, inner in enumerate(item))


def _problem(loc: tuple[str | int, ...], text: str) -> dict[str, Any]:
    return {
        "type": BAD_CHARACTER,
        "loc": loc,
        "msg": "contains a control character or lone surrogate",
        "input": text,
    }


async def clean_input(request: Request) -> None:
    """Refuse (422) a request whose path, query, form or JSON strings hold a refused character."""
    problems = [
        _problem(("path", name), str(value))
        for name, value in request.path_params.items()
        if bad_text(str(value), free_text=False)
    ]
    problems += [
        _problem(("query", name), f"{name}={value}")
        for name, value in request.query_params.multi_items()
        if bad_text(name, free_text=False) or bad_text(value, free_text=False)
    ]
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()  # parsed once: FastAPI read it already for the route
        problems += [
            _problem(("body", name), name)
            for name, value in form.multi_items()
            if bad_text(name, free_text=False) or (isinstance(value, str) and bad_text(value, free_text=True))
        ]
    elif kind == "application/json" or kind.endswith("+json"):
        try:
            body = await request.json()  # parsed once: FastAPI read it already for the route
        except (ValueError, RecursionError):
            body = None  # not JSON: the route's own validation says so
        problems += [
            _problem(("body", *loc), text)
            for loc, text, free_text in _json_strings(body)
            if bad_text(text, free_text=free_text)
        ]
    if problems:
        raise RequestValidationError(problems)
