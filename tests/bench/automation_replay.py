"""The demo agency's books as they stood on each past day, as QuickBooks would hand them over.

The generator writes a company as of one day, its history complete. A replay needs the books of
every earlier day: `books_on` cuts the one generated ledger at a day — documents and money dated
after it left out, each bill's, invoice's and credit memo's balance and links as of that day, a
payment's deposit only once deposited, account balances from the movements up to it — and
renders that through the generator's own QBO renderer. `changes` then yields what changed since
the day before (new and changed rows by Id), the rows a CDC sync brings in that morning.

What it is not: our own actions never reach these books (the outbox has no QuickBooks to send
to), so a payment the rules record shows up in the books when the agency's history paid it."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from apps.demo.generator.facts import party_balances, qbo_balances
from apps.demo.generator.ledger import Ledger
from apps.demo.generator.plaid_render import render_bank
from apps.demo.generator.qbo_render import Renderer, assign_ids

ZERO = Decimal(0)


def demo_ledger(seed: int, years: float, scale: float, as_of: date):
    """The demo agency's ledger (as `generate_company` builds it), QBO ids assigned."""
    from apps.demo.generator.company import _rng, build_ledger

    led, start = build_ledger(seed, years, scale, as_of)
    render_bank(led, _rng(seed, "plaid"), as_of)  # sets the account masks, as the generator
    assign_ids(led)
    return led, start


def _touched(dates: list[date]) -> dict:
    """SyncToken / LastUpdatedTime as of the cut: one update per link kept."""
    return {"updated": max(dates) if dates else None, "updates": len(dates)}


def cut(led: Ledger, day: date) -> Ledger:
    """The ledger as it stood at the end of `day` (shallow: only what differs is copied)."""
    v = Ledger()
    v.accounts, v.facts, v.rates = led.accounts, led.facts, led.rates
    v.customers = [p for p in led.customers if p.created <= day]
    v.vendors = [p for p in led.vendors if p.created <= day]
    upto = [p for p in led.payments if p.date <= day]
    v.payments = [dataclasses.replace(p, deposit=p.deposit if p.deposit is not None
                                      and p.deposit.date <= day else None) for p in upto]
    v.bill_payments = [bp for bp in led.bill_payments if bp.date <= day]
    kept = {id(p) for p in upto} | {id(bp) for bp in v.bill_payments}
    applied: dict[int, Decimal] = {}
    for p in upto:
        for inv, amount, _open in p.applied:
            applied[id(inv)] = applied.get(id(inv), ZERO) + amount
        for memo, amount in p.credits:
            applied[id(memo)] = applied.get(id(memo), ZERO) + amount
    for bp in v.bill_payments:
        for bill, amount in bp.applied:
            applied[id(bill)] = applied.get(id(bill), ZERO) + amount
    v.invoices = [dataclasses.replace(
        i, balance=i.total - applied.get(id(i), ZERO),
        payments=[p for p in i.payments if id(p) in kept],
        **_touched([p.date for p in i.payments if id(p) in kept]))
        for i in led.invoices if i.date <= day]
    v.credit_memos = [dataclasses.replace(
        c, remaining=c.total - applied.get(id(c), ZERO),
        payments=[p for p in c.payments if id(p) in kept],
        **_touched([p.date for p in c.payments if id(p) in kept]))
        for c in led.credit_memos if c.date <= day]
    v.bills = [dataclasses.replace(
        b, balance=b.total - applied.get(id(b), ZERO),
        payments=[bp for bp in b.payments if id(bp) in kept],
        **_touched([bp.date for bp in b.payments if id(bp) in kept]))
        for b in led.bills if b.date <= day]
    for name in ("purchases", "deposits", "transfers", "journal_entries"):
        setattr(v, name, [t for t in getattr(led, name) if t.date <= day])
    v.movements = [m for m in led.movements if m.date <= day]
    return v


# Rows that never change once dated (a payment's links, a purchase): rendered once, on their day.
FIXED = ("JournalEntry", "Deposit", "BillPayment", "Purchase", "Transfer")


def books_on(led: Ledger, start: date, day: date, *, since: date | None = None
             ) -> dict[str, dict[str, dict]]:
    """entity → Id → the QBO row, as of the end of `day`. With `since`, the entities in FIXED
    hold only the rows dated after it (the rest cannot have changed)."""
    v = cut(led, day)
    r = Renderer(v, "Demo agency", start)
    balances, party = qbo_balances(v), party_balances(v)

    def new(items):
        return [t for t in items if since is None or t.date > since]

    rows = {
        "Account": r.accounts(balances),
        "Term": r.terms_list(),
        "Item": r.items_list(),
        "Customer": [r.party(c, party[id(c)]) for c in v.customers],
        "Vendor": [r.party(p, party[id(p)]) for p in v.vendors],
        "JournalEntry": [r.journal_entry(t) for t in new(v.journal_entries)],
        "Invoice": [r.invoice(t) for t in v.invoices],
        "CreditMemo": [r.credit_memo(t) for t in v.credit_memos],
        "Payment": [r.payment(t) for t in v.payments],
        "Deposit": [r.deposit(t) for t in new(v.deposits)],
        "Bill": [r.bill(t) for t in v.bills],
        "BillPayment": [r.bill_payment(t) for t in new(v.bill_payments)],
        "Purchase": [r.purchase(t) for t in new(v.purchases)],
        "Transfer": [r.transfer(t) for t in new(v.transfers)],
    }
    return {entity: {row["Id"]: row for row in items} for entity, items in rows.items()}


class Morning:
    """Each day's sync: the rows new or changed since the day before, by entity (every row on
    the first day — a full sync)."""

    def __init__(self, led: Ledger, start: date) -> None:
        self.led, self.start = led, start
        self.day: date | None = None
        self.seen: dict[str, dict[str, dict]] = {}

    def changes(self, day: date) -> dict[str, list[dict]]:
        books = books_on(self.led, self.start, day, since=self.day)
        out = {}
        for entity, rows in books.items():
            old = self.seen.get(entity, {})
            changed = [row for rid, row in rows.items() if old.get(rid) != row]
            if changed:
                out[entity] = changed
            if entity not in FIXED:
                self.seen[entity] = rows
        self.day = day
        return out
