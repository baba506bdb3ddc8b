"""Going live in real Chromium: Plaid Link (the sandbox's stand-in, Plaid's JavaScript contract)
links a bank from the bank page, repairs a login in update mode from the tray, and an exit with
an error changes nothing; Connect to QuickBooks returns through the one public callback; the
disconnect URL revokes and lands on its page."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.db import connection

from apps.bank.models import Account, FeedAccount
from apps.bank.services.feed_connect import feed_connect_sandbox
from apps.bank.services.feed_items import item_status_set
from apps.integrations.plaid.models import PlaidItem
from apps.integrations.sync.models import QboConnection
from apps.sandboxes.plaid import start_sandbox
from apps.tray.services import tray_generate
from tests.browser.agency import (
    agency_fixture,  # noqa: F401 (the `agency` and `sandbox` fixtures)
    money,
    runway_json,
    sandbox_fixture,  # noqa: F401
    sign_in,
)
from tests.browser.conftest import screenshot
from tests.utils import in_tenant

pytestmark = pytest.mark.browser
LINK = "iframe[data-plaid-link]"


@pytest.fixture
def plaid(sandbox, settings):
    """The demo agency's bank, served by the Plaid sandbox (Link's stand-in included)."""
    handle = start_sandbox(sandbox.app.store.directory.parent / "plaid")
    settings.PLAID_HOST = handle.base_url
    yield handle
    handle.stop()


def _open_bank_page(page, live_site, agency):
    base, port = live_site
    sign_in(page, base, port, agency.owner.email)
    page.goto(f"http://{agency.host}:{port}/settings/bank/")


def test_owner_links_a_bank_through_link_and_confirming_counts_the_banks_balance(
    live_site, agency, plaid, page
):
    _open_bank_page(page, live_site, agency)
    page.get_by_test_id("plaid-connect").click()
    link = page.frame_locator(LINK)
    link.get_by_test_id("standin-institution").click()
    screenshot(page, "plaid-link")
    link.get_by_test_id("standin-continue").click()
    page.wait_for_selector("text=Bank connected")
    screenshot(page, "bank-feed")
    item = PlaidItem.objects.get(business=agency.business)
    assert item.last_sync_at is not None  # the first sync ran
    with in_tenant(agency.business):
        feeds = list(FeedAccount.objects.filter(removed=False, item_id=item.item_id)
                     .select_related("suggested_account"))
    suggested = [f for f in feeds if f.suggested_account is not None]
    assert suggested and len(suggested) == len(feeds)  # every account has a suggestion
    for feed in feeds:
        assert page.locator(f"text={feed.name} ••{feed.mask}").count() == 1
    assert page.locator("text=suggested by").count() == len(suggested)

    # A bank account whose feed balance differs from QuickBooks' (a card's owed amount is the
    # same number with Plaid's opposite sign, so it would change nothing: cards are not cash).
    feed = max((f for f in suggested if f.type == "depository"),
               key=lambda f: abs(f.current_balance - f.suggested_account.current_balance))
    with in_tenant(agency.business):
        qbo_balance = Account.objects.get(pk=feed.suggested_account_id).current_balance
    before = runway_json(agency.business)
    row = page.locator("tr", has_text=f"{feed.name} ••{feed.mask}")
    row.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    after = runway_json(agency.business)
    expected = Decimal(before["cash"]) - qbo_balance + feed.current_balance
    assert feed.current_balance != qbo_balance  # the test can see the change
    assert Decimal(after["cash"]) == expected
    page.goto(f"http://{agency.host}:{live_site[1]}/")
    assert money(page.get_by_test_id("cash").inner_text()) == expected


def test_login_required_shows_reconnect_and_update_mode_repairs_it(
    live_site, agency, plaid, page
):
    item = feed_connect_sandbox(agency.business, host=plaid.base_url)
    connection.set_schema_to_public()
    plaid.set_item_state(item.item_id, "ITEM_LOGIN_REQUIRED")
    item_status_set(item, PlaidItem.Status.LOGIN_REQUIRED, "ITEM_LOGIN_REQUIRED")
    tray_generate(agency.business)
    connection.set_schema_to_public()
    base, port = live_site
    sign_in(page, base, port, agency.owner.email)
    page.goto(f"http://{agency.host}:{port}/tray/")
    prompt = page.locator("[data-testid=tray-item]",
                          has_text=f"Reconnect {item.institution_name}")
    prompt.get_by_test_id("plaid-reconnect").click()
    link = page.frame_locator(LINK)
    assert "Sign in again" in link.locator("#signin h1").inner_text()  # update mode
    link.get_by_test_id("standin-continue").click()
    page.wait_for_selector("text=is reconnected")
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.OK
    assert plaid.state.items[item.item_id].error is None
    assert PlaidItem.objects.filter(business=agency.business).count() == 1


def test_exiting_link_with_an_error_shows_why_and_changes_nothing(
    live_site, agency, plaid, page
):
    with in_tenant(agency.business):
        feeds_before = FeedAccount.objects.count()
    _open_bank_page(page, live_site, agency)
    page.get_by_test_id("plaid-connect").click()
    link = page.frame_locator(LINK)
    link.get_by_test_id("standin-institution").click()
    link.get_by_test_id("standin-error").click()
    message = page.get_by_test_id("plaid-link-message")
    message.wait_for()
    assert "Your bank was not connected" in message.inner_text()
    assert "credentials you provided were incorrect" in message.inner_text()
    assert "Nothing was changed" in message.inner_text()
    assert page.locator(LINK).count() == 0  # Link closed
    assert not PlaidItem.objects.filter(business=agency.business).exists()
    with in_tenant(agency.business):
        assert FeedAccount.objects.count() == feeds_before


def test_connect_to_quickbooks_returns_through_the_public_callback(
    live_site, agency, page, settings
):
    base, port = live_site
    settings.QBO_REDIRECT_URI = f"http://localhost:{port}/connect/qbo/callback/"
    settings.QBO_ENVIRONMENT = agency.sandbox.discovery_url
    settings.QBO_API_BASE = agency.sandbox.base_url
    QboConnection.objects.filter(business=agency.business).delete()
    sign_in(page, base, port, agency.owner.email)
    page.goto(f"http://{agency.host}:{port}/connect/qbo/")
    button = page.get_by_test_id("connect-to-quickbooks")
    assert button.get_attribute("aria-label") == "Connect to QuickBooks"
    screenshot(page, "connect-quickbooks")
    with page.expect_navigation(url=f"http://{agency.host}:{port}/connect/qbo/**"):
        button.click()
    page.wait_for_selector("text=Your books are syncing now")
    assert urlparse(page.url).hostname == agency.host
    conn = QboConnection.objects.get(business=agency.business)
    assert conn.status == QboConnection.Status.CONNECTED and conn.realm_id == agency.sandbox.realm


def test_disconnect_url_revokes_and_shows_the_landing_page(live_site, agency, page):
    base, port = live_site
    sign_in(page, base, port, agency.owner.email)
    page.goto(f"http://{agency.host}:{port}/connect/qbo/")
    page.get_by_test_id("disconnect-quickbooks").click()
    page.wait_for_selector("[data-testid=disconnected-landing]")
    screenshot(page, "quickbooks-disconnected")
    assert "What disconnecting means" in page.content()
    conn = QboConnection.objects.get(business=agency.business)
    assert conn.status == QboConnection.Status.DISCONNECTED and conn.refresh_token == "revoked"
    assert page.get_by_test_id("connect-to-quickbooks").count() == 1  # reconnect from here
