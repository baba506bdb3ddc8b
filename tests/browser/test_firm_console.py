"""The accounting-firm console in a real browser: a partner invites a staff member and grants
two clients; the staff member sees exactly those two and opens one; the client's owner sees the
firm's access in team settings and revokes it, and the staff member's next request is refused."""

import pytest

from apps.accounts.models import Role
from apps.tenancy.models import Business
from tests.browser.conftest import screenshot
from tests.factories import make_member
from tests.firm.helpers import make_client, make_firm, schemaless_business
from tests.utils import invitation_link_from_mail

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"


def _sign_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_partner_grants_two_clients_staff_sees_them_owner_revokes(live_site, browser):
    base, port = live_site
    alpha, beta = Business.objects.get(slug="alpha"), Business.objects.get(slug="beta")
    gamma = schemaless_business("Gamma Goods")  # a third client nobody is granted
    firm, partner = make_firm()
    for b in (alpha, beta, gamma):
        make_client(firm, b, partner)
    owner = make_member(alpha, Role.OWNER, email="owner@alpha.test")
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(3)]
    pat, sam, olive = (c.new_page() for c in contexts)
    try:
        # The partner signs in, finds the firm console and invites Sam as staff.
        _sign_in(pat, base, partner.email)
        pat.click("[data-testid=firm-link]")
        pat.wait_for_url(f"{base}/firm/{firm.slug}/")
        pat.goto(f"{base}/firm/{firm.slug}/team/")
        pat.fill("input[name=email]", "sam@ledgerly.test")
        pat.click("[data-testid=member-invite]")
        pat.get_by_text("Invitation sent to sam@ledgerly.test.").wait_for()
        assert "/firm/invite/" not in pat.content()  # the link goes to Sam's address only

        # Sam accepts from the email and lands on an empty portfolio.
        sam.goto(base + invitation_link_from_mail("sam@ledgerly.test"))
        sam.fill("input[name=password]", "a-new-long-password-7")
        sam.click("[data-testid=accept]")
        sam.wait_for_url(f"{base}/firm/{firm.slug}/")
        assert sam.locator("[data-testid=client]").count() == 0

        # The partner grants Sam alpha and beta (bookkeeper), not gamma.
        pat.reload()
        for slug in ("alpha", "beta"):
            block = pat.locator(f"[data-testid=firm-client][data-slug={slug}]")
            block.locator("select[name=member]").select_option(label="sam@ledgerly.test")
            block.locator("[data-testid=grant-add]").click()
            pat.wait_for_load_state()
        screenshot(pat, "firm-team")

        # Sam sees exactly those two, and opens alpha without signing in again.
        sam.reload()
        slugs = sorted(sam.locator("[data-testid=client]").evaluate_all(
            "rows => rows.map(r => r.dataset.slug)"))
        assert slugs == ["alpha", "beta"]
        assert "Gamma Goods" not in sam.content()
        screenshot(sam, "firm-portfolio")
        sam.locator("[data-testid=client][data-slug=alpha] [data-testid=open-client]").click()
        sam.wait_for_url(f"http://alpha.localhost:{port}/**")
        assert "Alpha Studio" in sam.content()

        # Alpha's owner sees the firm's access in team settings and revokes it.
        _sign_in(olive, base, owner.email)
        olive.wait_for_url(f"http://alpha.localhost:{port}/**")
        olive.goto(f"http://alpha.localhost:{port}/team/")
        section = olive.locator("[data-testid=firm-access]")
        assert "Ledgerly" in section.inner_text()
        grant = section.locator("[data-testid=firm-grant]", has_text="sam@ledgerly.test")
        assert grant.count() == 1
        screenshot(olive, "team-firm-access")
        grant.locator("[data-testid=grant-revoke]").click()
        olive.wait_for_load_state()
        assert section.locator("[data-testid=firm-grant]",
                               has_text="sam@ledgerly.test").count() == 0

        # Sam's next request to alpha is refused; the portfolio keeps only beta.
        response = sam.goto(f"http://alpha.localhost:{port}/")
        assert response.status == 404
        sam.goto(f"{base}/firm/{firm.slug}/")
        assert sam.locator("[data-testid=client]").evaluate_all(
            "rows => rows.map(r => r.dataset.slug)") == ["beta"]
    finally:
        for c in contexts:
            c.close()


def test_a_partner_signs_up_a_firm_confirms_and_lands_on_its_portfolio(live_site, browser):
    import re

    from django.core import mail

    base, _port = live_site
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{base}/")
        page.click("text=Sign up an accounting firm")
        page.fill("input[name=firm_name]", "Ledgerwise CPAs")
        page.fill("input[name=slug]", "ledgerwise")
        page.fill("input[name=email]", "pat@ledgerwise.test")
        page.fill("input[name=password]", "a-new-long-password-7")
        page.click("button[type=submit]")
        page.get_by_text("Check your email").wait_for()
        (message,) = [m for m in mail.outbox if m.to == ["pat@ledgerwise.test"]]
        link = re.search(r"https?://\S+?(/signup/firm/verify/[^/\s]+/)", message.body).group(1)
        page.goto(f"{base}{link}")
        page.click("button[type=submit]")  # confirm and create
        page.fill("input[name=email]", "pat@ledgerwise.test")
        page.fill("input[name=password]", "a-new-long-password-7")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/firm/ledgerwise/")
        assert page.get_by_text("Ledgerwise CPAs").count() >= 1
        assert page.locator("[data-testid=client]").count() == 0
        screenshot(page, "firm-signup-portfolio")
    finally:
        context.close()
