"""A fixed-window attempt counter in the shared cache (Redis), for forms django-axes does not
guard: sign-up and creating a business. Counts every attempt, valid or not."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches

from apps.core.errors import ApplicationError


class Throttled(ApplicationError):
    code = "throttled"


def attempt_count(*, scope: str, key: str, window: timedelta) -> int:
    """Count one attempt for `key` and return how many were made in the current window."""
    cache = caches["default"]
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # emails never sit in Redis
    cache_key = f"throttle:{scope}:{digest}"
    timeout = int(window.total_seconds())
    cache.add(cache_key, 0, timeout=timeout)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=timeout)
        return 1


def signup_throttle(*, ip: str | None, email: str) -> None:
    """Raise `Throttled` once an address or an email has made too many sign-up attempts."""
    window = settings.SIGNUP_WINDOW
    over = False
    if ip:
        over |= attempt_count(scope="signup-ip", key=ip, window=window) > (
            settings.SIGNUP_LIMIT_PER_IP
        )
    if email:
        over |= attempt_count(scope="signup-email", key=email.strip().lower(), window=window) > (
            settings.SIGNUP_LIMIT_PER_EMAIL
        )
    if over:
        minutes = int(window.total_seconds() // 60)
        raise Throttled(f"Too many sign-up attempts. Please wait {minutes} minutes and try again.")
