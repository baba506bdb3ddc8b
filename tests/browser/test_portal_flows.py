"""The owner portal and the Prep Tray in real headless Chromium, on a demo agency synced from
the real QBO sandbox over HTTP. Outbox actions are executed by the service the Celery task
calls; the sandbox is then asked what QuickBooks holds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.accounts.models import Role
from tests.browser.agency import (
    actions_run,
    agency_fixture,  # noqa: F401 (the `agency` and `sandbox` fixtures)
    money,
    post_as_page,
    runway_json,
    sandbox_fixture,  # noqa: F401
    sign_in,
    week_of,
)
from tests.browser.conftest import screenshot
from tests.factories import make_member
from tests.integrations.sync.qbo_company import sandbox_rows
from tests.utils import in_tenant

pytestmark = pytest.mark.browser


def test_dashboard_numbers_match_the_runway_command(live_site, agency, page):
    base, port = live_site
    sign_in(page, base, port, agency.owner.email)
    page.wait_for_selector("[data-testid=runway-days]")
    screenshot(page, "dashboard")
    expected = runway_json(agency.business)
    shown = {
        key: page.get_by_test_id(key).inner_text()
        for key in ("runway-days", "cash", "reserved", "available", "low-point")
    }
    assert Decimal(shown["runway-days"].split()[0].replace(",", "")) == Decimal(
        str(expected["runway_days"])
    )
    assert money(shown["cash"]) == Decimal(expected["cash"])
    assert money(shown["reserved"]) == Decimal(expected["reserved"])
    assert money(shown["available"]) == Decimal(expected["available"])
    assert money(shown["low-point"]) == Decimal(expected["low_point"]["amount"])
    assert Decimal(expected["cash"]) > 0 and Decimal(expected["runway_days"]) > 0


def _open_keys(page) -> list[str]:
    return page.locator("[data-testid=tray-list] [data-testid=tray-item]").evaluate_all(
        "els => els.map(e => e.dataset.key)"
    )


def _bill_payments_for(sandbox, bill_qbo_id: str) -> list[dict]:
    return [
        bp
        for bp in sandbox_rows(sandbox, "BillPayment")
        if str(bp.get("PrivateNote", "")).startswith("Oodaloo action")
        and any(
            link.get("TxnId") == bill_qbo_id
            for line in bp.get("Line", [])
            for link in line.get("LinkedTxn", [])
        )
    ]


def test_approve_and_pay_a_bill_from_the_tray_once(live_site, agency, page):
    from apps.ap.models import Bill
    from apps.integrations.sync.models import Action
    from apps.runway.services import runway_compute

    base, port = live_site
    sign_in(page, base, port, agency.owner.email)
    page.goto(f"http://{agency.host}:{port}/tray/")
    screenshot(page, "tray")
    item = (
        page.locator("[data-testid=tray-list] [data-testid=tray-item]")
        .filter(has=page.get_by_test_id("tray-approve"))
        .first
    )
    bill_pk = int(item.get_attribute("data-key").split(":")[1])
    with in_tenant(agency.business):
        bill = Bill.objects.get(pk=bill_pk)
        amount, qbo_id = bill.balance, bill.qbo_id
    on = runway_compute(agency.business).forecast.bill_dates[str(bill_pk)]
    before = week_of(runway_json(agency.business), on.isoformat())

    item.get_by_test_id("tray-open").click()
    page.wait_for_url(f"**/bills/{bill_pk}/")
    screenshot(page, "bill-detail")
    page.get_by_test_id("bill-approve").click()
    page.wait_for_selector("text=Approved.")
    assert page.get_by_test_id("bill-status").inner_text() == "Approved"
    form = page.locator("form.pay-form")
    replay = {
        "idempotency_key": form.locator("input[name=idempotency_key]").input_value(),
        "account": form.locator("select[name=account]").input_value(),
        "amount": form.locator("input[name=amount]").input_value(),
    }
    page.get_by_test_id("bill-pay-now").dblclick()  # a nervous double click
    page.wait_for_selector("text=Recorded as paid in QuickBooks")
    # The same form posted again (a retry after a timeout) is the same payment.
    again = post_as_page(page, f"http://{agency.host}:{port}/bills/{bill_pk}/pay/", replay)
    assert again.status == 302
    assert Action.objects.filter(business=agency.business, kind="bill_payment.create").count() == 1

    (action,) = actions_run(agency.business, "bill_payment.create")
    assert action.state == "succeeded", action.error
    assert len(_bill_payments_for(agency.sandbox, qbo_id)) == 1
    page.reload()
    assert "Paid in QuickBooks" in page.get_by_test_id("payment").inner_text()
    assert page.get_by_test_id("bill-status").inner_text() == "Paid"

    after = week_of(runway_json(agency.business), on.isoformat())
    assert Decimal(before["ap_out"]) - Decimal(after["ap_out"]) == amount
    page.goto(f"http://{agency.host}:{port}/tray/")
    assert f"bill:{bill_pk}" not in _open_keys(page)
    # Paid: a late click on the old form is refused and nothing more reaches QuickBooks.
    late = post_as_page(
        page,
        f"http://{agency.host}:{port}/bills/{bill_pk}/pay/",
        {**replay, "idempotency_key": "another-tab"},
    )
    assert late.status == 409 and "already paid" in late.text
    assert len(_bill_payments_for(agency.sandbox, qbo_id)) == 1


def test_snooze_and_dismiss_survive_regeneration(live_site, agency, page):
    from apps.tray.models import TrayItem
    from apps.tray.services import tray_generate

    base, port = live_site
    sign_in(page, base, port, agency.owner.email)
    page.goto(f"http://{agency.host}:{port}/tray/")
    keys = _open_keys(page)
    count = int(page.get_by_test_id("tray-count").inner_text())
    assert count == len(keys) >= 3
    snoozed_key, dismissed_key = keys[1], keys[2]
    snoozed = page.locator(f"[data-testid=tray-list] [data-key='{snoozed_key}']")
    snoozed.get_by_test_id("tray-snooze").click()
    expect_status(page, snoozed_key, "Snoozed until")
    dismissed = page.locator(f"[data-testid=tray-list] [data-key='{dismissed_key}']")
    dismissed.get_by_test_id("tray-dismiss").click()
    expect_status(page, dismissed_key, "Dismissed")

    tray_generate(agency.business)  # what every sync runs
    page.reload()
    left = _open_keys(page)
    assert snoozed_key not in left and dismissed_key not in left
    assert int(page.get_by_test_id("tray-count").inner_text()) == count - 2
    with in_tenant(agency.business):
        states = dict(
            TrayItem.objects.filter(key__in=[snoozed_key, dismissed_key]).values_list(
                "key", "status"
            )
        )
    assert states == {snoozed_key: "snoozed", dismissed_key: "dismissed"}


def expect_status(page, key: str, text: str) -> None:
    """The HTMX swap replaced the item in place with its decided state."""
    page.wait_for_selector(f"[data-key='{key}'] [data-testid=tray-item-status]:has-text('{text}')")


def test_reminder_for_an_overdue_invoice_goes_out_once_a_day(live_site, agency, page):
    """The tray's "Send reminder" is a manual send of the customer's next reminder step (the
    collections path, docs/collections.md): one email to the billing contacts, once a day."""
    from django.core import mail

    from apps.ar.models import Invoice
    from apps.ar.reminders.models import ReminderEmail
    from apps.ar.reminders.send import reminder_email_send

    base, port = live_site
    sign_in(page, base, port, agency.owner.email)
    page.goto(f"http://{agency.host}:{port}/invoices/")
    screenshot(page, "invoices")
    page.goto(f"http://{agency.host}:{port}/tray/")
    item = (
        page.locator("[data-testid=tray-list] [data-testid=tray-item]")
        .filter(has=page.get_by_test_id("tray-remind"))
        .first
    )
    invoice_pk = int(item.get_attribute("data-key").split(":")[1])
    item.get_by_test_id("tray-remind").click()
    page.wait_for_selector(f"[data-key='invoice:{invoice_pk}'] [data-testid=tray-item-status]")

    with in_tenant(agency.business):
        (email,) = ReminderEmail.objects.filter(manual=True)
        assert email.sends.get().invoice_id == invoice_pk
        assert reminder_email_send(agency.business, email) == "sent"  # what the task runs
        invoice = Invoice.objects.select_related("customer").get(pk=invoice_pk)
        recipients = email.deliveries.count()
    assert len(mail.outbox) == recipients >= 1
    assert mail.outbox[0].to[0] in invoice.customer.email.lower()

    page.goto(f"http://{agency.host}:{port}/invoices/{invoice_pk}/")
    assert page.get_by_test_id("reminder-state").inner_text() == "Sent"
    with page.expect_response(f"**/invoices/{invoice_pk}/remind/") as refused:
        page.get_by_test_id("invoice-remind").click()
    assert refused.value.status == 409
    assert page.locator("text=A reminder already went out today").count() == 1
    assert page.locator("text=Nothing was changed").count() == 1
    with in_tenant(agency.business):
        assert ReminderEmail.objects.count() == 1
    assert len(mail.outbox) == recipients


def test_funding_a_reserve_lowers_available_by_that_amount(live_site, agency, page):
    base, port = live_site
    sign_in(page, base, port, agency.owner.email)
    available = money(page.get_by_test_id("available").inner_text())
    cash = money(page.get_by_test_id("cash").inner_text())
    page.goto(f"http://{agency.host}:{port}/reserves/")
    page.fill("input[name=name]", "Q1 estimated taxes")
    page.select_option("select[name=kind]", label="Taxes")
    page.fill("form[action='/reserves/new/'] input[name=target]", "12000")
    page.get_by_test_id("reserve-create").click()
    reserve = page.get_by_test_id("reserve").filter(has_text="Q1 estimated taxes")
    reserve.locator("form[action$='/fund/'] input[name=amount]").fill("4321.09")
    reserve.get_by_test_id("reserve-fund").click()
    page.wait_for_selector("text=Set aside 4,321.09")
    screenshot(page, "reserves")
    page.goto(f"http://{agency.host}:{port}/")
    assert money(page.get_by_test_id("available").inner_text()) == available - Decimal("4321.09")
    assert money(page.get_by_test_id("reserved").inner_text()) == Decimal("4321.09")
    assert money(page.get_by_test_id("cash").inner_text()) == cash
    assert Decimal(runway_json(agency.business)["available"]) == available - Decimal("4321.09")


ACTION_TESTIDS = (
    "tray-approve",
    "tray-remind",
    "tray-done",
    "tray-snooze",
    "tray-dismiss",
    "tray-refresh",
    "bill-approve",
    "bill-pay-now",
    "bill-schedule",
    "invoice-remind",
    "invoice-expect",
    "reserve-fund",
    "reserve-create",
)


def test_a_viewer_sees_pages_but_cannot_act(live_site, agency, page):
    from apps.ap.models import Bill
    from apps.ar.models import Invoice
    from apps.tray.models import TrayItem

    base, port = live_site
    viewer = make_member(agency.business, Role.VIEWER, email="viewer@fernhill.test")
    with in_tenant(agency.business):
        bill = Bill.objects.open().order_by("due_date").first()
        invoice = Invoice.objects.open().order_by("due_date").first()
        item = TrayItem.objects.filter(status="open").first()
    sign_in(page, base, port, viewer.email)
    host = f"http://{agency.host}:{port}"
    for path in (
        "/",
        "/tray/",
        "/bills/",
        f"/bills/{bill.pk}/",
        "/invoices/",
        f"/invoices/{invoice.pk}/",
        "/reserves/",
        "/whatif/",
        "/documents/",
    ):
        response = page.goto(host + path)
        assert response.status == 200, path
        for testid in ACTION_TESTIDS:
            assert page.get_by_test_id(testid).count() == 0, (path, testid)
    assert page.goto(host + "/settings/").status == 403
    attempts = {
        f"/tray/{item.pk}/dismiss/": {},
        f"/bills/{bill.pk}/approve/": {},
        f"/bills/{bill.pk}/pay/": {"account": "1", "idempotency_key": "x"},
        f"/invoices/{invoice.pk}/remind/": {},
        "/reserves/new/": {"name": "Sneaky", "target": "1"},
        "/tray/refresh/": {},
    }
    for path, data in attempts.items():
        answer = post_as_page(page, host + path, data)
        assert answer.status == 403, (path, answer.status)
        assert "it needs bookkeeper" in answer.text
    with in_tenant(agency.business):
        assert TrayItem.objects.get(pk=item.pk).status == "open"
        assert Bill.objects.get(pk=bill.pk).status == bill.status


def test_another_business_is_not_found(live_site, agency, page):
    base, port = live_site
    sign_in(page, base, port, agency.owner.email)
    # The public host will not hand the owner over to a business they don't belong to.
    refused = page.goto(f"{base}/businesses/beta/")
    assert refused.status == 404 and "not a member" in page.content()
    # A valid session carried to beta's host (cookie copied) still finds nothing there.
    session = [
        c for c in page.context.cookies(f"http://{agency.host}:{port}/") if c["name"] == "sessionid"
    ]
    assert session
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": session[0]["value"],
                "url": f"http://beta.localhost:{port}/",
            }
        ]
    )
    for path in ("/", "/bills/", "/tray/", "/settings/"):
        response = page.goto(f"http://beta.localhost:{port}{path}")
        assert response.status == 404, path
        assert "Not found" in page.content()
        assert page.get_by_test_id("runway-days").count() == 0
        assert page.locator("nav a").count() == 0  # no portal navigation for a stranger
    assert post_as_page(page, f"http://beta.localhost:{port}/tray/refresh/").status == 404


def test_main_pages_render_cleanly(live_site, agency, page):
    """Every main page answers 200 with no raw template text; screenshots for the README."""
    base, port = live_site
    sign_in(page, base, port, agency.owner.email)
    host = f"http://{agency.host}:{port}"
    pages = {
        "bills": "/bills/",
        "settings": "/settings/",
        "onboarding": "/onboarding/",
        "documents": "/documents/",
        "what-if": "/whatif/",
    }
    for name, path in pages.items():
        response = page.goto(host + path)
        assert response.status == 200, path
        if name == "what-if":
            page.locator("[data-testid=whatif-form] input[type=checkbox]").first.check()
            page.wait_for_selector("[data-testid=whatif-days] .delta")
        text = page.inner_text("body")
        assert "{{" not in text and "{%" not in text, path
        screenshot(page, name)


def test_dashboard_fits_a_phone(live_site, agency, browser):
    base, port = live_site
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    try:
        sign_in(page, base, port, agency.owner.email)
        page.wait_for_selector("[data-testid=runway-days]")
        screenshot(page, "dashboard-phone")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 391)
            .map(e => e.tagName + '.' + e.className).slice(0, 8)""")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways ({width}px): {wide}"
    finally:
        context.close()
