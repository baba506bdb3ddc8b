"""Short forms for runway tests over the factory-boy factories in `tests/factories/` (call inside
`in_tenant(...)`): positional dates and string amounts, as the engine's worked examples read."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO

from django.core.management import call_command

from apps.ap.models import Bill, BillPayment, Vendor
from apps.ar.models import Customer, Invoice
from apps.bank.models import Account, BankTransaction, FeedAccount, Purchase, Transfer
from apps.reserves.models import Reserve
from apps.runway.cache import runway_invalidate
from tests.factories import (
    REALM,
    AccountFactory,
    BankTransactionFactory,
    BillFactory,
    BillPaymentFactory,
    CustomerFactory,
    FeedAccountFactory,
    InvoiceFactory,
    PurchaseFactory,
    ReserveFactory,
    TransferFactory,
    VendorFactory,
)

__all__ = ["REALM", "D"]
D = Decimal


def account(qbo_id: str, name: str, balance: str, *, kind: str = Account.Type.BANK,
            included: bool = True, active: bool = True) -> Account:
    return AccountFactory(qbo_id=qbo_id, name=name, account_type=kind, current_balance=D(balance),
                          included_in_runway=included, active=active)


def customer(qbo_id: str, name: str) -> Customer:
    return CustomerFactory(qbo_id=qbo_id, display_name=name, email="")


def vendor(qbo_id: str, name: str) -> Vendor:
    return VendorFactory(qbo_id=qbo_id, display_name=name)


def invoice(cust: Customer, txn: date, due: date | None, balance: str, *, total: str | None = None,
            paid: date | None = None, expected: date | None = None, deleted: bool = False
            ) -> Invoice:
    return InvoiceFactory(customer=cust, txn_date=txn, due_date=due, total=D(total or balance),
                          balance=D(balance), paid_date=paid, expected_date=expected,
                          is_deleted=deleted)


def paid_invoice(cust: Customer, txn: date, due: date, paid: date, total: str = "1000.00"
                 ) -> Invoice:
    return invoice(cust, txn, due, "0.00", total=total, paid=paid)


def bill(vend: Vendor, txn: date, due: date | None, balance: str, *, total: str | None = None,
         scheduled: date | None = None) -> Bill:
    return BillFactory(vendor=vend, txn_date=txn, due_date=due, total=D(total or balance),
                       balance=D(balance), scheduled_date=scheduled,
                       status=Bill.Status.SCHEDULED if scheduled else Bill.Status.NEW)


def bill_payment(acct: Account, day: date, amount: str, vend: Vendor | None = None
                 ) -> BillPayment:
    return BillPaymentFactory(account=acct, vendor=vend,
                              vendor_qbo_id=vend.qbo_id if vend else "", txn_date=day,
                              total=D(amount), pay_type="Check")


def purchase(acct: Account, day: date, amount: str, *, who: str = "", who_id: str = "",
             credit: bool = False, deleted: bool = False) -> Purchase:
    return PurchaseFactory(
        account=acct,
        payment_type="CreditCard" if acct.account_type == Account.Type.CREDIT_CARD else "Check",
        txn_date=day, total=D(amount), counterparty=who, counterparty_qbo_id=who_id,
        is_credit=credit, is_deleted=deleted,
    )


def transfer(src: Account, dst: Account, day: date, amount: str) -> Transfer:
    return TransferFactory(from_account=src, to_account=dst, txn_date=day, amount=D(amount))


def reserve(name: str, held: str, *, active: bool = True) -> Reserve:
    return ReserveFactory(name=name, target=D(0), held=D(held), active=active)


def feed_account(name: str, balance: str, balance_at, *, linked: Account | None = None,
                 confirmed: bool = True, kind: str = "depository", mask: str = "") -> FeedAccount:
    return FeedAccountFactory(item_id="item-1", name=name, mask=mask, type=kind, subtype="",
                              current_balance=D(balance), balance_at=balance_at,
                              linked_account=linked, link_confirmed=confirmed)


def feed_txn(acct: FeedAccount, day: date, amount: str, name: str, *, transfer: bool = False,
             pending: bool = False) -> BankTransaction:
    return BankTransactionFactory(feed_account=acct, date=day, amount=D(amount), name=name,
                                  merchant_name=name, is_transfer=transfer, pending=pending)


def runway_json(tenant, as_of: date) -> dict:
    """`manage.py runway <business> --as-of <as_of> --json`, computed afresh."""
    runway_invalidate(tenant)
    out = StringIO()
    call_command("runway", tenant.slug, "--as-of", as_of.isoformat(), "--json", stdout=out)
    return json.loads(out.getvalue())
