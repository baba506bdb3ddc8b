"""Sign in on the public host in a real browser and land in the business's portal."""

import pytest

from apps.accounts.models import Role
from apps.tenancy.models import Business
from tests.browser.conftest import screenshot
from tests.factories import make_member

pytestmark = pytest.mark.browser


def test_owner_signs_in_on_public_host_and_lands_on_dashboard(live_site, page):
    base, port = live_site
    business = Business.objects.get(slug="alpha")
    owner = make_member(business, Role.OWNER, email="browser-owner@alpha.test")
    page.goto(f"{base}/")
    screenshot(page, "sign-in")
    page.fill("input[name=email]", owner.email)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"http://alpha.localhost:{port}/**")
    assert "Alpha Studio" in page.content()


def test_wrong_password_shows_a_clear_error(live_site, page):
    base, _ = live_site
    page.goto(f"{base}/")
    page.fill("input[name=email]", "nobody@example.test")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert page.locator("text=don't match").count() == 1
