"""A business with books the default rules act on: a bank account linked to QuickBooks, a known
vendor (one bill paid), a new bill from it under the limit, a Taxes reserve and a customer
payment this week; synced an hour ago."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.automation.rules import rule_save, rule_switch, rules_all
from apps.core.dates import local_today
from apps.runway.cache import runway_invalidate
from tests.factories import make_member
from tests.factories.ap import BillFactory, VendorFactory
from tests.factories.ar import PaymentFactory
from tests.factories.bank import AccountFactory, PurchaseFactory
from tests.factories.reserves import ReserveFactory
from tests.utils import in_tenant


@dataclass
class Books:
    business: object
    owner: object
    account: object
    vendor: object
    bill: object
    reserve: object
    payment: object


@pytest.fixture
def books(tenant_a, settings):
    settings.AUTOMATION_PAYMENT_UNDO_MINUTES = 0  # payments go to the outbox in the same tick
    tenant_a.last_sync_at = timezone.now() - timedelta(hours=1)
    tenant_a.automation_paused_at = None
    tenant_a.save(update_fields=["last_sync_at", "automation_paused_at"])
    owner = make_member(tenant_a, Role.OWNER)
    today = local_today(tenant_a.timezone)
    with in_tenant(tenant_a):
        account = AccountFactory(qbo_id="35", current_balance=Decimal("50000.00"))
        vendor = VendorFactory(display_name="Known Supplies")
        BillFactory(vendor=vendor, total=Decimal("300.00"), balance=Decimal("0"),
                    due_date=today - timedelta(days=20))
        bill = BillFactory(vendor=vendor, doc_number="B-1", total=Decimal("420.00"),
                           due_date=today + timedelta(days=10))
        # A stranger's bill: never approved by the rule (no paid history).
        BillFactory(vendor=VendorFactory(display_name="New Vendor"), total=Decimal("50.00"))
        reserve = ReserveFactory(name="Taxes", kind="taxes", target=Decimal("1000.00"),
                                 held=Decimal("0"))
        payment = PaymentFactory(total=Decimal("2000.00"), txn_date=today)
        rules_all()
    runway_invalidate(tenant_a)
    return Books(tenant_a, owner, account, vendor, bill, reserve, payment)


def switch_on(books: Books, *kinds: str, **guard) -> None:
    with in_tenant(books.business):
        for kind in kinds:
            if guard:
                from apps.automation.models import Rule

                rule = Rule.objects.get(kind=kind)
                rule_save(actor=books.owner, kind=kind, params=rule.params, **guard)
            rule_switch(actor=books.owner, kind=kind, on=True)


def burn(books: Books, per_day: Decimal) -> None:
    """Spending over the last 90 days, so runway is measured in days."""
    today = local_today(books.business.timezone)
    with in_tenant(books.business):
        for i in range(1, 90, 7):
            PurchaseFactory(account=books.account, total=per_day * 7,
                            txn_date=today - timedelta(days=i))
    runway_invalidate(books.business)
