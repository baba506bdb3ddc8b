"""The explicit conversion step: every foreign amount of the inputs becomes home money.

Balances, open invoices and bills, card amounts owed and vendor and customer credits use the
currency's current rate (latest ``AsOfDate`` on or before as_of; a later rate is ignored); a cash
movement or journal entry uses its own transaction's rate. Each converted item is rounded to cents
half-up before anything is summed. No rate → the item is left out and a ``currency_rate_missing``
flag says so: an unconverted foreign amount is never added to home money. The result carries
``conversion``; the engine refuses inputs that still hold a foreign amount (``require_home``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from .currency import CurrencyMismatch, ExchangeRate, Money, Rates, convert, rate_text
from .forecast import Flag
from .inputs import RunwayInputs
from .money import fmt_money
from .real_books import JournalEntry


@dataclass(frozen=True)  # not slotted: pickled in the cached result (result.py)
class CurrencyNote:
    """A currency converted at its current rate: shown next to the figures it changed."""

    currency: str
    rate: Decimal  # home units per one unit of ``currency``
    rate_date: date
    items: int  # how many balances/documents were converted at it
    home: str = "USD"
    as_of: date | None = None  # the computation's day: the year is shown only when it differs

    @property
    def sentence(self) -> str:
        # Dates read "Nov 30" everywhere else on the pages and in the digest; a rate from an
        # earlier year (QBO stopped updating it) says its year so it does not look current.
        fmt = "%b %-d" if self.as_of and self.as_of.year == self.rate_date.year else "%b %-d, %Y"
        return (
            f"Amounts in {self.currency} are converted at 1 {self.currency} = "
            f"{rate_text(self.rate)} {self.home} (rate of {self.rate_date:{fmt}})."
        )


@dataclass(frozen=True, slots=True)
class Conversion:
    as_of: date
    notes: tuple[CurrencyNote, ...]
    flags: tuple[Flag, ...]
    converted_movements: int  # movements and journal entries converted at their own rates


def _is_home(currency: str, home: str) -> bool:
    return currency in ("", home)


class _Converter:
    def __init__(self, inputs: RunwayInputs, as_of: date) -> None:
        self.home = inputs.currency
        self.as_of = as_of
        self.rates = Rates(self.home, inputs.rates)
        self.used: dict[str, tuple[ExchangeRate, int]] = {}
        self.flags: list[Flag] = []
        self.own_rate_items = 0

    def missing(self, ref: str, what: str, amount: Money) -> None:
        self.flags.append(
            Flag(
                "currency_rate_missing",
                ref,
                f"{what}: {fmt_money(amount.amount, amount.currency)} is left out — there is no "
                f"{amount.currency} exchange rate on or before {self.as_of.isoformat()}.",
            )
        )

    def current_rate(self, amount: Decimal, currency: str, ref: str, what: str) -> Decimal | None:
        """The current rate of ``currency`` (counted for the note), or None and a flag."""
        rate = self.rates.current(currency, self.as_of)
        if rate is None:
            self.missing(ref, what, Money(amount, currency))
            return None
        _, count = self.used.get(currency, (rate, 0))
        self.used[currency] = (rate, count + 1)
        return rate.rate

    def at(self, amount: Decimal, currency: str, rate: Decimal) -> Decimal:
        return convert(Money(amount, currency), rate, self.home).amount

    def notes(self) -> tuple[CurrencyNote, ...]:
        return tuple(
            CurrencyNote(c, r.rate, r.as_of, n, self.home, self.as_of)
            for c, (r, n) in sorted(self.used.items())
        )


def _documents(conv: _Converter, items: tuple, what: str) -> tuple:
    """Open invoices, bills or credits: balance (and total) at the current rate."""
    out = []
    for item in items:
        if _is_home(item.currency, conv.home):
            out.append(item)
            continue
        who = getattr(item, "customer_name", "") or getattr(item, "vendor_name", "")
        label = f"{what} of {who}" if who else what
        rate = conv.current_rate(item.balance, item.currency, item.id, label)
        if rate is None:
            continue
        changes = {
            "balance": conv.at(item.balance, item.currency, rate),
            "currency": "",
            "foreign": Money(item.balance, item.currency),
        }
        if getattr(item, "total", None) is not None:
            changes["total"] = conv.at(item.total, item.currency, rate)
        out.append(replace(item, **changes))
    return tuple(out)


def _journal(conv: _Converter, entry: JournalEntry) -> JournalEntry | None:
    if _is_home(entry.currency, conv.home):
        return entry
    if entry.rate is None:
        size = sum((line.amount for line in entry.lines if line.posting == "Credit"), Decimal(0))
        conv.missing(entry.id, f"Journal entry {entry.id}", Money(size, entry.currency))
        return None
    conv.own_rate_items += 1
    lines = tuple(
        replace(line, amount=conv.at(line.amount, entry.currency, entry.rate))
        for line in entry.lines
    )
    return replace(entry, lines=lines, currency="", rate=None)


def to_home(inputs: RunwayInputs, as_of: date) -> RunwayInputs:
    """``inputs`` with every amount in home currency (idempotent for the same as_of)."""
    if inputs.conversion is not None and inputs.conversion.as_of == as_of:
        return inputs
    conv = _Converter(inputs, as_of)
    accounts = []
    for a in inputs.accounts:
        if _is_home(a.currency, conv.home):
            accounts.append(a)
            continue
        rate = conv.current_rate(a.balance, a.currency, a.account_key, f"Account {a.name}")
        if rate is not None:
            accounts.append(
                replace(
                    a,
                    balance=conv.at(a.balance, a.currency, rate),
                    currency="",
                    foreign=Money(a.balance, a.currency),
                )
            )
    converted = []
    for fm in inputs.foreign_movements:
        m = fm.movement
        if _is_home(fm.currency, conv.home):
            converted.append(m)
        elif fm.rate is None:
            conv.missing(
                m.account_key,
                f"A payment of {m.date.isoformat()}",
                Money(abs(m.amount), fm.currency),
            )
        else:
            conv.own_rate_items += 1
            converted.append(m._replace(amount=conv.at(m.amount, fm.currency, fm.rate)))
    # Home movements (the bulk: ~100k on a large agency) are passed on as they are.
    movements = tuple(inputs.movements) + tuple(converted) if converted else inputs.movements
    entries = tuple(e for e in (_journal(conv, e) for e in inputs.journal_entries) if e)
    invoices = _documents(conv, inputs.open_invoices, "Invoice")
    bills = _documents(conv, inputs.open_bills, "Bill")
    credits = _documents(conv, inputs.vendor_credits, "Vendor credit")
    customer_credits = _documents(conv, inputs.customer_credits, "Customer credit")
    return replace(
        inputs,
        accounts=tuple(accounts),
        movements=movements,
        foreign_movements=(),
        journal_entries=entries,
        open_invoices=invoices,
        open_bills=bills,
        vendor_credits=credits,
        customer_credits=customer_credits,
        conversion=Conversion(as_of, conv.notes(), tuple(conv.flags), conv.own_rate_items),
    )


def require_home(inputs: RunwayInputs) -> None:
    """Refuse inputs that still hold a foreign amount (they were not converted)."""
    home = inputs.currency
    foreign = [
        f"{type(item).__name__} in {item.currency}"
        for group in (
            inputs.accounts,
            inputs.open_invoices,
            inputs.open_bills,
            inputs.vendor_credits,
            inputs.customer_credits,
            inputs.journal_entries,
        )
        for item in group
        if not _is_home(item.currency, home)
    ]
    if inputs.foreign_movements:
        foreign.append("foreign movements")
    if foreign:
        raise CurrencyMismatch(
            f"inputs hold money not in {home} ({', '.join(sorted(set(foreign)))}); "
            "convert them with convert.to_home first"
        )
