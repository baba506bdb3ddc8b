"""Real books (DESIGN §4b) → engine inputs: card payments, refunds, journal entries, vendor
credits and exchange rates. Each is one statement, sent in the same batch as the others
(`pending.runway_inputs_started`), so the number of round trips stays constant.

- **Card payments and refunds** are plain outflows of the accounts whose burn QBO feeds (the
  same `qbo_accounts` as MOVEMENTS_SQL), summed per day, account and counterparty, each row
  converted at its own transaction's rate (rounded to cents) before it is summed: a
  CreditCardPayment out of `BankAccountRef`; a card Purchase with `Credit: true` whose lines
  point at such a bank account (out of that bank, by the line amounts); a RefundReceipt out of
  `DepositToAccountRef`. A card payment names the card account (`account:<id>`) as counterparty
  and as the receiving account, so the engine finds the card's payoff series. A SalesReceipt is
  money in: burn counts only money out, so it is not read (via Undeposited Funds it is not cash
  at all; deposited straight to a bank account it raises the balance QBO reports).
- **Journal entries**: every line on a QBO bank account (the engine decides which are runway
  accounts, whether the entry is internal, and the series key), in the entry's currency with the
  entry's own rate; the engine converts them.
- **Vendor credits**: the unapplied balance (`Balance`; absent → `TotalAmt` less the live bill
  payments' lines linked to it), in the credit's own currency.
- **Rates**: the latest rate of each currency on or before as_of (the engine's current rate).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from apps.runway.engine import (
    CustomerCredit,
    ExchangeRate,
    JournalEntry,
    JournalLine,
    VendorCredit,
)

# Shaped like MOVEMENTS_SQL's rows: day, amount, account, source, kind, who, who_id, dest, then
# the row-level order (source 4-6 come after MOVEMENTS_SQL's 0-3; first id; leg).
CARD_AND_REFUND_SQL = """
SELECT c.txn_date, SUM(ROUND(c.amount * COALESCE(c.exchange_rate, 1), 2)),
       'qbo:' || c.bank_account_qbo_id, 'qbo', 'card_payment', COALESCE(MIN(a.name), ''),
       'account:' || c.card_account_qbo_id, 'qbo:' || c.card_account_qbo_id, 4, MIN(c.id), 0
FROM {ccpayment} c LEFT JOIN {account} a ON a.id = c.card_account_id
WHERE NOT c.is_deleted AND c.txn_date >= %(mv_start)s AND c.txn_date <= %(as_of)s
  AND c.bank_account_qbo_id = ANY(%(qbo_accounts)s::text[]) AND c.amount > 0
GROUP BY c.txn_date, c.bank_account_qbo_id, c.card_account_qbo_id
UNION ALL
SELECT p.txn_date, SUM(ROUND(l.amount * COALESCE(p.exchange_rate, 1), 2)),
       'qbo:' || l.account_qbo_id, 'qbo', 'card_payment', COALESCE(MIN(a.name), ''),
       'account:' || p.account_qbo_id, 'qbo:' || p.account_qbo_id, 5, MIN(p.id), 0
FROM {purchase} p JOIN {purchaseline} l ON l.purchase_id = p.id
LEFT JOIN {account} a ON a.id = p.account_id
WHERE NOT p.is_deleted AND p.payment_type = 'CreditCard' AND p.is_credit
  AND p.txn_date >= %(mv_start)s AND p.txn_date <= %(as_of)s
  AND l.account_qbo_id = ANY(%(qbo_accounts)s::text[]) AND l.amount > 0
GROUP BY p.txn_date, l.account_qbo_id, p.account_qbo_id
UNION ALL
SELECT r.txn_date, SUM(r.home_total), 'qbo:' || r.deposit_account_qbo_id, 'qbo', 'refund',
       COALESCE(MIN(cu.display_name), ''),
       CASE WHEN r.customer_qbo_id <> '' THEN 'customer:' || r.customer_qbo_id END, NULL, 6,
       MIN(r.id), 0
FROM {refundreceipt} r LEFT JOIN {customer} cu ON cu.id = r.customer_id
WHERE NOT r.is_deleted AND r.txn_date >= %(mv_start)s AND r.txn_date <= %(as_of)s
  AND r.deposit_account_qbo_id = ANY(%(qbo_accounts)s::text[]) AND r.home_total > 0
GROUP BY r.txn_date, r.deposit_account_qbo_id, r.customer_qbo_id
"""

JOURNAL_SQL = """
SELECT e.id, e.txn_date, e.memo, e.currency, e.exchange_rate, l.account_qbo_id, l.posting_type,
       l.amount, l.entity_type, l.entity_qbo_id, l.entity_name
FROM {journalentry} e
JOIN {journalline} l ON l.entry_id = e.id
JOIN {account} a ON a.qbo_id = l.account_qbo_id AND a.account_type = 'Bank'
  AND NOT a.is_deleted
WHERE NOT e.is_deleted AND e.txn_date >= %(pad_start)s AND e.txn_date < %(pad_end)s
ORDER BY e.id, l.id
"""

VENDOR_CREDITS_SQL = """
WITH credits AS (
  SELECT vc.id, vc.vendor_qbo_id, vc.vendor_id, vc.txn_date, vc.currency,
         COALESCE(vc.balance, vc.total - COALESCE((
           SELECT SUM(l.amount) FROM {creditline} l JOIN {billpayment} bp ON bp.id = l.payment_id
           WHERE NOT bp.is_deleted AND l.vendor_credit_id = vc.id), 0)) AS unapplied
  FROM {vendorcredit} vc
  WHERE NOT vc.is_deleted
)
SELECT c.id, c.vendor_qbo_id, COALESCE(v.display_name, ''), c.txn_date, c.unapplied, c.currency
FROM credits c LEFT JOIN {vendor} v ON v.id = c.vendor_id
WHERE c.unapplied > 0
ORDER BY c.id
"""

# A customer's credit memos with credit left and payments with an unapplied amount (QBO
# `Balance`, `UnappliedAmt`), in their own currency.
CUSTOMER_CREDITS_SQL = """
SELECT 'credit_memo:' || m.id, m.customer_qbo_id, COALESCE(c.display_name, ''), 'credit_memo',
       m.txn_date, m.balance, m.currency
FROM {creditmemo} m LEFT JOIN {customer} c ON c.id = m.customer_id
WHERE NOT m.is_deleted AND m.balance > 0
UNION ALL
SELECT 'payment:' || p.id, p.customer_qbo_id, COALESCE(c.display_name, ''), 'payment',
       p.txn_date, p.unapplied_amount, p.currency
FROM {payment} p LEFT JOIN {customer} c ON c.id = p.customer_id
WHERE NOT p.is_deleted AND p.unapplied_amount > 0
ORDER BY 1
"""

RATES_SQL = """
SELECT DISTINCT ON (source_currency) source_currency, rate, as_of
FROM {exchangerate}
WHERE NOT is_deleted AND as_of <= %(as_of)s AND target_currency = %(home)s
ORDER BY source_currency, as_of DESC
"""


def _own_currency(currency: str, home: str) -> str:
    return "" if currency in ("", home) else currency


def journal_entries(rows: list[tuple], home: str) -> list[JournalEntry]:
    lines: dict[int, list[JournalLine]] = defaultdict(list)
    heads: dict[int, tuple] = {}
    for pk, day, memo, currency, rate, account, posting, amount, etype, eid, ename in rows:
        heads.setdefault(pk, (day, memo, currency, rate))
        key = f"{etype.lower()}:{eid}" if etype and eid else None
        lines[pk].append(JournalLine(f"qbo:{account}", posting, amount, key, ename or ""))
    entries = []
    for pk, (day, memo, currency, rate) in heads.items():
        own = _own_currency(currency, home)
        entries.append(JournalEntry(str(pk), day, memo, tuple(lines[pk]), own,
                                    rate if own else None))
    return entries


def vendor_credits(rows: list[tuple], home: str) -> list[VendorCredit]:
    return [VendorCredit(str(pk), vid, name, day, balance, _own_currency(currency, home))
            for pk, vid, name, day, balance, currency in rows]


def customer_credits(rows: list[tuple], home: str) -> list[CustomerCredit]:
    return [CustomerCredit(key, cid, name, kind, day, balance, _own_currency(currency, home))
            for key, cid, name, kind, day, balance, currency in rows]


def rates(rows: list[tuple]) -> list[ExchangeRate]:
    return [ExchangeRate(code, Decimal(rate), day) for code, rate, day in rows]
