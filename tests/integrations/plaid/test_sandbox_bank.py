"""Loading a bank directory: faithful records load, bad ones are rejected with a reason."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

from apps.sandboxes.plaid import Bank, BankDataError, BankLoadError, start_sandbox
from apps.sandboxes.plaid.faults import FaultSpecError, parse_spec

from .bank_fixtures import CARD, CHECKING, FULL_TRANSACTION, minimal, write_bank


def test_full_plaid_transaction_loads_unchanged(tmp_path: Path) -> None:
    bank = Bank.load(write_bank(tmp_path, [FULL_TRANSACTION]))
    stored = bank.transactions[FULL_TRANSACTION["transaction_id"]]
    assert stored["counterparties"] == FULL_TRANSACTION["counterparties"]
    assert stored["amount"] == Decimal("72.1")
    assert bank.load_report["rejected"] == []


def test_minimal_transaction_gets_plaid_required_fields(tmp_path: Path) -> None:
    bank = Bank.load(write_bank(tmp_path, [minimal("a", 5)]))
    txn = bank.transactions["a"]
    assert txn["iso_currency_code"] == "USD"  # taken from the account
    assert txn["pending"] is False
    assert txn["authorized_date"] is None and txn["payment_channel"] == "other"


def test_bad_records_are_rejected_with_reasons(tmp_path: Path) -> None:
    rows = [
        minimal("ok", 1),
        minimal("ghost", 1) | {"account_id": "no-such-account"},
        minimal("euro", 1) | {"iso_currency_code": "EUR"},
        minimal("huge", 1e15),
        minimal("text", "12.00"),
        minimal("ok", 2),
        minimal("baddate", 1, "03/01/2024"),
        "not an object",
    ]
    bank = Bank.load(write_bank(tmp_path, rows))
    assert list(bank.transactions) == ["ok"]
    reasons = [r["reason"] for r in bank.load_report["rejected"]]
    assert len(reasons) == 7
    assert "unknown account 'no-such-account'" in reasons[0]
    assert "is in EUR but account" in reasons[1]
    assert "absurd" in reasons[2]
    assert "not a number" in reasons[3]
    assert "duplicate transaction_id ok" in reasons[4]
    assert "YYYY-MM-DD" in reasons[5]
    assert "not an object" in reasons[6]


def test_strict_mode_refuses_rejected_records(tmp_path: Path) -> None:
    write_bank(tmp_path, [minimal("a", 1), minimal("a", 2)])
    with pytest.raises(BankDataError, match="duplicate"):
        start_sandbox(tmp_path, strict=True)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("accounts.json", "{not json", "not valid JSON"),
        ("accounts.json", '{"items": []}', '"accounts"'),
        ("transactions.json", "[]", '"transactions"'),
    ],
)
def test_malformed_files_fail_clearly(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    write_bank(tmp_path)
    (tmp_path / name).write_text(content)
    with pytest.raises(BankLoadError, match=message):
        Bank.load(tmp_path)


def test_missing_directory_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(BankLoadError, match="does not exist"):
        Bank.load(tmp_path / "nope")


def test_control_batches_are_all_or_nothing(tmp_path: Path) -> None:
    bank = Bank.load(write_bank(tmp_path, [minimal("a", 1)]))
    with pytest.raises(BankDataError) as caught:
        bank.add([minimal("b", 1), minimal("a", 3), minimal("c", float("inf"))])
    assert [p["index"] for p in caught.value.problems] == [1, 2]
    assert set(bank.transactions) == {"a"}
    with pytest.raises(BankDataError, match="unknown transaction_id"):
        bank.modify([{"transaction_id": "zzz", "amount": 1}])
    with pytest.raises(BankDataError, match="not pending"):
        bank.post_pending("a")


def test_flush_writes_atomically_and_reloads(tmp_path: Path) -> None:
    bank = Bank.load(write_bank(tmp_path, [minimal("a", 1), minimal("b", "x")]))
    bank.add([minimal("c", Decimal("12.30"))])
    bank.remove(["a"])
    bank.flush()
    assert not list(tmp_path.glob(".*.tmp"))
    text = (tmp_path / "transactions.json").read_text()
    assert '"amount": 12.30' in text  # Decimal goes out as a JSON number, digits kept
    again = Bank.load(tmp_path)
    assert set(again.transactions) == {"c"}
    assert again.transactions["c"]["amount"] == Decimal("12.30")


def test_paging_collapses_changes_inside_a_window(tmp_path: Path) -> None:
    bank = Bank.load(write_bank(tmp_path, [minimal("a", 1), minimal("b", 2)]))
    head = bank.head
    bank.add([minimal("c", 3)])
    bank.modify([{"transaction_id": "a", "amount": 9}, {"transaction_id": "c", "amount": 4}])
    bank.remove(["b"])
    page = bank.page(head, 100)
    assert [t["transaction_id"] for t in page.added] == ["c"]
    assert page.added[0]["amount"] == 4
    assert [t["transaction_id"] for t in page.modified] == ["a"]
    assert page.removed == [{"transaction_id": "b", "account_id": CHECKING}]
    assert bank.page(0, 100).added[0]["transaction_id"] == "a"  # b was added and removed


def test_fault_spec_parsing() -> None:
    settings = parse_spec("latency=20,error500=0.1,ratelimit=0.05,seed=1")
    assert (settings.latency_ms, settings.error500, settings.ratelimit, settings.seed) == (
        20,
        0.1,
        0.05,
        1,
    )
    with pytest.raises(FaultSpecError, match="unknown fault"):
        parse_spec("explode=1")
    with pytest.raises(FaultSpecError, match="between 0 and 1"):
        parse_spec("error500=2")


def test_hundred_thousand_transactions_load_in_seconds(tmp_path: Path) -> None:
    rows = [
        {
            "transaction_id": f"x{i:06d}",
            "account_id": CARD if i % 3 else CHECKING,
            "amount": round(i * 0.37 % 900, 2),
            "date": f"2024-{i % 12 + 1:02d}-15",
            "name": "VENDOR",
            "iso_currency_code": "USD",
            "pending": False,
            "payment_channel": "online",
            "merchant_name": "Vendor",
        }
        for i in range(100_000)
    ]
    write_bank(tmp_path, rows)
    started = time.perf_counter()
    bank = Bank.load(tmp_path)
    elapsed = time.perf_counter() - started
    assert len(bank.transactions) == 100_000
    assert elapsed < 8, f"loading took {elapsed:.1f}s"
    assert json.loads((tmp_path / "accounts.json").read_text())["accounts"][0]["account_id"]
