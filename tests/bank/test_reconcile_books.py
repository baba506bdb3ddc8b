"""Reconciliation sees the §4b cash movements: a payroll journal entry's bank line and a
CreditCardPayment are QuickBooks records of money that left the bank, so the bank's copies
match them instead of being offered to the owner as "no record in QuickBooks"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from apps.bank.models import BankTransaction, CreditCardPayment, JournalEntry, JournalEntryLine
from apps.bank.services.reconcile import reconcile
from tests.runway import books as b
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db
DAY = date.today() - timedelta(days=5)


def test_journal_entry_lines_and_card_payments_match_their_bank_copies(tenant_a):
    with in_tenant(tenant_a):
        payroll = b.account("2", "Payroll Checking", "5000.00")
        card = b.account("4", "Business Card", "-900.00", kind="Credit Card")
        feed = b.feed_account("Payroll Checking", "5000.00", datetime.now(UTC), linked=payroll,
                              mask="1455")
        entry = JournalEntry.objects.create(realm_id=payroll.realm_id, qbo_id="je-1",
                                            txn_date=DAY, memo="Gusto payroll")
        JournalEntryLine.objects.create(entry=entry, posting_type="Credit",
                                        amount=Decimal("51648.76"), account=payroll,
                                        account_qbo_id=payroll.qbo_id)
        JournalEntryLine.objects.create(entry=entry, posting_type="Debit",
                                        amount=Decimal("51648.76"), account_qbo_id="99")
        paid = CreditCardPayment.objects.create(realm_id=payroll.realm_id, qbo_id="ccp-1",
                                                txn_date=DAY, amount=Decimal("900.00"),
                                                bank_account=payroll,
                                                bank_account_qbo_id=payroll.qbo_id,
                                                card_account=card, card_account_qbo_id="4")
        wages = b.feed_txn(feed, DAY, "51648.76", "Gusto")
        autopay = b.feed_txn(feed, DAY + timedelta(days=1), "900.00", "BUSINESS CARD AUTOPAY")
    reconcile(tenant_a)
    with in_tenant(tenant_a):
        wages = BankTransaction.objects.get(pk=wages.pk)
        autopay = BankTransaction.objects.get(pk=autopay.pk)
        assert (wages.matched_type, wages.matched_id) == ("journal_entry", entry.pk)
        assert (autopay.matched_type, autopay.matched_id) == ("card_payment", paid.pk)
