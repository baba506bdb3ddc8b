"""One-time codes never reach the logs. Hand-off tokens, OAuth codes and states, invitation,
sign-up, password-reset and digest-link tokens travel in URLs; anything that logs a URL
(Django's request warnings, runserver, gunicorn's access log) passes it through `redact`.
Pure Python: gunicorn's master imports it without Django."""

from __future__ import annotations

import re

MASK = "[redacted]"
_QUERY = re.compile(
    r"(?P<key>[?&;](?:token|code|state|key|signature|sig|otp|password)=)[^&\s\"';#]*",
    re.IGNORECASE,
)
_PATHS = re.compile(
    r"(?P<prefix>/(?:invite|signup/verify|password/reset|go|unsubscribe)/)"
    r"(?!sent/|complete/)[^\s?\"'#]+"
)


def redact(text: str) -> str:
    if not text or ("/" not in text and "=" not in text):
        return text
    text = _QUERY.sub(lambda m: m.group("key") + MASK, text)
    return _PATHS.sub(lambda m: m.group("prefix") + MASK + "/", text)
