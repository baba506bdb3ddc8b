"""Cached page fragments (apps/portal/page_cache.py): fast when nothing changed, never stale
after a change, never sharing one viewer's CSRF token or buttons with another."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from apps.ap.models import Bill
from apps.core.services.data_version import data_changed
from apps.tray.models import TrayItem
from tests.factories import make_member
from tests.portal import factories as f
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db

PAGES = ["/", "/tray/", "/bills/", "/invoices/", "/invoices/?tab=all"]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_a_second_view_skips_the_pages_queries(tenant_a, owner_a, books):
    client = client_for(tenant_a, owner_a)
    for url in PAGES:
        client.get(url)  # the runway result is cached from here on
        data_changed(tenant_a)
        client.get(url)
        cold = _queries(client, f"{url}{'&' if '?' in url else '?'}fresh=1")
        warm = _queries(client, f"{url}{'&' if '?' in url else '?'}fresh=1")
        assert warm < cold, (url, cold, warm)
        # Tenant lookup, user, membership (+ search_path switches); the dashboard adds its live
        # sync status and, until onboarding is done, the checklist's checks.
        assert warm <= (11 if url == "/" else 5), (url, warm)


def test_a_change_without_a_version_bump_is_not_shown_and_with_one_it_is(
    tenant_a, owner_a, books
):
    client = client_for(tenant_a, owner_a)
    assert b"B-1" in client.get("/bills/").content
    with in_tenant(tenant_a):
        Bill.objects.filter(pk=books["bill"].pk).update(doc_number="B-RENAMED")
    # Proves the page is cached: a write that skips the services is invisible...
    assert b"B-RENAMED" not in client.get("/bills/").content
    data_changed(tenant_a)  # ...until the data version moves, as every sync and action does
    assert b"B-RENAMED" in client.get("/bills/").content


def test_a_tray_decision_shows_at_once(tenant_a, owner_a, books):
    client = client_for(tenant_a, owner_a)
    count = re.compile(r'data-testid="tray-count">(\d+)<')
    before = int(count.search(client.get("/tray/").content.decode()).group(1))
    assert before >= 1 and int(count.search(client.get("/").content.decode()).group(1)) == before
    with in_tenant(tenant_a):
        item = TrayItem.objects.filter(status=TrayItem.Status.OPEN).first()
    assert client.post(f"/tray/{item.pk}/done/", {"next": "/tray/"}).status_code == 302
    html = client.get("/tray/").content.decode()
    assert int(count.search(html).group(1)) == before - 1
    assert "Decided this week" in html
    assert int(count.search(client.get("/").content.decode()).group(1)) == before - 1


def test_each_viewer_gets_their_own_csrf_token(tenant_a, owner_a, books):
    first = client_for(tenant_a, owner_a)
    first.get("/tray/")  # renders and stores the fragment
    second_owner = make_member(tenant_a, Role.OWNER, email="second-owner@example.test")
    second = Client(HTTP_HOST=f"{tenant_a.slug}.localhost", enforce_csrf_checks=True)
    second.force_login(second_owner, backend="django.contrib.auth.backends.ModelBackend")
    html = second.get("/tray/").content.decode()  # from the cache
    assert "__oodaloo_csrf_token__" not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    with in_tenant(tenant_a):
        item = TrayItem.objects.filter(status=TrayItem.Status.OPEN).first()
    url = f"/tray/{item.pk}/done/"
    assert second.post(url, {"next": "/tray/", "csrfmiddlewaretoken": token}).status_code == 302
    with in_tenant(tenant_a):
        item.refresh_from_db()
    assert item.status == TrayItem.Status.DONE


def test_a_viewer_never_gets_the_owners_buttons(tenant_a, owner_a, books):
    assert b'data-testid="tray-done"' in client_for(tenant_a, owner_a).get("/tray/").content
    viewer = client_for(tenant_a, make_member(tenant_a, Role.VIEWER))
    assert b'data-testid="tray-done"' not in viewer.get("/tray/").content
    assert b'data-testid="tray-item"' in viewer.get("/tray/").content


def test_pages_of_another_business_are_keyed_apart(tenant_a, tenant_b, owner_a, books):
    with in_tenant(tenant_b):
        f.fresh_runway(tenant_b)
        f.bill(f.vendor("Other Co"), "77.00", f.today_of(tenant_b), doc="OTHER-1")
    owner_b = make_member(tenant_b, Role.OWNER)
    assert b"B-1" in client_for(tenant_a, owner_a).get("/bills/").content
    html_b = client_for(tenant_b, owner_b).get("/bills/").content
    assert b"OTHER-1" in html_b and b"B-1" not in html_b


def test_an_action_state_change_by_the_worker_shows(tenant_a, owner_a, books):
    """The outbox (a worker, no request) bumps the pages version when an action moves."""
    from apps.ap.services import BILL_PAYMENT
    from apps.integrations.sync.models import Action
    from apps.integrations.sync.outbox import _settle

    client = client_for(tenant_a, owner_a)
    with in_tenant(tenant_a):
        Bill.objects.filter(pk=books["bill"].pk).update(status=Bill.Status.APPROVED)
    data_changed(tenant_a)
    action = Action.objects.create(
        business=tenant_a, key="k-1", kind=BILL_PAYMENT, target_type="bill",
        target_id=str(books["bill"].pk), payload={"amount": str(Decimal("1000.00"))},
    )
    assert 'data-testid="payment-state"' in client.get("/bills/").content.decode()
    assert ">Queued<" in client.get("/bills/").content.decode()
    _settle(action, Action.State.FAILED, error="QuickBooks refused it: test")
    assert ">Failed<" in client.get("/bills/").content.decode()
