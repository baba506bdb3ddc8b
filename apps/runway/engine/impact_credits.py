"""Helpers of ``impact.ApplyCredit``: applying a credit the inputs already hold (DESIGN §4b).

The forecast nets each party's unapplied credit against its open documents
(``forecast.net_vendor_credits`` / ``net_customer_credits``), so applying a credit moves no cash:
the credit and the document it goes against both lose the amount, and the forecast changes only
when the owner picks another document than the forecast would have.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from .inputs import OpenBill, OpenInvoice, RunwayInputs
from .real_books import CustomerCredit, VendorCredit

Credit = VendorCredit | CustomerCredit


def find_credit(inputs: RunwayInputs, credit_id: str, *, vendor: bool) -> tuple[int, Credit] | None:
    """The vendor credit (``vendor``) or customer credit with that id, and its index."""
    credits = inputs.vendor_credits if vendor else inputs.customer_credits
    for i, credit in enumerate(credits):
        if credit.id == credit_id:
            return i, credit
    return None


def party_name(credit: Credit) -> str:
    return credit.vendor_name if isinstance(credit, VendorCredit) else credit.customer_name


def credit_problem(credit: Credit, doc: OpenBill | OpenInvoice, amount: Decimal) -> str | None:
    """Why ``amount`` of ``credit`` cannot go against ``doc``; None = it can. A negative amount
    is a reversal (``impact.inverse``): it gives the credit back and re-opens the document."""
    if isinstance(credit, VendorCredit) and isinstance(doc, OpenBill):
        same_party = credit.vendor_id == doc.vendor_id
    elif isinstance(credit, CustomerCredit) and isinstance(doc, OpenInvoice):
        same_party = credit.customer_id == doc.customer_id
    else:
        same_party = False
    if not same_party:
        party = "vendor" if isinstance(doc, OpenBill) else "customer"
        return f"credit {credit.id} is not of the {party} of {doc.id}"
    if amount == 0 or amount > min(credit.balance, doc.balance):
        return (
            f"credit {credit.id}: {amount} is not above 0 and within its balance "
            f"{credit.balance} and {doc.id}'s open balance {doc.balance}"
        )
    return None


def use_credit(inputs: RunwayInputs, index: int, credit: Credit, amount: Decimal) -> RunwayInputs:
    """New inputs with ``amount`` less left on the credit at ``index``. A used-up credit stays
    with balance 0 (it absorbs nothing) so a reversal finds it."""
    used = replace(credit, balance=credit.balance - amount)
    if isinstance(credit, VendorCredit):
        credits = tuple(inputs.vendor_credits)  # selectors may hand in lists
        return replace(inputs, vendor_credits=credits[:index] + (used,) + credits[index + 1 :])
    credits = tuple(inputs.customer_credits)
    return replace(inputs, customer_credits=credits[:index] + (used,) + credits[index + 1 :])
