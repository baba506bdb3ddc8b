"""Business B's real rows for the isolation probe: one of everything a detail route can show,
and the map from each route (by its path prefix) to the id of B's own row. A probe with these
ids can only come back empty if the membership check holds — not because B has nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django_tenants.utils import tenant_context

from tests.drills.probe import DUMMY


def seed_business(business, tag: str) -> dict[str, str]:
    """Rows in B's schema and B's public rows; returns {route prefix: B's id}."""
    from apps.accounts.models import Invitation, Membership, Role, User
    from apps.ap.documents.models import Document
    from apps.ar.models import Payment
    from apps.digest.content import week_label
    from apps.integrations.plaid.models import PlaidItem
    from apps.tray.models import TrayItem
    from tests.portal import factories as f

    with tenant_context(business):
        today = f.today_of(business)
        vendor = f.vendor(f"B's vendor {tag}")
        bill = f.bill(vendor, "1234.56", today + timedelta(days=5), doc=f"B-{tag}")
        customer = f.customer(f"B's customer {tag}", f"ap-{tag}@b.test")
        invoice = f.invoice(customer, "900.00", today + timedelta(days=9), doc=f"BI-{tag}")
        memo = f.credit_memo(customer, "50.00")
        payment = Payment.objects.create(
            realm_id=f.REALM, qbo_id=f.qid(), customer=customer,
            customer_qbo_id=customer.qbo_id, txn_date=today, total=Decimal("75.00"),
            home_total=Decimal("75.00"), unapplied_amount=Decimal("75.00"))
        account = f.account(f"B's bank {tag}")
        reserve = f.reserve(f"B's reserve {tag}")
        tray = TrayItem.objects.create(key=f"bill:{bill.pk}", kind=TrayItem.Kind.BILL_APPROVE,
                                       title=f"Approve B's bill {tag}")
        document = Document(source="upload", original_name=f"b-{tag}.pdf",
                            content_type="application/pdf", size=9, sha256="b" * 64)
        document.file.save("upload.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
        document.save()
        week = week_label(today)
    owner = User.objects.create_user(f"b-owner-{tag}@iso.test", "iso-password-123")
    membership = Membership.objects.create(user=owner, business=business, role=Role.OWNER)
    invitation = Invitation.objects.create(
        business=business, email=f"invitee-{tag}@b.test", role=Role.VIEWER,
        token_hash=("i" + tag * 11)[:64], invited_by=owner,
        expires_at=document.created_at + timedelta(days=7))
    item = PlaidItem.objects.create(business=business, item_id=f"b-item-{tag}",
                                    host="http://127.0.0.1:9")
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
