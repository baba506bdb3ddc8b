"""Business B's real rows for the isolation probe: one of everything a detail route can show,
and the map from each route (by its path prefix) to the id of B's own row. A probe with these
ids can only come back empty if the membership check holds — not because B has nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from django_tenants.utils import tenant_context

from tests.drills.probe import DUMMY


def seed_business(business, tag: str) -> dict[str, str]:
    """Rows in B's schema and B's public rows; returns {route prefix: B's id}."""
    from apps.accounts.models import Role
    from apps.digest.content import week_label
    from tests.factories import (
        DocumentFactory,
        InvitationFactory,
        MembershipFactory,
        PaymentFactory,
        PlaidItemFactory,
        TrayItemFactory,
        UserFactory,
    )
    from tests.portal import factories as f

    with tenant_context(business):
        today = f.today_of(business)
        vendor = f.vendor(f"B's vendor {tag}")
        bill = f.bill(vendor, "1234.56", today + timedelta(days=5), doc=f"B-{tag}")
        customer = f.customer(f"B's customer {tag}", f"ap-{tag}@b.test")
        invoice = f.invoice(customer, "900.00", today + timedelta(days=9), doc=f"BI-{tag}")
        memo = f.credit_memo(customer, "50.00")
        payment = PaymentFactory(customer=customer, txn_date=today, total=Decimal("75.00"),
                                 unapplied_amount=Decimal("75.00"))
        account = f.account(f"B's bank {tag}")
        reserve = f.reserve(f"B's reserve {tag}")
        tray = TrayItemFactory(key=f"bill:{bill.pk}", kind="bill_approve",
                               title=f"Approve B's bill {tag}")
        document = DocumentFactory(original_name=f"b-{tag}.pdf", content=b"%PDF-1.7\n")
        week = week_label(today)
    owner = UserFactory(email=f"b-owner-{tag}@iso.test", password="iso-password-123")
    membership = MembershipFactory(user=owner, business=business, role=Role.OWNER)
    invitation = InvitationFactory(business=business, email=f"invitee-{tag}@b.test",
                                   role=Role.VIEWER, invited_by=owner)
    item = PlaidItemFactory(business=business, item_id=f"b-item-{tag}")
    return {
        "tray/": str(tray.pk), "bills/": str(bill.pk), "invoices/": str(invoice.pk),
        "customers/": str(customer.pk), "credits/": str(memo.pk),
        "overpayments/": str(payment.pk), "reserves/": str(reserve.pk),
        "banks/": str(account.pk), "team/invitations/": str(invitation.pk),
        "team/": str(membership.pk), "settings/bank/accounts/": str(account.pk),
        "settings/bank/": str(item.pk), "documents/": str(document.pk), "digest/": week,
        "_owner": str(owner.pk),
    }


def concrete_for(route: str, ids: dict[str, str]) -> tuple[str, bool]:
    """The URL of `route` with B's real id in its first parameter (the longest matching path
    prefix wins); other parameters get harmless dummies. Also: whether a real id was used."""
    prefix = max((p for p in ids if not p.startswith("_") and route.startswith(p)),
                 key=len, default=None)
    used = {"done": False}

    def fill(match: re.Match) -> str:
        if prefix is not None and not used["done"]:
            used["done"] = True
            return ids[prefix]
        return DUMMY.get(match.group(1) or "str", "1")

    url = re.sub(r"<(?:(\w+):)?\w+>", fill, route)
    return "/" + url, used["done"]
