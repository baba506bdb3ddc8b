"""Payables: vendors, bills (with Oodaloo's approval workflow on top of QBO), bill payments and
vendor credits.

Currency convention (every money model of ap/ar/bank): see ``apps/core/synced.QboTransaction``.
"""

from django.db import models

from apps.core.constraints import null_or_check
from apps.core.fields import MoneyField
from apps.core.history import HistoryEvent
from apps.core.synced import (
    OpenDocumentQuerySet,
    QboDocument,
    QboParty,
    QboTotalledTransaction,
    live_by_date_index,
)
from apps.ledger.models import AccountLine


class Vendor(QboParty):
    """A QBO vendor (fields in apps/core/synced.QboParty, shared with ar.Customer)."""


class BillQuerySet(OpenDocumentQuerySet):
    def due_within(self, as_of, days: int):
        from datetime import timedelta

        return self.open().filter(due_date__lte=as_of + timedelta(days=days))


# A bill made in Oodaloo ahead of its write to QBO (approved from a document) carries this QBO
# id until QBO accepts it (apps/ap/documents/qbo_bill.py): it can be seen, not yet paid.
PENDING_QBO_ID = "pending-doc-{}"


class Bill(QboDocument):
    """A QBO bill. `status` is Oodaloo's workflow; `balance` is QBO's truth about what is owed."""

    class Status(models.TextChoices):
        NEW = "new"
        APPROVED = "approved"
        SCHEDULED = "scheduled"
        PAID = "paid"
        ON_HOLD = "on_hold", "On hold"

    vendor = models.ForeignKey(Vendor, null=True, on_delete=models.SET_NULL, related_name="bills")
    vendor_qbo_id = models.CharField(max_length=32)
    memo = models.CharField(max_length=400, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    scheduled_date = models.DateField(null=True, blank=True)
    approved_by_email = models.CharField(max_length=254, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # The open balance (bill currency) the approval was given for: an approval holds only up
    # to it. A sync that finds the balance higher sends the bill back to "new" (ap.approvals).
    approved_amount = MoneyField(null=True, blank=True)

    objects = BillQuerySet.as_manager()

    @property
    def is_open(self) -> bool:
        return not self.is_deleted and self.balance > 0

    @property
    def awaiting_qbo(self) -> bool:
        """Still a placeholder: QBO has not accepted the bill (yet), so nothing can name it."""
        return self.qbo_id.startswith(PENDING_QBO_ID.format(""))

    def approval_holds(self) -> bool:
        """Approved (or scheduled) for at least the balance now open."""
        return (self.status in (self.Status.APPROVED, self.Status.SCHEDULED)
                and self.approved_amount is not None and self.balance <= self.approved_amount)


class BillPayment(QboTotalledTransaction):
    vendor = models.ForeignKey(Vendor, null=True, on_delete=models.SET_NULL, related_name="+")
    vendor_qbo_id = models.CharField(max_length=32, blank=True)
    pay_type = models.CharField(max_length=16, blank=True)  # Check | CreditCard
    account = models.ForeignKey(
        "ledger.Account", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    account_qbo_id = models.CharField(max_length=32, blank=True)

    class Meta(QboTotalledTransaction.Meta):
        # The runway reads a year of payments of the accounts that feed its burn (selectors).
        indexes = [live_by_date_index("account_qbo_id", "ap_billpay_acct_date_live")]


class BillPaymentLine(models.Model):
    payment = models.ForeignKey(BillPayment, on_delete=models.CASCADE, related_name="lines")
    bill = models.ForeignKey(Bill, null=True, on_delete=models.SET_NULL, related_name="payments")
    bill_qbo_id = models.CharField(max_length=32)
    amount = MoneyField()

    def __str__(self) -> str:
        return f"{self.bill_qbo_id}: {self.amount}"


class VendorCredit(QboTotalledTransaction):
    """A QBO VendorCredit: money a vendor owes back, applied to its bills through a
    BillPayment whose lines link both. ``balance`` is QBO's unapplied amount; QBO does not send
    ``Balance`` on every VendorCredit, so NULL means "not given" (DESIGN §4b: fall back to
    ``total`` less the bill payments linked to it). ``total`` is ``TotalAmt`` in ``currency``."""

    vendor = models.ForeignKey(
        Vendor, null=True, on_delete=models.SET_NULL, related_name="credits"
    )
    vendor_qbo_id = models.CharField(max_length=32)
    doc_number = models.CharField(max_length=64, blank=True)
    balance = MoneyField(null=True, blank=True)
    ap_account_qbo_id = models.CharField(max_length=32, blank=True)
    memo = models.CharField(max_length=400, blank=True)

    class Meta(QboTotalledTransaction.Meta):
        constraints = [
            *QboTotalledTransaction.Meta.constraints,
            null_or_check("balance", "gte", name="vendorcredit_balance_not_negative"),
        ]


class VendorCreditLine(AccountLine):
    """One expense line of a vendor credit (the account it credits). Replaced on every sync."""

    credit = models.ForeignKey(VendorCredit, on_delete=models.CASCADE, related_name="lines")


class BillPaymentCreditLine(models.Model):
    """A bill payment line that applies a vendor credit (``LinkedTxn`` TxnType VendorCredit):
    ``amount`` of that credit used by this payment. With ``VendorCredit.total`` it gives the
    unapplied credit when QBO sends no ``Balance``. Replaced with the payment's other lines."""

    payment = models.ForeignKey(BillPayment, on_delete=models.CASCADE, related_name="credit_lines")
    vendor_credit = models.ForeignKey(
        "VendorCredit", null=True, on_delete=models.SET_NULL, related_name="applications"
    )
    vendor_credit_qbo_id = models.CharField(max_length=32)
    amount = MoneyField()

    def __str__(self) -> str:
        return f"{self.vendor_credit_qbo_id}: {self.amount}"


class BillEvent(HistoryEvent):
    """Append-only history of a bill's workflow (doubles as its audit trail)."""

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="events")
from apps.ap.documents.models import Document, DocumentEvent  # noqa: E402,F401
