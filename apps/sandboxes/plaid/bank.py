"""The bank behind the sandbox: accounts, transactions and the change log that
/transactions/sync pages through.

Files are Plaid's own wire format: `accounts.json` = `{"accounts": [AccountBase...]}` and
`transactions.json` = `{"transactions": [Transaction...]}`. Every field Plaid may send is kept
and echoed back; required fields a hand-written file may leave out are filled with Plaid's
"absent" values (null / "other") so plaid-python's strict models accept the responses.

Invalid records (unknown account, currency differing from the account's, absurd or
non-numeric amount, duplicate id, bad date) are rejected with a reason: at load time they are
listed in `load_report` (and `--strict` refuses to start); through the control API the whole
batch is refused with the list of reasons.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from . import wire

# Amounts at or beyond this are "absurd": no bank transaction moves a hundred billion.
ABSURD_AMOUNT = Decimal("100000000000")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

ACCOUNT_DEFAULTS: dict[str, Any] = {"mask": None, "official_name": None, "subtype": None}
BALANCE_DEFAULTS: dict[str, Any] = {
    "available": None,
    "current": None,
    "limit": None,
    "iso_currency_code": None,
    "unofficial_currency_code": None,
}
LOCATION_DEFAULTS: dict[str, Any] = dict.fromkeys(
    ("address", "city", "region", "postal_code", "country", "lat", "lon", "store_number")
)
PAYMENT_META_DEFAULTS: dict[str, Any] = dict.fromkeys(
    (
        "reference_number",
        "ppd_id",
        "payee",
        "by_order_of",
        "payer",
        "payment_method",
        "payment_processor",
        "reason",
    )
)
TRANSACTION_DEFAULTS: dict[str, Any] = {
    "unofficial_currency_code": None,
    "pending": False,
    "pending_transaction_id": None,
    "account_owner": None,
    "authorized_date": None,
    "authorized_datetime": None,
    "datetime": None,
    "payment_channel": "other",
    "transaction_code": None,
    "category": None,
    "category_id": None,
    "check_number": None,
    "merchant_name": None,
    "merchant_entity_id": None,
    "logo_url": None,
    "website": None,
    "counterparties": [],
}


class BankLoadError(Exception):
    """The bank directory cannot be used at all (missing/malformed file)."""


class BankDataError(ValueError):
    """A batch of records was refused; `problems` lists each reason."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(p["reason"] for p in problems))
        self.problems = problems


@dataclass
class LogEntry:
    kind: str  # "added" | "modified" | "removed"
    transaction_id: str
    account_id: str
    snapshot: dict[str, Any] | None  # the transaction as of this change (None when removed)


@dataclass
class Page:
    added: list[dict[str, Any]]
    modified: list[dict[str, Any]]
    removed: list[dict[str, str]]
    end: int  # log position after this page
    has_more: bool


def _read_list(path: Path, key: str) -> list[Any]:
    if not path.exists():
        if key == "transactions":
            return []
        raise BankLoadError(f"{path} is missing")
    try:
        document = wire.loads(path.read_bytes())
    except ValueError as exc:
        raise BankLoadError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get(key), list):
        raise BankLoadError(f'{path} must be {{"{key}": [...]}}')
    return document[key]


def _account_currency(account: dict[str, Any]) -> tuple[str | None, str | None]:
    balances = account["balances"]
    return balances.get("iso_currency_code"), balances.get("unofficial_currency_code")


def normalize_account(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError("account is not an object")
    account_id = raw.get("account_id")
    if not isinstance(account_id, str) or not account_id:
        raise ValueError("account has no account_id")
    if not isinstance(raw.get("name"), str):
        raise ValueError(f"account {account_id} has no name")
    if raw.get("type") not in ("depository", "credit", "loan", "investment", "brokerage", "other"):
        raise ValueError(f"account {account_id} has an unknown type {raw.get('type')!r}")
    balances = raw.get("balances")
    if not isinstance(balances, dict):
        raise ValueError(f"account {account_id} has no balances object")
    account = {**ACCOUNT_DEFAULTS, **raw, "balances": {**BALANCE_DEFAULTS, **balances}}
    for key in ("available", "current", "limit"):
        value = account["balances"][key]
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, Decimal))):
            raise ValueError(f"account {account_id} balance {key} is not a number")
    return account


def _amount(raw: Any, transaction_id: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)):
        raise ValueError(f"transaction {transaction_id} amount {raw!r} is not a number")
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - ints and Decimals always convert
        raise ValueError(f"transaction {transaction_id} amount is not a number") from exc
    if not amount.is_finite() or abs(amount) >= ABSURD_AMOUNT:
        raise ValueError(f"transaction {transaction_id} amount {raw} is absurd")
    return amount


def normalize_transaction(raw: Any, accounts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Validate one Plaid Transaction object and fill the required fields it lacks."""
    if not isinstance(raw, dict):
        raise ValueError("transaction is not an object")
    transaction_id = raw.get("transaction_id")
    if not isinstance(transaction_id, str) or not transaction_id:
        raise ValueError("transaction has no transaction_id")
    account = accounts.get(raw.get("account_id"))  # type: ignore[arg-type]
    if account is None:
        raise ValueError(
            f"transaction {transaction_id} refers to unknown account {raw.get('account_id')!r}"
        )
    _amount(raw.get("amount"), transaction_id)
    date = raw.get("date")
    if not isinstance(date, str) or not _DATE.match(date):
        raise ValueError(f"transaction {transaction_id} date {date!r} is not YYYY-MM-DD")
    if "pending" in raw and not isinstance(raw["pending"], bool):
        raise ValueError(f"transaction {transaction_id} pending is not a boolean")
    iso, unofficial = _account_currency(account)
    txn = {**TRANSACTION_DEFAULTS, **raw}
    if txn.get("iso_currency_code") is None and txn.get("unofficial_currency_code") is None:
        txn["iso_currency_code"], txn["unofficial_currency_code"] = iso, unofficial
    txn.setdefault("iso_currency_code", None)
    if (iso or unofficial) and (txn["iso_currency_code"], txn["unofficial_currency_code"]) != (
        iso,
        unofficial,
    ):
        raise ValueError(
            f"transaction {transaction_id} is in "
            f"{txn['iso_currency_code'] or txn['unofficial_currency_code']} but account "
            f"{account['account_id']} is in {iso or unofficial}"
        )
    txn.setdefault("name", txn.get("merchant_name") or "")
    txn["location"] = {**LOCATION_DEFAULTS, **(txn.get("location") or {})}
    txn["payment_meta"] = {**PAYMENT_META_DEFAULTS, **(txn.get("payment_meta") or {})}
    return txn


@dataclass
class Bank:
    directory: Path
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: list[LogEntry] = field(default_factory=list)
    # Every id ever used: Plaid never reuses a transaction_id, so neither may we.
    first_seen: dict[str, int] = field(default_factory=dict)
    load_report: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lock = threading.RLock()

    # ---- loading -------------------------------------------------------------------------
    @classmethod
    def load(cls, directory: str | Path) -> Bank:
        bank = cls(directory=Path(directory))
        if not bank.directory.is_dir():
            raise BankLoadError(f"bank directory {bank.directory} does not exist")
        rejected: list[dict[str, Any]] = []
        for index, raw in enumerate(_read_list(bank.directory / "accounts.json", "accounts")):
            try:
                account = normalize_account(raw)
            except ValueError as exc:
                rejected.append({"file": "accounts.json", "index": index, "reason": str(exc)})
                continue
            if account["account_id"] in bank.accounts:
                rejected.append(
                    {
                        "file": "accounts.json",
                        "index": index,
                        "reason": f"duplicate account_id {account['account_id']}",
                    }
                )
                continue
            bank.accounts[account["account_id"]] = account
        raw_transactions = _read_list(bank.directory / "transactions.json", "transactions")
        for index, raw in enumerate(raw_transactions):
            try:
                txn = normalize_transaction(raw, bank.accounts)
                if txn["transaction_id"] in bank.first_seen:
                    raise ValueError(f"duplicate transaction_id {txn['transaction_id']}")
            except ValueError as exc:
                rejected.append({"file": "transactions.json", "index": index, "reason": str(exc)})
                continue
            bank._append("added", txn)
        bank.load_report = {
            "accounts": len(bank.accounts),
            "transactions": len(bank.transactions),
            "rejected": rejected,
        }
        return bank

    # ---- change log ----------------------------------------------------------------------
    def _append(
        self, kind: str, txn: dict[str, Any] | None, removed: dict[str, Any] | None = None
    ) -> None:
        source = txn if txn is not None else removed
        assert source is not None
        transaction_id = source["transaction_id"]
        entry = LogEntry(kind, transaction_id, source["account_id"], txn)
        if kind == "added":
            self.first_seen[transaction_id] = len(self.log)
        if kind == "removed":
            del self.transactions[transaction_id]
        else:
            self.transactions[transaction_id] = txn  # type: ignore[assignment]
        self.log.append(entry)

    @property
    def head(self) -> int:
        return len(self.log)

    def add(self, raws: list[Any]) -> list[str]:
        """Add new transactions; all-or-nothing."""
        with self.lock:
            problems: list[dict[str, Any]] = []
            ready: list[dict[str, Any]] = []
            batch_ids: set[str] = set()
            for index, raw in enumerate(raws):
                try:
                    txn = normalize_transaction(raw, self.accounts)
                    tid = txn["transaction_id"]
                    if tid in self.first_seen or tid in batch_ids:
                        raise ValueError(f"duplicate transaction_id {tid}")
                    batch_ids.add(tid)
                    ready.append(txn)
                except ValueError as exc:
                    problems.append({"index": index, "reason": str(exc)})
            if problems:
                raise BankDataError(problems)
            for txn in ready:
                self._append("added", txn)
            return [t["transaction_id"] for t in ready]

    def modify(self, changes: list[Any]) -> list[str]:
        """Apply partial updates ({transaction_id, ...fields}); all-or-nothing."""
        with self.lock:
            problems: list[dict[str, Any]] = []
            ready: list[dict[str, Any]] = []
            for index, change in enumerate(changes):
                try:
                    if not isinstance(change, dict):
                        raise ValueError("change is not an object")
                    tid = change.get("transaction_id")
                    current = self.transactions.get(tid)  # type: ignore[arg-type]
                    if current is None:
                        raise ValueError(f"unknown transaction_id {tid!r}")
                    ready.append(normalize_transaction({**current, **change}, self.accounts))
                except ValueError as exc:
                    problems.append({"index": index, "reason": str(exc)})
            if problems:
                raise BankDataError(problems)
            for txn in ready:
                self._append("modified", txn)
            return [t["transaction_id"] for t in ready]

    def remove(self, transaction_ids: list[Any]) -> list[str]:
        with self.lock:
            problems = [
                {"index": i, "reason": f"unknown transaction_id {tid!r}"}
                for i, tid in enumerate(transaction_ids)
                if tid not in self.transactions
            ]
            if len(set(transaction_ids)) != len(transaction_ids):
                problems.append({"index": None, "reason": "transaction_ids has duplicates"})
            if problems:
                raise BankDataError(problems)
            for tid in transaction_ids:
                self._append("removed", None, removed=self.transactions[tid])
            return list(transaction_ids)

    def post_pending(self, pending_id: str, overrides: dict[str, Any] | None = None) -> str:
        """Settle a pending transaction the way Plaid reports it: the pending one is removed
        and a new posted one (with pending_transaction_id) is added."""
        with self.lock:
            pending = self.transactions.get(pending_id)
            if pending is None:
                raise BankDataError(
                    [{"index": 0, "reason": f"unknown transaction_id {pending_id!r}"}]
                )
            if not pending.get("pending"):
                raise BankDataError(
                    [{"index": 0, "reason": f"transaction {pending_id} is not pending"}]
                )
            overrides = dict(overrides or {})
            posted_id = overrides.pop("transaction_id", None) or f"{pending_id}-posted"
            posted = {
                **pending,
                **overrides,
                "transaction_id": posted_id,
                "pending": False,
                "pending_transaction_id": pending_id,
            }
            if posted_id in self.first_seen:
                raise BankDataError(
                    [{"index": 0, "reason": f"duplicate transaction_id {posted_id}"}]
                )
            posted = normalize_transaction(posted, self.accounts)
            self._append("removed", None, removed=pending)
            self._append("added", posted)
            return posted_id

    def set_balances(self, account_id: str, balances: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            account = self.accounts.get(account_id)
            if account is None:
                raise BankDataError([{"index": 0, "reason": f"unknown account_id {account_id!r}"}])
            updated = normalize_account(
                {**account, "balances": {**account["balances"], **balances}}
            )
            self.accounts[account_id] = updated
            return updated

    def page(self, start: int, count: int) -> Page:
        """Collapse log entries from `start` into at most `count` distinct transactions.

        A transaction first seen inside the window is `added` (unless also removed there); one
        seen before is `modified` or `removed`. Snapshots make each page reflect the window.
        """
        with self.lock:
            latest: dict[str, LogEntry] = {}
            position = start
            log = self.log
            while position < len(log):
                entry = log[position]
                if entry.transaction_id not in latest and len(latest) >= count:
                    break
                latest[entry.transaction_id] = entry
                position += 1
            added: list[dict[str, Any]] = []
            modified: list[dict[str, Any]] = []
            removed: list[dict[str, str]] = []
            for tid, entry in latest.items():
                existed = self.first_seen[tid] < start
                if entry.kind == "removed":
                    if existed:
                        removed.append({"transaction_id": tid, "account_id": entry.account_id})
                elif existed:
                    modified.append(entry.snapshot)  # type: ignore[arg-type]
                else:
                    added.append(entry.snapshot)  # type: ignore[arg-type]
            return Page(added, modified, removed, position, position < len(log))

    # ---- persistence ---------------------------------------------------------------------
    def flush(self, directory: str | Path | None = None) -> Path:
        """Write accounts.json and transactions.json atomically (temp file + rename)."""
        target = Path(directory) if directory else self.directory
        target.mkdir(parents=True, exist_ok=True)
        with self.lock:
            documents = {
                "accounts.json": {"accounts": list(self.accounts.values())},
                "transactions.json": {"transactions": list(self.transactions.values())},
            }
            for name, document in documents.items():
                fd, tmp = tempfile.mkstemp(dir=target, prefix=f".{name}.", suffix=".tmp")
                try:
                    with os.fdopen(fd, "w", encoding="utf-8") as handle:
                        handle.write(wire.dumps(document))
                        handle.flush()
                        os.fsync(handle.fileno())
                    os.replace(tmp, target / name)
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
        return target
