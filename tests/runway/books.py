"""Builders for runway tests that need real model rows (call inside `in_tenant(...)`)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from apps.ap.models import Bill, BillPayment, Vendor
from apps.ar.models import Customer, Invoice
from apps.bank.models import Account, BankTransaction, FeedAccount, Purchase, Transfer
from apps.reserves.models import Reserve

D = Decimal
REALM = "9130"
_ids = itertools.count(1000)


def _next() -> str:
    return str(next(_ids))


def account(qbo_id: str, name: str, balance: str, *, kind: str = Account.Type.BANK,
            included: bool = True, active: bool = True) -> Account:
    return Account.objects.create(
        realm_id=REALM, qbo_id=qbo_id, name=name, account_type=kind, current_balance=D(balance),
        included_in_runway=included, active=active,
    )


def customer(qbo_id: str, name: str) -> Customer:
    return Customer.objects.create(realm_id=REALM, qbo_id=qbo_id, display_name=name)


def vendor(qbo_id: str, name: str) -> Vendor:
    return Vendor.objects.create(realm_id=REALM, qbo_id=qbo_id, display_name=name)


def invoice(cust: Customer, txn: date, due: date | None, balance: str, *, total: str | None = None,
            paid: date | None = None, expected: date | None = None, deleted: bool = False
            ) -> Invoice:
    total = total or balance
    return Invoice.objects.create(
        realm_id=REALM, qbo_id=_next(), customer=cust, customer_qbo_id=cust.qbo_id, txn_date=txn,
        due_date=due, total=D(total), balance=D(balance), home_total=D(total),
        home_balance=D(balance), paid_date=paid, expected_date=expected, is_deleted=deleted,
    )


def paid_invoice(cust: Customer, txn: date, due: date, paid: date, total: str = "1000.00"
                 ) -> Invoice:
    return invoice(cust, txn, due, "0.00", total=total, paid=paid)


def bill(vend: Vendor, txn: date, due: date | None, balance: str, *, total: str | None = None,
         scheduled: date | None = None) -> Bill:
    total = total or balance
    return Bill.objects.create(
        realm_id=REALM, qbo_id=_next(), vendor=vend, vendor_qbo_id=vend.qbo_id, txn_date=txn,
        due_date=due, total=D(total), balance=D(balance), home_total=D(total),
        home_balance=D(balance), scheduled_date=scheduled,
        status=Bill.Status.SCHEDULED if scheduled else Bill.Status.NEW,
    )


def bill_payment(acct: Account, day: date, amount: str, vend: Vendor | None = None
                 ) -> BillPayment:
    return BillPayment.objects.create(
        realm_id=REALM, qbo_id=_next(), vendor=vend, vendor_qbo_id=vend.qbo_id if vend else "",
        txn_date=day, total=D(amount), home_total=D(amount), pay_type="Check", account=acct,
        account_qbo_id=acct.qbo_id,
    )


def purchase(acct: Account, day: date, amount: str, *, who: str = "", who_id: str = "",
             credit: bool = False, deleted: bool = False) -> Purchase:
    return Purchase.objects.create(
        realm_id=REALM, qbo_id=_next(), account=acct, account_qbo_id=acct.qbo_id,
        payment_type="CreditCard" if acct.account_type == Account.Type.CREDIT_CARD else "Check",
        txn_date=day, total=D(amount), home_total=D(amount), counterparty=who,
        counterparty_qbo_id=who_id, is_credit=credit, is_deleted=deleted,
    )


def transfer(src: Account, dst: Account, day: date, amount: str) -> Transfer:
    return Transfer.objects.create(
        realm_id=REALM, qbo_id=_next(), from_account=src, to_account=dst,
        from_account_qbo_id=src.qbo_id, to_account_qbo_id=dst.qbo_id, txn_date=day,
        amount=D(amount),
    )


def reserve(name: str, held: str, *, active: bool = True) -> Reserve:
    return Reserve.objects.create(name=name, held=D(held), active=active)


def feed_account(name: str, balance: str, balance_at, *, linked: Account | None = None,
                 confirmed: bool = True, kind: str = "depository", mask: str = "") -> FeedAccount:
    return FeedAccount.objects.create(
        item_id="item-1", plaid_account_id=f"plaid-{_next()}", name=name, mask=mask, type=kind,
        current_balance=D(balance), balance_at=balance_at, linked_account=linked,
        link_confirmed=confirmed,
    )


def feed_txn(acct: FeedAccount, day: date, amount: str, name: str, *, transfer: bool = False,
             pending: bool = False) -> BankTransaction:
    return BankTransaction.objects.create(
        feed_account=acct, transaction_id=f"tx-{_next()}", date=day, amount=D(amount), name=name,
        merchant_name=name, is_transfer=transfer, pending=pending,
    )
