"""A customer's unapplied credit read from the books: credit memos with credit left and payments
with an unapplied amount lower its open invoices in the forecast (the payment's cash is already
in the bank; the invoice it was for is still open in QuickBooks)."""

from __future__ import annotations

from datetime import date, timedelta

from apps.runway import selectors
from tests.factories import CreditMemoFactory, PaymentFactory
from tests.runway import books as b
from tests.utils import in_tenant

AS_OF = date(2025, 3, 12)
D = b.D


def runway_json(tenant) -> dict:
    return b.runway_json(tenant, AS_OF)


def test_an_unapplied_payment_and_a_credit_memo_are_not_expected_again(tenant_a):
    with in_tenant(tenant_a):
        b.account("35", "Operating", "20000.00")  # the 1,500 payment is in here already
        acme = b.customer("c1", "Acme")
        other = b.customer("c2", "Other")
        first = b.invoice(acme, AS_OF - timedelta(days=30), AS_OF + timedelta(days=5), "1000.00")
        second = b.invoice(acme, AS_OF - timedelta(days=10), AS_OF + timedelta(days=20),
                           "3000.00")
        b.invoice(other, AS_OF - timedelta(days=10), AS_OF + timedelta(days=6), "400.00")
        PaymentFactory(customer=acme, txn_date=AS_OF - timedelta(days=2), total=D("1500.00"),
                       unapplied_amount=D("1500.00"), deposit_account_qbo_id="35")
        CreditMemoFactory(customer=acme, total=D("300.00"), balance=D("200.00"))  # 100 used
        # Neither of these counts: a memo used up, a deleted payment, another customer's none.
        CreditMemoFactory(customer=acme, total=D("50.00"), balance=D("0.00"))
        PaymentFactory(customer=acme, total=D("900.00"), unapplied_amount=D("900.00"),
                       is_deleted=True)
        inputs = selectors.runway_inputs(as_of=AS_OF)
    assert sorted((c.kind, c.balance) for c in inputs.customer_credits) == [
        ("credit_memo", D("200.00")), ("payment", D("1500.00"))]
    data = runway_json(tenant_a)
    # 1,700 of Acme's credit: its first invoice (1,000) whole, 700 of the second (3,000).
    assert data["customer_credits_applied"] == {str(first.pk): "1000.00",
                                                str(second.pk): "700.00"}
    assert sum(D(w["ar_in"]) for w in data["weeks"]) == D("2700.00")  # 2,300 + 400
    assert data["ar_aging"]["current"] == "4400.00"  # aging keeps QBO's open balances
