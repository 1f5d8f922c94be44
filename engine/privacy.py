"""Masking of personal data (properties marked ``pii`` in the schema) for exports and restricted views."""

from __future__ import annotations

from typing import Any

PHONE_KEEP_HEAD, PHONE_KEEP_TAIL = 3, 4


def mask_value(prop_name: str, value: Any) -> Any:
    """``value`` of property ``prop_name`` masked: phones as 138****1234, anything else (names) as 张**.

    Lists are masked item by item; None stays None. The caller decides which properties are personal.
    """
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return [mask_value(prop_name, v) for v in value]
    text = str(value)
    if not text:
        return text
    if "phone" in prop_name.lower() or "mobile" in prop_name.lower():
        keep = PHONE_KEEP_HEAD + PHONE_KEEP_TAIL
        if len(text) > keep:
            return text[:PHONE_KEEP_HEAD] + "*" * (len(text) - keep) + text[-PHONE_KEEP_TAIL:]
        shown = 2 if len(text) > 2 else 0  # a short number keeps only its last two digits
        return "*" * (len(text) - shown) + text[len(text) - shown :]
    return text[0] + "*" * max(len(text) - 1, 1)
