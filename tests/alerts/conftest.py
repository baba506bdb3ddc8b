"""Alert test helpers: a real webhook receiver, the owner's preferences, small books."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from apps.alerts.models import AlertSettings
from apps.core.dates import local_today
from apps.runway.cache import runway_invalidate
from tests.alerts.receiver import HookReceiver
from tests.factories import AccountFactory, BillFactory, PurchaseFactory, VendorFactory


@pytest.fixture
def receiver():
    hook = HookReceiver()
    yield hook
    hook.stop()


def prefs_set(business, **fields) -> AlertSettings:
    """Set preferences directly (the page and its rules are tested in test_preferences.py)."""
    with tenant_context(business):
        row, _ = AlertSettings.objects.get_or_create(singleton=1)
        for name, value in fields.items():
            setattr(row, name, value)
        row.save()
        return row


def books(business, *, balance: str, bill_due_in: int | None = None, bill: str = "0") -> None:
    """One bank account, 90 days of weekly $3,000 spending (burn ≈ $433/day) and optionally a
    bill due in `bill_due_in` days."""
    today = local_today(business.timezone)
    with tenant_context(business):
        AccountFactory(qbo_id="35", name="Operating", current_balance=Decimal(balance))
        for i in range(1, 90, 7):
            PurchaseFactory(account_qbo_id="35", txn_date=today - timedelta(days=i),
                            total=Decimal("3000.00"), counterparty="Payroll")
        if bill_due_in is not None:
            BillFactory(vendor=VendorFactory(display_name="Landlord"),
                        txn_date=today - timedelta(days=5),
                        due_date=today + timedelta(days=bill_due_in), total=Decimal(bill))
    runway_invalidate(business)
