"""Approving a document whose duplicate was approved already (its bill is in the books) is
refused with a clear message, unless staff corrected the fields into a different bill."""

from datetime import date
from decimal import Decimal

import pytest

from apps.core.errors import Conflict
from tests.factories import DocumentFactory, VendorFactory
from tests.factories.sync import QboConnectionFactory
from tests.utils import in_tenant

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n% the bill\n"


@pytest.fixture
def approved(tenant_a, owner_a, settings, tmp_path):
    """Document A, approved as bill INV-7 of 250.00 on 2 November (its bill.create not sent)."""
    from apps.ap.documents.decisions import BillValues, document_approve
    from apps.ap.documents.models import Document

    settings.MEDIA_ROOT = str(tmp_path)
    QboConnectionFactory(business=tenant_a)
    with in_tenant(tenant_a):
        vendor = VendorFactory(display_name="Acme Paper")
        first = DocumentFactory(content=PDF, state=Document.State.READY)
        values = BillValues(vendor.pk, "INV-7", date(2026, 11, 2), None, Decimal("250.00"), "")
        document_approve(document_id=first.pk, actor=owner_a, values=values)
    return first, vendor, values


def test_the_same_file_approved_twice_is_refused(tenant_a, owner_a, approved):
    from apps.ap.documents.decisions import document_approve
    from apps.ap.documents.models import Document
    from apps.ap.models import Bill

    first, _vendor, values = approved
    with in_tenant(tenant_a):
        # A second copy of the file (from before uploads were serialised), flagged at reading.
        second = DocumentFactory(content=PDF, state=Document.State.NEEDS_REVIEW,
                                 duplicate_of=first,
                                 duplicate_reason=f"the same file as document #{first.pk}")
        with pytest.raises(Conflict, match=f"document #{first.pk} \\(the same file\\) was "
                                           "already approved") as refused:
            document_approve(document_id=second.pk, actor=owner_a, values=values)
        assert refused.value.code == "duplicate"
        assert Bill.objects.count() == 1
        assert Document.objects.get(pk=second.pk).state == "needs_review"


def test_the_same_bill_again_is_refused_a_corrected_one_passes(tenant_a, owner_a, approved):
    from apps.ap.documents.decisions import BillValues, document_approve
    from apps.ap.documents.models import Document
    from apps.ap.models import Bill

    first, vendor, values = approved
    with in_tenant(tenant_a):
        rescan = DocumentFactory(content=b"%PDF-1.4 a scan of the same bill",
                                 state=Document.State.NEEDS_REVIEW, duplicate_of=first,
                                 duplicate_reason="same vendor and number")
        with pytest.raises(Conflict, match="the same bill"):
            document_approve(document_id=rescan.pk, actor=owner_a, values=values)
        # Same vendor, amount and date, another number: still the same bill.
        same_day = BillValues(vendor.pk, "INV-8", values.bill_date, None, values.total, "")
        with pytest.raises(Conflict, match="the same bill"):
            document_approve(document_id=rescan.pk, actor=owner_a, values=same_day)
        # Staff read it properly: another bill of that vendor (another number and amount).
        other = BillValues(vendor.pk, "INV-8", values.bill_date, None, Decimal("99.00"), "")
        assert document_approve(document_id=rescan.pk, actor=owner_a,
                                values=other).state == "approved"
        assert Bill.objects.count() == 2
