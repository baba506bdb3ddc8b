"""Fixtures shared by the portal's tests."""

from datetime import timedelta

import pytest

from apps.tray.services import tray_generate
from tests.portal import factories as f
from tests.utils import in_tenant


@pytest.fixture
def books(tenant_a):
    with in_tenant(tenant_a):
        f.fresh_runway(tenant_a)
        today = f.today_of(tenant_a)
        acct = f.account(balance="90000.00")
        f.burn(acct, "9000.00", today)
        v = f.vendor("Rent Co")
        c = f.customer("Bolt Studio")
        rows = {
            "bill": f.bill(v, "1000.00", today + timedelta(days=5), doc="B-1"),
            "invoice": f.invoice(c, "3000.00", today - timedelta(days=20), doc="INV-1"),
            "customer": c,
            "reserve": f.reserve(target="5000.00", held="1000.00"),
            "account": acct,
            "vendor": v,
        }
    tray_generate(tenant_a)
    return rows
