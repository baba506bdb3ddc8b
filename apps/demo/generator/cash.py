"""Cash plumbing: payroll every other Friday (funded from operating the day before), the tax
reserve, card payoffs, bank fees and interest, opening balances, and the owner's monthly
distribution/contribution that keeps cash around two months of burn."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from .calendar import (
    DAY,
    add_months,
    fridays_every_14,
    month_end,
    month_starts,
    next_bday,
    prev_bday,
)
from .chart import BANK_KEYS
from .ledger import BankText, Deposit, ExpLine, JournalEntry, Ledger, Party, Purchase, Transfer
from .money import ZERO, cents, q, rand_amount, scaled

PER_HEAD_BIWEEKLY = 2600  # loaded cost per employee per payroll run
INTERNAL = "transfer_internal"
CASH_TARGET_MONTHS = 2.2


def transfer(led: Ledger, when: date, src: str, dst: str, amount: Decimal, memo: str,
             kind: str = INTERNAL) -> Transfer:
    t = Transfer(date=when, from_key=src, to_key=dst, amount=amount, memo=memo)
    led.add(led.transfers, t)
    out_name = f"ONLINE TRANSFER TO {led.accounts[dst].name.upper()}"
    in_name = f"ONLINE TRANSFER FROM {led.accounts[src].name.upper()}"
    if dst == "card":
        out_name, in_name = "BUSINESS CARD AUTOPAY", "AUTOPAY PAYMENT - THANK YOU"
    pfc_out = "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT" if dst == "card" else \
        "TRANSFER_OUT_ACCOUNT_TRANSFER"
    pfc_in = "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT" if dst == "card" else \
        "TRANSFER_IN_ACCOUNT_TRANSFER"
    led.move(when, src, amount, t, BankText(out_name, None, pfc_out, "other", "transfer"), kind)
    led.move(when, dst, -amount, t, BankText(in_name, None, pfc_in, "other", "transfer"), kind)
    return t


def payroll(led: Ledger, rng: random.Random, start: date, as_of: date, staff: int) -> Party:
    gusto = led.vendor("Gusto", start, "payroll", "receipt")
    first = start + timedelta(days=rng.randint(3, 16))
    anchor = first + timedelta(days=(4 - first.weekday()) % 7)
    paydays = fridays_every_14(anchor, start + timedelta(days=3), as_of)
    for d in paydays:
        years_back = (as_of - d).days / 365.25
        gross = staff * PER_HEAD_BIWEEKLY * 0.97 ** years_back * rng.uniform(0.98, 1.03)
        if d.month == 12 and d.day <= 14:
            gross *= 1.15  # year-end bonus run
        total = cents(round(gross * 100))
        wages, taxes = q(total * Decimal("0.84")), q(total * Decimal("0.09"))
        transfer(led, prev_bday(d - DAY), "operating", "payroll_bank", total,
                 f"Fund payroll {d.isoformat()}")
        p = Purchase(date=d, vendor=gusto, payment_type="Cash", account="payroll_bank",
                     total=total, memo=f"Payroll {d.isoformat()}",
                     lines=[ExpLine("wages", "Net pay and withholdings", wages),
                            ExpLine("payroll_taxes", "Employer payroll taxes", taxes),
                            ExpLine("benefits", "Health benefits", total - wages - taxes)])
        led.add(led.purchases, p)
        led.move(d, "payroll_bank", total, p,
                 BankText(f"GUSTO PAY {rng.randint(100000, 999999)}", "Gusto",
                          "GENERAL_SERVICES_OTHER_GENERAL_SERVICES", "online", "direct debit"),
                 kind="payroll")
    led.facts["payroll"] = {"anchor": anchor.isoformat(), "runs": len(paydays)}
    return gusto


def tax_reserve(led: Ledger, start: date, as_of: date, scale: float,
                tax_payments: list[tuple[date, Decimal]]) -> None:
    for m in month_starts(start + timedelta(days=5), as_of):
        day = next_bday(m + timedelta(days=4))
        if day <= as_of:
            transfer(led, day, "operating", "savings", scaled(Decimal("7500.00"), scale, 100),
                     "Monthly tax reserve")
    for paid_on, amount in tax_payments:
        day = prev_bday(paid_on - timedelta(days=2))
        if day >= start:
            transfer(led, day, "savings", "operating", amount, "Fund estimated tax payment")


def card_payoffs(led: Ledger, start: date, as_of: date) -> None:
    """Autopay of the full statement balance (statement closes at month end) on the 20th."""
    charges = sorted((m.date, m.amount) for m in led.movements
                     if m.account == "card" and not m.bank_only)
    owed, k = ZERO, 0
    for m in month_starts(start + DAY, as_of):
        while k < len(charges) and charges[k][0] < m:
            owed += charges[k][1]
            k += 1
        pay_day = next_bday(m + timedelta(days=19))
        if owed > 0 and pay_day <= as_of:
            transfer(led, pay_day, "operating", "card", owed, f"Card payment {m:%B %Y}",
                     kind="card_payoff")
            owed = ZERO  # later charges in this walk are still added; payment reduces to 0


def fees_and_interest(led: Ledger, rng: random.Random, start: date, as_of: date,
                      scale: float) -> None:
    """Monthly bank fees and savings interest. The bookkeeper has not booked the last two
    months of fees nor the last month of interest yet: those exist only in the bank feed."""
    for m in month_starts(start, as_of):
        last = prev_bday(month_end(m))
        if last > as_of:
            continue
        fee = Decimal("35.00")
        text = BankText("MONTHLY SERVICE FEE", None, "BANK_FEES_OTHER_BANK_FEES", "other",
                        "bank charge")
        if last >= as_of - timedelta(days=62):
            led.move(last, "operating", fee, None, text, kind="bank_fee", bank_only=True)
        else:
            p = Purchase(date=last, vendor=None, payment_type="Cash", account="operating",
                         total=fee, lines=[ExpLine("bank_fees", "Monthly service fee", fee)])
            led.add(led.purchases, p)
            led.move(last, "operating", fee, p, text, kind="bank_fee")
        interest = scaled(rand_amount(rng, 60, 140), scale)
        itext = BankText("INTEREST PAYMENT", None, "INCOME_INTEREST_EARNED", "other", "interest")
        if last >= as_of - timedelta(days=31):
            led.move(last, "savings", -interest, None, itext, kind="interest", bank_only=True)
        else:
            dep = Deposit(date=last, account="savings", payments=[], total=interest,
                          lines=[ExpLine("interest_income", "Interest", interest)],
                          memo="Savings interest")
            led.add(led.deposits, dep)
            led.move(last, "savings", -interest, dep, itext, kind="interest")
    wire_day = prev_bday(as_of - timedelta(days=rng.randint(3, 12)))
    led.move(wire_day, "operating", Decimal("30.00"), None,
             BankText("OUTGOING WIRE FEE", None, "BANK_FEES_OTHER_BANK_FEES", "other",
                      "bank charge"), kind="bank_fee", bank_only=True)
    led.move(wire_day, "card", -rand_amount(rng, 20, 140), None,
             BankText("AMAZON.COM REFUND", "Amazon", "GENERAL_MERCHANDISE_OFFICE_SUPPLIES",
                      "online", "refund"), kind="refund", bank_only=True)


class CashCurve:
    """Daily net flow and gross outflow of the bank accounts as the books see them."""

    def __init__(self, led: Ledger, start: date, as_of: date) -> None:
        self.start = start
        n = (as_of - start).days + 1
        self.net = [ZERO] * n
        self.out = [ZERO] * n
        for mv in led.movements:
            if mv.bank_only or mv.account not in BANK_KEYS:
                continue
            i = (mv.date - start).days
            if 0 <= i < n:
                self.net[i] -= mv.amount
                if mv.amount > 0 and mv.kind != INTERNAL:
                    self.out[i] += mv.amount

    def net_until(self, d: date) -> Decimal:
        return sum(self.net[: (d - self.start).days + 1], ZERO)

    def monthly_burn(self, d: date) -> Decimal:
        i = (d - self.start).days + 1
        return sum(self.out[max(0, i - 90): i], ZERO) / 3


def openings_and_owner(led: Ledger, start: date, as_of: date, scale: float,
                       target_months: float = CASH_TARGET_MONTHS) -> None:
    """Choose opening balances and the owner's distributions/contributions so the business
    sits around two months of burn: never flush, never broke."""
    curve = CashCurve(led, start, as_of)
    ninety = min(as_of, start + timedelta(days=90))
    burn = curve.monthly_burn(ninety)
    lowest = min((curve.net_until(start + timedelta(days=i)) for i in range(0, 91, 7)),
                 default=ZERO)
    total = max(Decimal(repr(CASH_TARGET_MONTHS)) * burn - curve.net_until(ninety),
                burn - lowest)
    led.accounts["savings"].opening = scaled(Decimal("30000.00"), scale, 100)
    led.accounts["payroll_bank"].opening = scaled(Decimal("5000.00"), scale, 100)
    op = total - led.accounts["savings"].opening - led.accounts["payroll_bank"].opening
    led.accounts["operating"].opening = Decimal(max(1000, int(op / 100) * 100)).quantize(
        Decimal("0.01"))
    opening = sum((led.accounts[k].opening for k in BANK_KEYS), ZERO)
    je = JournalEntry(date=start, memo="Opening balances",
                      lines=[(k, "Debit", led.accounts[k].opening, "Opening balance")
                             for k in BANK_KEYS]
                      + [("obe", "Credit", opening, "Opening balance")])
    led.add(led.journal_entries, je)

    adjust, actions = ZERO, 0
    k = Decimal(repr(round(target_months, 2)))
    month_ends = []
    m = month_end(add_months(start, 3))
    while m < as_of - timedelta(days=3):
        month_ends.append(m)
        m = month_end(m + DAY)
    window_start = as_of - timedelta(days=89)
    for n, m in enumerate(month_ends):
        day = next_bday(m + DAY)
        if n < len(month_ends) - 1:
            # Ordinary month: act only outside a wide band, and only halfway to the target.
            cash = opening + curve.net_until(m) + adjust
            burn = curve.monthly_burn(m)
            if cash > 3 * burn:
                amount = (cash - k * burn) / 2
            elif cash < Decimal("1.5") * burn:
                amount = -(k * burn - cash) / 2
            else:
                continue
        else:
            # Last month end before as_of: land as_of on the target (burn counted as the
            # runway engine counts it, this distribution included).
            projected = opening + curve.net_until(as_of) + adjust
            gross = curve.monthly_burn(as_of) * 3 + sum(
                (mv.amount for mv in led.movements
                 if mv.kind == "distribution" and mv.date >= window_start), ZERO)
            amount = (3 * projected - k * gross) / (3 + k)
            if amount < 0:
                amount = -(k * gross / 3 - projected)
        amount = Decimal(int(amount / 1000) * 1000).quantize(Decimal("0.01"))
        if amount > 0:
            p = Purchase(date=day, vendor=None, payment_type="Cash", account="operating",
                         total=amount, memo="Owner distribution",
                         lines=[ExpLine("distributions", "Owner distribution", amount)])
            led.add(led.purchases, p)
            led.move(day, "operating", amount, p,
                     BankText("ONLINE TRANSFER TO OWNER XXXX4417", None,
                              "TRANSFER_OUT_ACCOUNT_TRANSFER", "other", "transfer"),
                     kind="distribution")
        elif amount < 0:
            amount = -amount
            dep = Deposit(date=day, account="operating", payments=[], total=amount,
                          memo="Owner contribution",
                          lines=[ExpLine("contributions", "Owner contribution", amount)])
            led.add(led.deposits, dep)
            led.move(day, "operating", -amount, dep,
                     BankText("ONLINE TRANSFER FROM OWNER XXXX4417", None,
                              "TRANSFER_IN_ACCOUNT_TRANSFER", "other", "transfer"),
                     kind="contribution")
            amount = -amount
        else:
            continue
        adjust -= amount
        actions += 1
    led.facts["owner_actions"] = actions
    led.facts["target_months"] = float(k)
