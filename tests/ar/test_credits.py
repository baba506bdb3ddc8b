"""Applying a credit memo to an invoice through the outbox, against the real QBO sandbox:
one zero-total Payment with an Invoice line and a CreditMemo line, exactly once."""

import json
from decimal import Decimal

import pytest

from apps.accounts.models import Role
from apps.ar.credits import (
    KIND,
    MEMO,
    CreditError,
)
from apps.ar.models import CreditMemo, Invoice
from apps.ar.overpayments import OVERPAYMENT
from apps.core.errors import Conflict, PermissionDenied
from apps.core.models import AuditEvent
from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
from apps.integrations.sync.models import Action
from apps.integrations.sync.outbox import NOTE_PREFIX, action_execute, action_key, action_reconcile
from apps.integrations.sync.qbo_sync import qbo_sync_run
from apps.tray.models import TrayItem
from apps.tray.offers import credit_offers
from apps.tray.services import tray_generate
from tests.factories import PaymentFactory, make_member
from tests.integrations.sync.qbo_company import company, obj, ref, sandbox_rows, start
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, scope="module")
def _memory_broker(memory_broker):
    yield


@pytest.fixture
def sb(tmp_path):
    """The sync tests' company plus an overdue invoice 1042 (300.00 open) for Beta Corp, who
    has credit memo 501 with 100.00 of credit left."""
    files = company()
    files["Invoice"].append(obj(
        "204", CustomerRef=ref("1002"), DocNumber="1042", TxnDate="2026-09-15",
        DueDate="2026-10-15", TotalAmt=300.00, Balance=300.00,
    ))
    directory = tmp_path / "co"
    directory.mkdir()
    for entity, rows in files.items():
        (directory / f"{entity}.json").write_text(json.dumps({entity: rows}))
    handle = start(directory)
    yield handle
    handle.stop()


@pytest.fixture
def business(sb, tenant_a, settings):
    settings.QBO_RETRY_BASE = 0.01
    settings.QBO_RETRY_CAP = 0.05
    sandbox_connect(tenant_a, sb.base_url)
    qbo_sync_run(tenant_a, full=True)
    return tenant_a


@pytest.fixture
def books(business):
    with in_tenant(business):
        return {
            "memo": CreditMemo.objects.get(qbo_id="501"),
            "invoice": Invoice.objects.get(qbo_id="204"),
            "other_customers": Invoice.objects.get(qbo_id="201"),
            "bookkeeper": make_member(business, Role.BOOKKEEPER),
            "viewer": make_member(business, Role.VIEWER),
        }


def payments_for(sb, key):
    return [r for r in sandbox_rows(sb, "Payment")
            if r.get("PrivateNote") == f"{NOTE_PREFIX}{key}"]


def sandbox_one(sb, entity, qbo_id):
    return next(r for r in sandbox_rows(sb, entity) if r["Id"] == qbo_id)


def test_apply_writes_one_zero_payment_and_updates_both_balances(business, sb, books):
    memo, invoice = books["memo"], books["invoice"]
    tray_generate(business)
    with in_tenant(business):
        item = TrayItem.objects.get(key=f"credit:{memo.pk}")
        assert item.status == "open" and "Invoice 1042 has" in item.detail
        assert "to invoice 1042" in item.impact_sentence
        # The forecast already nets the credit (DESIGN §4b): applying it is worth no days.
        assert item.impact_days == Decimal("0.0")
        assert item.impact_sentence.startswith("The forecast already counts this credit")
        offer = credit_offers({"credit_memo": [memo.pk]})["credit_memo"][str(memo.pk)]
        assert offer.document.pk == invoice.pk and offer.amount == Decimal("100.00")
        action = MEMO.apply(actor=books["bookkeeper"], row=memo, document=invoice,
                            idempotency_key=offer.key)
        assert action.kind == KIND and action.state == "pending"
        assert action.payload["amount"] == "100.00" and action.payload["invoice"] == "204"
        assert AuditEvent.objects.filter(business=business, action="credit_memo.applied").exists()

    action = action_execute(action)
    assert action.state == "succeeded", action.error
    [payment] = payments_for(sb, action.key)
    assert Decimal(str(payment["TotalAmt"])) == 0 and len(payment["Line"]) == 2
    linked = {line["LinkedTxn"][0]["TxnType"]: (line["LinkedTxn"][0]["TxnId"],
                                                 Decimal(str(line["Amount"])))
              for line in payment["Line"]}
    assert linked == {"Invoice": ("204", Decimal("100")), "CreditMemo": ("501", Decimal("100"))}
    assert Decimal(str(sandbox_one(sb, "Invoice", "204")["Balance"])) == Decimal("200")
    assert Decimal(str(sandbox_one(sb, "CreditMemo", "501")["RemainingCredit"])) == 0

    with in_tenant(business):  # the after-action re-read: no sync needed
        assert Invoice.objects.get(pk=invoice.pk).balance == Decimal("200.00")
        assert CreditMemo.objects.get(pk=memo.pk).balance == Decimal("0.00")
    tray_generate(business)
    with in_tenant(business):
        assert TrayItem.objects.get(key=f"credit:{memo.pk}").status == "closed"
    assert action_reconcile(action, check_succeeded=True).drift is False


def test_double_submit_makes_one_action_and_one_payment(business, sb, books):
    memo, invoice, who = books["memo"], books["invoice"], books["bookkeeper"]
    with in_tenant(business):
        key = MEMO.key(memo, invoice)
        first = MEMO.apply(actor=who, row=memo, document=invoice, amount="40.00",
                           idempotency_key=key)
        again = MEMO.apply(actor=who, row=memo, document=invoice, amount="40.00",
                           idempotency_key=key)
        assert again.pk == first.pk
        # The outbox key is the server's, bound to this business: never the form's token.
        assert first.key != key and first.key == action_key(business, "cm", memo.pk,
                                                            invoice.pk, key)
        with pytest.raises(Conflict, match="already being applied"):  # another tab, other key
            MEMO.apply(actor=who, row=memo, document=invoice, amount="40.00",
                       idempotency_key="cm-another-form")
        assert Action.objects.filter(kind=KIND).count() == 1
    done = action_execute(first)
    assert done.state == "succeeded"
    with in_tenant(business):
        late = MEMO.apply(actor=who, row=memo, document=invoice, amount="40.00",
                          idempotency_key=key)  # a late click of the same form
        assert late.pk == first.pk and Action.objects.filter(kind=KIND).count() == 1
        assert CreditMemo.objects.get(pk=memo.pk).balance == Decimal("60.00")
    assert len(payments_for(sb, first.key)) == 1
    assert action_execute(done).attempts == done.attempts == 1  # done: a no-op


@pytest.mark.parametrize(
    ("amount", "invoice", "error", "message"),
    [
        ("100.01", "invoice", CreditError, "At most 100.00 can be applied"),
        ("12.345", "invoice", CreditError, "more than two decimal places"),
        ("0", "invoice", CreditError, "more than zero"),
        ("-5", "invoice", CreditError, "more than zero"),
        ("lots", "invoice", CreditError, "is not an amount"),
        ("10.00", "other_customers", CreditError, "same customer's invoice"),
    ],
)
def test_bad_applications_are_refused_and_create_nothing(
    business, sb, books, amount, invoice, error, message
):
    with in_tenant(business):
        with pytest.raises(error, match=message):
            MEMO.apply(actor=books["bookkeeper"], row=books["memo"],
                       document=books[invoice], amount=amount, idempotency_key="cm-bad-1")
        assert not Action.objects.filter(kind=KIND).exists()
        assert not AuditEvent.objects.filter(action="credit_memo.applied").exists()
    assert [r for r in sandbox_rows(sb, "Payment") if r.get("PrivateNote")] == []


def test_viewer_may_not_apply(business, books):
    with in_tenant(business):
        with pytest.raises(PermissionDenied):
            MEMO.apply(actor=books["viewer"], row=books["memo"],
                       document=books["invoice"], idempotency_key="cm-viewer")
        assert not Action.objects.filter(kind=KIND).exists()


def test_tray_offers_one_click_apply_and_ticks_the_item(business, books):
    memo, invoice = books["memo"], books["invoice"]
    tray_generate(business)
    client = client_for(business, books["bookkeeper"])
    html = client.get("/tray/").content.decode()
    assert 'data-testid="tray-apply-credit"' in html and "to invoice 1042" in html
    with in_tenant(business):
        item = TrayItem.objects.get(key=f"credit:{memo.pk}")
        key = MEMO.key(memo, invoice)
    form = {"invoice": invoice.pk, "amount": "100.00", "key": key, "fragment": "tray_item",
            "tray_item": item.pk, "next": "/tray/"}
    for _click in range(2):  # a double click
        response = client.post(f"/credits/{memo.pk}/apply/", form, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    assert 'data-testid="tray-item-status"' in response.content.decode()
    with in_tenant(business):
        assert Action.objects.filter(kind=KIND).count() == 1
        assert TrayItem.objects.get(pk=item.pk).status == "done"
    refused = client_for(business, books["viewer"]).post(f"/credits/{memo.pk}/apply/", form)
    assert refused.status_code == 403
    too_much = client.post(f"/credits/{memo.pk}/apply/", {**form, "amount": "500",
                                                           "key": "cm-too-much"})
    assert too_much.status_code in (400, 409)


def test_an_invoice_takes_one_credit_application_at_a_time(business, books):
    """A memo and an overpayment applied together could each fit the balance QBO still shows
    and together exceed it."""
    memo, invoice, who = books["memo"], books["invoice"], books["bookkeeper"]
    with in_tenant(business):
        payment = PaymentFactory(customer=memo.customer, unapplied_amount=Decimal("40.00"))
        MEMO.apply(actor=who, row=memo, document=invoice, amount="10.00", idempotency_key="cm-1")
        with pytest.raises(Conflict, match="Another payment or credit for this invoice"):
            OVERPAYMENT.apply(actor=who, row=payment, document=invoice, amount="10.00",
                              idempotency_key="op-1")
        assert Action.objects.filter(kind="payment.apply").count() == 0
