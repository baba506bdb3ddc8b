"""The worked example of docs/runway.md, as data (every figure there is checked by hand)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from apps.runway.engine import IssuedDocument, Reserve, RunwayInputs

from .engine_helpers import bank, bill, inv, out, paid

AS_OF = date(2025, 3, 12)  # a Wednesday; weeks start Monday 2025-03-10


def worked_inputs() -> RunwayInputs:
    accounts = (
        # One real operating account seen twice; the bank feed's balance is fresher.
        bank("qbo-op", "48000.00", linked="op", fresh=datetime(2025, 3, 10, 9, 0)),
        bank(
            "plaid-op",
            "50000.00",
            linked="op",
            source="bank_feed",
            fresh=datetime(2025, 3, 12, 6, 0),
        ),
        bank("sav", "20000.00"),
        bank("pay", "5000.00", included=False),  # the owner excluded it
        bank("cc", "-3000.00", kind="credit_card"),
    )
    movements = (
        out(date(2024, 12, 11), "9999.00", "plaid-op", kind="payroll", source="bank_feed"),
        out(date(2024, 12, 12), "10000.00", "plaid-op", kind="payroll", source="bank_feed"),
        # QBO's copy of the same payroll: the account has a feed, so QBO's record is not used.
        out(date(2024, 12, 12), "10000.00", "qbo-op", kind="payroll"),
        out(date(2025, 3, 11), "90.00", "plaid-op", source="bank_feed"),
        out(date(2025, 3, 12), "500.00", "plaid-op", source="bank_feed"),  # today: not trailing
        # Transfer op -> savings: the feed has no destination, QBO's Transfer names it.
        out(date(2025, 2, 3), "5000.00", "plaid-op", kind="transfer", source="bank_feed"),
        out(date(2025, 2, 3), "5000.00", "qbo-op", kind="transfer", to="sav"),
        # Card payoff from the bank counts; the card's own expense does not.
        out(date(2025, 2, 10), "2000.00", "plaid-op", kind="transfer", source="bank_feed"),
        out(date(2025, 2, 10), "2000.00", "qbo-op", kind="transfer", to="cc"),
        out(date(2025, 2, 5), "700.00", "cc", who="Airline"),
        out(date(2025, 1, 15), "310.00", "sav", kind="fee"),
        out(date(2025, 3, 1), "1000.00", "sav", kind="transfer", to="pay"),
        out(date(2025, 2, 20), "-25000.00", "plaid-op", kind="deposit", source="bank_feed"),
        # A monthly subscription on the 20th.
        out(date(2024, 12, 20), "45.00", "plaid-op", who="Figma", source="bank_feed"),
        out(date(2025, 1, 20), "45.00", "plaid-op", who="Figma", source="bank_feed"),
        out(date(2025, 2, 20), "45.00", "plaid-op", who="FIGMA ", source="bank_feed"),
    )
    paid_invoices = (
        paid("P1", "c1", "Acme Outdoor", date(2024, 10, 1), date(2024, 10, 31), date(2024, 11, 20)),
        paid("P2", "c1", "Acme Outdoor", date(2024, 11, 1), date(2024, 12, 1), date(2024, 12, 11)),
        paid("P3", "c1", "Acme Outdoor", date(2024, 12, 1), date(2024, 12, 31), date(2025, 1, 30)),
        # Older than 2 years: ignored.
        paid(
            "P0",
            "c1",
            "Acme Outdoor",
            date(2022, 1, 1),
            date(2022, 1, 31),
            AS_OF - timedelta(days=731),
        ),
        paid("Q1", "c2", "Bolt Studio", date(2025, 1, 1), date(2025, 1, 31), date(2025, 2, 4)),
        paid("Q2", "c2", "Bolt Studio", date(2025, 1, 15), date(2025, 2, 14), date(2025, 2, 20)),
    )
    acme = {"customer": "c1", "name": "Acme Outdoor"}
    bolt = {"customer": "c2", "name": "Bolt Studio"}
    open_invoices = (
        inv("A1", date(2025, 3, 1), "12000.00", **acme),
        inv("A2", date(2025, 2, 1), "3000.00", **acme),
        inv("A3", date(2024, 12, 1), "4000.00", **acme),
        inv("B1", date(2025, 3, 16), "6000.00", **bolt),
        inv("B2", date(2025, 6, 1), "7000.00", **bolt),
        inv("B3", date(2025, 4, 15), "2500.00", expected=date(2025, 3, 16), **bolt),
    )
    open_bills = (
        bill("R1", date(2025, 4, 1), "4500.00", vendor="v-rent", name="Rent Co"),
        bill("X1", date(2025, 3, 17), "2000.00", vendor="v-pix", name="Pixel Contractors"),
        bill("O1", date(2025, 2, 20), "1800.00", vendor="v-ins", name="Insurance Co"),
        bill(
            "S1",
            date(2025, 3, 14),
            "700.00",
            vendor="v-prn",
            name="Printer",
            scheduled=date(2025, 3, 28),
        ),
    )
    issued = (
        IssuedDocument("invoice", date(2025, 1, 10), Decimal("45000.00")),
        IssuedDocument("invoice", date(2024, 12, 11), Decimal("99999.00")),  # outside 90 days
        IssuedDocument("bill", date(2025, 3, 11), Decimal("27000.00")),
    )
    reserves = (
        Reserve("tax", "Quarterly tax", Decimal("8000.00")),
        Reserve("old", "Closed reserve", Decimal("1000.00"), active=False),
    )
    return RunwayInputs(
        accounts=accounts,
        movements=movements,
        open_invoices=open_invoices,
        paid_invoices=paid_invoices,
        open_bills=open_bills,
        issued=issued,
        reserves=reserves,
    )
