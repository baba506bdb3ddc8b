"""Isolation probe: for two businesses and every role, request every URL pattern (portal and
API) of the other business, and the staff admin — zero leaks allowed."""

from __future__ import annotations

import uuid

from tests.drills.probe import access_of, concrete, public_routes, tenant_routes

OPEN = "open"


def run(quick: bool) -> tuple[bool, str]:
    from django.db import connection
    from django.test import Client

    from apps.accounts.models import Membership, Role, User
    from apps.tenancy.services import business_provision

    tag = uuid.uuid4().hex[:6]
    a = business_provision(slug=f"iso-a-{tag}", name="Isolation A")
    b = business_provision(slug=f"iso-b-{tag}", name="Isolation B")
    requests = leaks = 0
    details = []
    for role in (Role.OWNER, Role.BOOKKEEPER, Role.VIEWER):
        user = User.objects.create_user(f"{role}-{tag}@iso.test", "iso-password-123")
        Membership.objects.create(user=user, business=a, role=role)
        client = Client(HTTP_HOST=f"{b.slug}.localhost")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        for route, view in tenant_routes():
            if access_of(view) == OPEN:
                continue
            url = concrete(route)
            for method in ("get", "post", "put", "patch", "delete"):
                response = getattr(client, method)(url)
                requests += 1
                if response.status_code != 404:
                    leaks += 1
                    details.append(f"{role} {method.upper()} {url} -> {response.status_code}")
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
    verdict = f"{requests} requests, {leaks} leaks"
    if details:
        verdict += "; e.g. " + "; ".join(details[:5])
    return leaks == 0, verdict
