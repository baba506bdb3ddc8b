"""generate_company: build the agency's books and bank feed and write them to a directory."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from . import ap as ap_stream
from . import ar as ar_stream
from . import cash
from .books import apply_real_books, company_currency_rows, exchange_rate_rows
from .chart import BANK_KEYS, build_chart
from .facts import burn, days_late_by_customer, forecast, party_balances, qbo_balances
from .ledger import Ledger
from .money import q
from .plaid_render import plaid_id, render_bank
from .qbo_render import Renderer, assign_ids, company_info, preferences

DEFAULT_NAME = "Fernhill & Finch Creative"
STAFF_AT_SCALE_1 = 20


@dataclass
class Summary:
    out_dir: Path
    seed: int
    years: float
    scale: float
    as_of: date
    realm: str
    counts: dict[str, int]
    cash: Decimal
    daily_burn: Decimal
    runway_days: Decimal
    data: dict = field(repr=False, default_factory=dict)


def _rng(seed: int, stream: str) -> random.Random:
    # One independent, reproducible stream per part, so tweaking one part leaves the others.
    return random.Random(f"oodaloo-demo:{seed}:{stream}")


def build_ledger(seed: int, years: float, scale: float, as_of: date,
                 real_books: bool = False) -> tuple[Ledger, date]:
    start = as_of - timedelta(days=round(365.25 * years))
    led = Ledger()
    build_chart(led)
    staff = max(2, round(STAFF_AT_SCALE_1 * scale))
    cash.payroll(led, _rng(seed, "payroll"), start, as_of, staff)
    ar_stream.build_ar(led, _rng(seed, "ar"), start, as_of, scale)
    payables = ap_stream.build_ap(led, _rng(seed, "ap"), start, as_of, scale, staff)
    payables.gusto_fees(next(v for v in led.vendors if v.habit == "payroll"), staff)
    taxes = payables.estimated_taxes()
    cash.tax_reserve(led, start, as_of, scale, taxes)
    cash.card_payoffs(led, start, as_of)
    cash.fees_and_interest(led, _rng(seed, "bank"), start, as_of, scale)
    if real_books:
        apply_real_books(led, _rng(seed, "books"), start, as_of, scale)
    cash.openings_and_owner(led, start, as_of, scale,
                            _rng(seed, "owner").uniform(1.8, 2.6))
    led.facts["staff"] = staff
    return led, start


def _dump(path: Path, obj: dict, compact: bool) -> None:
    with path.open("w", encoding="utf-8") as fh:
        if compact:
            json.dump(obj, fh, separators=(",", ":"))
        else:
            json.dump(obj, fh, indent=1)
        fh.write("\n")


def generate_company(out_dir: str | Path, seed: int, years: float = 2, scale: float = 1.0,
                     as_of: date | None = None, realm: str | None = None,
                     name: str = DEFAULT_NAME, real_books: bool = False) -> Summary:
    as_of = as_of or date.today()
    out = Path(out_dir)
    (out / "qbo").mkdir(parents=True, exist_ok=True)
    (out / "plaid").mkdir(parents=True, exist_ok=True)
    led, start = build_ledger(seed, years, scale, as_of, real_books)
    realm = realm or str(_rng(seed, "realm").randint(9130_0000_0000_0000, 9130_9999_9999_9999))

    bank = render_bank(led, _rng(seed, "plaid"), as_of)  # sets account masks
    assign_ids(led)
    r = Renderer(led, name, start)
    balances = qbo_balances(led)
    party_bal = party_balances(led)
    qbo = {
        "CompanyInfo": [company_info(name, start, as_of)],
        "Preferences": [preferences(start, as_of, multicurrency=real_books)],
        "Account": r.accounts(balances),
        "Term": r.terms_list(),
        "Item": r.items_list(),
        "Customer": [r.party(c, party_bal[id(c)]) for c in led.customers],
        "Vendor": [r.party(v, party_bal[id(v)]) for v in led.vendors],
        "JournalEntry": [r.journal_entry(t) for t in sorted(led.journal_entries, key=_order)],
        "Invoice": [r.invoice(t) for t in sorted(led.invoices, key=_order)],
        "CreditMemo": [r.credit_memo(t) for t in sorted(led.credit_memos, key=_order)],
        "Payment": [r.payment(t) for t in sorted(led.payments, key=_order)],
        "Deposit": [r.deposit(t) for t in sorted(led.deposits, key=_order)],
        "Bill": [r.bill(t) for t in sorted(led.bills, key=_order)],
        "BillPayment": [r.bill_payment(t) for t in sorted(led.bill_payments, key=_order)],
        "Purchase": [r.purchase(t) for t in sorted(led.purchases, key=_order)],
        "Transfer": [r.transfer(t) for t in sorted(led.transfers, key=_order)],
    }
    if real_books:
        qbo.update({
            "CompanyCurrency": company_currency_rows(led, start),
            "ExchangeRate": exchange_rate_rows(led),
            "SalesReceipt": [r.sales_receipt(t) for t in sorted(led.sales_receipts, key=_order)],
            "RefundReceipt": [r.refund_receipt(t)
                              for t in sorted(led.refund_receipts, key=_order)],
            "VendorCredit": [r.vendor_credit(t) for t in sorted(led.vendor_credits, key=_order)],
            "CreditCardPayment": [r.credit_card_payment(t)
                                  for t in sorted(led.card_payments, key=_order)],
        })
    for entity, rows in qbo.items():
        _dump(out / "qbo" / f"{entity}.json", {entity: rows}, compact=len(rows) > 50)
    item = {"item_id": plaid_id(_rng(seed, "item")), "institution_id": "ins_127989",
            "institution_name": "Columbia Pacific Bank", "webhook": "", "error": None,
            "available_products": ["balance", "identity"], "billed_products": ["transactions"],
            "products": ["transactions"], "consent_expiration_time": None,
            "update_type": "background"}
    _dump(out / "plaid" / "accounts.json",
          {"accounts": bank.accounts, "item": item, "request_id": "demo" + realm[-8:]}, False)
    _dump(out / "plaid" / "transactions.json", {"transactions": bank.transactions}, True)

    cash_total = sum((balances[k] for k in BANK_KEYS), Decimal(0))
    daily = q(burn(led, as_of))
    runway = (cash_total / daily).quantize(Decimal("0.1")) if daily else Decimal(0)
    counts = {entity: len(rows) for entity, rows in qbo.items()}
    counts["plaid_transactions"] = len(bank.transactions)
    data = _summary_data(led, start, as_of, seed, years, scale, realm, name, counts, balances,
                         bank, cash_total, daily, runway)
    _dump(out / "summary.json", data, False)
    return Summary(out, seed, years, scale, as_of, realm, counts, cash_total, daily, runway, data)


def _order(t) -> int:
    return int(t.qbo_id)


def _summary_data(led, start, as_of, seed, years, scale, realm, name, counts, balances, bank,
                  cash_total, daily, runway) -> dict:
    late = days_late_by_customer(led, as_of)
    habits: dict[str, list[str]] = {}
    for c in led.customers:
        habits.setdefault(c.habit, []).append(c.qbo_id)
    revenue: dict[str, str] = {}
    for inv in led.invoices:
        y = str(inv.date.year)
        revenue[y] = str(Decimal(revenue.get(y, "0")) + inv.total)
    accounts = []
    for key, a in led.accounts.items():
        row = {"key": key, "qbo_id": a.qbo_id, "name": a.name, "type": a.acct_type,
               "qbo_balance": str(balances[key])}
        if a.feed:
            row.update({"plaid_account_id": bank.plaid_ids[key], "opening": str(a.opening),
                        "plaid_current": str(bank.current[key]),
                        "plaid_available": str(bank.available[key])})
        accounts.append(row)
    open_bills = [b for b in led.bills if b.balance > 0]
    open_invoices = [i for i in led.invoices if i.balance > 0]
    return {
        "seed": seed, "years": years, "scale": scale, "real_books": bool(led.rates),
        "as_of": as_of.isoformat(),
        "start": start.isoformat(), "realm": realm, "company_name": name,
        "staff": led.facts["staff"], "counts": counts, "accounts": accounts,
        "cash": str(cash_total), "daily_burn": str(daily), "runway_days": str(runway),
        "months_of_burn": str((cash_total / (daily * 30)).quantize(Decimal("0.01")))
        if daily else None,
        "revenue_by_year": revenue,
        "totals": {
            "invoiced": str(sum((i.total for i in led.invoices), Decimal(0))),
            "ar_open": str(sum((i.balance for i in open_invoices), Decimal(0))),
            "ar_open_count": len(open_invoices),
            "ar_90_plus": str(sum((i.balance for i in open_invoices
                                   if i.due < as_of - timedelta(days=90)), Decimal(0))),
            "unapplied_payments": str(sum((p.unapplied for p in led.payments), Decimal(0))),
            "open_credit": str(sum((c.remaining for c in led.credit_memos), Decimal(0))),
            "ap_open": str(sum((b.balance for b in open_bills), Decimal(0))),
            "ap_open_count": len(open_bills),
            "ap_overdue_count": sum(1 for b in open_bills if b.due < as_of),
            "ap_partly_paid_count": sum(1 for b in open_bills if b.balance < b.total),
            "undeposited": str(balances["undeposited"]),
        },
        "customers_by_habit": habits,
        "avg_days_late": {c.qbo_id: round(late[id(c)], 1) for c in led.customers
                          if id(c) in late},
        "vendors_by_role": _vendor_roles(led),
        "payroll": led.facts["payroll"],
        "insurance_renewal": led.facts["insurance_renewal"],
        "owner_actions": led.facts["owner_actions"],
        "plaid": {"bank_only_transaction_ids": bank.bank_only_ids, "pending": bank.pending},
        "forecast": forecast(led, as_of, cash_total),
    }


def _vendor_roles(led: Ledger) -> dict[str, list[str]]:
    roles: dict[str, list[str]] = {}
    for v in led.vendors:
        if v.habit != "card_merchant":
            roles.setdefault(v.habit, []).append(v.qbo_id)
    return roles
