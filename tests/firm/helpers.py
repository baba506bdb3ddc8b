"""Firms, their people and clients for the firm tests (real services, real public rows)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from apps.accounts.firm_access import firm_client_invite, firm_create, firm_grant
from apps.accounts.models import FirmRole, Role, User
from apps.tenancy.models import Business, BusinessSummary
from tests.factories import (
    BusinessSummaryFactory,
    FirmMemberFactory,
    UserFactory,
    make_member,
)

_n = count(1)


def user(email: str) -> User:
    return UserFactory(email=email)  # the existing user for an email already taken


def make_firm(slug: str = "ledgerly", partner_email: str = "pat@ledgerly.test"):
    partner = user(partner_email)
    return firm_create(actor=partner, slug=slug, name=slug.title()), partner


def add_staff(firm, email: str = "sam@ledgerly.test") -> User:
    person = user(email)
    FirmMemberFactory(firm=firm, user=person, role=FirmRole.STAFF)
    return person


def make_client(firm, business, partner) -> None:
    """The business's owner adds the firm (the consent path every client takes)."""
    owner = make_member(business, Role.OWNER)
    firm_client_invite(actor=owner, business=business, firm_ref=firm.slug)


def grant(firm, business, partner, person, role=Role.BOOKKEEPER):
    return firm_grant(actor=partner, firm=firm, business=business, user=person, role=role)


def schemaless_business(name: str) -> Business:
    """A business row without a schema: the portfolio reads public rows only, so the query
    count and benchmark tests need the rows, not 30 provisioned schemas."""
    n = next(_n)
    b = Business(schema_name=f"pf_{n}", slug=f"pf-{n}", name=name)
    b.auto_create_schema = False
    b.save()
    return b


def summary_for(business, *, runway_days: str | None, cash_zero_week: date | None = None,
                overdue: str = "0", waiting: int = 0, low_point: str = "1000.00",
                bank: str = "ok") -> BusinessSummary:
    today = timezone.localdate()
    return BusinessSummaryFactory(
        business=business, as_of=today, cash=Decimal("50000.00"), reserved=Decimal("0.00"),
        available=Decimal("50000.00"), daily_burn=Decimal("500.00"),
        runway_days=None if runway_days is None else Decimal(runway_days),
        low_point=Decimal(low_point), low_point_week=today - timedelta(days=today.weekday()),
        cash_zero_week=cash_zero_week, overdue_ar=Decimal(overdue), tray_waiting=waiting,
        bank_feed_status=bank, week_of=today - timedelta(days=today.weekday()),
    )
