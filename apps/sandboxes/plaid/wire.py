"""JSON on the wire: amounts stay Decimal inside the sandbox and go out as JSON numbers.

The stdlib encoder cannot emit a Decimal as a number, so Decimals are first rendered as a
marked string by the fast C encoder and the marker is stripped afterwards.
"""

from __future__ import annotations

import json
import re
import secrets
import string
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

_MARK = "\x00D"
_MARKED_NUMBER = re.compile(r'"\\u0000D(-?[0-9.Ee+\-]+)\\u0000"')


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        # Plaid sends plain decimal numbers; never exponent notation.
        return f"{_MARK}{format(obj, 'f')}\x00"
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


def dumps(obj: Any, *, indent: int | None = None) -> str:
    text = json.dumps(obj, default=_default, indent=indent, ensure_ascii=True)
    return _MARKED_NUMBER.sub(r"\1", text)


def loads(text: str | bytes) -> Any:
    return json.loads(text, parse_float=Decimal)


def request_id() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(15))


def iso_now() -> str:
    """RFC 3339 UTC timestamp as Plaid writes it (`2024-01-01T12:00:00Z`)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def iso_at(ts: float) -> str:
    moment = datetime.fromtimestamp(ts, UTC).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")
