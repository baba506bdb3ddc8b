"""Operations endpoints: /health (JSON, no secrets) and /metrics (allow-listed or staff)."""

import time

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_prometheus.exports import ExportToDjangoView
from django_tenants.utils import get_public_schema_name, schema_context

from apps.core.client_ip import client_ip, ip_in
from apps.core.redis_urls import redis_py_url


def _check(fn):
    started = time.perf_counter()
    try:
        detail = fn()
        ok = True
    except Exception as exc:  # health must report, never raise
        detail, ok = type(exc).__name__, False
    return {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1), "detail": detail}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "reachable"


_CLIENTS: dict[str, redis.Redis] = {}


def _client(url: str) -> redis.Redis:
    """One client (and connection pool) per URL and process: building a client per probe
    cost more than the ping (redis-py reads its own package metadata on every new one)."""
    if url not in _CLIENTS:
        _CLIENTS[url] = redis.Redis.from_url(redis_py_url(url), socket_timeout=1,
                                             socket_connect_timeout=1)
    return _CLIENTS[url]


def _redis(url):
    def probe():
        _client(url).ping()
        return "reachable"

    return probe


_MIGRATIONS_CHECKED: dict[str, float] = {}
MIGRATIONS_RECHECK_SECONDS = 60  # loading the migration graph costs ~15 ms; deploys are rarer


def _pending_migrations():
    if time.monotonic() - _MIGRATIONS_CHECKED.get("ok_at", -1e9) < MIGRATIONS_RECHECK_SECONDS:
        return "none pending"
    # The shared schema's record, whatever path the (persistent) connection has now: /health
    # runs before tenant resolution (apps.core.middleware.HealthMiddleware).
    with schema_context(get_public_schema_name()):
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise RuntimeError(f"{len(plan)} pending")
    _MIGRATIONS_CHECKED["ok_at"] = time.monotonic()
    return "none pending"


@never_cache
@require_GET
def health(request):
    checks = {
        "database": _check(_database),
        "redis": _check(_redis(settings.REDIS_URL)),
        "broker": _check(_redis(settings.CELERY_BROKER_URL)),
        "migrations": _check(_pending_migrations),
    }
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=200 if healthy else 503,
    )


def metrics_allowed(request) -> bool:
    """The scraper's address is on the allow-list, or a 2FA-verified staff member is looking."""
    if ip_in(client_ip(request), settings.METRICS_ALLOWED_CIDRS):
        return True
    user = getattr(request, "user", None)
    verified = getattr(user, "is_verified", lambda: False)
    return bool(user is not None and user.is_authenticated and user.is_staff and verified())


@never_cache
@require_GET
def metrics(request):
    if not metrics_allowed(request):
        return HttpResponseForbidden("Metrics are for the monitoring system and staff only.")
    return ExportToDjangoView(request)
