"""Short forms for portal, tray, AP and AR tests over the factory-boy factories in
`tests/factories/` (rows go to the schema the test is in: `in_tenant`). New tests may call the
factories directly."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from apps.ap.models import Bill, BillPayment, Vendor
from apps.ar.models import CreditMemo, Customer, Invoice
from apps.bank.models import Account
from apps.core.dates import local_today
from apps.reserves.models import Reserve
from apps.runway.cache import runway_invalidate
from tests.factories import (
    REALM,
    AccountFactory,
    BillFactory,
    BillPaymentFactory,
    CreditMemoFactory,
    CustomerFactory,
    InvoiceFactory,
    ReserveFactory,
    VendorFactory,
    next_qbo_id,
)

__all__ = ["REALM", "qid"]
qid = next_qbo_id


def today_of(business) -> date:
    return local_today(business.timezone)


def fresh_runway(business) -> None:
    """Tests roll back the database but not Redis: start every test from a new data version."""
    runway_invalidate(business)


def vendor(name="Acme Rent") -> Vendor:
    return VendorFactory(display_name=name)


def bill(v: Vendor, amount, due: date, *, status=Bill.Status.NEW, balance=None, doc="") -> Bill:
    amount = Decimal(amount)
    balance = amount if balance is None else Decimal(balance)
    return BillFactory(vendor=v, total=amount, balance=balance, due_date=due, status=status,
                       doc_number=doc)


def account(name="Operating", balance="50000.00", included=True) -> Account:
    return AccountFactory(name=name, current_balance=Decimal(balance), included_in_runway=included)


def burn(acct: Account, total: str, today: date) -> BillPayment:
    """One bill payment in the trailing 90 days: daily burn = total ÷ 90."""
    return BillPaymentFactory(account=acct, total=Decimal(total),
                              txn_date=today - timedelta(days=10))


def customer(name="Bolt Studio", email="ap@bolt.test") -> Customer:
    return CustomerFactory(display_name=name, email=email)


def invoice(c: Customer, amount, due: date, *, balance=None, paid_date=None, doc="") -> Invoice:
    amount = Decimal(amount)
    balance = amount if balance is None else Decimal(balance)
    return InvoiceFactory(customer=c, total=amount, balance=balance, due_date=due,
                          paid_date=paid_date, doc_number=doc)


def credit_memo(c: Customer, amount) -> CreditMemo:
    return CreditMemoFactory(customer=c, total=Decimal(amount))


def reserve(name="Payroll", target="10000.00", held="2500.00") -> Reserve:
    return ReserveFactory(name=name, target=Decimal(target), held=Decimal(held))
