"""Firm portfolio page (docs/firm.md): p95 ≤ 100 ms with 300 client businesses; the query count
does not grow with the number of clients.

The page reads only public rows (grants ⋈ businesses ⋈ summary rows), so the client businesses
are real ``Business`` rows with their summary rows inserted directly; their schemas are not
provisioned (nothing on this page ever reads them — tests/tenancy/test_no_cross_schema_sql.py).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from tests.bench.harness import Result, median, p95, timed

TARGET_P95_MS = 100.0


def _portfolio(n: int):
    from django.utils import timezone

    from apps.accounts.models import Firm, FirmClient, FirmMember, FirmRole, Membership, User
    from apps.tenancy.models import Business, BusinessSummary

    tag = uuid.uuid4().hex[:6]
    partner = User.objects.create_user(f"partner-{tag}@firm.test", "bench-password-1")
    firm = Firm.objects.create(slug=f"firm-{tag}", name=f"Bench Firm {tag}")
    FirmMember.objects.create(firm=firm, user=partner, role=FirmRole.PARTNER)
    businesses = Business.objects.bulk_create([
        Business(schema_name=f"pf_{tag}_{i}", slug=f"pf-{tag}-{i}", name=f"Client {i:03d}",
                 last_sync_at=timezone.now() - timedelta(hours=i % 72))
        for i in range(n)
    ])
    FirmClient.objects.bulk_create([FirmClient(firm=firm, business=b) for b in businesses])
    Membership.objects.bulk_create([
        Membership(user=partner, business=b, role="bookkeeper", firm=firm) for b in businesses])
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    BusinessSummary.objects.bulk_create([
        BusinessSummary(
            business=b, as_of=today, cash=Decimal(20000 + 731 * i), reserved=Decimal("5000.00"),
            available=Decimal(15000 + 731 * i), daily_burn=Decimal("800.00"),
            runway_days=Decimal(15000 + 731 * i) / Decimal(800), low_point=Decimal(-4000 + 97 * i),
            low_point_week=monday, cash_zero_week=monday + timedelta(weeks=3) if i % 7 == 0
            else None, overdue_ar=Decimal(113 * (i % 11)), tray_waiting=i % 6,
            bank_feed_status="ok" if i % 9 else "login_required", week_of=monday,
        ) for i, b in enumerate(businesses)
    ])
    return firm, partner


def _measure(n: int, requests: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test import Client

    firm, partner = _portfolio(n)
    client = Client(HTTP_HOST="localhost")
    client.force_login(partner)
    url = f"/firm/{firm.slug}/"
    for _ in range(3):  # warm-up
        assert client.get(url).status_code == 200
    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b'data-testid="client"') == n
    times = []
    for _ in range(requests):
        seconds, response = timed(client.get, url)
        assert response.status_code == 200
        times.append(seconds * 1000)
    return times, len(executed)


def run(quick: bool) -> list[Result]:
    n, requests = (30, 20) if quick else (300, 100)
    times, queries = _measure(n, requests)
    _, small_queries = _measure(3, 3)
    figure = round(p95(times), 1)
    constant = queries == small_queries
    return [Result(
        name=f"Firm portfolio page, {n} client businesses: p95 of {requests} requests",
        figure=figure, unit="ms", target=f"p95 ≤ {TARGET_P95_MS:g} ms; queries constant",
        passed=figure <= TARGET_P95_MS and constant,
        notes=f"p50 {median(times):.1f} ms; {queries} queries at {n} clients, "
              f"{small_queries} at 3",
    )]
