"""Render the bank side as Plaid's /accounts/get and Transaction objects. Every bank/card
movement the books know appears 0-3 days later; movements whose posting date would fall after
as_of are still pending; bank-only items (fees, interest, a refund) have no QBO record."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .ledger import Ledger, Movement
from .money import ZERO, num

ID_CHARS = string.ascii_letters + string.digits
PFC_PRIMARY = {
    "TRANSFER_IN_ACCOUNT_TRANSFER": "TRANSFER_IN", "TRANSFER_IN_DEPOSIT": "TRANSFER_IN",
    "TRANSFER_OUT_ACCOUNT_TRANSFER": "TRANSFER_OUT", "INCOME_OTHER_INCOME": "INCOME",
    "INCOME_INTEREST_EARNED": "INCOME", "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT": "LOAN_PAYMENTS",
    "BANK_FEES_OTHER_BANK_FEES": "BANK_FEES", "RENT_AND_UTILITIES_RENT": "RENT_AND_UTILITIES",
    "RENT_AND_UTILITIES_GAS_AND_ELECTRICITY": "RENT_AND_UTILITIES",
    "GOVERNMENT_AND_NON_PROFIT_TAX_PAYMENT": "GOVERNMENT_AND_NON_PROFIT",
    "TRANSPORTATION_TAXIS_AND_RIDE_SHARES": "TRANSPORTATION",
}
LEGACY_CATEGORY = {
    "TRANSFER_IN": (["Transfer", "Credit"], "21005000"),
    "TRANSFER_OUT": (["Transfer", "Debit"], "21006000"),
    "INCOME": (["Transfer", "Deposit"], "21007000"),
    "LOAN_PAYMENTS": (["Payment", "Credit Card"], "16001000"),
    "BANK_FEES": (["Bank Fees"], "10000000"),
    "FOOD_AND_DRINK": (["Food and Drink", "Restaurants"], "13005000"),
    "TRAVEL": (["Travel"], "22000000"),
    "TRANSPORTATION": (["Travel", "Taxi"], "22016000"),
}


def plaid_id(rng: random.Random, n: int = 37) -> str:
    return "".join(rng.choices(ID_CHARS, k=n))


def _primary(detailed: str) -> str:
    if detailed in PFC_PRIMARY:
        return PFC_PRIMARY[detailed]
    for prefix in ("FOOD_AND_DRINK", "GENERAL_MERCHANDISE", "GENERAL_SERVICES", "TRAVEL",
                   "ENTERTAINMENT"):
        if detailed.startswith(prefix):
            return prefix
    return detailed.split("_")[0]


@dataclass
class BankSide:
    accounts: list[dict]
    transactions: list[dict]
    plaid_ids: dict[str, str]
    current: dict[str, Decimal] = field(default_factory=dict)
    available: dict[str, Decimal] = field(default_factory=dict)
    bank_only_ids: list[str] = field(default_factory=list)
    pending: int = 0


def render_bank(led: Ledger, rng: random.Random, as_of: date) -> BankSide:
    feeds = [a for a in led.accounts.values() if a.feed]
    plaid_ids = {a.key: plaid_id(rng) for a in feeds}
    for a in feeds:
        a.mask = f"{rng.randint(0, 9999):04d}"
    merchant_ids: dict[str, str] = {}
    posted = {a.key: ZERO for a in feeds}
    pending_out = {a.key: ZERO for a in feeds}
    rows: list[tuple[date, str, dict]] = []
    bank_only: list[str] = []
    # Accounts without a feed (the real-books euro account) have no bank transactions.
    moves = sorted((m for m in led.movements if m.account in plaid_ids),
                   key=lambda m: (m.date, m.account, m.amount))
    pending = 0
    last_card = [i for i, m in enumerate(moves) if m.account == "card" and not m.bank_only][-2:]
    for i, mv in enumerate(moves):
        lag = rng.choice((0, 1, 1, 1, 2, 2, 3)) if not mv.bank_only else 0
        posts = mv.date + timedelta(days=lag)
        is_pending = posts > as_of or i in last_card
        tx = _transaction(mv, plaid_ids[mv.account], posts, is_pending, rng, merchant_ids)
        if is_pending:
            pending += 1
            if mv.amount > 0:
                pending_out[mv.account] += mv.amount
        else:
            posted[mv.account] += mv.amount
        if mv.bank_only:
            bank_only.append(tx["transaction_id"])
        rows.append((date.fromisoformat(tx["date"]), tx["transaction_id"], tx))
    rows.sort(key=lambda r: (r[0], r[1]))
    side = BankSide([], [r[2] for r in rows], plaid_ids, bank_only_ids=bank_only,
                    pending=pending)
    for a in feeds:
        if a.feed == "credit":
            current = a.opening + posted[a.key]  # amount owed
            limit = Decimal(max(50000, int(current * 3 / 10000 + 1) * 10000))
            available = limit - current - pending_out[a.key]
        else:
            current = a.opening - posted[a.key]
            limit = None
            available = current - pending_out[a.key]
        side.current[a.key], side.available[a.key] = current, available
        side.accounts.append({
            "account_id": plaid_ids[a.key],
            "balances": {"available": num(available), "current": num(current),
                         "iso_currency_code": "USD",
                         "limit": num(limit) if limit is not None else None,
                         "unofficial_currency_code": None, "last_updated_datetime": None},
            "holder_category": "business", "mask": a.mask, "name": a.name,
            "official_name": a.official_name,
            "persistent_account_id": plaid_id(rng, 64).lower(),
            "subtype": {"Checking": "checking", "Savings": "savings"}.get(a.subtype,
                                                                          "credit card"),
            "type": a.feed,
        })
    return side


def _transaction(mv: Movement, account_id: str, posts: date, pending: bool,
                 rng: random.Random, merchant_ids: dict[str, str]) -> dict:
    t = mv.text
    primary = _primary(t.pfc)
    category, category_id = LEGACY_CATEGORY.get(primary, (["Service"], "18000000"))
    merchant_id = None
    counterparties = []
    if t.merchant:
        merchant_id = merchant_ids.setdefault(t.merchant, plaid_id(rng, 22))
        slug = "".join(ch for ch in t.merchant.lower() if ch.isalnum())
        counterparties = [{"name": t.merchant, "type": "merchant", "website": f"{slug}.com",
                           "logo_url": None, "entity_id": merchant_id,
                           "confidence_level": "VERY_HIGH"}]
    date_str = (mv.date if pending else posts).isoformat()
    return {
        "account_id": account_id, "account_owner": None, "amount": num(mv.amount),
        "authorized_date": mv.date.isoformat(), "authorized_datetime": None,
        "category": category, "category_id": category_id, "check_number": t.check_number,
        "counterparties": counterparties, "date": date_str, "datetime": None,
        "iso_currency_code": "USD",
        "location": {"address": None, "city": None, "region": None, "postal_code": None,
                     "country": None, "lat": None, "lon": None, "store_number": None},
        "logo_url": None, "merchant_entity_id": merchant_id, "merchant_name": t.merchant,
        "name": t.name, "original_description": None, "payment_channel": t.channel,
        "payment_meta": {"by_order_of": None, "payee": None, "payer": None,
                         "payment_method": None, "payment_processor": None, "ppd_id": None,
                         "reason": None, "reference_number": None},
        "pending": pending, "pending_transaction_id": None,
        "personal_finance_category": {"primary": primary, "detailed": t.pfc,
                                      "confidence_level": "HIGH" if t.merchant else "MEDIUM"},
        "personal_finance_category_icon_url":
            f"https://plaid-category-icons.plaid.com/PFC_{primary}.png",
        "transaction_code": t.code, "transaction_id": plaid_id(rng),
        "transaction_type": "place" if t.channel == "in store" else
        ("digital" if t.channel == "online" else "special"),
        "unofficial_currency_code": None,
        "website": None,
    }
