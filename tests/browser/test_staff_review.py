"""Staff review in real headless Chromium: the owner uploads a bill in the portal, staff sign
in to the admin with a password and a TOTP code, claim the document, correct a field and
approve it; the bill shows in the portal and exists once in the QBO sandbox with its file."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import User
from apps.core.dates import local_today
from tests.bench.documents_corpus import Sample, render_pdf, sample_html
from tests.browser.agency import (
    actions_run,
    admin_sign_in,
    agency_fixture,  # noqa: F401 (the `agency` and `sandbox` fixtures)
    post_as_page,
    sandbox_fixture,  # noqa: F401
    sign_in,
)
from tests.browser.conftest import screenshot
from tests.factories import TOTPDeviceFactory, UserFactory
from tests.integrations.sync.qbo_company import sandbox_rows
from tests.utils import in_tenant

pytestmark = pytest.mark.browser

STAFF_EMAIL, STAFF_PASSWORD = "reviewer@oodaloo.test", "a-long-password-1"
NUMBER = "LL-2026-1187"


def _bill_pdf(today) -> bytes:
    sample = Sample(
        layout="classic",
        vendor="Ledgerlight Bookkeeping",
        letterhead="Ledgerlight Bookkeeping LLC",
        number=NUMBER,
        bill_date=today - timedelta(days=3),
        due_date=today + timedelta(days=20),
        terms=None,
        total=Decimal("1850.00"),
        currency="USD",
    )
    sample.html = sample_html(sample, random.Random(5))
    return render_pdf(sample)


def _staff_device() -> tuple[User, TOTPDevice]:
    user = UserFactory(email=STAFF_EMAIL, password=STAFF_PASSWORD, superuser=True)
    return user, TOTPDeviceFactory(user=user)


def test_uploaded_bill_is_reviewed_and_created_once_with_its_file(
    live_site, agency, page, browser, settings, tmp_path
):
    from apps.ap.documents.models import Document
    from apps.ap.documents.services import document_process
    from apps.integrations.sync.models import Action
    from apps.review.models import ReviewTask

    settings.MEDIA_ROOT = str(tmp_path / "media")
    base, port = live_site
    today = local_today(agency.business.timezone)
    pdf = _bill_pdf(today)

    # The owner drops the PDF on the documents page (twice: a double submit).
    sign_in(page, base, port, agency.owner.email)
    page.get_by_role("link", name="Documents").click()
    upload = {"name": "ledgerlight-nov.pdf", "mimeType": "application/pdf", "buffer": pdf}
    page.set_input_files("input[name=files]", files=[upload])
    page.get_by_role("button", name="Upload").click()
    page.wait_for_selector("text=received; we are reading it now")
    page.set_input_files("input[name=files]", files=[upload])
    page.get_by_role("button", name="Upload").click()
    page.wait_for_selector("text=already received")
    with in_tenant(agency.business):  # what the extraction task runs
        for pk in Document.objects.unfinished().values_list("pk", flat=True):
            document_process(document_id=pk)
        assert Document.objects.count() == 1
    page.reload()
    screenshot(page, "documents")

    # Staff: password + TOTP on the public host, then the queue.
    _user, device = _staff_device()
    staff = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        admin_sign_in(staff, base, STAFF_EMAIL, STAFF_PASSWORD, device)
        staff.goto(f"{base}/admin/review/reviewtask/")
        assert staff.locator("text=Fernhill & Finch Creative").count() >= 1
        screenshot(staff, "staff-review-queue")
        task = ReviewTask.objects.get(business=agency.business)
        staff.goto(f"{base}/admin/review/reviewtask/{task.pk}/change/")
        staff.get_by_role("button", name="Claim this document").click()
        staff.wait_for_selector("text=Approve and create bill")
        assert staff.locator("select[name=vendor_id] option:checked").inner_text() == (
            "Ledgerlight Bookkeeping"
        )
        assert staff.input_value("input[name=bill_number]") == NUMBER
        staff.fill("input[name=total]", "1580.00")  # the reader's 1850.00 was a typo on the bill
        screenshot(staff, "staff-review-task")
        fields = {
            name: staff.input_value(f"[name={name}]")
            for name in ("vendor_id", "bill_number", "bill_date", "due_date", "total", "currency")
        }
        # A double click submits twice; Chromium may abort the first navigation for the
        # second, so wait for where both end (the queue, with the message), not for one.
        staff.get_by_role("button", name="Approve and create bill").dblclick()
        staff.wait_for_url(f"{base}/admin/review/reviewtask/")
        staff.wait_for_selector("text=Approved: the bill was created.")
        # A re-submitted form (back button, retry) changes nothing.
        again = post_as_page(
            staff, f"{base}/admin/review/reviewtask/{task.pk}/change/", {"do": "approve", **fields}
        )
        assert again.status in (200, 302)
    finally:
        staff.context.close()

    task.refresh_from_db()
    assert task.state == "approved"
    assert Action.objects.filter(business=agency.business, kind="bill.create").count() == 1
    (action,) = actions_run(agency.business, "bill.create")
    assert action.state == "succeeded", action.error
    actions_run(agency.business, "bill.create")  # a retried task: nothing more

    bills = [b for b in sandbox_rows(agency.sandbox, "Bill") if b.get("DocNumber") == NUMBER]
    assert len(bills) == 1 and Decimal(str(bills[0]["TotalAmt"])) == Decimal("1580.00")
    files = [
        a
        for a in sandbox_rows(agency.sandbox, "Attachable")
        if any(ref["EntityRef"]["value"] == bills[0]["Id"] for ref in a.get("AttachableRef", []))
    ]
    assert len(files) == 1 and files[0]["Size"] == len(pdf)

    page.goto(f"http://{agency.host}:{port}/bills/?q={NUMBER}")
    rows = page.get_by_test_id("bill-row")
    assert rows.count() == 1 and "$1,580.00" in rows.inner_text()
    rows.get_by_role("link").first.click()
    assert page.get_by_test_id("bill-balance").inner_text() == "$1,580.00"
    page.goto(f"http://{agency.host}:{port}/documents/")
    assert page.locator("text=Bill created").count() == 1
