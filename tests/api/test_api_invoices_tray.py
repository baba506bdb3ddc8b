"""Invoice and tray operations over the API: the portal's services, its roles, exactly once, and
another business's ids are 404 for every operation and role."""

from datetime import timedelta

import pytest

from apps.accounts.models import Role
from apps.ar.models import Invoice
from apps.ar.reminders.models import ReminderSend
from apps.integrations.sync.models import Action
from apps.tray.models import TrayItem
from tests.api.helpers import foreign_row
from tests.factories import make_member
from tests.portal import factories as f
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


def _item(key):
    return TrayItem.objects.create(
        key=key, kind="invoice_chase", title="Chase Bolt", amount="750.00"
    )


@pytest.fixture
def books(tenant_a, tenant_b):
    with in_tenant(tenant_a):
        f.fresh_runway(tenant_a)
        today = f.today_of(tenant_a)
        invoice = f.invoice(f.customer(), "750.00", today - timedelta(days=5))
        item = _item("alpha-1")
    with in_tenant(tenant_b):
        client = f.customer("Beta Client")
    keys = iter(range(100))
    return {
        "today": today,
        "invoice": invoice,
        "item": item,
        "other_invoice": foreign_row(tenant_b, tenant_a, lambda: f.invoice(client, "90.00", today)),
        "other_item": foreign_row(tenant_b, tenant_a, lambda: _item(f"beta-{next(keys)}")),
        "owner": make_member(tenant_a, Role.OWNER),
        "bookkeeper": make_member(tenant_a, Role.BOOKKEEPER),
        "viewer": make_member(tenant_a, Role.VIEWER),
    }


def _post(client, url, data=None, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, data or {}, content_type="application/json", **headers)


def test_invoice_list_detail_and_filters(tenant_a, books):
    client = client_for(tenant_a, books["viewer"])
    overdue = client.get("/api/v1/invoices/?status=overdue").json()["results"]
    assert [row["id"] for row in overdue] == [books["invoice"].pk]
    assert overdue[0]["balance"] == {"amount": "750.00", "currency": "USD"}
    assert client.get("/api/v1/invoices/?status=paid").json()["results"] == []
    assert client.get("/api/v1/invoices/?status=late").json()["error"]["code"] == "invalid_filter"
    detail = client.get(f"/api/v1/invoices/{books['invoice'].pk}/")
    assert detail.json()["customer"] == "Bolt Studio"


def test_remind_claims_one_reminder_once(tenant_a, books):
    client, pk = client_for(tenant_a, books["bookkeeper"]), books["invoice"].pk
    first = _post(client, f"/api/v1/invoices/{pk}/remind/", key="r-1")
    assert first.status_code == 202, first.content
    assert _post(client, f"/api/v1/invoices/{pk}/remind/", key="r-1").json() == first.json()
    again = _post(client, f"/api/v1/invoices/{pk}/remind/", key="r-2")
    assert again.status_code == 409 and "today" in again.json()["error"]["message"]
    with in_tenant(tenant_a):
        assert ReminderSend.objects.filter(invoice_id=pk).count() == 1


def test_expected_date_set_and_cleared(tenant_a, books):
    client, pk = client_for(tenant_a, books["bookkeeper"]), books["invoice"].pk
    on = (books["today"] + timedelta(days=7)).isoformat()
    assert _post(client, f"/api/v1/invoices/{pk}/expect/", {"on": on}).json()["expected_date"] == on
    assert (
        _post(client, f"/api/v1/invoices/{pk}/expect/", {"on": None}).json()["expected_date"]
        is None
    )
    past = _post(
        client,
        f"/api/v1/invoices/{pk}/expect/",
        {"on": (books["today"] - timedelta(days=1)).isoformat()},
    )
    assert past.status_code == 400 and "past" in past.json()["error"]["message"]


def test_tray_list_and_decisions(tenant_a, books):
    client = client_for(tenant_a, books["bookkeeper"])
    listed = client.get("/api/v1/tray/").json()["results"]
    assert [row["id"] for row in listed] == [books["item"].pk]
    assert listed[0]["amount"] == {"amount": "750.00", "currency": "USD"}
    until = (books["today"] + timedelta(days=3)).isoformat()
    snoozed = _post(client, f"/api/v1/tray/{books['item'].pk}/snooze/", {"until": until})
    assert snoozed.status_code == 200 and snoozed.json()["status"] == "snoozed"
    assert client.get("/api/v1/tray/").json()["results"] == []
    with in_tenant(tenant_a):
        done, dismissed = _item("alpha-2"), _item("alpha-3")
    assert _post(client, f"/api/v1/tray/{done.pk}/done/").json()["status"] == "done"
    assert _post(client, f"/api/v1/tray/{dismissed.pk}/dismiss/").json()["status"] == "dismissed"


WRITES = [
    ("invoices", "other_invoice", "remind", {}),
    ("invoices", "other_invoice", "expect", {"on": None}),
    ("tray", "other_item", "done", {}),
    ("tray", "other_item", "snooze", {"until": "2099-01-01"}),
    ("tray", "other_item", "dismiss", {}),
]


def test_viewer_cannot_write(tenant_a, books):
    client = client_for(tenant_a, books["viewer"])
    for resource, action, body in [
        ("invoices", "remind", {}),
        ("invoices", "expect", {}),
        ("tray", "done", {}),
        ("tray", "dismiss", {}),
        ("tray", "snooze", {}),
    ]:
        target = books["invoice"] if resource == "invoices" else books["item"]
        response = _post(client, f"/api/v1/{resource}/{target.pk}/{action}/", body)
        assert response.status_code == 403, (resource, action)
    with in_tenant(tenant_a):
        assert TrayItem.objects.get(pk=books["item"].pk).status == "open"
        assert Invoice.objects.get(pk=books["invoice"].pk).expected_date is None


@pytest.mark.parametrize("role", [Role.OWNER, Role.BOOKKEEPER, Role.VIEWER])
def test_other_business_ids_are_404_for_every_operation(tenant_a, tenant_b, books, role):
    client = client_for(tenant_a, books[role])
    assert client.get(f"/api/v1/invoices/{books['other_invoice'].pk}/").status_code == 404
    if role != Role.VIEWER:  # a viewer is refused writes before any lookup
        for resource, target, action, body in WRITES:
            response = _post(client, f"/api/v1/{resource}/{books[target].pk}/{action}/", body)
            assert response.status_code == 404, (resource, action, response.content)
    with in_tenant(tenant_b):
        assert not TrayItem.objects.exclude(status="open").exists()
        assert not Action.objects.exists() and not ReminderSend.objects.exists()
