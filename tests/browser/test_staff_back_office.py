"""The staff back office in real headless Chromium.

An operator signs in with a password and a TOTP code, sees a failing sync on the staff home,
runs "Sync now" (the queued task is then run as a worker would) and sees it succeed; retries an
``unknown`` bill payment, which ends ``succeeded`` with exactly one payment in the QBO sandbox.
Support staff view a business as its owner, and every write through that view is refused."""

from __future__ import annotations

from datetime import date

import pytest
from celery.signals import before_task_publish
from django.contrib.auth.models import Group
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context

from apps.accounts.models import User
from apps.core.models import AuditEvent
from apps.integrations.qbo.errors import ServerError
from apps.integrations.sync.models import Action
from apps.integrations.sync.outbox import NOTE_PREFIX, action_create, action_execute
from apps.integrations.sync.qbo_sync import qbo_sync_run
from apps.staff.roles import staff_roles_setup
from tests.browser.agency import (
    admin_sign_in,
    agency_fixture,  # noqa: F401 (the `agency` and `sandbox` fixtures)
    post_as_page,
    sandbox_fixture,  # noqa: F401
)
from tests.browser.conftest import screenshot
from tests.factories import TOTPDeviceFactory, UserFactory
from tests.integrations.sync.qbo_company import sandbox_rows

pytestmark = pytest.mark.browser
PASSWORD = "a-long-password-1"


def _staff(email: str, role: str) -> tuple[User, TOTPDevice]:
    staff_roles_setup()
    user = UserFactory(email=email, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user, TOTPDeviceFactory(user=user)


def _run_action(page, pk: int, action: str, **fields: str) -> str:
    """Tick one row of the changelist, choose the action, fill its fields, press Go."""
    page.check(f"input[name=_selected_action][value='{pk}']")
    page.select_option("select[name=action]", value=action)
    for name, value in fields.items():
        page.fill(f"input[name={name}]", value)
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state()
    return page.locator("ul.messagelist").inner_text() if page.locator(
        "ul.messagelist").count() else ""


def _home_count(page, key: str) -> int:
    return int(page.locator(f"#staff-home tr[data-key={key}] td").nth(1).inner_text())


def test_operator_fixes_a_failing_sync_and_an_unknown_payment(live_site, agency, page, settings):
    base, _port = live_site
    settings.QBO_RETRY_BASE, settings.QBO_RETRY_CAP = 0.01, 0.05
    business, sb = agency.business, agency.sandbox
    sb.set_faults("error500=1.0")
    with pytest.raises(ServerError):  # QuickBooks answers 500 to everything: the sync fails
        qbo_sync_run(business)
    sb.set_faults("error500=0")
    connection.set_schema_to_public()
    business.refresh_from_db()
    assert business.last_error.startswith("QuickBooks sync failed")
    bill = next(b for b in sandbox_rows(sb, "Bill") if float(b.get("Balance", 0)) > 5)
    bank = next(a for a in sandbox_rows(sb, "Account") if a.get("AccountType") == "Bank")
    payment = {"vendor": bill["VendorRef"]["value"], "bill": bill["Id"], "amount": "5.00",
               "bank_account": bank["Id"], "date": date.today().isoformat()}
    action = action_create(business, "bill_payment.create", payment, enqueue=False)
    sb.set_faults("drop=1.0")  # QuickBooks commits, every answer is lost on the way back
    assert action_execute(action).state == "unknown"
    sb.set_faults("drop=0")
    connection.set_schema_to_public()

    operator, device = _staff("operator@oodaloo.test", "operator")
    admin_sign_in(page, base, operator.email, PASSWORD, device)
    page.goto(f"{base}/admin/staff/home/")
    assert _home_count(page, "sync_failing") == 1 and _home_count(page, "actions") == 1
    assert business.name in page.locator("#staff-home tr[data-key=sync_failing]").inner_text()
    screenshot(page, "staff-home")

    published: list[tuple[str, dict, str]] = []

    def record(sender=None, body=None, headers=None, **_kw):
        published.append((sender, body[1], (headers or {}).get("_schema_name")))

    before_task_publish.connect(record, weak=False)
    try:
        page.get_by_role("link", name="Syncs failing").click()
        page.wait_for_load_state()
        message = _run_action(page, business.pk, "sync_now")
    finally:
        before_task_publish.disconnect(record)
    assert "sync queued" in message
    assert [(name, schema) for name, _kw, schema in published] == [
        ("sync.qbo_sync_business", business.schema_name)]
    from oodaloo.celery import app as celery_app

    with tenant_context(business):  # the worker runs the queued task in its schema
        result = celery_app.tasks[published[0][0]].apply(kwargs=published[0][1]).get()
    connection.set_schema_to_public()
    assert "run" in result, result
    page.goto(f"{base}/admin/staff/home/")
    assert _home_count(page, "sync_failing") == 0

    page.get_by_role("link", name="Payment actions unknown or failed").click()
    page.wait_for_load_state()
    message = _run_action(page, action.pk, "retry_or_reconcile")
    # The admin capitalises a message's first letter (a key may start with a-f).
    assert f"{action.key}: succeeded.".lower() in message.lower()
    action.refresh_from_db()
    assert action.state == "succeeded"
    paid = [r for r in sandbox_rows(sb, "BillPayment")
            if r.get("PrivateNote") == f"{NOTE_PREFIX}{action.key}"]
    assert len(paid) == 1 and action.external_id == paid[0]["Id"]
    page.goto(f"{base}/admin/staff/home/")
    assert _home_count(page, "actions") == 0
    assert set(AuditEvent.objects.filter(actor=operator, action__startswith="staff.")
               .values_list("action", flat=True)) == {
        "staff.sync_now", "staff.action_retry"}
    assert Action.objects.filter(business=business).count() == 1


def test_support_views_as_owner_and_every_write_is_refused(live_site, agency, page):
    base, port = live_site
    business = agency.business
    support, device = _staff("support@oodaloo.test", "support")
    admin_sign_in(page, base, support.email, PASSWORD, device)
    page.goto(f"{base}/admin/tenancy/business/")
    assert page.locator("select[name=action] option[value=sync_now]").count() == 0
    _run_action(page, business.pk, "view_as_owner", reason="owner asked about runway")
    page.wait_for_url(f"http://{agency.host}:{port}/**")
    assert page.get_by_text("Runway").count() >= 1
    screenshot(page, "support-view-as-owner")
    home = f"http://{agency.host}:{port}"
    for path in ("/tray/refresh/", "/settings/timezone/", "/team/invite/", "/reserves/new/",
                 "/connect/qbo/disconnect/"):
        answer = post_as_page(page, f"{home}{path}", {"timezone": "UTC", "email": "x@y.test"})
        assert answer.status == 403 and "read-only" in answer.text, path
    api = post_as_page(page, f"{home}/api/v1/bills/", {})
    assert api.status == 403 and "read_only" in api.text
    page.goto(f"{home}/bills/")
    assert page.url.endswith("/bills/")  # reading still works
    audit = AuditEvent.objects.get(action="staff.view_as")
    assert audit.business_id == business.pk and audit.actor_id == support.pk

    # The banner's button ends the session at once and returns to the staff home.
    assert page.locator("[data-testid=support-banner]").count() == 1
    page.click("[data-testid=support-end]")
    page.wait_for_url("**/admin/staff/home/")
    assert page.locator("#staff-home").count() == 1
    ended = AuditEvent.objects.get(action="staff.view_as_ended")
    assert ended.business_id == business.pk and ended.actor_id == support.pk
    page.goto(f"{home}/bills/")
    assert not page.url.endswith("/bills/")  # signed out of the business's host
