"""Key facts of the generated company: balances as the books and the bank see them, burn,
runway and a rough 13-week forecast (same rules as DESIGN §4) so tests and benchmarks can
check the runway engine against known numbers."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from .books import home
from .calendar import add_months, month_end, month_starts
from .cash import INTERNAL
from .chart import BANK_KEYS
from .ledger import Invoice, Ledger
from .money import ZERO, q

MONTHLY_KINDS = ("rent", "contractor", "professional", "card_payoff")


def qbo_balances(led: Ledger) -> dict[str, Decimal]:
    bal = {k: a.opening for k, a in led.accounts.items()}
    for mv in led.movements:
        if mv.bank_only:
            continue
        bal[mv.account] += mv.amount if mv.account == "card" else -mv.amount
    # A/R and A/P are home-currency accounts: foreign documents count at their own rate.
    bal["ar"] = (sum((home(i.balance, i.rate) for i in led.invoices), ZERO)
                 - sum((p.unapplied for p in led.payments), ZERO)
                 - sum((c.remaining for c in led.credit_memos), ZERO))
    bal["undeposited"] = sum((p.total for p in led.payments
                              if p.deposit_to == "undeposited" and p.deposit is None), ZERO)
    bal["ap"] = (sum((b.balance for b in led.bills), ZERO)
                 - sum((vc.balance for vc in led.vendor_credits), ZERO))
    bal["obe"] = sum((led.accounts[k].opening for k in BANK_KEYS), ZERO)
    bal["distributions"] = -sum((mv.amount for mv in led.movements if mv.kind == "distribution"),
                                ZERO)
    bal["contributions"] = -sum((mv.amount for mv in led.movements if mv.kind == "contribution"),
                                ZERO)
    return bal


def party_balances(led: Ledger) -> dict[int, Decimal]:
    out: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for i in led.invoices:
        out[id(i.customer)] += i.balance
    for p in led.payments:
        out[id(p.customer)] -= p.unapplied
    for c in led.credit_memos:
        out[id(c.customer)] -= c.remaining
    for b in led.bills:
        out[id(b.vendor)] += b.balance
    for vc in led.vendor_credits:
        out[id(vc.vendor)] -= vc.balance
    return out


def paid_on(inv: Invoice) -> date | None:
    return inv.payments[-1].date if inv.balance == 0 and inv.payments else None


def days_late_by_customer(led: Ledger, as_of: date) -> dict[int, float]:
    by_c: dict[int, list[Invoice]] = defaultdict(list)
    for inv in led.invoices:
        when = paid_on(inv)
        if when and when >= as_of - timedelta(days=730):
            by_c[id(inv.customer)].append(inv)
    out = {}
    for key, invs in by_c.items():
        last = sorted(invs, key=lambda i: paid_on(i))[-12:]
        if len(last) >= 3:
            out[key] = sum((paid_on(i) - i.due).days for i in last) / len(last)
    return out


def burn(led: Ledger, as_of: date) -> Decimal:
    since = as_of - timedelta(days=89)
    gross = sum((mv.amount for mv in led.movements
                 if not mv.bank_only and mv.account in BANK_KEYS and mv.amount > 0
                 and mv.kind != INTERNAL and since <= mv.date <= as_of), ZERO)
    return gross / 90


def forecast(led: Ledger, as_of: date, cash: Decimal) -> dict:
    monday = as_of - timedelta(days=as_of.weekday())
    weeks = [monday + timedelta(days=7 * k) for k in range(13)]
    end = weeks[-1] + timedelta(days=6)
    ar_in, ap_out, rec_out = (defaultdict(lambda: ZERO) for _ in range(3))

    def bucket(d: date) -> date | None:
        if d > end:
            return None
        return weeks[max(0, (d - monday).days // 7)]

    late = days_late_by_customer(led, as_of)
    fallback = median(late.values()) if late else 0.0
    for inv in led.invoices:
        if inv.balance <= 0 or inv.due < as_of - timedelta(days=90):
            continue
        expected = max(as_of, inv.due + timedelta(days=round(late.get(id(inv.customer),
                                                                      fallback))))
        if (w := bucket(expected)) is not None:
            ar_in[w] += home(inv.balance, inv.rate)
    for b in led.bills:
        if b.balance > 0 and (w := bucket(max(as_of, b.due))) is not None:
            ap_out[w] += b.balance
    # recurring: payroll every 14 days; monthly kinds on their usual day of month
    runs = sorted((mv.date, mv.amount) for mv in led.movements if mv.kind == "payroll")
    if runs:
        amount = Decimal(median([a for _, a in runs[-6:]]))
        d = runs[-1][0] + timedelta(days=14)
        while d <= end:
            rec_out[bucket(d)] += amount
            d += timedelta(days=14)
    for kind in MONTHLY_KINDS:
        months = defaultdict(lambda: ZERO)
        days = []
        for mv in led.movements:
            if mv.kind == kind and mv.amount > 0 and mv.account in BANK_KEYS:
                months[mv.date.replace(day=1)] += mv.amount
                days.append(mv.date.day)
        full = [months[m] for m in month_starts(add_months(as_of, -3), month_end(
            add_months(as_of, -1))) if m in months]
        if not full:
            continue
        amount, day = Decimal(median(full)), int(median(days))
        for m in month_starts(as_of, end):
            d = m.replace(day=min(day, 28))
            covered = kind != "card_payoff" and d <= as_of + timedelta(days=30)
            if d >= as_of and not covered and (w := bucket(d)) is not None:
                rec_out[w] += amount
    rows, opening = [], cash
    low, low_week = cash, None
    for w in weeks:
        closing = opening + ar_in[w] - ap_out[w] - rec_out[w]
        rows.append({"week_start": w.isoformat(), "opening": str(q(opening)),
                     "ar_in": str(q(ar_in[w])), "ap_out": str(q(ap_out[w])),
                     "recurring_out": str(q(rec_out[w])), "closing": str(q(closing))})
        if closing < low:
            low, low_week = closing, w
        opening = closing
    return {"weeks": rows, "low_point": {"amount": str(q(low)),
                                         "week_start": low_week.isoformat() if low_week else None}}
