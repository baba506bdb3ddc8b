"""JSON in and out with money kept as Decimal, at C speed.

Numbers with a fraction are read as Decimal. On the way out, Decimals are emitted through a
placeholder string that one regex turns back into a bare JSON number, so `json.dumps` keeps
its C encoder and 390.0 goes out as 390.0.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

_MARK = "\x00D"
_PLACEHOLDER_RE = re.compile(r'"\\u0000D([^"\\]*)\\u0000"')


def _default(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{_MARK}{value}\x00"
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> str:
    text = json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":"))
    if "\\u0000D" in text:
        text = _PLACEHOLDER_RE.sub(r"\1", text)
    return text


def loads(data: str | bytes) -> Any:
    return json.loads(data, parse_float=Decimal)


def to_decimal(value: Any) -> Decimal:
    if value is None or value == "":
        return Decimal("0")
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def raw_object(*pairs: tuple[str, str]) -> str:
    """`{"k": <fragment>, ...}` from already-encoded JSON fragments (cached object JSON is
    spliced in, never re-encoded: that is what keeps 1000-row pages cheap)."""
    return "{" + ",".join(f"{json.dumps(key)}:{fragment}" for key, fragment in pairs) + "}"


def raw_list(fragments: list[str]) -> str:
    return "[" + ",".join(fragments) + "]"
