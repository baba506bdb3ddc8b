"""Strict DTOs for the real-books entities (DESIGN §4b), parsed from QBO's real payload shapes
(reference/qbo-api-facts.md §12); malformed records fail with a reason staff can read."""

from datetime import date
from decimal import Decimal

import pytest

from apps.integrations.qbo.dtos import Deleted, MappingError, parse_entity, row_key
from tests.integrations.sync.books_company import REASONS, books, malformed


def one(entity, qbo_id):
    rows = books()[entity]
    return parse_entity(entity, next(r for r in rows if r.get("Id") == qbo_id))


def test_payroll_journal_entry_keeps_every_line_and_total_as_given():
    je = one("JournalEntry", "801")
    assert je.total == 0 and je.private_note == "Gusto payroll 10/09/2026"
    assert je.txn_date == date(2026, 10, 9) and je.currency == "USD"
    assert [(ln.posting_type, ln.account_ref.value, ln.amount) for ln in je.lines] == [
        ("Debit", "60", Decimal("5000.0")), ("Debit", "61", Decimal("450.0")),
        ("Credit", "36", Decimal("5450.0"))]
    assert all(isinstance(ln.amount, Decimal) for ln in je.lines)


def test_journal_line_entity_class_and_department_refs():
    je = one("JournalEntry", "803")
    assert je.doc_number == "JE-3" and len(je.lines) == 2  # DescriptionOnly line skipped
    debit, credit = je.lines
    assert (debit.entity_type, debit.entity_ref.value) == ("Vendor", "56")
    assert debit.class_ref.value == "5000000000000001" and debit.department_ref.value == "2"
    assert (credit.entity_type, credit.entity_ref.name) == ("Employee", "Jane Doe")


def test_vendor_credit_balance_absent_is_none_not_zero():
    assert one("VendorCredit", "811").balance == Decimal("120.0")
    vc = one("VendorCredit", "812")
    assert vc.balance is None and vc.total == Decimal("40.0")
    assert vc.lines[0].account_ref.value == "7"


def test_receipts_and_their_deposit_accounts():
    direct, via_uf = one("SalesReceipt", "821"), one("SalesReceipt", "822")
    assert direct.deposit_to_account_ref.value == "35"
    assert via_uf.deposit_to_account_ref.value == "41"
    assert direct.payment_method_ref.name == "Cash" and direct.customer_ref.value == "1001"
    refund = one("RefundReceipt", "831")
    assert refund.entity == "RefundReceipt" and refund.total == Decimal("75.0")
    assert refund.balance == 0


def test_credit_card_payment_and_card_payoff_purchase():
    ccp = one("CreditCardPayment", "841")
    assert (ccp.amount, ccp.bank_account_ref.value, ccp.credit_card_account_ref.value) == (
        Decimal("157.72"), "35", "40")
    payoff = one("Purchase", "851")
    assert payoff.payment_type == "CreditCard" and payoff.credit is True
    assert payoff.lines[0].account_ref.value == "35"


def test_exchange_rate_has_no_id_and_is_keyed_by_currency_pair_and_date():
    row = books()["ExchangeRate"][2]
    assert "Id" not in row and row_key("ExchangeRate", row) == "CAD:USD:2026-10-01"
    rate = parse_entity("ExchangeRate", row)
    assert rate.qbo_id == "CAD:USD:2026-10-01" and rate.rate == Decimal("0.7312345678")
    assert (rate.source_currency, rate.target_currency, rate.as_of) == (
        "CAD", "USD", date(2026, 10, 1))


def test_reference_lists():
    assert one("CompanyCurrency", "1").code == "EUR"
    assert one("Department", "2").parent_ref.value == "1"
    assert one("Class", "5000000000000001").name == "Design"
    emp = one("Employee", "901")
    assert (emp.display_name, emp.given_name, emp.family_name) == ("Jane Doe", "Jane", "Doe")
    assert not hasattr(emp, "ssn")


def test_foreign_invoice_keeps_its_rate():
    inv = one("Invoice", "861")
    assert inv.currency == "CAD" and inv.exchange_rate == Decimal("0.7312345678")
    assert inv.home_balance == Decimal("731.23")


def test_cdc_deletions_of_new_entities():
    gone = parse_entity("CreditCardPayment", {"Id": "841", "status": "Deleted",
                                              "MetaData": {"LastUpdatedTime":
                                                           "2026-11-01T10:00:00-07:00"}})
    assert isinstance(gone, Deleted) and gone.qbo_id == "841"


@pytest.mark.parametrize("entity, bad_id", list(REASONS))
def test_malformed_records_fail_with_a_reason(entity, bad_id):
    row = next(r for r in malformed()[entity] if row_key(entity, r) == bad_id)
    with pytest.raises(MappingError) as err:
        parse_entity(entity, row)
    assert REASONS[(entity, bad_id)] in err.value.reason and err.value.qbo_id == bad_id


def _broken(entity, qbo_id, **changes):
    row = next(r for r in books()[entity] if r.get("Id") == qbo_id)
    return {**row, **changes}


@pytest.mark.parametrize("entity, row, reason", [
    ("JournalEntry", _broken("JournalEntry", "801", Line=[
        {"Amount": -5, "DetailType": "JournalEntryLineDetail",
         "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": {"value": "60"}}}]),
     "Line[0].Amount is negative"),
    ("JournalEntry", _broken("JournalEntry", "801", Line=[
        {"Amount": 5, "DetailType": "JournalEntryLineDetail",
         "JournalEntryLineDetail": {"PostingType": "Debit"}}]), "Line[0] has no AccountRef"),
    ("JournalEntry", _broken("JournalEntry", "801", Line=[
        {"Amount": 5, "DetailType": "JournalEntryLineDetail",
         "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": {"value": "60"},
                                    "Entity": {"Type": "Robot", "EntityRef": {"value": "1"}}}}]),
     "Entity.Type must be Vendor, Customer or Employee"),
    ("JournalEntry", _broken("JournalEntry", "801", TxnDate="10/09/2026"), "TxnDate is not a date"),
    ("VendorCredit", _broken("VendorCredit", "811", VendorRef=None), "missing VendorRef"),
    ("VendorCredit", _broken("VendorCredit", "811", Balance=-3), "Balance is negative"),
    ("SalesReceipt", _broken("SalesReceipt", "821", TotalAmt="lots"), "TotalAmt is not a number"),
    ("RefundReceipt", _broken("RefundReceipt", "831", ExchangeRate=0),
     "ExchangeRate must be positive"),
    ("CreditCardPayment", _broken("CreditCardPayment", "841", Amount=None), "missing Amount"),
    ("CompanyCurrency", _broken("CompanyCurrency", "1", Code="Euro"), "not an ISO currency"),
    ("Class", _broken("Class", "5000000000000001", Name=""), "missing Name"),
    ("Employee", _broken("Employee", "901", DisplayName="", GivenName="", FamilyName=""),
     "missing DisplayName"),
    ("ExchangeRate", {"SourceCurrencyCode": "EUR", "TargetCurrencyCode": "USD", "Rate": 1.1},
     "missing AsOfDate"),
])
def test_more_malformed_shapes(entity, row, reason):
    with pytest.raises(MappingError) as err:
        parse_entity(entity, row)
    assert reason in err.value.reason
