"""Portal actions over HTTP: one-click decisions, bad input refused with clear messages and
nothing changed, forged/replayed posts, viewers refused everything, other businesses' objects."""

import re
from datetime import timedelta

import pytest

from apps.accounts.models import Role
from apps.accounts.permissions import OPEN
from apps.ap.models import Bill
from apps.ar.models import Invoice
from apps.ar.reminders.models import (
    CustomerReminders,
    ReminderContact,
    ReminderEmail,
    ReminderStep,
)
from apps.business_settings.models import BusinessSettings
from apps.integrations.sync.models import Action
from apps.reserves.models import Reserve
from apps.tray.models import TrayItem
from apps.tray.services import tray_generate
from tests.drills.probe import access_of, concrete, tenant_routes
from tests.factories import make_member
from tests.portal import factories as f
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(tenant_a):
    with in_tenant(tenant_a):
        f.fresh_runway(tenant_a)
        today = f.today_of(tenant_a)
        rows = {
            "today": today,
            "account": f.account(balance="90000.00"),
            "bill": f.bill(f.vendor("Rent Co"), "1000.00", today + timedelta(days=5)),
            "invoice": f.invoice(f.customer(), "3000.00", today - timedelta(days=20)),
            "reserve": f.reserve(target="5000.00", held="1000.00"),
        }
        BusinessSettings.objects.get_or_create(singleton=1)
    tray_generate(tenant_a)
    return rows


def _state(business):
    """Everything an action could change, to prove a refused one changed nothing."""
    with in_tenant(business):
        return (
            list(Bill.objects.values_list("pk", "status", "scheduled_date").order_by("pk")),
            list(Invoice.objects.values_list("pk", "expected_date", "last_reminded_at")),
            list(TrayItem.objects.values_list("pk", "status").order_by("pk")),
            list(Reserve.objects.values_list("pk", "held", "target").order_by("pk")),
            list(BusinessSettings.objects.values_list("approval_limit", "digest_weekday")),
            Action.objects.count(),
            ReminderEmail.objects.count(),
            list(CustomerReminders.objects.values_list("customer_id", "mode", "stopped_reason")),
            list(ReminderStep.objects.values_list("pk", "offset_days", "subject")),
            list(ReminderContact.objects.values_list("pk", "email", "active")),
        )


def test_pay_now_over_http_double_submit_and_second_tab(tenant_a, owner_a, books):
    client = client_for(tenant_a, owner_a)
    url = f"/bills/{books['bill'].pk}/pay/"
    form = {"account": books["account"].pk, "amount": "1000.00", "idempotency_key": "tok-1"}
    first = client.post(url, form)
    assert first.status_code == 302
    replay = client.post(url, form)  # double click / retry after a timeout
    assert replay.status_code == 302
    second_tab = client.post(url, form | {"idempotency_key": "tok-2"})
    assert second_tab.status_code == 409
    assert "already on its way" in second_tab.content.decode()
    with in_tenant(tenant_a):
        assert Action.objects.filter(kind="bill_payment.create").count() == 1
    page = client.get(f"/bills/{books['bill'].pk}/").content.decode()
    assert 'data-testid="payment-state"' in page and "Queued" in page


@pytest.mark.parametrize(
    "path, form, status, message",
    [
        ("pay", {"amount": "10.001", "idempotency_key": "t"}, 400, "two decimal places"),
        ("pay", {"amount": "5000", "idempotency_key": "t"}, 400, "more than the open balance"),
        ("pay", {"amount": "10", "idempotency_key": ""}, 400, "form has expired"),
        ("schedule", {"pay_on": "2000-01-01"}, 400, "can&#x27;t be in the past"),
        ("schedule", {"pay_on": "tomorrow"}, 400, "is not a date"),
    ],
)
def test_bad_bill_input_is_refused_clearly(tenant_a, owner_a, books, path, form, status, message):
    before = _state(tenant_a)
    form = {"account": books["account"].pk} | form
    response = client_for(tenant_a, owner_a).post(f"/bills/{books['bill'].pk}/{path}/", form)
    assert response.status_code == status
    assert message in response.content.decode()
    assert "Nothing was changed" in response.content.decode()
    assert _state(tenant_a) == before


def test_paying_a_bill_already_paid_in_qbo(tenant_a, owner_a, books):
    with in_tenant(tenant_a):
        Bill.objects.filter(pk=books["bill"].pk).update(balance=0, home_balance=0)
    response = client_for(tenant_a, owner_a).post(
        f"/bills/{books['bill'].pk}/pay/",
        {"account": books["account"].pk, "idempotency_key": "t"},
    )
    assert response.status_code == 409
    assert "already paid in QuickBooks" in response.content.decode()
    with in_tenant(tenant_a):
        assert not Action.objects.exists()


def test_forged_post_without_csrf_token_is_refused(tenant_a, owner_a, books):
    before = _state(tenant_a)
    client = client_for(tenant_a, owner_a)
    client.handler.enforce_csrf_checks = True
    response = client.post(
        f"/bills/{books['bill'].pk}/pay/",
        {"account": books["account"].pk, "idempotency_key": "t"},
    )
    assert response.status_code == 403
    assert _state(tenant_a) == before


def test_actions_on_another_business_objects_are_404(tenant_a, tenant_b, owner_a, books):
    with in_tenant(tenant_b):
        foreign = f.bill(f.vendor("B's vendor"), "50.00", books["today"])
        Bill.objects.filter(pk=foreign.pk).update(id=987654)
    before_b = _state(tenant_b)
    client = client_for(tenant_a, owner_a)
    for path in ("approve", "pay", "schedule", "hold"):
        response = client.post(
            f"/bills/987654/{path}/", {"account": books["account"].pk, "idempotency_key": "t"}
        )
        assert response.status_code == 404, path
    assert _state(tenant_b) == before_b


def test_tray_one_click_decisions_with_htmx(tenant_a, owner_a, books):
    client = client_for(tenant_a, owner_a)
    with in_tenant(tenant_a):
        item = TrayItem.objects.get(key=f"reserve:{books['reserve'].pk}")
    response = client.post(f"/tray/{item.pk}/dismiss/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-testid="tray-item-status">Dismissed' in response.content.decode()
    snooze = client.post(f"/tray/{item.pk}/snooze/", {"until": "1999-01-01"})
    assert snooze.status_code == 400 and "after today" in snooze.content.decode()
    with in_tenant(tenant_a):
        item.refresh_from_db()
        assert item.status == "dismissed"


def test_remind_from_the_tray_ticks_the_item_and_once_a_day(tenant_a, owner_a, books):
    client = client_for(tenant_a, owner_a)
    with in_tenant(tenant_a):
        item = TrayItem.objects.get(key=f"invoice:{books['invoice'].pk}")
    url = f"/invoices/{books['invoice'].pk}/remind/"
    form = {"fragment": "tray_item", "tray_item": item.pk}
    response = client.post(url, form, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Done" in response.content.decode()
    again = client.post(url, form, HTTP_HX_REQUEST="true")
    assert again.status_code == 409
    assert "already went out today" in again.content.decode()
    with in_tenant(tenant_a):
        (email,) = ReminderEmail.objects.all()  # one manual reminder, the customer's next step
        assert email.manual and email.sends.get().invoice_id == books["invoice"].pk
        item.refresh_from_db()
        assert item.status == "done"


def _post_routes():
    """Every portal route (digest subscription routes let anyone manage their own email)."""
    for route, view in tenant_routes():
        if access_of(view) not in (None, OPEN) and view.__module__.startswith("apps.portal"):
            yield route


def test_viewer_is_refused_every_action(tenant_a, books):
    viewer = make_member(tenant_a, Role.VIEWER)
    client = client_for(tenant_a, viewer)
    before = _state(tenant_a)
    checked = 0
    for route in _post_routes():
        url = concrete(route)
        url = re.sub(r"/1/", f"/{books['bill'].pk}/", url)
        response = client.post(
            url,
            {
                "amount": "1",
                "idempotency_key": "t",
                "pay_on": "2099-01-01",
                "key": "vendor:1",
                "until": "2099-01-01",
            },
        )
        assert response.status_code == 403, url
        checked += 1
    assert checked > 30
    assert _state(tenant_a) == before


def test_owner_settings_change_and_bookkeeper_refused(tenant_a, owner_a, books):
    bookkeeper = make_member(tenant_a, Role.BOOKKEEPER)
    refused = client_for(tenant_a, bookkeeper).post(
        "/settings/approval/", {"approval_limit": "5000"}
    )
    assert refused.status_code == 403
    client = client_for(tenant_a, owner_a)
    assert client.post("/settings/approval/", {"approval_limit": "2500.999"}).status_code == 400
    assert client.post("/settings/approval/", {"approval_limit": "2500"}).status_code == 302
    ok = client.post(
        "/settings/digest/",
        {"weekday": "1", "time": "08:30", "enabled": "1", "extra": "cfo@example.test"},
    )
    assert ok.status_code == 302
    bad = client.post("/settings/digest/", {"weekday": "1", "time": "08:30", "extra": "nope"})
    assert bad.status_code == 400
    with in_tenant(tenant_a):
        row = BusinessSettings.objects.get()
        assert str(row.approval_limit) == "2500.00" and row.digest_weekday == 1
        assert row.digest_extra_recipients == ["cfo@example.test"]
    # Now the bookkeeper may approve the 1,000 bill (under the 2,500 limit).
    approved = client_for(tenant_a, bookkeeper).post(f"/bills/{books['bill'].pk}/approve/")
    assert approved.status_code == 302


def test_onboarding_checklist_until_done(tenant_a, owner_a, books):
    client = client_for(tenant_a, owner_a)
    page = client.get("/").content.decode()
    assert 'data-testid="onboarding-banner"' in page
    steps = client.get("/onboarding/").content.decode()
    assert 'data-testid="onboarding-step-qbo" data-done="0"' in steps
    assert 'data-testid="onboarding-step-reserves" data-done="1"' in steps  # a reserve exists
    client.post("/settings/digest/", {"weekday": "0", "time": "09:00", "enabled": "1"})
    steps = client.get("/onboarding/").content.decode()
    assert 'data-testid="onboarding-step-digest" data-done="1"' in steps
