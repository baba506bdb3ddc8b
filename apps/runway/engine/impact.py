"""Decisions, scenarios and their runway impact in days.

A decision never changes stored data: ``apply_decision`` returns new inputs, and
``forecast_scenario`` computes a new result from them. Cash-now decisions (pay now, collect,
fund/release a reserve) are worth Δcash ÷ daily burn; timing decisions (schedule/delay a bill,
expect an invoice on a date, apply a credit) are worth Δlow point ÷ daily burn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Literal, Union

from .compute import compute_runway, history_facts
from .convert import require_home
from .impact_credits import Credit, credit_problem, find_credit, party_name, use_credit
from .inputs import CashAdjustment, OpenBill, OpenInvoice, Reserve, RunwayInputs
from .money import fmt_money, to_tenth
from .result import HistoryFacts, RunwayResult


class DecisionError(ValueError):
    """A decision that cannot apply (unknown id, paying more than the balance, ...)."""


@dataclass(frozen=True, slots=True)
class PayBillNow:
    bill_id: str
    amount: Decimal | None = None  # None = the whole open balance; negative = reversal


@dataclass(frozen=True, slots=True)
class CollectInvoice:
    invoice_id: str
    amount: Decimal | None = None  # None = the whole open balance; negative = reversal


@dataclass(frozen=True, slots=True)
class ApplyCredit:
    """Apply a credit the inputs hold to one open bill of its vendor (``VendorCredit`` id) or one
    open invoice of its customer (``CustomerCredit`` id); negative ``amount`` = reversal."""

    credit_id: str
    amount: Decimal
    bill_id: str | None = None
    invoice_id: str | None = None


@dataclass(frozen=True, slots=True)
class FundReserve:
    reserve_id: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ReleaseReserve:
    reserve_id: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ScheduleBill:
    """Schedule (or delay) a bill's payment to ``pay_on``; None = back to its due date."""

    bill_id: str
    pay_on: date | None


DelayBill = ScheduleBill


@dataclass(frozen=True, slots=True)
class ExpectInvoice:
    """The owner's "expect on" date for an invoice; None = back to the customer's habit."""

    invoice_id: str
    on: date | None


Decision = Union[  # noqa: UP007 - a readable list of the decision types
    PayBillNow,
    ScheduleBill,
    ExpectInvoice,
    CollectInvoice,
    ApplyCredit,
    FundReserve,
    ReleaseReserve,
]
CASH_NOW = (PayBillNow, CollectInvoice, FundReserve, ReleaseReserve)
OpenDocument = OpenBill | OpenInvoice


def _check_amount(value: Decimal | None) -> None:
    if value is not None and not isinstance(value, Decimal):
        raise TypeError("decision amounts must be Decimal")


def _find_bill(inputs: RunwayInputs, bill_id: str) -> tuple[int, OpenBill]:
    for i, b in enumerate(inputs.open_bills):
        if b.id == bill_id:
            return i, b
    raise DecisionError(f"no open bill {bill_id}")


def _find_invoice(inputs: RunwayInputs, invoice_id: str) -> tuple[int, OpenInvoice]:
    for i, inv in enumerate(inputs.open_invoices):
        if inv.id == invoice_id:
            return i, inv
    raise DecisionError(f"no open invoice {invoice_id}")


def _find_reserve(inputs: RunwayInputs, reserve_id: str) -> tuple[int, Reserve]:
    for i, r in enumerate(inputs.reserves):
        if r.id == reserve_id and r.active:
            return i, r
    raise DecisionError(f"no active reserve {reserve_id}")


def _find_credit(inputs: RunwayInputs, decision: ApplyCredit) -> tuple[int, Credit]:
    """A vendor credit for a bill, a customer credit for an invoice."""
    vendor = decision.bill_id is not None
    found = find_credit(inputs, decision.credit_id, vendor=vendor)
    if found is None:
        raise DecisionError(f"no {'vendor' if vendor else 'customer'} credit {decision.credit_id}")
    return found


def _swap(items: tuple, index: int, item: object) -> tuple:
    items = tuple(items)  # selectors may hand in lists
    return items[:index] + (item,) + items[index + 1 :]


def _change_open(
    inputs: RunwayInputs, decision: Decision, change: Callable[[OpenDocument], OpenDocument]
) -> RunwayInputs:
    """New inputs with ``change`` made to the open bill (``bill_id``) or invoice the decision
    names."""
    bill_id = getattr(decision, "bill_id", None)
    if bill_id is not None:
        i, bill = _find_bill(inputs, bill_id)
        return replace(inputs, open_bills=_swap(inputs.open_bills, i, change(bill)))
    i, inv = _find_invoice(inputs, decision.invoice_id)
    return replace(inputs, open_invoices=_swap(inputs.open_invoices, i, change(inv)))


def _new_balance(balance: Decimal, amount: Decimal, what: str) -> Decimal:
    after = balance - amount
    if after < 0:
        raise DecisionError(f"{what}: {amount} is more than the open balance {balance}")
    return after


def _pay_down(inputs: RunwayInputs, decision: Decision, amount: Decimal, what: str) -> RunwayInputs:
    """``amount`` off the open balance of the bill or invoice the decision names. A fully paid one
    stays with balance 0 (no forecast, no aging) so a reversal finds it."""
    return _change_open(
        inputs, decision, lambda doc: replace(doc, balance=_new_balance(doc.balance, amount, what))
    )


def _with_cash(inputs: RunwayInputs, amount: Decimal, reason: str) -> RunwayInputs:
    return replace(inputs, adjustments=inputs.adjustments + (CashAdjustment(amount, reason),))


def resolved_amount(inputs: RunwayInputs, decision: Decision) -> Decimal | None:
    """The money a decision moves (a default 'whole balance' made explicit)."""
    if isinstance(decision, PayBillNow):
        return (
            decision.amount
            if decision.amount is not None
            else _find_bill(inputs, decision.bill_id)[1].balance
        )
    if isinstance(decision, CollectInvoice):
        return (
            decision.amount
            if decision.amount is not None
            else _find_invoice(inputs, decision.invoice_id)[1].balance
        )
    if isinstance(decision, (ApplyCredit, FundReserve, ReleaseReserve)):
        return decision.amount
    return None


def _apply_credit(inputs: RunwayInputs, decision: ApplyCredit) -> RunwayInputs:
    """The credit and the document it goes against both lose ``amount``: the forecast nets each
    party's remaining credit against its open documents (DESIGN §4b), so lowering only the
    document would count the credit twice."""
    if (decision.bill_id is None) == (decision.invoice_id is None):
        raise DecisionError("a credit applies to exactly one bill or one invoice")
    i, credit = _find_credit(inputs, decision)
    doc: OpenDocument = (
        _find_bill(inputs, decision.bill_id)[1]
        if decision.bill_id is not None
        else _find_invoice(inputs, decision.invoice_id)[1]
    )
    problem = credit_problem(credit, doc, decision.amount)
    if problem is not None:
        raise DecisionError(problem)
    used = use_credit(inputs, i, credit, decision.amount)
    return _pay_down(used, decision, decision.amount, doc.id)


def apply_decision(inputs: RunwayInputs, decision: Decision) -> RunwayInputs:
    """New inputs as if the decision were carried out today; ``inputs`` is untouched. Amounts
    are home money: foreign inputs must be converted first (``convert.to_home``)."""
    require_home(inputs)
    _check_amount(getattr(decision, "amount", None))
    if isinstance(decision, PayBillNow):
        amount = resolved_amount(inputs, decision)
        paid = _pay_down(inputs, decision, amount, f"bill {decision.bill_id}")
        return _with_cash(paid, -amount, f"pay bill {decision.bill_id}")
    if isinstance(decision, CollectInvoice):
        amount = resolved_amount(inputs, decision)
        got = _pay_down(inputs, decision, amount, f"invoice {decision.invoice_id}")
        return _with_cash(got, amount, f"collect invoice {decision.invoice_id}")
    if isinstance(decision, ScheduleBill):
        return _change_open(inputs, decision, lambda b: replace(b, scheduled_date=decision.pay_on))
    if isinstance(decision, ExpectInvoice):
        return _change_open(inputs, decision, lambda inv: replace(inv, expected_date=decision.on))
    if isinstance(decision, ApplyCredit):
        return _apply_credit(inputs, decision)
    if isinstance(decision, (FundReserve, ReleaseReserve)):
        i, res = _find_reserve(inputs, decision.reserve_id)
        delta = decision.amount if isinstance(decision, FundReserve) else -decision.amount
        if res.held + delta < 0:
            raise DecisionError(f"reserve {res.id} holds only {res.held}")
        return replace(
            inputs, reserves=_swap(inputs.reserves, i, replace(res, held=res.held + delta))
        )
    raise TypeError(f"unknown decision {decision!r}")


def apply_scenario(
    inputs: RunwayInputs, decisions: list[Decision] | tuple[Decision, ...]
) -> RunwayInputs:
    for decision in decisions:
        inputs = apply_decision(inputs, decision)
    return inputs


def forecast_scenario(
    inputs: RunwayInputs,
    as_of: date,
    decisions: list[Decision] | tuple,
    *,
    history: HistoryFacts | None = None,
) -> RunwayResult:
    """The forecast as if the decisions were made; nothing stored changes."""
    if history is None:
        history = history_facts(inputs, as_of)
    return compute_runway(apply_scenario(inputs, decisions), as_of, history=history)


def inverse(inputs: RunwayInputs, decision: Decision) -> Decision:
    """The decision that undoes ``decision`` applied to ``inputs`` (for what-if toggling)."""
    if isinstance(decision, PayBillNow):
        return PayBillNow(decision.bill_id, -resolved_amount(inputs, decision))
    if isinstance(decision, CollectInvoice):
        return CollectInvoice(decision.invoice_id, -resolved_amount(inputs, decision))
    if isinstance(decision, ApplyCredit):
        return replace(decision, amount=-decision.amount)
    if isinstance(decision, FundReserve):
        return ReleaseReserve(decision.reserve_id, decision.amount)
    if isinstance(decision, ReleaseReserve):
        return FundReserve(decision.reserve_id, decision.amount)
    if isinstance(decision, ScheduleBill):
        return ScheduleBill(
            decision.bill_id, _find_bill(inputs, decision.bill_id)[1].scheduled_date
        )
    if isinstance(decision, ExpectInvoice):
        return ExpectInvoice(
            decision.invoice_id, _find_invoice(inputs, decision.invoice_id)[1].expected_date
        )
    raise TypeError(f"unknown decision {decision!r}")


@dataclass(frozen=True, slots=True)
class Impact:
    kind: Literal["cash", "timing"]
    delta: Decimal  # Δcash (cash kind) or Δlow point (timing kind), exact
    days: Decimal | None  # one decimal; None = no burn
    sentence: str
    before: RunwayResult
    after: RunwayResult


def cash_delta(inputs: RunwayInputs, decision: Decision) -> Decimal:
    """What a cash-now decision does to available cash, as §4 counts it."""
    amount = resolved_amount(inputs, decision)
    assert amount is not None
    if isinstance(decision, (PayBillNow, FundReserve)):
        return -amount
    assert isinstance(decision, (CollectInvoice, ReleaseReserve))
    return amount


def _describe(inputs: RunwayInputs, d: Decision, cur: str) -> str:
    if isinstance(d, PayBillNow):
        bill = _find_bill(inputs, d.bill_id)[1]
        amount = fmt_money(resolved_amount(inputs, d), cur)
        return f"Paying {bill.vendor_name}'s bill {bill.id} now ({amount})"
    if isinstance(d, ScheduleBill):
        bill = _find_bill(inputs, d.bill_id)[1]
        when = d.pay_on.isoformat() if d.pay_on else "its due date"
        return f"Paying {bill.vendor_name}'s bill {bill.id} on {when}"
    if isinstance(d, ExpectInvoice):
        inv = _find_invoice(inputs, d.invoice_id)[1]
        when = d.on.isoformat() if d.on else "its usual payment date"
        return f"Expecting {inv.customer_name}'s invoice {inv.id} on {when}"
    if isinstance(d, CollectInvoice):
        inv = _find_invoice(inputs, d.invoice_id)[1]
        amount = fmt_money(resolved_amount(inputs, d), cur)
        return f"Collecting {amount} of {inv.customer_name}'s invoice {inv.id} now"
    if isinstance(d, ApplyCredit):
        who = party_name(_find_credit(inputs, d)[1])
        target = f"bill {d.bill_id}" if d.bill_id else f"invoice {d.invoice_id}"
        if d.amount < 0:
            return f"Taking {fmt_money(-d.amount, cur)} of {who}'s credit back from {target}"
        return f"Applying {fmt_money(d.amount, cur)} of {who}'s credit to {target}"
    name = _find_reserve(inputs, d.reserve_id)[1].name
    verb = "Setting aside" if isinstance(d, FundReserve) else "Releasing"
    return (
        f"{verb} {fmt_money(d.amount, cur)} {'in' if verb == 'Setting aside' else 'from'} "
        f"the {name} reserve"
    )


def impact(
    inputs: RunwayInputs,
    as_of: date,
    decision: Decision,
    *,
    history: HistoryFacts | None = None,
    before: RunwayResult | None = None,
) -> Impact:
    """Days of runway a decision is worth, with the sentence that explains it."""
    if history is None:
        history = before.history if before is not None else history_facts(inputs, as_of)
    if before is None:
        before = compute_runway(inputs, as_of, history=history)
    after = compute_runway(apply_decision(inputs, decision), as_of, history=history)
    cur = inputs.currency
    burn = history.burn.daily_burn
    what = _describe(inputs, decision, cur)
    if isinstance(decision, CASH_NOW):
        kind: Literal["cash", "timing"] = "cash"
        delta = cash_delta(inputs, decision)
        change = f"changes available cash by {fmt_money(delta, cur)} today"
    else:
        kind = "timing"
        delta = after.low_point.amount - before.low_point.amount
        change = (
            f"moves the 13-week low point from {fmt_money(before.low_point.amount, cur)} "
            f"to {fmt_money(after.low_point.amount, cur)}"
        )
        if delta == 0:
            change = f"leaves the 13-week low point at {fmt_money(before.low_point.amount, cur)}"
    if burn <= 0:
        return Impact(
            kind,
            delta,
            None,
            f"{what} {change}; with no burn in the last 90 days, runway is not "
            "measured in days (no burn).",
            before,
            after,
        )
    days = to_tenth(delta / burn)
    if days == 0:
        days = abs(days)  # never show "-0.0"
    return Impact(
        kind,
        delta,
        days,
        f"{what} {change}: {days:+} days of runway at {fmt_money(burn, cur)} a day of burn.",
        before,
        after,
    )


__all__ = [
    "ApplyCredit",
    "CollectInvoice",
    "Decision",
    "DecisionError",
    "DelayBill",
    "ExpectInvoice",
    "FundReserve",
    "Impact",
    "PayBillNow",
    "ReleaseReserve",
    "ScheduleBill",
    "apply_decision",
    "apply_scenario",
    "cash_delta",
    "forecast_scenario",
    "impact",
    "inverse",
]
