"""The in-memory books of the simulated agency. Streams (AR, AP, payroll, cash) append records
here; renderers turn them into QBO and Plaid wire JSON afterwards, when Ids are assigned."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .money import ZERO


@dataclass(slots=True)
class Account:
    key: str
    name: str
    acct_type: str
    subtype: str
    classification: str
    opening: Decimal = ZERO
    qbo_id: str = ""
    feed: str = ""  # "depository" | "credit" when the account has a Plaid feed
    mask: str = ""
    official_name: str = ""
    currency: str = "USD"


@dataclass(slots=True)
class Party:
    kind: str  # "Customer" | "Vendor"
    name: str
    created: date
    city: str = "Portland"
    state: str = "OR"
    street: str = ""
    postal: str = "97205"
    phone: str = ""
    term: str = "net30"
    habit: str = ""  # customers: early|on_time|slow|late|partial|stopped; vendors: role
    deposit_method: str = "ach"  # customers: ach | check
    is_1099: bool = False
    qbo_id: str = ""
    extra: dict = field(default_factory=dict)
    currency: str = "USD"


@dataclass(slots=True)
class SaleLine:
    item: str
    description: str
    amount: Decimal
    qty: Decimal
    rate: Decimal


@dataclass(slots=True)
class ExpLine:
    account: str
    description: str
    amount: Decimal


@dataclass(slots=True, kw_only=True)
class Txn:
    date: date
    seq: int = 0
    qbo_id: str = ""
    updated: date | None = None  # last change after creation (drives SyncToken/LastUpdatedTime)
    updates: int = 0
    memo: str = ""
    currency: str = "USD"
    rate: Decimal | None = None  # home units per one unit of `currency` (None: home)

    def touch(self, when: date) -> None:
        self.updates += 1
        if self.updated is None or when > self.updated:
            self.updated = when


@dataclass(slots=True, kw_only=True)
class Invoice(Txn):
    customer: Party
    due: date
    term: str
    lines: list[SaleLine]
    total: Decimal
    balance: Decimal
    kind: str = "retainer"  # retainer | project
    payments: list[Payment] = field(default_factory=list)
    doc: str = ""


@dataclass(slots=True, kw_only=True)
class CreditMemo(Txn):
    customer: Party
    lines: list[SaleLine]
    total: Decimal
    remaining: Decimal
    payments: list[Payment] = field(default_factory=list)
    doc: str = ""


@dataclass(slots=True, kw_only=True)
class Payment(Txn):
    customer: Party
    total: Decimal
    deposit_to: str  # account key: "operating" or "undeposited"
    applied: list[tuple[Invoice, Decimal, Decimal]] = field(default_factory=list)  # inv, amt, open
    credits: list[tuple[CreditMemo, Decimal]] = field(default_factory=list)
    unapplied: Decimal = ZERO
    ref_num: str = ""
    deposit: Deposit | None = None


@dataclass(slots=True, kw_only=True)
class Bill(Txn):
    vendor: Party
    due: date
    term: str
    lines: list[ExpLine]
    total: Decimal
    balance: Decimal
    payments: list[BillPayment] = field(default_factory=list)
    doc: str = ""


@dataclass(slots=True, kw_only=True)
class BillPayment(Txn):
    vendor: Party
    pay_type: str  # Check | CreditCard
    account: str
    total: Decimal
    applied: list[tuple[Bill, Decimal]] = field(default_factory=list)
    doc: str = ""


@dataclass(slots=True, kw_only=True)
class Purchase(Txn):
    vendor: Party | None
    payment_type: str  # Cash | Check | CreditCard
    account: str
    lines: list[ExpLine]
    total: Decimal
    doc: str = ""
    credit: bool = False  # CreditCard only: a card credit (or, with a bank line, a payoff)


@dataclass(slots=True, kw_only=True)
class Deposit(Txn):
    account: str
    payments: list[Payment]
    lines: list[ExpLine]
    total: Decimal
    receipts: list[SalesReceipt] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class SalesReceipt(Txn):
    customer: Party
    account: str  # deposit-to key: a bank account or "undeposited"
    lines: list[SaleLine]
    total: Decimal
    deposit: Deposit | None = None


@dataclass(slots=True, kw_only=True)
class RefundReceipt(Txn):
    customer: Party
    account: str  # refunded from (a bank account)
    lines: list[SaleLine]
    total: Decimal


@dataclass(slots=True, kw_only=True)
class VendorCredit(Txn):
    vendor: Party
    lines: list[ExpLine]
    total: Decimal
    balance: Decimal


@dataclass(slots=True, kw_only=True)
class CreditCardPayment(Txn):
    bank: str
    card: str
    amount: Decimal


@dataclass(slots=True, kw_only=True)
class Transfer(Txn):
    from_key: str
    to_key: str
    amount: Decimal


@dataclass(slots=True, kw_only=True)
class JournalEntry(Txn):
    lines: list[tuple[str, str, Decimal, str]]  # account, Debit|Credit, amount, description


@dataclass(slots=True)
class BankText:
    """How a movement reads in the bank feed."""

    name: str
    merchant: str | None
    pfc: str  # Plaid personal_finance_category.detailed
    channel: str = "other"  # online | in store | other
    code: str | None = None  # Plaid transaction_code
    check_number: str | None = None


@dataclass(slots=True)
class Movement:
    """Money moving through an account with a bank feed. amount uses Plaid's sign: positive =
    money out of a bank account / a charge on the card."""

    date: date
    account: str
    amount: Decimal
    txn: Txn | None
    text: BankText
    bank_only: bool = False
    kind: str = ""  # payroll, rent, transfer_internal, card_payoff, ... (for burn and summary)


class Ledger:
    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.customers: list[Party] = []
        self.vendors: list[Party] = []
        self.invoices: list[Invoice] = []
        self.credit_memos: list[CreditMemo] = []
        self.payments: list[Payment] = []
        self.bills: list[Bill] = []
        self.bill_payments: list[BillPayment] = []
        self.purchases: list[Purchase] = []
        self.deposits: list[Deposit] = []
        self.transfers: list[Transfer] = []
        self.journal_entries: list[JournalEntry] = []
        self.sales_receipts: list[SalesReceipt] = []
        self.refund_receipts: list[RefundReceipt] = []
        self.vendor_credits: list[VendorCredit] = []
        self.card_payments: list[CreditCardPayment] = []
        # Other currencies (real-books profile): {code: [(as_of, home per unit)]}, by date.
        self.rates: dict[str, list[tuple[date, Decimal]]] = {}
        self.movements: list[Movement] = []
        self._seq = 0
        self.check_no = 1040
        self.facts: dict = {}

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def add(self, bucket: list, txn: Txn) -> Txn:
        txn.seq = self.next_seq()
        bucket.append(txn)
        return txn

    def next_check(self) -> str:
        self.check_no += 1
        return str(self.check_no)

    def move(
        self, when: date, account: str, amount: Decimal, txn: Txn | None, text: BankText,
        kind: str = "", bank_only: bool = False,
    ) -> None:
        self.movements.append(Movement(when, account, amount, txn, text, bank_only, kind))

    def vendor(self, name: str, created: date, role: str, term: str = "net30",
               is_1099: bool = False) -> Party:
        p = Party("Vendor", name, created, term=term, habit=role, is_1099=is_1099)
        self.vendors.append(p)
        return p
