"""The SQL pre-aggregated inputs give exactly the figures of the row-level inputs.

A randomized set of books (seeded: reproducible) exercising every rule the aggregation must not
change — accounts in and out of runway, a confirmed and an unconfirmed bank feed, card
spending, credits, deleted rows, zero/negative amounts, same-day payments to one counterparty,
names that differ only in case/spacing, internal and external transfers with feed pairing,
pending rows, payroll categories, feed rows reconciled to bill payments, customer credits,
window edges, paid-date ties beyond the last 12 — is loaded both ways and computed: the
`manage.py runway --json` payloads must be identical.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from apps.ap.models import Bill, BillPayment
from apps.ar.models import CreditMemo, Invoice, Payment
from apps.bank.models import Account, BankTransaction, Purchase, Transfer
from apps.runway import selectors
from apps.runway.engine import compute_runway, to_json
from apps.runway.engine.habits import paid_stats_of
from tests.factories import (
    AccountFactory,
    BankTransactionFactory,
    BillFactory,
    BillPaymentFactory,
    CreditMemoFactory,
    CustomerFactory,
    FeedAccountFactory,
    InvoiceFactory,
    PaymentFactory,
    PurchaseFactory,
    RecurringSeriesOverrideFactory,
    ReserveFactory,
    TransferFactory,
    VendorFactory,
)
from tests.utils import in_tenant

from .real_books_rows import real_books
from .row_inputs import row_level_inputs

REALM = "9130"
NAMES = ["Figma", "FIGMA", "  figma ", "Adobe", "Coffee Co", "Uber", "Staples", ""]


def _money(rnd: random.Random, lo: int, hi: int) -> Decimal:
    return Decimal(rnd.randint(lo * 100, hi * 100)) / 100


def _books(rnd: random.Random, as_of: date) -> None:
    """~600 rows of everything around ``as_of``."""
    ids = iter(range(10_000, 100_000))

    def qid() -> str:
        return str(next(ids))

    def day(lo: int, hi: int) -> date:
        return as_of + timedelta(days=rnd.randint(lo, hi))

    acct = {
        key: AccountFactory(
            realm_id=REALM, qbo_id=key, name=name, account_type=kind,
            current_balance=_money(rnd, 1000, 90000), included_in_runway=included,
        )
        for key, name, kind, included in (
            ("1", "Operating", Account.Type.BANK, True),
            ("2", "Savings", Account.Type.BANK, True),
            ("3", "Payroll", Account.Type.BANK, False),  # excluded by the owner
            ("4", "Card", Account.Type.CREDIT_CARD, True),
            ("5", "Checking", Account.Type.BANK, True),  # has a confirmed feed
        )
    }
    now = datetime.now(UTC)
    feed = FeedAccountFactory(
        item_id="i", plaid_account_id="p-5", name="Checking", type="depository",
        current_balance=_money(rnd, 1000, 9000), balance_at=now, linked_account=acct["5"],
        link_confirmed=True,
    )
    guess = FeedAccountFactory(
        item_id="i", plaid_account_id="p-2", name="Savings?", type="depository",
        current_balance=_money(rnd, 1000, 9000), balance_at=now, linked_account=acct["2"],
        link_confirmed=False,
    )
    vendors = [VendorFactory(realm_id=REALM, qbo_id=f"v{i}", display_name=f"Vendor {i}")
               for i in range(6)]
    customers = [CustomerFactory(realm_id=REALM, qbo_id=f"c{i}",
                                         display_name=f"Customer {i}") for i in range(7)]
    accounts = list(acct.values())

    payments = []
    for _ in range(120):
        a, v = rnd.choice(accounts), rnd.choice(vendors + [None])
        amount = rnd.choice([_money(rnd, 10, 900), _money(rnd, 10, 900), Decimal("0.00"),
                             -_money(rnd, 1, 50)])
        payments.append(BillPaymentFactory.build(
            realm_id=REALM, qbo_id=qid(), vendor=v, vendor_qbo_id=v.qbo_id if v else "",
            txn_date=day(-372, 4), total=amount, home_total=amount, account=a,
            account_qbo_id=rnd.choice([a.qbo_id, a.qbo_id, a.qbo_id, ""]),
            is_deleted=rnd.random() < 0.05,
        ))
    # A monthly vendor paid on the 1st, sometimes twice the same day (merged by detection).
    first = date(as_of.year - 1, as_of.month, 1)
    for k in range(12):
        paid_on = date(first.year + (first.month + k - 1) // 12, (first.month + k - 1) % 12 + 1, 1)
        for _ in range(2 if k % 4 == 0 else 1):
            payments.append(BillPaymentFactory.build(
                realm_id=REALM, qbo_id=qid(), vendor=vendors[0], vendor_qbo_id="v0",
                txn_date=paid_on, total=Decimal("1500.00"), home_total=Decimal("1500.00"),
                account=acct["1"], account_qbo_id="1",
            ))
    BillPayment.objects.bulk_create(payments)

    purchases = []
    for _ in range(160):
        a = rnd.choice(accounts)
        amount = _money(rnd, 1, 400) if rnd.random() > 0.05 else -_money(rnd, 1, 40)
        who_id = rnd.choice(["", "", "", "v1"])
        purchases.append(PurchaseFactory.build(
            realm_id=REALM, qbo_id=qid(), account=a, account_qbo_id=a.qbo_id,
            txn_date=day(-370, 4), total=amount, home_total=amount, counterparty=rnd.choice(NAMES),
            counterparty_qbo_id=who_id, is_credit=rnd.random() < 0.08,
            is_deleted=rnd.random() < 0.04,
        ))
    for k in range(1, 13):  # a monthly subscription with spelling variants
        purchases.append(PurchaseFactory.build(
            realm_id=REALM, qbo_id=qid(), account=acct["1"], account_qbo_id="1",
            txn_date=as_of - timedelta(days=30 * k + rnd.randint(-1, 1)), total=Decimal("45.00"),
            home_total=Decimal("45.00"), counterparty=NAMES[k % 3],
        ))
    Purchase.objects.bulk_create(purchases)

    transfers = []
    for _ in range(40):
        src, dst = rnd.sample(accounts, 2)
        transfers.append(TransferFactory.build(
            realm_id=REALM, qbo_id=qid(), from_account=src, to_account=dst,
            from_account_qbo_id=src.qbo_id, to_account_qbo_id=rnd.choice([dst.qbo_id] * 4 + [""]),
            txn_date=day(-372, 4), amount=_money(rnd, 50, 3000), is_deleted=rnd.random() < 0.05,
        ))
    Transfer.objects.bulk_create(transfers)

    feed_rows = []
    for _ in range(160):
        amount = _money(rnd, 1, 600) * rnd.choice([1, 1, 1, -1])
        feed_rows.append(BankTransactionFactory.build(
            feed_account=rnd.choice([feed, feed, feed, guess]), transaction_id=f"t-{qid()}",
            date=day(-372, 4), amount=amount, name=rnd.choice(NAMES) or "POS",
            merchant_name=rnd.choice(NAMES), counterparty=rnd.choice(["", "Gusto"]),
            category=rnd.choice(["", "Payroll", "Food and Drink", "PAYROLL services"]),
            is_transfer=rnd.random() < 0.12, pending=rnd.random() < 0.05,
            # Reconciliation's label of a transfer's destination (included, excluded, a card,
            # an unconfirmed feed account, unknown), or none.
            transfer_to_key=rnd.choice(["", "", "", "qbo:2", "qbo:3", "qbo:4", f"feed:{guess.pk}",
                                        "qbo:999"]),
        ))
        if rnd.random() < 0.3:  # reconciled to a QBO bill payment: the vendor's id joins the row
            feed_rows[-1].matched_type, feed_rows[-1].matched_id = (
                "bill_payment", rnd.choice(payments).pk)
    # A feed transfer paired with QBO's record of the same account naming an included account.
    pair_day = as_of - timedelta(days=20)
    feed_rows.append(BankTransactionFactory.build(
        feed_account=feed, transaction_id=f"t-{qid()}", date=pair_day, amount=Decimal("777.00"),
        name="Online transfer", is_transfer=True,
    ))
    BankTransaction.objects.bulk_create(feed_rows)
    TransferFactory(
        realm_id=REALM, qbo_id=qid(), from_account=acct["5"], to_account=acct["1"],
        from_account_qbo_id="5", to_account_qbo_id="1", txn_date=pair_day + timedelta(days=1),
        amount=Decimal("777.00"),
    )

    invoices = []
    for i in range(220):
        c = customers[i % 7] if i % 11 else rnd.choice(customers)
        txn = day(-800, -1)
        due = txn + timedelta(days=rnd.choice([15, 30, 45])) if rnd.random() > 0.1 else None
        total = _money(rnd, 100, 9000)
        paid = (due or txn) + timedelta(days=rnd.randint(-10, 40))
        if i % 17 == 0:  # paid-date ties: the id decides which count among the last 12
            paid = as_of - timedelta(days=40)
        open_ = paid >= as_of or rnd.random() < 0.15
        balance = (total if rnd.random() < 0.8 else total / 2) if open_ else Decimal("0.00")
        invoices.append(InvoiceFactory.build(
            realm_id=REALM, qbo_id=qid(), customer=c, customer_qbo_id=c.qbo_id, txn_date=txn,
            due_date=due, total=total, balance=balance, home_total=total, home_balance=balance,
            paid_date=None if open_ else paid, is_deleted=rnd.random() < 0.03,
            expected_date=day(-5, 30) if open_ and rnd.random() < 0.1 else None,
        ))
    few = CustomerFactory(realm_id=REALM, qbo_id="few", display_name="Few Payments")
    for k, balance in enumerate(["0.00", "0.00", "800.00"]):  # 2 paid: business median applies
        txn = as_of - timedelta(days=60 + 30 * k)
        invoices.append(InvoiceFactory.build(
            realm_id=REALM, qbo_id=qid(), customer=few, customer_qbo_id="few", txn_date=txn,
            due_date=txn + timedelta(days=30), total=Decimal("800.00"), balance=Decimal(balance),
            home_total=Decimal("800.00"), home_balance=Decimal(balance),
            paid_date=None if k == 2 else txn + timedelta(days=41 + k),
        ))
    Invoice.objects.bulk_create(invoices)
    # Customer credits: credit memos with credit left (or used up), unapplied payments, deleted.
    CreditMemo.objects.bulk_create([CreditMemoFactory.build(
        realm_id=REALM, qbo_id=qid(), customer=(c := rnd.choice(customers)),
        customer_qbo_id=c.qbo_id, total=(t := _money(rnd, 50, 3000)),
        balance=rnd.choice([t, t / 2, Decimal("0.00")]), is_deleted=rnd.random() < 0.1,
    ) for _ in range(12)])
    Payment.objects.bulk_create([PaymentFactory.build(
        realm_id=REALM, qbo_id=qid(), customer=(c := rnd.choice(customers)),
        customer_qbo_id=c.qbo_id, total=(t := _money(rnd, 50, 3000)), home_total=t,
        unapplied_amount=rnd.choice([t, Decimal("0.00"), Decimal("0.00")]),
        is_deleted=rnd.random() < 0.1,
    ) for _ in range(12)])

    bills = []
    for _ in range(80):
        v = rnd.choice(vendors)
        txn = day(-200, 5)
        due = txn + timedelta(days=rnd.choice([10, 30])) if rnd.random() > 0.1 else None
        total = _money(rnd, 50, 5000)
        balance = rnd.choice([total, total, Decimal("0.00"), total / 4])
        bills.append(BillFactory.build(
            realm_id=REALM, qbo_id=qid(), vendor=v, vendor_qbo_id=v.qbo_id, txn_date=txn,
            due_date=due, total=total, balance=balance, home_total=total, home_balance=balance,
            scheduled_date=day(0, 40) if balance and rnd.random() < 0.2 else None,
            is_deleted=rnd.random() < 0.03,
        ))
    Bill.objects.bulk_create(bills)
    real_books(rnd, as_of, acct, vendors, customers, qid, day, REALM)

    ReserveFactory(name="Taxes", held=_money(rnd, 100, 5000))
    ReserveFactory(name="Old", held=Decimal("10.00"), active=False)
    RecurringSeriesOverrideFactory(key="name:adobe", status="dismissed")


@pytest.mark.parametrize("seed, as_of", [(1, date(2025, 3, 12)), (2, date(2025, 6, 1)),
                                         (3, date(2024, 12, 31))])
def test_fast_inputs_give_the_row_level_figures(tenant_a, seed, as_of):
    with in_tenant(tenant_a):
        _books(random.Random(seed), as_of)
        fast = selectors.runway_inputs(as_of=as_of)
        rows = row_level_inputs(as_of=as_of)

    # The habit statistics are exactly the engine's own reduction of the paid rows.
    expected = paid_stats_of(rows.paid_invoices, as_of)
    assert sorted(fast.paid_stats.customers, key=lambda c: c.customer_id) == sorted(
        expected.customers, key=lambda c: c.customer_id)
    assert fast.paid_stats == type(expected)(fast.paid_stats.customers, *[
        getattr(expected, f) for f in ("paid_in_window", "days_late_middle", "days_to_pay_middle")
    ])
    assert len(fast.movements) < len(rows.movements)
    assert len(fast.issued) < len(rows.issued)

    slow_result = compute_runway(rows, as_of)
    fast_result = compute_runway(fast, as_of)
    assert to_json(fast_result) == to_json(slow_result)
    assert fast_result.history.series == slow_result.history.series
    assert fast_result.history.habits == slow_result.history.habits

    # The data really exercises the rules (otherwise equality would prove little).
    data = to_json(fast_result)
    assert data["daily_burn"] != "0.00"
    assert Decimal(data["burn"]["internal_transfers_excluded"]) > 0
    assert any(s["counts"] for s in data["recurring"])
    assert {h["basis"] for h in data["habits"]} >= {"customer", "business"}
    assert data["dso"] is not None and data["dpo"] is not None
    # … and the real-books rules (DESIGN §4b).
    keys = {s["key"] for s in data["recurring"]}
    assert {"account:4", "name:gusto payroll"} <= keys
    assert data["cards"][0]["owed"] is not None and data["currency_notes"]
    assert data["vendor_credits_applied"] and data["customer_credits_applied"]
    assert any(f["code"] == "currency_rate_missing" for f in data["flags"])
    kinds = {m.kind for m in fast.movements}
    assert {"card_payment", "refund"} <= kinds


def test_middle_values_from_a_histogram_are_the_engines_two_middles():
    from collections import Counter

    from apps.runway.engine.habits import _middles

    rnd = random.Random(7)
    for size in [1, 2, 3, 4, 5, 10, 11, 97, 100]:
        for _ in range(20):
            values = [rnd.randint(-30, 60) for _ in range(size)]
            histogram = list(Counter(values).items())
            assert selectors._middle_values(histogram, size) == _middles(values)
    assert selectors._middle_values([], 0) is None
