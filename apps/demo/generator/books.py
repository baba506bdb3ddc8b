"""The "real books" profile of the demo agency (DESIGN §4b): what real agencies' QuickBooks
files hold beyond the basics. Off by default; `generate_company(..., real_books=True)` turns
it on (one demo business uses it, the other stays USD-only).

- payroll is posted the way Gusto posts it: a biweekly **JournalEntry** ("Gusto payroll
  MM/DD/YYYY", Debit wages/taxes/benefits, Credit Payroll Checking) instead of a Purchase;
- the card is paid monthly by **CreditCardPayment**, and every third month the way some books
  record it: a card **Purchase** with `Credit: true` whose line is on Operating Checking;
- a **euro bank account** (no bank feed) paying a Berlin illustrator monthly in EUR, with
  weekly **ExchangeRate** history for EUR and CAD and the two **CompanyCurrency** rows;
- a **Canadian client** billed monthly in CAD (invoices and payments at their day's rate,
  received into Operating Checking in USD);
- **RefundReceipt**s to clients, **SalesReceipt**s for workshop tickets (odd months straight to
  Operating, even months via Undeposited Funds and a Deposit the next business day), and open
  **VendorCredit**s (one larger than its vendor's first open bill).
Cash movements keep the bank feed consistent: every new movement on a feed account is a Plaid
transaction like any other; the euro account has no feed.
"""

from __future__ import annotations

import bisect
import random
from datetime import date, timedelta
from decimal import Decimal

from .calendar import DAY, month_starts, next_bday, stamp
from .ledger import (
    Account,
    BankText,
    CreditCardPayment,
    Deposit,
    ExpLine,
    Invoice,
    JournalEntry,
    Ledger,
    Party,
    Payment,
    Purchase,
    RefundReceipt,
    SaleLine,
    SalesReceipt,
    Transfer,
    VendorCredit,
)
from .money import ZERO, q, rand_amount, scaled

EUR, CAD = "EUR", "CAD"
CURRENCY_NAMES = {"USD": "United States Dollar", EUR: "Euro", CAD: "Canadian Dollar"}
START_RATES = {EUR: Decimal("1.0850"), CAD: Decimal("0.7350")}
RATE_PLACES = Decimal("0.0001")
EUR_BANK = "eur_bank"


def apply_real_books(led: Ledger, rng: random.Random, start: date, as_of: date,
                     scale: float) -> None:
    """Add the real-books streams (before the owner's cash moves are chosen, so cash stays in
    its band) and re-record payroll and card payoffs the way real books hold them."""
    exchange_rates(led, rng, start, as_of)
    euro_account(led, rng, start, as_of)
    canadian_client(led, rng, start, as_of, scale)
    refunds(led, rng, start, as_of, scale)
    sales_receipts(led, rng, start, as_of, scale)
    vendor_credits(led, rng, start, as_of)
    payroll_as_journal_entries(led)
    card_payoffs_as_card_payments(led)


# --- rates -------------------------------------------------------------------------------------


def exchange_rates(led: Ledger, rng: random.Random, start: date, as_of: date) -> None:
    """Weekly (Monday) rates from before the start to as_of: a gentle random walk."""
    for code, rate in START_RATES.items():
        series, d = [], start - timedelta(days=start.weekday())
        while d <= as_of:
            series.append((d, rate))
            rate = (rate * Decimal(repr(1 + rng.uniform(-0.008, 0.008)))).quantize(RATE_PLACES)
            d += timedelta(days=7)
        led.rates[code] = series


def rate_on(led: Ledger, code: str, d: date) -> Decimal:
    """The rate in force on `d`: the latest one dated on or before it."""
    series = led.rates[code]
    i = bisect.bisect_right([day for day, _ in series], d) - 1
    return series[max(i, 0)][1]


def home(amount: Decimal, rate: Decimal | None) -> Decimal:
    return amount if rate is None else q(amount * rate)


# --- the euro account and the Canadian client ---------------------------------------------------


def euro_account(led: Ledger, rng: random.Random, start: date, as_of: date) -> None:
    acct = Account(EUR_BANK, "Euro Operating (EUR)", "Bank", "Checking", "Asset",
                   currency=EUR)
    led.accounts[EUR_BANK] = acct
    months = list(month_starts(start + DAY, as_of))
    acct.opening = Decimal(2500 + 650 * len(months)).quantize(Decimal("0.01"))
    opening = JournalEntry(date=start, memo="Opening balance (EUR)", currency=EUR,
                           rate=rate_on(led, EUR, start),
                           lines=[(EUR_BANK, "Debit", acct.opening, "Opening balance"),
                                  ("obe", "Credit", acct.opening, "Opening balance")])
    led.add(led.journal_entries, opening)
    studio = led.vendor("Kranich Illustration GmbH", start, "contractor_eur", "receipt")
    studio.currency, studio.city, studio.state, studio.postal = EUR, "Berlin", "BE", "10115"
    for m in months:
        d = next_bday(m + timedelta(days=4))
        if d > as_of:
            continue
        amount = rand_amount(rng, 420, 680)
        p = Purchase(date=d, vendor=studio, payment_type="Cash", account=EUR_BANK,
                     total=amount, memo=f"Illustration {m:%B %Y}", currency=EUR,
                     rate=rate_on(led, EUR, d),
                     lines=[ExpLine("contractors", "Illustration retainer (EUR)", amount)])
        led.add(led.purchases, p)
        led.move(d, EUR_BANK, amount, p,
                 BankText("SEPA TRANSFER KRANICH ILLUSTRATION", None,
                          "TRANSFER_OUT_ACCOUNT_TRANSFER"), kind="contractor_eur")


def canadian_client(led: Ledger, rng: random.Random, start: date, as_of: date,
                    scale: float) -> None:
    created = start + timedelta(days=20)
    client = Party("Customer", "Maple & Birch Design Co.", created, city="Vancouver",
                   state="BC", postal="V6B 1A1", term="net30", habit="on_time", currency=CAD)
    led.customers.append(client)
    total = scaled(Decimal("6000.00"), scale, 100)
    for m in month_starts(created, as_of):
        inv = Invoice(date=m, customer=client, due=m + timedelta(days=30), term="net30",
                      lines=[SaleLine("retainer", "Monthly retainer (CAD)", total, Decimal(1),
                                      total)],
                      total=total, balance=total, currency=CAD, rate=rate_on(led, CAD, m))
        led.add(led.invoices, inv)
        when = inv.due + timedelta(days=rng.randint(-4, 6))
        if when > as_of:
            continue
        pay = Payment(date=when, customer=client, total=total, deposit_to="operating",
                      applied=[(inv, total, total)], currency=CAD, rate=rate_on(led, CAD, when))
        led.add(led.payments, pay)
        inv.balance = ZERO
        inv.payments.append(pay)
        inv.touch(when)
        led.move(when, "operating", -home(total, pay.rate), pay,
                 BankText("WIRE CREDIT MAPLE AND BIRCH DESIGN", None, "INCOME_OTHER_INCOME"),
                 kind="receipt")


# --- receipts, refunds and vendor credits ------------------------------------------------------


def refunds(led: Ledger, rng: random.Random, start: date, as_of: date, scale: float) -> None:
    """A few refunds of unused retainer hours; the last within the burn window."""
    clients = [c for c in led.customers if c.currency == "USD" and c.created < as_of]
    days = sorted({as_of - timedelta(days=rng.randint(10, 80))}
                  | {as_of - timedelta(days=rng.randint(100, 500)) for _ in range(3)})
    for d in (next_bday(day) for day in days if day > start):
        if d > as_of:
            continue
        client = rng.choice(clients)
        amount = scaled(rand_amount(rng, 250, 1500), scale, 0)
        refund = RefundReceipt(date=d, customer=client, account="operating", total=amount,
                               memo="Refund of unused retainer hours",
                               lines=[SaleLine("credit", "Refund of unused hours", amount,
                                               Decimal(1), amount)])
        led.add(led.refund_receipts, refund)
        led.move(d, "operating", amount, refund,
                 BankText(f"ACH DEBIT REFUND {client.name.upper()[:24]}", None,
                          "TRANSFER_OUT_ACCOUNT_TRANSFER"), kind="refund")


def sales_receipts(led: Ledger, rng: random.Random, start: date, as_of: date,
                   scale: float) -> None:
    """Monthly workshop ticket sales: odd months straight to Operating, even months by check
    into Undeposited Funds and a Deposit the next business day."""
    buyer = Party("Customer", "Workshop attendees", start, habit="cash_sales", term="receipt")
    led.customers.append(buyer)
    for m in month_starts(start + DAY, as_of):
        d = next_bday(m + timedelta(days=14))
        if d > as_of:
            continue
        amount = scaled(rand_amount(rng, 600, 1800), scale, 0)
        via_uf = m.month % 2 == 0 and next_bday(d + DAY) <= as_of
        receipt = SalesReceipt(date=d, customer=buyer, total=amount,
                               account="undeposited" if via_uf else "operating",
                               memo=f"Workshop tickets {m:%B %Y}",
                               lines=[SaleLine("project", "Workshop tickets", amount,
                                               Decimal(1), amount)])
        led.add(led.sales_receipts, receipt)
        if not via_uf:
            led.move(d, "operating", -amount, receipt,
                     BankText("CARD SETTLEMENT WORKSHOP TICKETS", None, "INCOME_OTHER_INCOME"),
                     kind="sales_receipt")
            continue
        day = next_bday(d + DAY)
        dep = Deposit(date=day, account="operating", payments=[], lines=[], total=amount,
                      receipts=[receipt], memo="Workshop checks")
        led.add(led.deposits, dep)
        receipt.deposit = dep
        receipt.touch(day)
        led.move(day, "operating", -amount, dep,
                 BankText("REMOTE ONLINE DEPOSIT", None, "TRANSFER_IN_DEPOSIT"),
                 kind="deposit")


def vendor_credits(led: Ledger, rng: random.Random, start: date, as_of: date) -> None:
    """Open credits from vendors with open bills; the first spans two of its vendor's bills."""
    open_by_vendor: dict[int, list] = {}
    for b in sorted(led.bills, key=lambda b: b.due):
        if b.balance > 0 and b.vendor.habit not in ("payroll",):
            open_by_vendor.setdefault(id(b.vendor), []).append(b)
    ranked = sorted(open_by_vendor.values(), key=lambda bills: (-len(bills), bills[0].seq))
    for n, bills in enumerate(ranked[:3]):
        first = bills[0]
        if n == 0 and len(bills) > 1:
            amount = first.balance + q(bills[1].balance * Decimal("0.3"))
        else:
            amount = max(Decimal("25.00"), q(first.balance * Decimal("0.25")))
        d = max(start, as_of - timedelta(days=rng.randint(3, 30)))
        credit = VendorCredit(date=d, vendor=first.vendor, total=amount, balance=amount,
                              memo="Credit for a service outage",
                              lines=[ExpLine(first.lines[0].account, "Service credit",
                                             amount)])
        led.add(led.vendor_credits, credit)


# --- re-recording payroll and card payoffs -------------------------------------------------------


def _retarget(led: Ledger, swaps: dict[int, object]) -> None:
    for mv in led.movements:
        if mv.txn is not None and id(mv.txn) in swaps:
            mv.txn = swaps[id(mv.txn)]


def payroll_as_journal_entries(led: Ledger) -> None:
    """Gusto posts each pay run as a journal entry (no entity; keyed by its memo)."""
    swaps: dict[int, object] = {}
    kept = []
    for p in led.purchases:
        if p.account != "payroll_bank" or not p.memo.startswith("Payroll "):
            kept.append(p)
            continue
        je = JournalEntry(date=p.date, memo=f"Gusto payroll {p.date:%m/%d/%Y}",
                          lines=[(ln.account, "Debit", ln.amount, ln.description)
                                 for ln in p.lines]
                          + [("payroll_bank", "Credit", p.total, "Gusto payroll")])
        je.seq = p.seq
        led.journal_entries.append(je)
        swaps[id(p)] = je
    led.purchases[:] = kept
    _retarget(led, swaps)


def card_payoffs_as_card_payments(led: Ledger) -> None:
    """Monthly card payments as CreditCardPayment; every third one as QBO also records them:
    a card Purchase with Credit true whose line is on the bank account."""
    swaps: dict[int, object] = {}
    kept: list[Transfer] = []
    n = 0
    for t in led.transfers:
        if t.to_key != "card":
            kept.append(t)
            continue
        if n % 3 == 2:
            new: object = Purchase(date=t.date, vendor=None, payment_type="CreditCard",
                                   account="card", total=t.amount, memo=t.memo, credit=True,
                                   lines=[ExpLine(t.from_key, "Card payment", t.amount)])
            led.purchases.append(new)
        else:
            new = CreditCardPayment(date=t.date, bank=t.from_key, card="card",
                                    amount=t.amount, memo=t.memo)
            led.card_payments.append(new)
        new.seq = t.seq
        swaps[id(t)] = new
        n += 1
    led.transfers[:] = kept
    _retarget(led, swaps)


# --- lists the renderer writes ------------------------------------------------------------------


def exchange_rate_rows(led: Ledger, home_currency: str = "USD") -> list[dict]:
    """ExchangeRate objects as QBO returns them: no Id, keyed by currency and AsOfDate."""
    return [{"SyncToken": "0", "domain": "QBO", "sparse": False, "SourceCurrencyCode": code,
             "TargetCurrencyCode": home_currency, "AsOfDate": d.isoformat(),
             "Rate": float(rate), "MetaData": {"LastUpdatedTime": stamp(d, 1)}}
            for code, series in led.rates.items() for d, rate in series]


def company_currency_rows(led: Ledger, start: date) -> list[dict]:
    meta = {"CreateTime": stamp(start, 1), "LastUpdatedTime": stamp(start, 1)}
    return [{"Id": str(n), "SyncToken": "0", "domain": "QBO", "sparse": False, "Code": code,
             "Name": CURRENCY_NAMES[code], "Active": True, "MetaData": meta}
            for n, code in enumerate(led.rates, start=1)]

