"""Receivables: customers, invoices, payments (and which invoices they paid), credit memos,
sales receipts and refund receipts.

Currency convention: see ``apps/core/synced.QboTransaction`` (``currency`` = CurrencyRef or
home; ``exchange_rate`` = the transaction's ExchangeRate, NULL when in the home currency).
"""

from django.db import models

from apps.core.fields import MoneyField
from apps.core.synced import (
    OpenDocumentQuerySet,
    QboDocument,
    QboParty,
    QboTotalledTransaction,
    QboTransaction,
    live_by_date_index,
)


class Customer(QboParty):
    """A QBO customer (fields in apps/core/synced.QboParty, shared with ap.Vendor)."""


class InvoiceQuerySet(OpenDocumentQuerySet):
    """Open and overdue invoices (apps/core/synced.OpenDocumentQuerySet)."""


class Invoice(QboDocument):
    customer = models.ForeignKey(
        Customer, null=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    customer_qbo_id = models.CharField(max_length=32)
    bill_email = models.CharField(max_length=254, blank=True)
    # QuickBooks' pay-online page for this invoice (`InvoiceLink`): synced when QuickBooks has
    # one (online payments on, the invoice emailed); reminders link it (docs/collections.md).
    invoice_link = models.URLField(max_length=1000, blank=True)
    # The date the balance reached zero (from linked payments); feeds customer habits.
    paid_date = models.DateField(null=True, blank=True)
    # Owner's "expect on" override for the forecast.
    expected_date = models.DateField(null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    # The owner marked the invoice disputed: reminders skip it until cleared.
    disputed_at = models.DateTimeField(null=True, blank=True)

    objects = InvoiceQuerySet.as_manager()


class Payment(QboTotalledTransaction):
    customer = models.ForeignKey(Customer, null=True, on_delete=models.SET_NULL, related_name="+")
    customer_qbo_id = models.CharField(max_length=32, blank=True)
    unapplied_amount = MoneyField(default=0)
    deposit_account_qbo_id = models.CharField(max_length=32, blank=True)


class PaymentLine(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(
        Invoice, null=True, on_delete=models.SET_NULL, related_name="payments"
    )
    invoice_qbo_id = models.CharField(max_length=32)
    amount = MoneyField()

    def __str__(self) -> str:
        return f"{self.invoice_qbo_id}: {self.amount}"


class CreditMemo(QboTransaction):
    customer = models.ForeignKey(
        Customer, null=True, on_delete=models.SET_NULL, related_name="credit_memos"
    )
    customer_qbo_id = models.CharField(max_length=32, blank=True)
    doc_number = models.CharField(max_length=64, blank=True)
    txn_date = models.DateField()  # not indexed: credits are read by customer, not by date
    total = MoneyField()
    balance = MoneyField()  # credit still available to apply

    def __str__(self) -> str:
        return f"CreditMemo {self.doc_number or self.qbo_id} {self.balance}"


class _Receipt(QboTotalledTransaction):
    """What SalesReceipt and RefundReceipt share: a customer paid (or was refunded) on the
    spot, through ``DepositToAccountRef`` — a bank account, or Undeposited Funds (then a later
    Deposit moves the money; the receipt itself is not cash in the bank yet)."""

    customer = models.ForeignKey(Customer, null=True, on_delete=models.SET_NULL, related_name="+")
    customer_qbo_id = models.CharField(max_length=32, blank=True)
    doc_number = models.CharField(max_length=64, blank=True)
    deposit_account = models.ForeignKey(
        "ledger.Account", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    deposit_account_qbo_id = models.CharField(max_length=32, blank=True)
    payment_method = models.CharField(max_length=100, blank=True)  # PaymentMethodRef name
    memo = models.CharField(max_length=400, blank=True)

    class Meta(QboTotalledTransaction.Meta):
        abstract = True


class SalesReceipt(_Receipt):
    """A QBO SalesReceipt: money in to ``deposit_account`` (cash only when that is a bank
    account; via Undeposited Funds it becomes cash with its Deposit)."""

    class Meta(_Receipt.Meta):
        indexes = [live_by_date_index("deposit_account_qbo_id", "ar_salesrcpt_acct_date_live")]


class RefundReceipt(_Receipt):
    """A QBO RefundReceipt: money out of ``deposit_account`` back to the customer. ``balance``
    is QBO's Balance when sent (NULL when absent)."""

    balance = MoneyField(null=True, blank=True)

    class Meta(_Receipt.Meta):
        indexes = [live_by_date_index("deposit_account_qbo_id", "ar_refundrcpt_acct_date_live")]


# Reminder sequences and their emails (apps/ar/reminders/models.py), registered with this app.
from apps.ar.reminders.models import (  # noqa: E402,F401
    CollectionsSettings,
    CustomerReminders,
    ReminderContact,
    ReminderDelivery,
    ReminderEmail,
    ReminderEvent,
    ReminderSend,
    ReminderSequence,
    ReminderStep,
    ReminderTick,
)
