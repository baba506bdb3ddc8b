"""Isolation probe: for two businesses and every role, request every URL pattern (portal and
API) of the other business, and the staff admin — zero leaks allowed.

Business B is seeded with one of everything (tests.drills.isolation_seed) and every detail route
is probed with B's *real* ids, so a missing membership check would show B's row instead of an
empty 404. A control proves the ids are real: B's own owner gets 200 on every detail page.
API: with A's session and with A's API token (a token bound to another business is a 401).
"""

from __future__ import annotations

import uuid

from tests.drills.isolation_seed import concrete_for, seed_business
from tests.drills.probe import access_of, concrete, public_routes, tenant_routes

OPEN = "open"
METHODS = ("get", "post", "put", "patch", "delete")


def _probe_tenant(client, routes, ids, label, details, *, headers=None, allowed=(404,)):
    requests = leaks = real = 0
    for route, view in routes:
        if access_of(view) == OPEN:
            continue
        url, used = concrete_for(route, ids)
        real += used
        for method in METHODS:
            response = getattr(client, method)(url, **(headers or {}))
            requests += 1
            if response.status_code not in allowed:
                leaks += 1
                details.append(f"{label} {method.upper()} {url} -> {response.status_code}")
    return requests, leaks, real


def _control(b, ids, details) -> int:
    """B's owner sees B's rows on every detail page the probe used (else the probe proves
    nothing). Returns how many detail pages showed B's data."""
    from django.test import Client

    from apps.accounts.models import User

    owner = User.objects.get(pk=ids["_owner"])
    client = Client(HTTP_HOST=f"{b.slug}.localhost")
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    shown = 0
    for route in ("bills/<int:pk>/", "invoices/<int:pk>/", "customers/<int:pk>/",
                  "documents/<int:pk>/file/", "digest/<str:week>/"):
        url, _ = concrete_for(route, ids)
        status = client.get(url).status_code
        shown += status == 200
        if status != 200:
            details.append(f"control: B's owner GET {url} -> {status}")
    return shown


def run(quick: bool) -> tuple[bool, str]:
    from django.db import connection
    from django.test import Client

    from apps.accounts.models import Membership, Role, User
    from apps.api.auth import tokens_for
    from apps.tenancy.services import business_provision

    tag = uuid.uuid4().hex[:6]
    a = business_provision(slug=f"iso-a-{tag}", name="Isolation A")
    b = business_provision(slug=f"iso-b-{tag}", name="Isolation B")
    ids = seed_business(b, tag)
    routes = tenant_routes()
    api_routes = [r for r in routes if r[0].startswith("api/")]
    requests = leaks = detail_urls = 0
    details: list[str] = []
    for role in (Role.OWNER, Role.BOOKKEEPER, Role.VIEWER):
        user = User.objects.create_user(f"{role}-{tag}@iso.test", "iso-password-123")
        Membership.objects.create(user=user, business=a, role=role)
        client = Client(HTTP_HOST=f"{b.slug}.localhost")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        n, bad, real = _probe_tenant(client, routes, ids, role, details)
        requests, leaks, detail_urls = requests + n, leaks + bad, detail_urls + real
        # A's API token on B's host: refused as another business's token (401) or 404.
        bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens_for(user, a)['access']}"}
        n, bad, _ = _probe_tenant(Client(HTTP_HOST=f"{b.slug}.localhost"), api_routes, ids,
                                  f"{role} token", details, headers=bearer, allowed=(401, 404))
        requests, leaks = requests + n, leaks + bad
        admin = Client(HTTP_HOST="localhost")
        admin.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        for route, _view in public_routes():
            if not route.startswith("admin/") or route in ("admin/login/", "admin/logout/"):
                continue  # the sign-in and sign-out pages show nothing about any business
            url = concrete(route)
            response = admin.get(url)
            requests += 1
            # Non-staff members must be sent to the admin sign-in, never shown a page.
            if response.status_code == 200 or (
                response.status_code == 302 and "/admin/login/" not in response["Location"]
            ):
                leaks += 1
                details.append(f"{role} admin GET {url} -> {response.status_code}")
        connection.set_schema_to_public()
    shown = _control(b, ids, details)
    connection.set_schema_to_public()
    verdict = (f"{requests} requests, {leaks} leaks; {detail_urls // 3} detail routes probed "
               f"with B's real ids (B's owner sees B's data on {shown}/5 of them)")
    if details:
        verdict += "; e.g. " + "; ".join(details[:5])
    return leaks == 0 and shown == 5, verdict
