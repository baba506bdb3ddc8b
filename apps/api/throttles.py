"""Per-user and per-API-key throttling on the shared Redis cache (the tenant cache key adds the
business, so a user's budget is per business). Over the limit: 429 with `Retry-After` (DRF
sets the header; the exception handler adds `retry_after` to the error body).

Rates come from `settings.API_THROTTLE_RATES` at request time (DRF's own throttles read their
rates once at import, which a test or an operator could not change)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from apps.core.client_ip import client_ip


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return settings.API_THROTTLE_RATES[self.scope]

    def get_ident(self, request):
        """The caller's address as the sign-in lockout counts it (`apps.core.client_ip`):
        `X-Forwarded-For` only as far as trusted proxies vouch. DRF's own takes the header's
        first entry, which a client writes itself — a new value per call, a fresh budget."""
        return client_ip(request) or "unknown"


class UserReadThrottle(_SettingsRateThrottle):
    """Reads per signed-in user (or per address for anonymous calls such as token exchange)."""

    scope = "read"

    def get_cache_key(self, request, view):
        key = getattr(request._request, "api_key", None)
        if key is not None:  # each key has its own budget, apart from its owner's session
            ident = f"key{key.pk}"
        elif request.user.is_authenticated:
            ident = request.user.pk
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


class UserWriteThrottle(UserReadThrottle):
    """Writes have their own, smaller budget so a read-heavy dashboard never blocks a payment."""

    scope = "write"

    def allow_request(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return SimpleRateThrottle.allow_request(self, request, view)
