"""Sign out from a business's host in a real browser: the button posts (with its CSRF token) and
ends the session on the public host too."""

import pytest

from apps.accounts.models import Role
from apps.tenancy.models import Business
from tests.factories import make_member

pytestmark = pytest.mark.browser


def test_sign_out_on_the_business_host_signs_out_of_the_public_host_too(live_site, page):
    base, port = live_site
    owner = make_member(Business.objects.get(slug="alpha"), Role.OWNER,
                        email="browser-leaver@alpha.test")
    page.goto(f"{base}/")
    page.fill("input[name=email]", owner.email)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"http://alpha.localhost:{port}/**")
    page.goto(f"{base}/account/")
    assert "Your account" in page.content()  # signed in on the public host as well

    page.goto(f"http://alpha.localhost:{port}/")
    page.click("form.signout button")
    page.wait_for_url(f"http://alpha.localhost:{port}/login/**")
    page.goto(f"http://alpha.localhost:{port}/")
    assert "/login/" in page.url
    page.goto(f"{base}/account/")
    assert "/account/" not in page.url or "Your account" not in page.content()
    assert page.locator("input[name=password]").count() == 1  # the sign-in form again
