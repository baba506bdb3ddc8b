"""Randomized real books (DESIGN §4b) for the fast-path equivalence test: card payments (both
ways QBO records them), card refunds, refund and sales receipts, journal entries (payroll,
internal, to an excluded account, accruals, another currency, employee lines), vendor credits,
exchange rates and foreign accounts, bills and invoices — made with the model factories."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from apps.ap.models import Vendor
from apps.ar.models import Customer
from apps.bank.models import Account
from tests.factories import (
    AccountFactory,
    BillFactory,
    BillPaymentCreditLineFactory,
    BillPaymentFactory,
    CreditCardPaymentFactory,
    ExchangeRateFactory,
    InvoiceFactory,
    JournalEntryFactory,
    JournalEntryLineFactory,
    PurchaseFactory,
    PurchaseLineFactory,
    RefundReceiptFactory,
    SalesReceiptFactory,
    TransferFactory,
    VendorCreditFactory,
)


def real_books(
    rnd: random.Random,
    as_of: date,
    acct: dict[str, Account],
    vendors: list[Vendor],
    customers: list[Customer],
    qid: Callable[[], str],
    day: Callable[[int, int], date],
    realm: str,
) -> None:
    def money(lo: int, hi: int) -> Decimal:
        return Decimal(rnd.randint(lo * 100, hi * 100)) / 100

    euro = AccountFactory(realm_id=realm, qbo_id="6", name="Euro", currency="EUR",
                                  account_type=Account.Type.BANK, current_balance=money(1, 9000))
    other = AccountFactory(realm_id=realm, qbo_id="7", name="Wages",
                                   account_type=Account.Type.OTHER)
    undeposited = AccountFactory(realm_id=realm, qbo_id="8", name="Undeposited Funds",
                                         account_type=Account.Type.OTHER)
    banks = [acct["1"], acct["2"], acct["3"], acct["5"], euro]
    card = acct["4"]  # paid monthly: a clean payoff series
    amex = AccountFactory(realm_id=realm, qbo_id="9", name="Amex", current_balance=Decimal(
        "-812.34"), account_type=Account.Type.CREDIT_CARD)  # paid at random
    for offset, rate in ((-40, "1.0712"), (-5, "1.0823"), (3, "1.5000")):
        ExchangeRateFactory(
            realm_id=realm, qbo_id=f"EUR:USD:{as_of + timedelta(days=offset)}",
            source_currency="EUR", target_currency="USD", as_of=as_of + timedelta(days=offset),
            rate=Decimal(rate))

    # Card payoffs: monthly from Operating on the 20th, plus random ones.
    for k in range(1, 13):
        CreditCardPaymentFactory(
            realm_id=realm, qbo_id=qid(), txn_date=date(as_of.year, as_of.month, 20)
            - timedelta(days=30 * k), amount=money(800, 1200), bank_account=acct["1"],
            bank_account_qbo_id="1", card_account=card, card_account_qbo_id="4")
    for _ in range(15):
        bank = rnd.choice(banks[:4])
        CreditCardPaymentFactory(
            realm_id=realm, qbo_id=qid(), txn_date=day(-372, 4), amount=money(10, 900),
            bank_account=bank, bank_account_qbo_id=bank.qbo_id, card_account=amex,
            card_account_qbo_id="9", is_deleted=rnd.random() < 0.1)
    # Card credits: a payoff recorded as a card Purchase with Credit, lines on a bank account;
    # card refunds (lines on an expense account) move no bank money.
    for _ in range(20):
        p = PurchaseFactory(
            realm_id=realm, qbo_id=qid(), account=amex, account_qbo_id="9",
            payment_type="CreditCard", is_credit=rnd.random() < 0.8, txn_date=day(-372, 4),
            total=Decimal("0"), home_total=Decimal("0"), is_deleted=rnd.random() < 0.05)
        for target in rnd.sample([acct["1"], acct["2"], acct["3"], other], rnd.randint(1, 2)):
            PurchaseLineFactory(purchase=p, account=target,
                                        account_qbo_id=target.qbo_id, amount=money(5, 700))
    # Refunds (out) and sales receipts (in), to banks or Undeposited Funds; one in euros.
    for make in (RefundReceiptFactory, RefundReceiptFactory, SalesReceiptFactory):
        for _ in range(12):
            to = rnd.choice(banks[:4] + [undeposited])
            c = rnd.choice(customers)
            amount = money(20, 900)
            make(
                realm_id=realm, qbo_id=qid(), customer=c, customer_qbo_id=c.qbo_id,
                txn_date=day(-372, 4), total=amount, home_total=amount, deposit_account=to,
                deposit_account_qbo_id=to.qbo_id, is_deleted=rnd.random() < 0.05)
    RefundReceiptFactory(
        realm_id=realm, qbo_id=qid(), customer=customers[0], customer_qbo_id="c0",
        txn_date=day(-60, -1), total=Decimal("100.00"), currency="EUR",
        exchange_rate=Decimal("1.0950"), home_total=Decimal("109.50"), deposit_account=euro,
        deposit_account_qbo_id="6")

    def entry(when: date, memo: str, *lines: tuple, currency: str = "USD",
              rate: str | None = None) -> None:
        je = JournalEntryFactory(
            realm_id=realm, qbo_id=qid(), txn_date=when, memo=memo, currency=currency,
            exchange_rate=Decimal(rate) if rate else None, is_deleted=rnd.random() < 0.03)
        for account, posting, amount, *entity in lines:
            JournalEntryLineFactory(
                entry=je, posting_type=posting, amount=amount, account=account,
                account_qbo_id=account.qbo_id,
                entity_type=entity[0] if entity else "", entity_qbo_id=entity[1] if entity else "",
                entity_name=entity[2] if entity else "")

    for k in range(27):  # Gusto every other Friday; wages and taxes on other accounts
        net = money(3900, 4100)
        entry(as_of - timedelta(days=3 + 14 * k), f"Gusto payroll {k:02d}/{k + 3}",
              (other, "Debit", net + Decimal("1000.00")), (acct["1"], "Credit", net),
              (other, "Credit", Decimal("1000.00")))
    for _ in range(12):
        a, b = rnd.sample(banks[:4], 2)
        amount = money(50, 2000)
        entry(day(-372, 4), rnd.choice(["Move money", "", "Sweep 12/1"]),
              (a, "Credit", amount), (b, "Debit", amount))
    entry(day(-80, -1), "Accrued bonus", (other, "Debit", Decimal("500.00")),
          (other, "Credit", Decimal("500.00")))
    entry(day(-80, -1), "Contractor", (acct["1"], "Credit", Decimal("321.00"), "Employee", "e1",
                                       "Pat Doe"), (other, "Debit", Decimal("321.00")))
    entry(day(-80, -1), "Euro fees", (euro, "Credit", Decimal("250.00")),
          (other, "Debit", Decimal("250.00")), currency="EUR", rate="1.0911")
    entry(day(-80, -1), "No rate", (euro, "Credit", Decimal("75.00")),
          (other, "Debit", Decimal("75.00")), currency="EUR")

    # A euro transfer out of runway (to the excluded account) at its own rate.
    TransferFactory(
        realm_id=realm, qbo_id=qid(), from_account=euro, to_account=acct["3"],
        from_account_qbo_id="6", to_account_qbo_id="3", txn_date=day(-60, -1),
        amount=Decimal("333.33"), currency="EUR", exchange_rate=Decimal("1.0777"))

    # Vendor credits (Balance given, absent, deleted, in euros) and foreign documents.
    for balance, currency, deleted in (("300.00", "USD", False), (None, "USD", False),
                                       ("50.00", "USD", True), ("120.00", "EUR", False),
                                       ("10.00", "CAD", False)):
        v = rnd.choice(vendors)
        credit = VendorCreditFactory(
            realm_id=realm, qbo_id=qid(), vendor=v, vendor_qbo_id=v.qbo_id, txn_date=day(-60, -1),
            total=Decimal("400.00"), balance=Decimal(balance) if balance else None,
            currency=currency, home_total=Decimal("400.00"), is_deleted=deleted)
        if balance is None:  # no Balance from QBO: 400 less what live bill payments applied
            for amount, gone in (("150.00", False), ("99.00", True)):
                payment = BillPaymentFactory(
                    realm_id=realm, qbo_id=qid(), vendor=v, vendor_qbo_id=v.qbo_id,
                    txn_date=day(-30, -1), total=Decimal("0"), home_total=Decimal("0"),
                    is_deleted=gone)
                BillPaymentCreditLineFactory(
                    payment=payment, vendor_credit=credit, vendor_credit_qbo_id=credit.qbo_id,
                    amount=Decimal(amount))
    for currency in ("EUR", "EUR", "CAD"):
        v, c = rnd.choice(vendors), rnd.choice(customers)
        amount = money(100, 3000)
        BillFactory(
            realm_id=realm, qbo_id=qid(), vendor=v, vendor_qbo_id=v.qbo_id, txn_date=day(-40, -1),
            due_date=day(-10, 30), total=amount, balance=amount, currency=currency,
            exchange_rate=Decimal("1.01"), home_total=amount, home_balance=amount)
        InvoiceFactory(
            realm_id=realm, qbo_id=qid(), customer=c, customer_qbo_id=c.qbo_id,
            txn_date=day(-40, -1), due_date=day(-10, 30), total=amount, balance=amount,
            currency=currency, exchange_rate=Decimal("1.01"), home_total=amount,
            home_balance=amount)
