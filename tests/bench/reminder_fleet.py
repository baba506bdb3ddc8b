"""The reminder benchmark's fleet: the digest benchmark's fleet builder
(tests/bench/digest_fleet.py: demo books in SEEDS schemas, the rest copies by pg_dump DDL +
INSERT … SELECT) in a database of its own (`<bench db>_reminders`), so the two benchmarks never
disturb each other's data; then, before every run, each business is made due for a known set
of reminders:

- its time zone set to one where it is morning now (the dispatcher's local-morning rule);
- reminders on (no PDFs: the fleet has no QuickBooks connection), today's reminder rows gone;
- the demo books' own customers set to "never remind" (their due steps depend on the day the
  bench runs; a fixed workload needs a fixed set), their invoices left as they are (the plan
  still reads them);
- CUSTOMERS bench customers, each with one invoice a day past due (the "1 day after" step), a
  billing email and a contact row made by the plan as for any customer.

    python -m tests.bench.reminder_fleet seed N ZONE    # prints "FLEET {json}"
"""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta

CUSTOMERS = 5
PREFIX = "rmb-"  # the bench customers' and invoices' QuickBooks ids


def _seed_one(business, zone: str) -> None:
    from django_tenants.utils import tenant_context

    from apps.ar.models import Customer, Invoice
    from apps.ar.reminders.models import (
        CollectionsSettings,
        CustomerReminders,
        ReminderEmail,
        ReminderTick,
    )
    from apps.core.dates import local_today

    due = local_today(zone) - timedelta(days=1)
    with tenant_context(business):
        ReminderEmail.objects.all().delete()
        ReminderTick.objects.all().delete()
        Invoice.objects.filter(qbo_id__startswith=PREFIX).delete()
        Customer.objects.filter(qbo_id__startswith=PREFIX).delete()
        CollectionsSettings.objects.update_or_create(
            singleton=1, defaults={"enabled": True, "attach_pdfs": False})
        CustomerReminders.objects.bulk_create(
            [CustomerReminders(customer_id=pk, mode=CustomerReminders.Mode.NEVER)
             for pk in Customer.objects.values_list("pk", flat=True)],
            update_conflicts=True, unique_fields=["customer"], update_fields=["mode"])
        for c in range(CUSTOMERS):
            cust = Customer.objects.create(realm_id="1", qbo_id=f"{PREFIX}{c}",
                                           display_name=f"Bench customer {c}",
                                           email=f"ap{c}@{business.slug}.bench.test")
            Invoice.objects.create(
                realm_id="1", qbo_id=f"{PREFIX}{c}", customer=cust, customer_qbo_id=cust.qbo_id,
                doc_number=f"RMB-{c}", txn_date=due - timedelta(days=30), due_date=due,
                total=100 + c, balance=100 + c, home_total=100 + c, home_balance=100 + c)


def seed(n: int, zone: str) -> dict:
    from django.db import connection

    from apps.tenancy.models import Business
    from tests.bench.digest_fleet import SLUG

    started = time.perf_counter()
    slugs = [SLUG.format(i) for i in range(n)]
    fleet = list(Business.objects.filter(slug__in=slugs).order_by("slug"))
    if len(fleet) != n:
        raise RuntimeError(f"fleet has {len(fleet)} of {n} businesses: run setup first")
    Business.objects.filter(pk__in=[b.pk for b in fleet]).update(timezone=zone)
    for business in fleet:
        business.timezone = zone
        _seed_one(business, zone)
    connection.set_schema_to_public()
    return {"seeded": n, "customers": CUSTOMERS, "zone": zone,
            "seconds": round(time.perf_counter() - started, 1)}


def main(argv: list[str]) -> None:
    import django

    django.setup()
    out = seed(int(argv[1]), argv[2])
    print("FLEET " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
