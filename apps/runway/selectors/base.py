"""Shared pieces of the runway selectors: account keys, table names, one-query fetch."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from django.db import connection

from apps.ap.models import Bill, BillPayment, BillPaymentCreditLine, Vendor, VendorCredit
from apps.ar.models import CreditMemo, Customer, Invoice, Payment, RefundReceipt, SalesReceipt
from apps.bank.models import (
    BankTransaction,
    CreditCardPayment,
    FeedAccount,
    JournalEntry,
    JournalEntryLine,
    Purchase,
    PurchaseLine,
    Transfer,
)
from apps.integrations.plaid.models import PlaidItem
from apps.ledger.models import Account, ExchangeRate
from apps.reserves.models import Reserve as ReserveRow
from apps.runway.models import RecurringSeriesOverride

ISSUED_DAYS = 90

FEED_KINDS = {"depository": "bank", "credit": "credit_card"}  # loans/investments are not cash
QBO_KINDS = {Account.Type.BANK: "bank", Account.Type.CREDIT_CARD: "credit_card"}
EPOCH = datetime.combine(date(1970, 1, 1), time.min, tzinfo=UTC)


def qbo_key(qbo_id: str) -> str:
    return f"qbo:{qbo_id}"


def feed_key(pk: int) -> str:
    return f"feed:{pk}"


def _tables() -> dict[str, str]:
    return {
        "billpayment": BillPayment._meta.db_table,
        "vendor": Vendor._meta.db_table,
        "purchase": Purchase._meta.db_table,
        "banktransaction": BankTransaction._meta.db_table,
        "transfer": Transfer._meta.db_table,
        "account": Account._meta.db_table,
        "feedaccount": FeedAccount._meta.db_table,
        "plaiditem": PlaidItem._meta.db_table,
        "customer": Customer._meta.db_table,
        "invoice": Invoice._meta.db_table,
        "bill": Bill._meta.db_table,
        "reserve": ReserveRow._meta.db_table,
        "override": RecurringSeriesOverride._meta.db_table,
        "purchaseline": PurchaseLine._meta.db_table,
        "ccpayment": CreditCardPayment._meta.db_table,
        "refundreceipt": RefundReceipt._meta.db_table,
        "salesreceipt": SalesReceipt._meta.db_table,
        "journalentry": JournalEntry._meta.db_table,
        "journalline": JournalEntryLine._meta.db_table,
        "vendorcredit": VendorCredit._meta.db_table,
        "creditmemo": CreditMemo._meta.db_table,
        "payment": Payment._meta.db_table,
        "creditline": BillPaymentCreditLine._meta.db_table,
        "exchangerate": ExchangeRate._meta.db_table,
    }


def _fetch(sql: str, params: dict[str, Any]) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql.format(**_tables()), params)
        return cur.fetchall()

