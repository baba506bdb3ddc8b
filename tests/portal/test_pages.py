"""Every portal page renders for its roles, shows its key numbers, keeps a constant query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from apps.ap.models import Bill
from apps.tray.services import tray_generate
from tests.factories import make_member
from tests.portal import factories as f
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


def _pages(b):
    return [
        "/",
        "/tray/",
        "/bills/",
        "/bills/?status=new&due=14",
        f"/bills/{b['bill'].pk}/",
        "/invoices/",
        "/invoices/?tab=all&status=overdue",
        f"/invoices/{b['invoice'].pk}/",
        f"/customers/{b['customer'].pk}/",
        "/reserves/",
        "/banks/",
        "/recurring/",
        "/whatif/",
        f"/whatif/?pay_{b['bill'].pk}=1",
        "/onboarding/",
        "/onboarding/progress/",
    ]


OWNER_PAGES = ["/settings/", "/team/", "/activity/"]


def test_owner_sees_every_page(tenant_a, owner_a, books):
    client = client_for(tenant_a, owner_a)
    for url in _pages(books) + OWNER_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url


def test_viewer_reads_but_not_owner_pages(tenant_a, books):
    viewer = make_member(tenant_a, Role.VIEWER)
    client = client_for(tenant_a, viewer)
    for url in _pages(books):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'data-testid="tray-done"' not in response.content  # no action buttons
        assert b'data-testid="bill-pay-now"' not in response.content
    for url in OWNER_PAGES:
        assert client.get(url).status_code == 403, url


def test_bookkeeper_cannot_open_owner_settings(tenant_a, books):
    client = client_for(tenant_a, make_member(tenant_a, Role.BOOKKEEPER))
    assert client.get("/settings/").status_code == 403
    assert client.get("/team/").status_code == 403
    assert client.get("/activity/").status_code == 200


def test_dashboard_shows_the_key_numbers(tenant_a, owner_a, books):
    html = client_for(tenant_a, owner_a).get("/").content.decode()
    # Cash 90,000; burn 9,000 ÷ 90 = 100.00; reserved 1,000; available 89,000 → 890.0 days.
    assert 'data-testid="runway-days">890.0' in html
    assert 'data-testid="cash">$90,000.00' in html
    assert 'data-testid="reserved">$1,000.00' in html
    assert 'data-testid="available">$89,000.00' in html
    assert 'data-testid="low-point">$' in html
    assert 'data-testid="tray-count">3<' in html
    assert 'data-low-point="1"' in html  # the low point is marked on the chart
    assert "<svg" in html and "<script>" not in html


def test_tray_page_lists_items_with_impact_and_actions(tenant_a, owner_a, books):
    html = client_for(tenant_a, owner_a).get("/tray/").content.decode()
    assert html.count('data-testid="tray-item"') == 3
    assert "-10.0 days" in html  # paying the 1,000 bill at 100/day
    assert 'data-testid="tray-approve"' in html and 'data-testid="tray-remind"' in html


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_rows(tenant_a, owner_a, books):
    client = client_for(tenant_a, owner_a)
    urls = ["/", "/tray/", "/bills/", "/invoices/", "/invoices/?tab=all"]
    for url in urls:
        client.get(url)  # warm the runway cache
    before = {url: _count(client, url) for url in urls}
    with in_tenant(tenant_a):
        today = f.today_of(tenant_a)
        for i in range(60):
            v = f.vendor(f"Vendor {i}")
            f.bill(v, "100.00", today + timedelta(days=i % 20), status=Bill.Status.NEW)
            f.invoice(f.customer(f"Customer {i}"), "200.00", today - timedelta(days=i + 1))
    tray_generate(tenant_a)
    for url in urls:
        client.get(url)
    after = {url: _count(client, url) for url in urls}
    assert after == before
    assert max(after.values()) <= 20


def test_whatif_moves_runway_without_saving(tenant_a, owner_a, books):
    client = client_for(tenant_a, owner_a)
    html = client.get(f"/whatif/?pay_{books['bill'].pk}=1").content.decode()
    assert 'data-testid="whatif-base-days">890.0 days' in html
    assert 'data-testid="whatif-days">880.0 days' in html  # 88,000 ÷ 100.00
    past = client.get(f"/whatif/?delay_{books['bill'].pk}=2000-01-01").content.decode()
    assert 'data-testid="whatif-error"' in past
    with in_tenant(tenant_a):
        assert Bill.objects.get(pk=books["bill"].pk).balance == 1000


def test_banks_page_shows_the_balance_that_counts_in_home_money(tenant_a, owner_a, books):
    """Each row shows the balance cash counts (the fresher bank-feed copy of a linked account),
    in the business's money; an account kept in another currency shows its own amount beside
    the converted one — never euros with a dollar sign. The rows add up to "Cash now"."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from apps.ledger.models import ExchangeRate
    from tests.factories import AccountFactory, FeedAccountFactory

    with in_tenant(tenant_a):
        op = books["account"]
        FeedAccountFactory(name="Checking", mask="1234", current_balance=Decimal("95000.00"),
                           balance_at=datetime.now(UTC) + timedelta(hours=1),
                           linked_account=op, link_confirmed=True)
        AccountFactory(name="Euro Operating", currency="EUR",
                              current_balance=Decimal("1000.00"), realm_id=op.realm_id)
        ExchangeRate.objects.create(
            realm_id=op.realm_id, qbo_id="EUR:USD:2020-01-01", source_currency="EUR",
            target_currency="USD", as_of=f.today_of(tenant_a) - timedelta(days=3),
            rate=Decimal("1.1000"))
    f.fresh_runway(tenant_a)
    html = client_for(tenant_a, owner_a).get("/banks/").content.decode()
    assert 'data-testid="cash">$96,100.00' in html  # 95,000 (feed) + 1,000 EUR at 1.10
    assert 'data-testid="bank-balance">$95,000.00<' in html
    assert 'data-testid="bank-balance">$1,100.00<' in html
    assert "€1,000.00" in html
    assert "$1,000.00<" not in html and "$90,000.00" not in html


def test_times_on_pages_are_the_businesss_local_time(tenant_a, owner_a, books):
    """`|date` converts an aware datetime to the *active* time zone (it undid the `local`
    filter before it): pages of a business show its own clock, not UTC."""
    from zoneinfo import ZoneInfo

    from apps.core.models import AuditEvent
    from apps.core.services.audit import audit_record

    tenant_a.timezone = "Asia/Kathmandu"  # UTC+5:45: neither the hour nor the minute match
    tenant_a.save(update_fields=["timezone"])
    audit_record(actor=owner_a, action="settings.digest", business=tenant_a,
                 object_type="BusinessSettings", object_id="1", after={"day": 0})
    event = AuditEvent.objects.filter(business=tenant_a, action="settings.digest").latest("id")
    local = event.created_at.astimezone(ZoneInfo("Asia/Kathmandu"))
    utc = event.created_at.astimezone(ZoneInfo("UTC"))
    html = client_for(tenant_a, owner_a).get("/activity/").content.decode()
    assert f"{local:%b} {local.day}, {local:%H:%M}" in html
    assert f"{utc:%b} {utc.day}, {utc:%H:%M}" not in html


def test_activity_reads_as_words_and_its_bank_filter_finds_bank_feed_events(tenant_a, owner_a,
                                                                              books):
    from apps.core.services.audit import audit_record

    audit_record(actor=owner_a, action="bank_feed.link_confirm", business=tenant_a,
                 object_type="FeedAccount", object_id="1",
                 before={"linked": None, "confirmed": False}, after={"linked": 4,
                                                                     "confirmed": True})
    html = client_for(tenant_a, owner_a).get("/activity/?action=bank").content.decode()
    assert "bank_feed.link_confirm" in html  # the "Bank accounts" kind includes the feed
    assert "{&#x27;" not in html and "{'" not in html  # no Python dict reprs
    assert "linked: — → 4" in html and "confirmed: no → yes" in html


def test_documents_list_formats_money_and_scrolls_inside_its_card(tenant_a, owner_a, books):
    from decimal import Decimal

    from apps.ap.documents.models import Document

    with in_tenant(tenant_a):
        Document.objects.create(source="upload", original_name="acme.pdf", file="x/acme.pdf",
                                content_type="application/pdf", size=10, sha256="0" * 64,
                                state="review", vendor_name="Acme", total=Decimal("1234.5"),
                                currency="EUR")
    html = client_for(tenant_a, owner_a).get("/documents/").content.decode()
    assert "€1,234.50" in html and "1234.50 EUR" not in html
    table = html.index('<table')
    assert 'class="table-wrap"' in html[table - 60:table]  # a phone scrolls the table, not the page


def test_past_digests_are_reachable_and_keep_the_portal_around_them(tenant_a, owner_a, books):
    client = client_for(tenant_a, owner_a)
    assert 'href="/digest/"' in client.get("/settings/").content.decode()
    page = client.get("/digest/")
    html = page.content.decode()
    assert page.status_code == 200 and "Weekly digests" in html
    assert 'href="/tray/"' in html and 'href="/settings/"' in html  # the portal's own nav


def test_bill_history_reads_as_dates_and_its_empty_state_is_not_numbered(tenant_a, owner_a,
                                                                        books):
    bill = books["bill"]
    client = client_for(tenant_a, owner_a)
    html = client.get(f"/bills/{bill.pk}/").content.decode()
    assert '<li class="muted">No decisions yet.</li>' not in html  # rendered "1. No decisions"
    assert "No decisions yet." in html
    pay_on = f.today_of(tenant_a) + timedelta(days=3)
    assert client.post(f"/bills/{bill.pk}/schedule/", {"pay_on": pay_on.isoformat()}
                       ).status_code in (200, 302)
    html = client.get(f"/bills/{bill.pk}/").content.decode()
    assert f"for {pay_on:%b} {pay_on.day}, {pay_on.year}" in html
    assert f"for {pay_on.isoformat()}" not in html


def test_every_page_names_its_icon_so_browsers_do_not_ask_for_a_missing_favicon(tenant_a,
                                                                                owner_a, books):
    from django.contrib.staticfiles import finders

    html = client_for(tenant_a, owner_a).get("/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg"' in html
    assert finders.find("img/favicon.svg")


def test_bank_feed_page_formats_balances_and_keeps_the_portal_nav(tenant_a, owner_a, books):
    from decimal import Decimal

    from apps.integrations.plaid.models import PlaidItem
    from tests.factories import FeedAccountFactory

    PlaidItem.objects.create(business=tenant_a, item_id="item-sandbox", access_token="unused",
                             host="http://127.0.0.1:9", status="ok")
    with in_tenant(tenant_a):
        FeedAccountFactory(name="Business Card", mask="4057", type="credit", currency="USD",
                           current_balance=Decimal("32055.01"))
    html = client_for(tenant_a, owner_a).get("/settings/bank/").content.decode()
    assert "$32,055.01" in html and "32055.01 USD" not in html
    assert 'href="/tray/"' in html  # inside the portal, not a page without navigation


def test_time_zone_lists_offer_real_places_only(tenant_a, owner_a, books):
    """No "localtime" (the server's own zone), no legacy aliases (US/Eastern, W-SU, Etc/GMT+5
    with its inverted sign): the owner picks a region/city, as on the sign-up form."""
    from apps.accounts.forms import TIMEZONE_CHOICES

    html = client_for(tenant_a, owner_a).get("/settings/").content.decode()
    for bad in ("localtime", "US/Eastern", "W-SU", "Etc/GMT+5"):
        assert f'<option value="{bad}"' not in html
        assert (bad, bad) not in TIMEZONE_CHOICES
    assert '<option value="America/New_York"' in html and '<option value="UTC"' in html
    assert ("Europe/London", "Europe/London") in TIMEZONE_CHOICES
