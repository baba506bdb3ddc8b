"""Collections in a real browser: the owner edits a reminder step, previews it (a bad merge
field is refused), saves it, then holds one of tomorrow's reminders from the Prep Tray; the
next tick sends only the other customer's email, with the edited subject."""

from datetime import timedelta

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from apps.accounts.models import Role
from apps.ar.models import Customer, Invoice
from apps.ar.reminders.models import (
    CollectionsSettings,
    CustomerReminders,
    ReminderEmail,
    ReminderSequence,
)
from apps.ar.reminders.send import reminders_tick
from apps.ar.reminders.sequences import sequence_default
from apps.core.dates import local_today
from apps.tenancy.models import Business
from tests.browser.conftest import screenshot
from tests.factories import make_member
from tests.portal import factories as f

pytestmark = pytest.mark.browser


@pytest.fixture
def alpha_books(live_site):
    alpha = Business.objects.get(slug="alpha")
    owner = make_member(alpha, Role.OWNER, email="collections-owner@alpha.test")
    with tenant_context(alpha):
        CollectionsSettings.objects.update_or_create(
            singleton=1, defaults={"enabled": True, "attach_pdfs": False})
        sequence_default()
        today = local_today(alpha.timezone)
        acme = f.customer("Acme Co", "billing@acme.test")
        bolt = f.customer("Bolt Studio", "ap@bolt.test")
        f.invoice(acme, "1200.00", today, doc="1001")  # "1 day after due" falls due tomorrow
        f.invoice(bolt, "800.00", today, doc="1002")
    yield alpha, owner, acme, bolt, today
    with tenant_context(alpha):
        ReminderEmail.objects.all().delete()
        CustomerReminders.objects.all().delete()
        ReminderSequence.objects.all().delete()
        Invoice.objects.all().delete()
        Customer.objects.all().delete()


def test_owner_edits_a_step_previews_and_holds_a_reminder_from_the_tray(live_site, page,
                                                                      alpha_books):
    base, port = live_site
    alpha, owner, acme, bolt, today = alpha_books
    host = f"http://alpha.localhost:{port}"
    page.goto(f"{base}/")
    page.fill("input[name=email]", owner.email)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{host}/**")

    page.goto(f"{host}/collections/")
    screenshot(page, "collections")
    row = page.get_by_test_id("step-row").filter(has_text="1 day after due")
    row.get_by_test_id("step-edit").click()
    page.get_by_test_id("step-subject").fill("Overdue: {{ totl }}")
    page.get_by_test_id("step-preview").click()
    assert "Unknown merge field" in page.get_by_test_id("step-error").inner_text()
    page.get_by_test_id("step-subject").fill("Overdue for {{ customer }}: {{ total }}")
    page.get_by_test_id("step-preview").click()
    subject = page.get_by_test_id("preview-subject").inner_text()
    assert subject == "Overdue for Acme Co: $1,200.00"  # the customer due soonest, as sent
    assert "1001" in page.get_by_test_id("preview-html").inner_text()
    page.get_by_test_id("step-save").click()
    page.wait_for_selector("[data-testid=preview-subject]")
    screenshot(page, "collections-step")

    page.goto(f"{host}/tray/")
    previews = page.get_by_test_id("reminder-preview")
    assert previews.count() == 2
    acme_row = previews.filter(has_text="Acme Co")
    assert "1 day after due" in acme_row.inner_text()
    acme_row.get_by_test_id("reminder-hold").click()
    page.wait_for_selector(f"#reminder-preview-{acme.pk} [data-testid=reminder-held]")
    screenshot(page, "tray-reminders")
    with tenant_context(alpha):
        assert CustomerReminders.objects.get(customer=acme).mode == "paused"
        report = reminders_tick(alpha, today + timedelta(days=1), {})
    assert report.sent == 1
    (msg,) = mail.outbox
    assert msg.to == ["ap@bolt.test"] and msg.subject == "Overdue for Bolt Studio: $800.00"
