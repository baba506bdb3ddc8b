"""Real books (DESIGN §4b) in real headless Chromium: the second worked example's company
(tests/runway/real_books_company/) served by the QBO sandbox and synced over HTTP. The dashboard
shows the card and the currency note, the tray offers the vendor credit (applied once, through
QBO) and warns about the missing CAD rate, a euro bill shows both currencies. Screenshots go
where the rest of the suite's do (`make screenshots`: docs/screenshots/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from apps.accounts.models import Role
from tests.browser.agency import actions_run, schema_drop, sign_in
from tests.browser.conftest import screenshot
from tests.factories import make_member
from tests.integrations.sync.qbo_company import sandbox_rows, start
from tests.utils import in_tenant

pytestmark = pytest.mark.browser
SLUG = "realbooks"
COMPANY = Path(__file__).parents[1] / "runway" / "real_books_company"


@pytest.fixture
def books(live_site, settings, memory_broker):
    from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
    from apps.integrations.sync.qbo_sync import qbo_sync_run
    from apps.tenancy.services import business_provision

    settings.QBO_LIMITER = False
    schema_drop(SLUG)
    sandbox = start(COMPANY)
    try:
        business = business_provision(slug=SLUG, name="Real Books Studio",
                                      timezone="America/Los_Angeles")
        sandbox_connect(business, sandbox.base_url, realm=sandbox.realm)
        run = qbo_sync_run(business, full=True)
        assert run.state == "succeeded", run.error
        connection.set_schema_to_public()
        owner = make_member(business, Role.OWNER, email="owner@realbooks.test")
        yield business, owner, sandbox
    finally:
        sandbox.stop()
        schema_drop(SLUG)


def test_cards_currencies_and_the_vendor_credit_in_the_browser(live_site, books, page):
    business, owner, sandbox = books
    base, port = live_site
    sign_in(page, base, port, owner.email, slug=SLUG)
    page.wait_for_selector("[data-testid=cards]")
    assert page.get_by_test_id("card-owed").inner_text() == "$1,234.56"
    assert "EUR" in page.get_by_test_id("currency-note").inner_text()
    screenshot(page, "dashboard-real-books")

    page.goto(f"http://{SLUG}.localhost:{port}/tray/")
    button = page.get_by_test_id("tray-apply-vendor-credit")
    assert button.inner_text() == "Apply $400.00 to bill 501"
    assert page.locator("[data-key=currency_rate_missing]").count() == 1
    assert page.locator("[data-key='series:name:gusto payroll']").count() == 1
    screenshot(page, "tray-real-books")
    button.click()
    page.wait_for_selector("[data-testid=tray-item-status]")
    button_again = page.get_by_test_id("tray-apply-vendor-credit")
    assert button_again.count() == 0  # the item is decided: no second click to make
    [action] = actions_run(business, "vendor_credit.apply")
    assert action.state == "succeeded", action.error
    credit = next(r for r in sandbox_rows(sandbox, "VendorCredit") if r["Id"] == "510")
    assert str(credit["Balance"]) in ("300", "300.0", "300.00")

    with in_tenant(business):
        from apps.ap.models import Bill

        euro_bill = Bill.objects.get(qbo_id="503").pk
    page.goto(f"http://{SLUG}.localhost:{port}/bills/{euro_bill}/")
    balance = page.get_by_test_id("bill-balance").inner_text()
    assert "€1,000.00" in balance and "at 1 EUR = " in balance
    screenshot(page, "bill-detail-euro")
