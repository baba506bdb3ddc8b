"""Entity writes with QBO's rules: Id/SyncToken/MetaData, stale checks, and money effects.

Effects kept consistent (simple, as QBO does them): a Bill/Invoice adds its Balance to its
Vendor/Customer; a Payment/BillPayment line linked to an Invoice/Bill lowers that document's
Balance and the party's Balance, and moves the bank account's CurrentBalance. A CreditMemo
lowers its Customer's Balance by its RemainingCredit; a Payment line linked to a CreditMemo
(QBO applies a credit as a zero-total Payment: one Invoice line, one CreditMemo line) consumes
the memo's RemainingCredit/Balance and gives the customer that credit back, while the Invoice
line lowers the invoice and the customer as usual. A BillPayment line linked to a VendorCredit
(how QBO applies a vendor credit: one Bill line, one VendorCredit line) uses up the credit's
Balance and gives the vendor that much back, never below zero. A VendorCredit lowers its
Vendor's Balance by its unapplied Balance. Bank and credit card accounts' CurrentBalance moves
debit-positive (a card owes as a negative balance): journal entry lines on them by posting
type, a CreditCardPayment out of the bank onto the card, a SalesReceipt into (a RefundReceipt
out of) its DepositToAccountRef, a bill paid by card onto the card. A bill payment in another
currency moves a home-currency bank by TotalAmt × ExchangeRate (the rate table's on TxnDate
when none is sent) and refuses a bank in a third currency. An update, void or delete
reverses the old effects and applies the new ones; a Payment update that links more to invoices
(how QBO applies an unapplied payment) lowers its UnappliedAmt by as much, never below zero.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .clock import qbo_stamp
from .errors import QboFault, invalid, not_found, required_missing, stale_object, unsupported
from .rates import home_currency, read_rate
from .store import CompanyStore
from .wirejson import to_decimal

REQUIRED_ON_CREATE: dict[str, tuple[str, ...]] = {
    "Bill": ("VendorRef", "Line"),
    "Invoice": ("CustomerRef", "Line"),
    "Payment": ("CustomerRef", "TotalAmt"),
    "BillPayment": ("VendorRef", "PayType", "TotalAmt", "Line"),
    "CreditMemo": ("CustomerRef", "Line"),
    "Purchase": ("AccountRef", "PaymentType", "Line"),
    "Deposit": ("DepositToAccountRef", "Line"),
    "Transfer": ("FromAccountRef", "ToAccountRef", "Amount"),
    "Account": ("Name",),
    "Customer": ("DisplayName",),
    "Vendor": ("DisplayName",),
    "JournalEntry": ("Line",),
    "VendorCredit": ("VendorRef", "Line"),
    "SalesReceipt": ("Line",),
    "RefundReceipt": ("Line", "DepositToAccountRef"),
    "CreditCardPayment": ("TxnDate", "Amount", "BankAccountRef", "CreditCardAccountRef"),
    "Employee": ("DisplayName",),
    "Class": ("Name",),
    "Department": ("Name",),
    "CompanyCurrency": ("Code",),
}
NAME_LISTS = ("Customer", "Vendor", "Employee")
NOT_DELETABLE = (
    "Account",
    "Class",
    "CompanyInfo",
    "Customer",
    "Department",
    "Employee",
    "Item",
    "PaymentMethod",
    "Preferences",
    "TaxCode",
    "TaxRate",
    "Term",
    "Vendor",
    "CustomerType",
)
# The credit left on a credit memo / vendor credit, which an application may not overdraw.
CREDITS_LEFT = {("CreditMemo", "RemainingCredit"): "remaining credit",
                ("VendorCredit", "Balance"): "balance"}
VOIDABLE = ("Invoice", "Payment", "BillPayment", "SalesReceipt")
DOCUMENTS = {"Invoice": "CustomerRef", "Bill": "VendorRef"}
PARTY = {"Invoice": "Customer", "Bill": "Vendor", "Payment": "Customer", "BillPayment": "Vendor"}
# A new transaction naming an inactive vendor or customer: QBO refuses it (610, "made inactive").
NAME_REFS = {"VendorRef": "Vendor", "CustomerRef": "Customer"}
ZERO = Decimal("0")


@dataclass
class Change:
    entity: str
    id: str
    operation: str  # Create | Update | Delete | Void | Emailed
    last_updated: str


@dataclass
class WriteResult:
    entity: str
    body: dict  # what the response carries under the entity key
    changes: list[Change] = field(default_factory=list)


class Writer:
    """All writes go through here, under the store lock."""

    def __init__(self, store: CompanyStore) -> None:
        self.store = store

    # --- public operations --------------------------------------------------------------
    def create(self, entity: str, body: dict) -> WriteResult:
        with self.store.lock:
            for name in REQUIRED_ON_CREATE.get(entity, ()):
                if body.get(name) in (None, "", []):
                    raise required_missing(name)
            self._check_display_name(entity, body.get("DisplayName"), None)
            self._check_names_active(body)
            now = qbo_stamp()
            obj = copy.deepcopy(body)
            obj.pop("sparse", None)
            obj["Id"] = self.store.allocate_id()
            obj["SyncToken"] = "0"
            meta = dict(obj.get("MetaData") or {})
            meta.update({"CreateTime": now, "LastUpdatedTime": now})
            obj["MetaData"] = meta
            obj.setdefault("domain", "QBO")
            obj["sparse"] = False
            _fill_amounts(entity, obj, None)
            touched = self._apply_effects([(entity, None, obj)])
            self.store.save(entity, obj)
            changes = [Change(entity, obj["Id"], "Create", now)]
            return WriteResult(entity, obj, changes + self._touch(touched, now))

    def update(
        self, entity: str, body: dict, *, check_token: bool = True, operation: str = "Update"
    ) -> WriteResult:
        with self.store.lock:
            key, old = self._current(entity, body, check_token)
            if body.get("DisplayName") is not None:
                self._check_display_name(entity, body.get("DisplayName"), key)
            if body.get("sparse") in (True, "true"):
                new = copy.deepcopy(old)
                new.update(copy.deepcopy({k: v for k, v in body.items() if k != "sparse"}))
            else:
                new = copy.deepcopy(body)
                for kept in ("LinkedTxn",):
                    if kept in old and kept not in new and entity in DOCUMENTS:
                        new[kept] = copy.deepcopy(old[kept])
            return self._replace(entity, key, old, new, operation)

    def void(self, entity: str, body: dict, *, check_token: bool = True) -> WriteResult:
        if entity not in VOIDABLE:
            raise unsupported(f"Operation void is not supported for {entity}")
        with self.store.lock:
            key, old = self._current(entity, body, check_token)
            new = copy.deepcopy(old)
            new["TotalAmt"] = ZERO
            if "Balance" in new or entity == "Invoice":
                new["Balance"] = ZERO
            if entity == "Payment":
                new["UnappliedAmt"] = ZERO
            for line in new.get("Line") or []:
                if isinstance(line, dict) and "Amount" in line:
                    line["Amount"] = ZERO
            new["PrivateNote"] = "Voided"
            return self._replace(entity, key, old, new, "Void")

    def delete(self, entity: str, body: dict, *, check_token: bool = True) -> WriteResult:
        if entity in NOT_DELETABLE:
            raise unsupported(
                f"Operation Delete is not supported for {entity}; "
                f"make it inactive (Active=false) instead"
            )
        with self.store.lock:
            key, old = self._current(entity, body, check_token)
            touched = self._apply_effects([(entity, old, None)])
            now_epoch = time.time()
            now = qbo_stamp(now_epoch)
            self.store.delete(entity, key, now_epoch)
            result = {"status": "Deleted", "domain": "QBO", "Id": key}
            changes = [Change(entity, key, "Delete", now)]
            return WriteResult(entity, result, changes + self._touch(touched, now))

    def send_invoice(self, key: str, send_to: str | None) -> WriteResult:
        with self.store.lock:
            old = self.store.get("Invoice", key)
            if old is None:
                raise not_found("Invoice", key)
            new = copy.deepcopy(old)
            new["EmailStatus"] = "EmailSent"
            new["DeliveryInfo"] = {"DeliveryType": "Email", "DeliveryTime": qbo_stamp()}
            if send_to:
                new["BillEmail"] = {"Address": send_to}
            return self._replace("Invoice", key, old, new, "Emailed")

    # --- internals ----------------------------------------------------------------------
    def _current(self, entity: str, body: dict, check_token: bool) -> tuple[str, dict]:
        if body.get("Id") in (None, ""):
            raise required_missing("Id")
        key = str(body["Id"])
        old = self.store.get(entity, key)
        if old is None:
            raise not_found(entity, key)
        if check_token:
            token = body.get("SyncToken")
            if token in (None, ""):
                raise required_missing("SyncToken")
            if str(token) != str(old.get("SyncToken", "0")):
                raise stale_object(entity, key)
        return key, old

    def _replace(self, entity: str, key: str, old: dict, new: dict, operation: str) -> WriteResult:
        now = qbo_stamp()
        new["Id"] = key
        new["SyncToken"] = str(int(old.get("SyncToken") or 0) + 1)
        meta = dict(old.get("MetaData") or {})
        meta.update(
            {
                k: v
                for k, v in (new.get("MetaData") or {}).items()
                if k not in ("CreateTime", "LastUpdatedTime")
            }
        )
        meta["LastUpdatedTime"] = now
        new["MetaData"] = meta
        new.setdefault("domain", old.get("domain", "QBO"))
        new["sparse"] = False
        _fill_amounts(entity, new, old)
        touched = self._apply_effects([(entity, old, new)])
        self.store.save(entity, new)
        changes = [Change(entity, key, operation, now)]
        return WriteResult(entity, new, changes + self._touch(touched, now))

    def _check_names_active(self, body: dict) -> None:
        for field_name, entity in NAME_REFS.items():
            key = _ref(body.get(field_name))
            named = self.store.get(entity, key) if key else None
            if named is not None and named.get("Active") in (False, "false"):
                raise not_found(entity, key)

    def _check_display_name(self, entity: str, name: Any, own_id: str | None) -> None:
        if entity not in NAME_LISTS or not name:
            return
        wanted = str(name).strip().lower()
        for other in NAME_LISTS:
            table = self.store.tables.get(other)
            if not table:
                continue
            for key, obj in table.objects.items():
                if (other, key) == (entity, own_id):
                    continue
                if str(obj.get("DisplayName", "")).strip().lower() == wanted:
                    raise QboFault(
                        400,
                        "6240",
                        "Duplicate Name Exists Error",
                        f"The name supplied already exists. : Id={key}",
                    )

    def _apply_effects(self, swaps: list[tuple[str, dict | None, dict | None]]) -> set:
        """Reverse each old object's effects, apply each new one's; validate, then commit."""
        deltas: dict[tuple[str, str, str], Decimal] = {}
        links: list[tuple[str, str, dict, int]] = []
        for entity, old, new in swaps:
            if old is not None:
                self._plan(entity, old, -1, deltas, links)
            if new is not None:
                self._plan(entity, new, +1, deltas, links, is_new=old is None)
        for (entity, key, fld), delta in deltas.items():
            if (entity, fld) in CREDITS_LEFT:
                obj = self.store.get(entity, key)
                if obj is not None and to_decimal(obj.get(fld)) + delta < ZERO:
                    raise QboFault(
                        400,
                        "6000",
                        "A business validation error has occurred while processing your request",
                        f"Business Validation Error: the credit applied from {entity} {key} "
                        f"is more than its {CREDITS_LEFT[(entity, fld)]}",
                    )
            if entity in DOCUMENTS and fld == "Balance":
                obj = self.store.get(entity, key)
                if obj is not None and to_decimal(obj.get("Balance")) + delta < ZERO:
                    raise QboFault(
                        400,
                        "6000",
                        "A business validation error has occurred while processing your request",
                        f"Business Validation Error: the amount applied to {entity} "
                        f"{key} is more than its open balance",
                    )
        touched: set[tuple[str, str]] = set()
        for (entity, key, fld), delta in deltas.items():
            obj = self.store.get(entity, key)
            if obj is None or delta == ZERO:
                continue
            obj[fld] = to_decimal(obj.get(fld)) + delta
            touched.add((entity, key))
        for entity, key, link, sign in links:
            obj = self.store.get(entity, key)
            if obj is None:
                continue
            current = [
                x
                for x in obj.get("LinkedTxn") or []
                if not (
                    isinstance(x, dict)
                    and str(x.get("TxnId")) == link["TxnId"]
                    and x.get("TxnType") == link["TxnType"]
                )
            ]
            if sign > 0:
                current.append(link)
            obj["LinkedTxn"] = current
            touched.add((entity, key))
        return touched

    def _plan(
        self, entity: str, obj: dict, sign: int, deltas: dict, links: list, is_new: bool = False
    ) -> None:
        def add(target: str, key: Any, fld: str, amount: Decimal) -> None:
            if key in (None, ""):
                return
            slot = (target, str(key), fld)
            deltas[slot] = deltas.get(slot, ZERO) + amount

        if entity in DOCUMENTS:
            add(
                PARTY[entity],
                _ref(obj.get(DOCUMENTS[entity])),
                "Balance",
                sign * to_decimal(obj.get("Balance")),
            )
        elif entity == "CreditMemo":
            add("Customer", _ref(obj.get("CustomerRef")), "Balance",
                -sign * to_decimal(obj.get("RemainingCredit", obj.get("Balance"))))
        elif entity in ("Payment", "BillPayment"):
            doc_type = "Invoice" if entity == "Payment" else "Bill"
            back_type = "Payment"
            if entity == "BillPayment":
                back_type = (
                    "BillPaymentCreditCard"
                    if obj.get("PayType") == "CreditCard"
                    else "BillPaymentCheck"
                )
            party_key = _ref(obj.get("CustomerRef" if entity == "Payment" else "VendorRef"))
            for line in obj.get("Line") or []:
                if not isinstance(line, dict):
                    continue
                amount = to_decimal(line.get("Amount"))
                for linked in line.get("LinkedTxn") or []:
                    if entity == "Payment" and isinstance(linked, dict) and (
                        linked.get("TxnType") == "CreditMemo"
                    ):
                        self._plan_credit(obj, str(linked.get("TxnId")), amount, sign, add, links)
                        continue
                    if entity == "BillPayment" and isinstance(linked, dict) and (
                        linked.get("TxnType") == "VendorCredit"
                    ):
                        self._plan_vendor_credit(
                            obj, str(linked.get("TxnId")), amount, sign, add, links
                        )
                        continue
                    if not isinstance(linked, dict) or linked.get("TxnType") != doc_type:
                        continue
                    doc_id = str(linked.get("TxnId"))
                    if self.store.get(doc_type, doc_id) is None:
                        if sign > 0:
                            raise invalid_reference(doc_type, doc_id)
                        continue
                    add(doc_type, doc_id, "Balance", -sign * amount)
                    add(PARTY[entity], party_key, "Balance", -sign * amount)
                    links.append(
                        (doc_type, doc_id, {"TxnId": str(obj["Id"]), "TxnType": back_type}, sign)
                    )
            total = to_decimal(obj.get("TotalAmt"))
            if entity == "BillPayment":
                total = self._in_bank_currency(obj, total)
            if entity == "Payment":
                bank = _ref(obj.get("DepositToAccountRef"))
                if self._is_bank(bank):
                    add("Account", bank, "CurrentBalance", sign * total)
            elif obj.get("PayType") == "CreditCard":
                card = _ref((obj.get("CreditCardPayment") or {}).get("CCAccountRef"))
                if self._moves_money(card):  # a charge: more owed, a more negative balance
                    add("Account", card, "CurrentBalance", -sign * total)
            else:
                bank = _ref((obj.get("CheckPayment") or {}).get("BankAccountRef"))
                if self._is_bank(bank):
                    add("Account", bank, "CurrentBalance", -sign * total)

        elif entity == "VendorCredit":
            add("Vendor", _ref(obj.get("VendorRef")), "Balance",
                -sign * to_decimal(obj.get("Balance", obj.get("TotalAmt"))))
        else:
            for account, amount in _account_moves(entity, obj):
                if self._moves_money(account):
                    add("Account", account, "CurrentBalance", sign * amount)

    def _moves_money(self, key: str | None) -> bool:
        account = self.store.get("Account", key) if key else None
        return bool(account) and account.get("AccountType") in ("Bank", "Credit Card")

    def _in_bank_currency(self, payment: dict, total: Decimal) -> Decimal:
        """A bill payment's TotalAmt in its bank's currency: × ExchangeRate when the payment is
        in another currency than a home-currency bank; refused for a bank in a third one."""
        home = home_currency(self.store)
        currency = _ref(payment.get("CurrencyRef")) or home
        card = payment.get("PayType") == "CreditCard"
        paid_from = payment.get("CreditCardPayment" if card else "CheckPayment") or {}
        bank = self.store.get("Account", _ref(paid_from.get("CCAccountRef" if card
                                                            else "BankAccountRef")))
        bank_currency = (_ref((bank or {}).get("CurrencyRef")) or home) if bank else currency
        if bank_currency == currency:
            return total
        if bank_currency != home:
            raise invalid(f"The account's currency ({bank_currency}) must be the home currency "
                          f"or the payment's ({currency})", code="6000")
        rate = payment.get("ExchangeRate")
        if rate in (None, ""):  # QBO takes the rate table's rate of the transaction date
            found = read_rate(self.store, {"sourcecurrencycode": currency,
                                           "asofdate": str(payment.get("TxnDate") or "")})
            rate = payment["ExchangeRate"] = found.get("Rate")
        return (total * to_decimal(rate)).quantize(Decimal("0.01"))

    def _plan_credit(
        self, payment: dict, memo_id: str, amount: Decimal, sign: int, add: Any, links: list
    ) -> None:
        """A Payment line applying a CreditMemo: the memo's credit is used up by ``amount``."""
        memo = self.store.get("CreditMemo", memo_id)
        if memo is None:
            if sign > 0:
                raise invalid_reference("CreditMemo", memo_id)
            return
        add("CreditMemo", memo_id, "RemainingCredit", -sign * amount)
        add("CreditMemo", memo_id, "Balance", -sign * amount)
        add("Customer", _ref(payment.get("CustomerRef")), "Balance", sign * amount)
        links.append(
            ("CreditMemo", memo_id, {"TxnId": str(payment["Id"]), "TxnType": "Payment"}, sign)
        )

    def _plan_vendor_credit(
        self, payment: dict, credit_id: str, amount: Decimal, sign: int, add: Any, links: list
    ) -> None:
        """A BillPayment line applying a VendorCredit (QBO applies a vendor credit as a bill
        payment whose lines link the Bill and the VendorCredit): the credit's Balance is used up
        by ``amount`` and the vendor's Balance gets that much back (the Bill line took it off)."""
        credit = self.store.get("VendorCredit", credit_id)
        if credit is None:
            if sign > 0:
                raise invalid_reference("VendorCredit", credit_id)
            return
        if credit.get("Balance") is None:  # some files omit it: nothing applied yet
            credit["Balance"] = to_decimal(credit.get("TotalAmt"))
        add("VendorCredit", credit_id, "Balance", -sign * amount)
        add("Vendor", _ref(payment.get("VendorRef")), "Balance", sign * amount)
        back = "BillPaymentCreditCard" if payment.get("PayType") == "CreditCard" else (
            "BillPaymentCheck")
        links.append(("VendorCredit", credit_id, {"TxnId": str(payment["Id"]), "TxnType": back},
                      sign))

    def _is_bank(self, key: str | None) -> bool:
        account = self.store.get("Account", key) if key else None
        return bool(account) and account.get("AccountType") == "Bank"

    def _touch(self, touched: set, now: str) -> list[Change]:
        """Documents changed as a side effect get a new SyncToken and LastUpdatedTime."""
        changes = []
        for entity, key in sorted(touched):
            obj = self.store.get(entity, key)
            if obj is None:
                continue
            obj["SyncToken"] = str(int(obj.get("SyncToken") or 0) + 1)
            meta = obj.setdefault("MetaData", {})
            meta["LastUpdatedTime"] = now
            self.store.save(entity, obj)
            changes.append(Change(entity, key, "Update", now))
        return changes


def invalid_reference(entity: str, key: str) -> QboFault:
    """QBO's answer to a line linking a transaction that does not exist."""
    return QboFault(400, "2500", "Invalid Reference Id",
                    f"Invalid Reference Id : {entity} {key} does not exist")


def _ref(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("value")
    return None if value in (None, "") else str(value)


def _account_moves(entity: str, obj: dict) -> list[tuple[str | None, Decimal]]:
    """(account, debit-positive amount) of the money a journal entry, card payment or receipt
    moves; the caller keeps those on bank and card accounts."""
    if entity == "JournalEntry":
        moves = []
        for line in obj.get("Line") or []:
            detail = line.get("JournalEntryLineDetail") if isinstance(line, dict) else None
            if isinstance(detail, dict) and detail.get("PostingType") in ("Debit", "Credit"):
                amount = to_decimal(line.get("Amount"))
                moves.append((_ref(detail.get("AccountRef")),
                              amount if detail["PostingType"] == "Debit" else -amount))
        return moves
    if entity == "CreditCardPayment":  # out of the bank, onto the card (less owed)
        amount = to_decimal(obj.get("Amount"))
        return [(_ref(obj.get("BankAccountRef")), -amount),
                (_ref(obj.get("CreditCardAccountRef")), amount)]
    if entity in ("SalesReceipt", "RefundReceipt"):
        total = to_decimal(obj.get("TotalAmt"))
        return [(_ref(obj.get("DepositToAccountRef")),
                 total if entity == "SalesReceipt" else -total)]
    return []


def _check_journal(obj: dict) -> None:
    """QBO refuses a journal entry whose debits and credits differ, and reports its TotalAmt
    as 0 whatever the lines hold (the money is in the lines)."""
    sums = {"Debit": ZERO, "Credit": ZERO}
    for line in obj.get("Line") or []:
        detail = line.get("JournalEntryLineDetail") if isinstance(line, dict) else None
        if isinstance(detail, dict) and detail.get("PostingType") in sums:
            sums[detail["PostingType"]] += to_decimal(line.get("Amount"))
    if sums["Debit"] != sums["Credit"]:
        raise invalid(
            f"Journal entry is out of balance: debits {sums['Debit']} ≠ credits "
            f"{sums['Credit']}", code="6000", message="A business validation error has occurred",
        )
    obj["TotalAmt"] = ZERO


def _fill_amounts(entity: str, obj: dict, old: dict | None) -> None:
    """QBO computes TotalAmt from lines and keeps Balance itself (read-only on writes)."""
    if entity == "JournalEntry":
        _check_journal(obj)
        return
    if entity == "VendorCredit" and old is not None and old.get("Balance") is None:
        old["Balance"] = old.get("TotalAmt")  # a file without Balance: nothing applied yet
    if entity not in DOCUMENTS and entity not in (
        "Payment", "CreditMemo", "VendorCredit", "SalesReceipt", "RefundReceipt",
    ):
        return
    if obj.get("TotalAmt") is None:
        lines = [
            x
            for x in obj.get("Line") or []
            if isinstance(x, dict)
            and x.get("DetailType") not in ("SubTotalLineDetail", "DiscountLineDetail")
        ]
        obj["TotalAmt"] = sum((to_decimal(x.get("Amount")) for x in lines), ZERO)
    total = to_decimal(obj.get("TotalAmt"))
    if entity == "CreditMemo":
        # Remaining credit moves with the total (applications are kept as they were).
        old_remaining = None if old is None else old.get("RemainingCredit", old.get("Balance"))
        if old is None:
            if obj.get("RemainingCredit") is None:
                obj["RemainingCredit"] = to_decimal(obj.get("Balance", total))
        else:
            old_total = to_decimal(old.get("TotalAmt"))
            obj["RemainingCredit"] = to_decimal(old_remaining) + (total - old_total)
    if entity in DOCUMENTS or entity in ("CreditMemo", "VendorCredit"):
        if old is None:
            if obj.get("Balance") is None:
                obj["Balance"] = total
        elif entity == "VendorCredit" and obj.get("Balance") != old.get("Balance"):
            pass  # a Balance stated by the control API (applied elsewhere) stands
        elif obj.get("PrivateNote") != "Voided" or old.get("PrivateNote") == "Voided":
            old_total = to_decimal(old.get("TotalAmt"))
            obj["Balance"] = to_decimal(old.get("Balance")) + (total - old_total)
    if entity == "Payment" and old is None and obj.get("UnappliedAmt") is None:
        obj["UnappliedAmt"] = total - _applied(obj)
    elif entity == "Payment" and old is not None and obj.get("PrivateNote") != "Voided":
        # UnappliedAmt is read-only: an update that adds (or grows) a line linked to an
        # invoice applies that much of the unapplied money, as QBO does.
        moved = (total - to_decimal(old.get("TotalAmt"))) - (_applied(obj) - _applied(old))
        unapplied = to_decimal(old.get("UnappliedAmt")) + moved
        if unapplied < ZERO:
            raise invalid(
                "Business Validation Error: the amount applied is more than the payment's "
                "unapplied amount", code="6000",
            )
        obj["UnappliedAmt"] = unapplied
    if entity not in DOCUMENTS:
        return
    if obj.get("Balance") is not None and to_decimal(obj["Balance"]) < ZERO:
        raise invalid("Balance would become negative", code="6000")


def _applied(payment: dict) -> Decimal:
    """How much of a Payment its linked lines use: credit-memo lines bring money in,
    everything else linked is applied out of it."""
    applied = ZERO
    for x in payment.get("Line") or []:
        if isinstance(x, dict) and x.get("LinkedTxn"):
            is_credit = any(
                isinstance(t, dict) and t.get("TxnType") == "CreditMemo" for t in x["LinkedTxn"]
            )
            amount = to_decimal(x.get("Amount"))
            applied += -amount if is_credit else amount
    return applied
