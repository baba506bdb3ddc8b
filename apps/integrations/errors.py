"""What the clients of every outside service (QBO, Plaid) share in their errors."""

from __future__ import annotations

import json
from typing import Any


class IntegrationError(Exception):
    """Base of the errors a client of an outside service raises. ``retryable``: the same call
    may succeed later (throttled, the service down, no answer), so callers back off and retry
    (``apps.integrations.retry``); otherwise retrying cannot help."""

    retryable = False


def json_error_body(body: Any) -> Any:
    """An error response's body as JSON: bytes or text are parsed ({} when they are not JSON);
    anything else (already parsed, or None) is returned as it is."""
    if not isinstance(body, (bytes, str)):
        return body
    try:
        return json.loads(body or "{}")
    except ValueError:
        return {}
