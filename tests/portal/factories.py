"""Rows for portal, tray, AP and AR tests (run inside a business schema: `in_tenant`)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from apps.ap.models import Bill, BillPayment, Vendor
from apps.ar.models import CreditMemo, Customer, Invoice
from apps.bank.models import Account
from apps.core.dates import local_today
from apps.reserves.models import Reserve
from apps.runway.cache import runway_invalidate

REALM = "9130"
_ids = itertools.count(1000)


def qid() -> str:
    return str(next(_ids))


def today_of(business) -> date:
    return local_today(business.timezone)


def fresh_runway(business) -> None:
    """Tests roll back the database but not Redis: start every test from a new data version."""
    runway_invalidate(business)


def vendor(name="Acme Rent") -> Vendor:
    return Vendor.objects.create(realm_id=REALM, qbo_id=qid(), display_name=name)


def bill(v: Vendor, amount, due: date, *, status=Bill.Status.NEW, balance=None, doc="") -> Bill:
    amount = Decimal(amount)
    balance = amount if balance is None else Decimal(balance)
    return Bill.objects.create(
        realm_id=REALM,
        qbo_id=qid(),
        vendor=v,
        vendor_qbo_id=v.qbo_id,
        doc_number=doc,
        txn_date=due - timedelta(days=30),
        due_date=due,
        total=amount,
        balance=balance,
        home_total=amount,
        home_balance=balance,
        status=status,
    )


def account(name="Operating", balance="50000.00", included=True) -> Account:
    return Account.objects.create(
        realm_id=REALM,
        qbo_id=qid(),
        name=name,
        account_type=Account.Type.BANK,
        current_balance=Decimal(balance),
        included_in_runway=included,
    )


def burn(acct: Account, total: str, today: date) -> BillPayment:
    """One bill payment in the trailing 90 days: daily burn = total ÷ 90."""
    return BillPayment.objects.create(
        realm_id=REALM,
        qbo_id=qid(),
        txn_date=today - timedelta(days=10),
        total=Decimal(total),
        home_total=Decimal(total),
        account=acct,
        account_qbo_id=acct.qbo_id,
        vendor_qbo_id="",
    )


def customer(name="Bolt Studio", email="ap@bolt.test") -> Customer:
    return Customer.objects.create(realm_id=REALM, qbo_id=qid(), display_name=name, email=email)


def invoice(c: Customer, amount, due: date, *, balance=None, paid_date=None, doc="") -> Invoice:
    amount = Decimal(amount)
    balance = amount if balance is None else Decimal(balance)
    return Invoice.objects.create(
        realm_id=REALM,
        qbo_id=qid(),
        customer=c,
        customer_qbo_id=c.qbo_id,
        doc_number=doc,
        txn_date=due - timedelta(days=30),
        due_date=due,
        total=amount,
        balance=balance,
        home_total=amount,
        home_balance=balance,
        paid_date=paid_date,
        bill_email=c.email,
    )


def credit_memo(c: Customer, amount) -> CreditMemo:
    return CreditMemo.objects.create(
        realm_id=REALM,
        qbo_id=qid(),
        customer=c,
        customer_qbo_id=c.qbo_id,
        txn_date=date(2025, 1, 1),
        total=Decimal(amount),
        balance=Decimal(amount),
    )


def reserve(name="Payroll", target="10000.00", held="2500.00") -> Reserve:
    return Reserve.objects.create(name=name, target=Decimal(target), held=Decimal(held))
