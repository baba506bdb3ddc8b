"""Field extraction and vendor matching on generated bills of every layout."""

from datetime import date
from decimal import Decimal

import pytest

from apps.ap.documents.fields import parse_amount, parse_date
from apps.ap.documents.limits import Limits
from apps.ap.documents.pipeline import document_extract
from apps.ap.documents.vendors import VendorChoice, vendor_match, vendor_name_normalise
from tests.bench.documents_corpus import LAYOUTS, VENDORS, corpus, render_pdf

CHOICES = [VendorChoice(i, str(i), name) for i, (name, _) in enumerate(VENDORS)]


@pytest.mark.parametrize("sample", corpus(8), ids=lambda s: f"{s.layout}-{s.currency}")
def test_text_pdf_fields_are_read_exactly(sample):
    got = document_extract(render_pdf(sample), name="b.pdf", limits=Limits(), vendors=CHOICES)
    f = got.fields
    assert got.vendor.vendor.name == sample.vendor
    assert (f.bill_number.value, f.bill_date.value, f.due_date.value) == (
        sample.number, sample.bill_date, sample.due_date)
    assert (f.total.value, f.currency.value) == (sample.total, sample.currency)
    assert got.ready and got.confidence >= 0.8


def test_every_layout_is_covered():
    assert {s.layout for s in corpus(8)} == set(LAYOUTS)


def test_dates_and_amounts_in_common_formats():
    assert parse_date("March 5, 2026") == date(2026, 3, 5)
    assert parse_date("5 Mar 2026") == date(2026, 3, 5)
    assert parse_date("03/05/2026") == date(2026, 3, 5)
    assert parse_date("03/05/2026", day_first=True) == date(2026, 5, 3)
    assert parse_amount("1,234.56") == Decimal("1234.56")
    assert parse_amount("1.234,56") == Decimal("1234.56")


def test_vendor_names_are_normalised_and_fuzzy_matched():
    assert vendor_name_normalise("Acme Office Supplies, Inc.") == "acme office supplies"
    match = vendor_match("ACME Office Suplies Inc", "", CHOICES)
    assert match.vendor.name == "Acme Office Supplies" and match.confidence >= 0.85
    assert vendor_match("Totally Unknown Gmbh", "", CHOICES).vendor is None
