"""Applying a vendor's credit to its next open bill, through the outbox (``vendor_credit.apply``).

QBO has no "apply" call: a vendor credit is applied by a BillPayment with TotalAmt 0 and two
lines, one linked to the Bill (lowers its Balance) and one linked to the VendorCredit (uses up
its Balance), both for the same amount. The action key is the BillPayment's ``requestid`` and is
written into its ``PrivateNote`` so the reconciler can find it.

"Next bill" is the vendor's open bill with the earliest forecast date (scheduled payment date,
else due date) — the bill the runway forecast already nets the credit against (DESIGN §4b), so
applying it changes the books, not the forecast.

Exactly once: the shared service (apps/ledger/credit_sources.py, through ``VENDOR_CREDIT``) locks
the credit and the bill; the same idempotency key returns the first action, and another in-flight
application of the credit is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from apps.ap import payment_outbox
from apps.ap.models import Bill, VendorCredit
from apps.core.dates import local_today
from apps.core.errors import ApplicationError
from apps.integrations.qbo import writes
from apps.integrations.qbo.dtos import parse_entity
from apps.integrations.sync import outbox, sinks
from apps.ledger.credit_sources import CreditSource, first_open_documents
from apps.ledger.models import Account

KIND = "vendor_credit.apply"
# Both move a bill's open balance: one at a time per bill (apps/ledger/credit_sources.py).
BILL_KINDS = (KIND, payment_outbox.KIND)


class VendorCreditError(ApplicationError):
    code = "vendor_credit_invalid"


def unapplied(credit: VendorCredit) -> Decimal:
    """QBO's Balance; without one, TotalAmt less what live bill payments applied (§4b)."""
    if credit.balance is not None:
        return credit.balance
    used = credit.applications.filter(payment__is_deleted=False).aggregate(
        total=Sum("amount"))["total"]
    return credit.total - (used or Decimal("0"))


def open_credits():
    """Live vendor credits with money left (Balance > 0, or no Balance given)."""
    return VendorCredit.objects.live().filter(Q(balance__gt=0) | Q(balance__isnull=True))


def next_bills(credits: Iterable[VendorCredit]) -> dict[int, Bill]:
    """{credit pk: its vendor's open bill (same currency) with the earliest forecast date}.
    One query whatever the number of credits."""
    return first_open_documents(credits, Bill.objects.open(), ("vendor_id", "currency"),
                                Coalesce("scheduled_date", "due_date", "txn_date"))


def _bank_account_for(currency: str) -> Account:
    """QBO needs a bank account on a check bill payment, even a zero one: an active runway
    bank account in the credit's currency."""
    account = (Account.objects.in_runway().filter(currency=currency).order_by("name", "pk")
               .first())
    if account is None:
        raise VendorCreditError(f"No bank account in {currency} to record the credit against.")
    return account


def _payload(business: Any, vc: VendorCredit, bill: Bill, applied: Decimal) -> dict[str, Any]:
    if bill.awaiting_qbo:  # the payment would name a bill QuickBooks does not have
        raise VendorCreditError("This bill is not in QuickBooks yet.")
    return {
        "vendor": vc.vendor_qbo_id, "vendor_credit": vc.qbo_id, "bill": bill.qbo_id,
        "amount": str(applied), "date": local_today(business.timezone).isoformat(),
        "bank_account": _bank_account_for(vc.currency).qbo_id,
        "vendor_credit_id": vc.pk, "bill_id": bill.pk,
    }


def _same_vendor_and_currency(vc: VendorCredit, bill: Bill) -> bool:
    return vc.vendor_qbo_id == bill.vendor_qbo_id and vc.currency == bill.currency


# The adapter of the shared service (apps/ledger/credit_sources.py).
VENDOR_CREDIT = CreditSource(
    model=VendorCredit, target_type="vendor_credit", prefix="vc", error=VendorCreditError,
    document=Bill, left=unapplied, same_party=_same_vendor_and_currency, payload=_payload,
    mismatch="A vendor credit can only be applied to the same vendor's bill, in its currency.",
    nothing_left="This vendor credit has nothing left to apply.",
    busy="This credit is already being applied; wait for QuickBooks to answer.",
    document_kinds=BILL_KINDS,
    left_words="the credit has {left} left", audit_left="unapplied",
)


# --- the outbox kind ----------------------------------------------------------------------


def vendor_credit_body(action: Any) -> dict[str, Any]:
    """The zero-total QBO BillPayment that applies the credit (see the module doc)."""
    p = action.payload or {}
    amount = outbox.payload_amount(p.get("amount"), "amount")
    return writes.bill_payment(
        vendor=p["vendor"], bank_account=p["bank_account"],
        txn_date=outbox.payload_date(p.get("date"), "date"),
        links=[writes.Link(amount, "Bill", p["bill"]),
               writes.Link(amount, "VendorCredit", p["vendor_credit"])],
        total=writes.ZERO, note=outbox.action_note(action))


def vendor_credit_send(client: Any, action: Any) -> dict[str, Any]:
    return client.create("BillPayment", vendor_credit_body(action), request_id=action.key)


def vendor_credit_find(client: Any, action: Any) -> list[dict[str, Any]]:
    """BillPayments in QBO carrying this action's key."""
    return outbox.find_by_note(client, "BillPayment", vendor_credit_body(action)["TxnDate"],
                               action)


def vendor_credit_after(ctx: sinks.SinkContext, action: Any) -> None:
    """QBO applied the credit: store the BillPayment, re-read the bill (as after any bill
    payment) and the credit, so both balances are current before the next sync."""
    from apps.ap import ingest

    ingest.bill_payment_after_action(ctx, action)
    if ctx.client is not None:
        credit = ctx.client.read("VendorCredit", str((action.payload or {})["vendor_credit"]))
        ingest.vendor_credits_ingest(ctx, [parse_entity("VendorCredit", credit)])
