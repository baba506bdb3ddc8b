"""The currency note under the dashboard's figures (and in the digest) reads its rate's date
the way every other date reads ("Nov 30"), not as an ISO date."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from apps.core.dates import local_today
from apps.digest.content import digest_build, week_label
from apps.digest.render import digest_render_text
from apps.runway.engine.convert import CurrencyNote
from tests.factories import AccountFactory, ExchangeRateFactory
from tests.portal import factories as f
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


def test_the_dashboard_and_digest_show_the_rate_date_like_other_dates(tenant_a, owner_a, books):
    today = f.today_of(tenant_a)
    rate_day = today - timedelta(days=3)
    with in_tenant(tenant_a):
        realm = books["account"].realm_id
        AccountFactory(name="Euro Operating", currency="EUR", current_balance=Decimal("1000.00"),
                       realm_id=realm)
        ExchangeRateFactory(realm_id=realm, as_of=rate_day, rate=Decimal("1.1000"))
    f.fresh_runway(tenant_a)
    human = f"(rate of {rate_day:%b} {rate_day.day}" + (
        ")." if rate_day.year == today.year else f", {rate_day.year}).")
    html = client_for(tenant_a, owner_a).get("/").content.decode()
    assert 'data-testid="currency-note"' in html and human in html
    assert rate_day.isoformat() not in html.split('data-testid="currency-note"')[1][:300]
    text = digest_render_text(digest_build(tenant_a, week_label(local_today(tenant_a.timezone))),
                              unsubscribe_url="https://x.test/u/")
    assert human in text and f"rate of {rate_day.isoformat()}" not in text


def test_a_rate_from_an_earlier_year_says_its_year():
    note = CurrencyNote("EUR", Decimal("1.08"), date(2025, 11, 30), 2, "USD", date(2026, 1, 5))
    assert note.sentence.endswith("(rate of Nov 30, 2025).")
    same = CurrencyNote("EUR", Decimal("1.08"), date(2026, 11, 30), 2, "USD", date(2026, 12, 5))
    assert same.sentence.endswith("(rate of Nov 30).")
