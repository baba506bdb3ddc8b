"""Automation in a real browser: the owner previews the auto-approve rule ("would approve 1
bill…"), switches it on from the preview, sees what the tick did — on the Automation page and
in Activity, by the rule — and undoes it from Activity."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.accounts.models import Role
from apps.ap.models import Bill, BillEvent, Vendor
from apps.automation.models import Rule, RuleAction
from apps.automation.tick import automation_tick
from apps.core.dates import local_today
from apps.ledger.models import Account
from apps.runway.cache import runway_invalidate
from apps.tenancy.models import Business
from apps.tray.models import TrayItem
from tests.browser.conftest import screenshot
from tests.factories import make_member
from tests.factories.ap import BillFactory, VendorFactory
from tests.factories.bank import AccountFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def alpha_bills(live_site):
    alpha = Business.objects.get(slug="alpha")
    alpha.last_sync_at = timezone.now()
    alpha.save(update_fields=["last_sync_at"])
    owner = make_member(alpha, Role.OWNER, email="automation-owner@alpha.test")
    today = local_today(alpha.timezone)
    with tenant_context(alpha):
        AccountFactory(qbo_id="35", current_balance=Decimal("50000.00"))
        vendor = VendorFactory(display_name="Known Supplies")
        BillFactory(vendor=vendor, total=Decimal("300.00"), balance=Decimal("0"),
                    due_date=today - timedelta(days=20))
        bill = BillFactory(vendor=vendor, doc_number="B-7", total=Decimal("420.00"),
                           due_date=today + timedelta(days=10))
    runway_invalidate(alpha)
    yield alpha, owner, bill
    with tenant_context(alpha):
        for model in (RuleAction, Rule, TrayItem, BillEvent, Bill, Vendor, Account):
            model.objects.all().delete()


def test_owner_switches_a_rule_on_from_its_preview_and_undoes_an_action(live_site, page,
                                                                        alpha_bills):
    base, port = live_site
    alpha, owner, bill = alpha_bills
    host = f"http://alpha.localhost:{port}"
    page.goto(f"{base}/")
    page.fill("input[name=email]", owner.email)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{host}/**")

    page.goto(f"{host}/automation/")
    rule = page.get_by_test_id("rule-approve")
    assert rule.get_by_test_id("rule-state").inner_text() == "Off"
    rule.get_by_test_id("rule-preview").click()
    sentence = page.get_by_test_id("preview-sentence").inner_text()
    assert sentence == "Would approve 1 bill(s) for $420.00."
    screenshot(page, "automation-preview")
    page.get_by_test_id("rule-switch-on").click()
    page.wait_for_url(f"{host}/automation/")
    assert page.get_by_test_id("rule-approve").get_by_test_id("rule-state").inner_text() == "On"

    automation_tick(alpha)  # beat's hourly tick
    page.reload()
    action = page.get_by_test_id("rule-action").filter(has_text="B-7")
    assert action.get_by_test_id("rule-action-state").inner_text() == "Done"
    screenshot(page, "automation-activity")
    assert action.get_by_test_id("rule-action-undo").is_visible()
    # Undo from Activity (the same service as the Automation page's button).
    page.goto(f"{host}/activity/")
    row = page.get_by_test_id("activity-row").filter(
        has_text="rule “Auto-approve bills from known vendors”").filter(has_text="bill.approved")
    row.get_by_test_id("activity-undo").click()
    page.wait_for_url(f"{host}/activity/**")
    assert page.get_by_test_id("activity-undo").count() == 0
    assert page.get_by_test_id("activity-row").filter(has_text="automation.undone").count() == 1

    page.goto(f"{host}/automation/")
    action = page.get_by_test_id("rule-action").filter(has_text="B-7")
    assert action.get_by_test_id("rule-action-state").inner_text() == "Undone"
    assert action.get_by_test_id("rule-action-undo").count() == 0
    with tenant_context(alpha):
        assert Bill.objects.get(pk=bill.pk).status == Bill.Status.NEW
