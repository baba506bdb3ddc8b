"""The owner's Alerts page in a real browser: choose kinds and a threshold, add a webhook (a
real local receiver), send a test message, and see the history after an alert went out."""

import pytest
from django_tenants.utils import tenant_context

from apps.accounts.models import Role
from apps.alerts.models import Alert, AlertSettings, Kind
from apps.alerts.services import alerts_evaluate
from apps.integrations.plaid.models import PlaidItem
from apps.tenancy.models import Business
from tests.alerts.receiver import HookReceiver
from tests.browser.conftest import screenshot
from tests.factories import PlaidItemFactory, make_member

pytestmark = pytest.mark.browser


@pytest.fixture
def alpha(live_site):
    business = Business.objects.get(slug="alpha")
    hook = HookReceiver()
    yield business, hook
    hook.stop()
    with tenant_context(business):
        Alert.objects.all().delete()
        AlertSettings.objects.all().delete()


def test_owner_sets_alerts_tests_the_webhook_and_sees_the_history(live_site, page, alpha):
    base, port = live_site
    business, hook = alpha
    owner = make_member(business, Role.OWNER, email="browser-alerts@alpha.test")
    page.goto(f"{base}/")
    page.fill("input[name=email]", owner.email)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"http://alpha.localhost:{port}/**")

    page.goto(f"http://alpha.localhost:{port}/settings/")
    page.click("nav.tabs >> text=Alerts")
    page.wait_for_url("**/settings/alerts/")
    page.uncheck(f"[data-testid=kind-{Kind.CASH_ZERO}]")
    page.fill("[data-testid=runway-days]", "45")
    page.fill("[data-testid=webhook-url]", hook.url)
    page.click("[data-testid=alerts-save]")
    page.wait_for_selector("text=Alert settings saved.")
    with tenant_context(business):
        prefs = AlertSettings.objects.get()
    assert prefs.disabled_kinds == [Kind.CASH_ZERO] and prefs.runway_days_threshold == 45

    page.click("[data-testid=webhook-test]")
    page.wait_for_selector("text=Test message delivered to 127.0.0.1.")
    assert hook.messages()[0]["blocks"][0]["text"]["text"] == "Test alert from Oodaloo"

    PlaidItemFactory(business=business, status=PlaidItem.Status.LOGIN_REQUIRED,
                     institution_name="Chase")
    alerts_evaluate(business)
    page.reload()
    history = page.locator("[data-testid=alert-history]")
    assert "Reconnect Chase" in history.inner_text()
    assert f"{owner.email} · sent" in history.inner_text()
    assert "127.0.0.1 · sent" in history.inner_text()
    screenshot(page, "alerts-settings")
