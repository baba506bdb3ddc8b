"""Journal entries → cash movements (DESIGN §4b).

Only lines on bank accounts move cash: ``Credit`` = money out, ``Debit`` = money in, by the line
amount (``TotalAmt`` is 0 on real entries and never read). An entry whose bank lines move money
only between runway accounts (every bank line on an included account, credits = debits) is
internal: its legs become a transfer between those accounts, which burn never counts. Any other
entry moves cash line by line; its series key is the line's entity, else the entry's memo
(`memo_key`), so a payroll provider's runs become one recurring series.
"""

from __future__ import annotations

from decimal import Decimal

from .cash import AccountBook
from .inputs import CashMovement
from .money import ZERO
from .real_books import JournalEntry, memo_key


def _internal(entry: JournalEntry, book: AccountBook) -> str | None:
    """The receiving runway account of an internal entry, else None."""
    credits = debits = ZERO
    receiving: tuple[Decimal, str] | None = None
    for line in entry.lines:
        if not book.is_included(line.account_key):
            return None
        if line.posting == "Credit":
            credits += line.amount
        else:
            debits += line.amount
            if receiving is None or line.amount > receiving[0]:
                receiving = (line.amount, line.account_key)
    if receiving is None or credits != debits or credits == 0:
        return None
    return receiving[1]


def journal_movements(entries: tuple[JournalEntry, ...], book: AccountBook) -> list[CashMovement]:
    """Every bank line of every entry as a QBO movement (home money: convert first)."""
    out: list[CashMovement] = []
    for entry in entries:
        to_account = _internal(entry, book)
        memo = memo_key(entry.memo)
        for line in entry.lines:
            if line.amount == 0:
                continue
            signed = line.amount if line.posting == "Credit" else -line.amount
            if to_account is not None:
                out.append(
                    CashMovement(
                        entry.date,
                        signed,
                        line.account_key,
                        "qbo",
                        "transfer",
                        "Journal entry",
                        None,
                        to_account if signed > 0 else None,
                    )
                )
                continue
            key = line.entity_key or memo
            name = line.entity_name or key.removeprefix("name:").capitalize()
            out.append(
                CashMovement(entry.date, signed, line.account_key, "qbo", "journal", name, key)
            )
    return out
