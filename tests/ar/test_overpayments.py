"""Applying an overpayment (a Payment's unapplied amount) to the customer's oldest open invoice
through the outbox, against the real QBO sandbox: one sparse update of that Payment adding a
line linked to the invoice, exactly once."""

import json
from decimal import Decimal

import pytest

from apps.accounts.models import Role
from apps.ar.models import Invoice, Payment
from apps.ar.overpayments import (
    KIND,
    OVERPAYMENT,
    OverpaymentError,
)
from apps.core.errors import Conflict, PermissionDenied
from apps.core.models import AuditEvent
from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
from apps.integrations.sync.models import Action
from apps.integrations.sync.outbox import action_execute, action_reconcile
from apps.integrations.sync.qbo_sync import qbo_sync_run
from apps.tray.models import TrayItem
from apps.tray.offers import credit_offers
from apps.tray.services import tray_generate
from tests.factories import make_member
from tests.integrations.sync.qbo_company import company, obj, ref, sandbox_rows, start
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, scope="module")
def _memory_broker(memory_broker):
    yield


@pytest.fixture
def sb(tmp_path):
    """The sync tests' company plus, for Beta Corp, an overdue invoice 1042 (300.00 open), a
    later one 1043 (50.00 open) and payment 404 with 120.00 received but not applied."""
    files = company()
    files["Invoice"] += [
        obj("204", CustomerRef=ref("1002"), DocNumber="1042", TxnDate="2026-09-15",
             DueDate="2026-10-15", TotalAmt=300.00, Balance=300.00),
        obj("205", CustomerRef=ref("1002"), DocNumber="1043", TxnDate="2026-10-20",
             DueDate="2026-11-19", TotalAmt=50.00, Balance=50.00),
    ]
    files["Payment"].append(obj(
        "404", CustomerRef=ref("1002"), TxnDate="2026-10-25", TotalAmt=120.00,
        UnappliedAmt=120.00, DepositToAccountRef=ref("35"), Line=[],
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
            "payment": Payment.objects.get(qbo_id="404"),
            "invoice": Invoice.objects.get(qbo_id="204"),
            "other_customers": Invoice.objects.get(qbo_id="201"),
            "bookkeeper": make_member(business, Role.BOOKKEEPER),
            "viewer": make_member(business, Role.VIEWER),
        }


def sandbox_one(sb, entity, qbo_id):
    return next(r for r in sandbox_rows(sb, entity) if r["Id"] == qbo_id)


def sandbox_state(sb):
    return {entity: {r["Id"]: r.get("SyncToken") for r in sandbox_rows(sb, entity)}
            for entity in ("Payment", "Invoice", "Customer", "CreditMemo")}


def changed(before, after):
    return sorted((entity, key) for entity, rows in after.items()
                  for key, token in rows.items() if before[entity].get(key) != token)


def test_apply_updates_the_payment_once_and_both_balances(business, sb, books):
    payment, invoice = books["payment"], books["invoice"]
    tray_generate(business)
    with in_tenant(business):
        item = TrayItem.objects.get(key=f"overpayment:{payment.pk}")
        assert item.status == "open" and "Invoice 1042 has" in item.detail
        assert "to invoice 1042" in item.impact_sentence
        # The forecast already nets the overpayment (DESIGN §4b): applying it is worth no days.
        assert item.impact_days == Decimal("0.0")
        assert item.impact_sentence.startswith("The forecast already counts this overpayment")
        offer = credit_offers({"payment": [payment.pk]})["payment"][str(payment.pk)]
        assert offer.document.pk == invoice.pk and offer.amount == Decimal("120.00")
        action = OVERPAYMENT.apply(actor=books["bookkeeper"], row=payment, document=invoice,
                                   idempotency_key=offer.key)
        assert action.kind == KIND and action.state == "pending"
        assert action.payload["amount"] == "120.00" and action.payload["invoice"] == "204"
        assert AuditEvent.objects.filter(business=business, action="payment.applied").exists()

    before = sandbox_state(sb)
    action = action_execute(action)
    assert action.state == "succeeded", action.error
    # Exactly one change in QBO: the payment (and, as side effects, the invoice it paid and
    # the customer's balance); no new Payment.
    assert changed(before, sandbox_state(sb)) == [
        ("Customer", "1002"), ("Invoice", "204"), ("Payment", "404")]
    assert set(sandbox_state(sb)["Payment"]) == set(before["Payment"])
    paid = sandbox_one(sb, "Payment", "404")
    assert Decimal(str(paid["UnappliedAmt"])) == 0 and Decimal(str(paid["TotalAmt"])) == 120
    [line] = paid["Line"]
    assert line["LinkedTxn"] == [{"TxnId": "204", "TxnType": "Invoice"}]
    assert Decimal(str(line["Amount"])) == 120
    assert Decimal(str(sandbox_one(sb, "Invoice", "204")["Balance"])) == Decimal("180")

    with in_tenant(business):  # the after-action re-read: no sync needed
        assert Invoice.objects.get(pk=invoice.pk).balance == Decimal("180.00")
        stored = Payment.objects.get(pk=payment.pk)
        assert stored.unapplied_amount == Decimal("0.00")
        assert [(x.invoice_id, x.amount) for x in stored.lines.all()] == [
            (invoice.pk, Decimal("120.00"))]
    tray_generate(business)
    with in_tenant(business):
        assert TrayItem.objects.get(key=f"overpayment:{payment.pk}").status == "closed"
    assert action_reconcile(action, check_succeeded=True).drift is False


def test_double_submit_makes_one_action_and_one_update(business, sb, books):
    payment, invoice, who = books["payment"], books["invoice"], books["bookkeeper"]
    with in_tenant(business):
        key = OVERPAYMENT.key(payment, invoice)
        first = OVERPAYMENT.apply(actor=who, row=payment, document=invoice, amount="40.00",
                                  idempotency_key=key)
        again = OVERPAYMENT.apply(actor=who, row=payment, document=invoice, amount="40.00",
                                  idempotency_key=key)
        assert again.pk == first.pk
        with pytest.raises(Conflict, match="already being applied"):  # another tab, other key
            OVERPAYMENT.apply(actor=who, row=payment, document=invoice, amount="40.00",
                              idempotency_key="op-another-form")
        assert Action.objects.filter(kind=KIND).count() == 1
    token = sandbox_one(sb, "Payment", "404")["SyncToken"]
    done = action_execute(first)
    assert done.state == "succeeded"
    assert int(sandbox_one(sb, "Payment", "404")["SyncToken"]) == int(token) + 1
    with in_tenant(business):
        late = OVERPAYMENT.apply(actor=who, row=payment, document=invoice, amount="40.00",
                                 idempotency_key=key)  # a late click of the same form
        assert late.pk == first.pk and Action.objects.filter(kind=KIND).count() == 1
        assert Payment.objects.get(pk=payment.pk).unapplied_amount == Decimal("80.00")
    assert action_execute(done).attempts == done.attempts == 1  # done: a no-op
    assert int(sandbox_one(sb, "Payment", "404")["SyncToken"]) == int(token) + 1
    assert Decimal(str(sandbox_one(sb, "Invoice", "204")["Balance"])) == Decimal("260")


def test_a_second_application_to_the_same_invoice_grows_its_line(business, sb, books):
    payment, invoice, who = books["payment"], books["invoice"], books["bookkeeper"]
    with in_tenant(business):
        first = OVERPAYMENT.apply(actor=who, row=payment, document=invoice, amount="30.00",
                                  idempotency_key="op-first")
    assert action_execute(first).state == "succeeded"
    with in_tenant(business):
        payment, invoice = Payment.objects.get(pk=payment.pk), Invoice.objects.get(pk=invoice.pk)
        second = OVERPAYMENT.apply(actor=who, row=payment, document=invoice,
                                   idempotency_key=OVERPAYMENT.key(payment, invoice))
        assert second.payload["amount"] == "90.00" and second.payload["already_applied"] == "30.00"
    assert action_execute(second).state == "succeeded"
    [line] = sandbox_one(sb, "Payment", "404")["Line"]
    assert Decimal(str(line["Amount"])) == 120
    assert action_reconcile(second, check_succeeded=True).drift is False
    with in_tenant(business):
        assert Invoice.objects.get(pk=invoice.pk).balance == Decimal("180.00")


@pytest.mark.parametrize(
    ("amount", "invoice", "message"),
    [
        ("120.01", "invoice", "At most 120.00 can be applied"),
        ("12.345", "invoice", "more than two decimal places"),
        ("0", "invoice", "more than zero"),
        ("-5", "invoice", "more than zero"),
        ("lots", "invoice", "is not an amount"),
        ("10.00", "other_customers", "same customer's invoice"),
    ],
)
def test_bad_applications_are_refused_and_create_nothing(business, sb, books, amount, invoice,
                                                         message):
    before = sandbox_state(sb)
    with in_tenant(business):
        with pytest.raises(OverpaymentError, match=message):
            OVERPAYMENT.apply(actor=books["bookkeeper"], row=books["payment"],
                              document=books[invoice], amount=amount, idempotency_key="op-bad-1")
        assert not Action.objects.filter(kind=KIND).exists()
        assert not AuditEvent.objects.filter(action="payment.applied").exists()
    assert sandbox_state(sb) == before


def test_viewer_may_not_apply(business, books):
    with in_tenant(business):
        with pytest.raises(PermissionDenied):
            OVERPAYMENT.apply(actor=books["viewer"], row=books["payment"],
                              document=books["invoice"], idempotency_key="op-viewer")
        assert not Action.objects.filter(kind=KIND).exists()


def test_tray_offers_one_click_apply_and_ticks_the_item(business, books):
    payment, invoice = books["payment"], books["invoice"]
    tray_generate(business)
    client = client_for(business, books["bookkeeper"])
    html = client.get("/tray/").content.decode()
    assert 'data-testid="tray-apply-overpayment"' in html
    assert f'action="/overpayments/{payment.pk}/apply/"' in html
    with in_tenant(business):
        item = TrayItem.objects.get(key=f"overpayment:{payment.pk}")
        key = OVERPAYMENT.key(payment, invoice)
    form = {"invoice": invoice.pk, "amount": "120.00", "key": key, "fragment": "tray_item",
            "tray_item": item.pk, "next": "/tray/"}
    for _click in range(2):  # a double click
        response = client.post(f"/overpayments/{payment.pk}/apply/", form,
                               HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    assert 'data-testid="tray-item-status"' in response.content.decode()
    with in_tenant(business):
        assert Action.objects.filter(kind=KIND).count() == 1
        assert TrayItem.objects.get(pk=item.pk).status == "done"
    refused = client_for(business, books["viewer"]).post(
        f"/overpayments/{payment.pk}/apply/", form)
    assert refused.status_code == 403
    too_much = client.post(f"/overpayments/{payment.pk}/apply/",
                           {**form, "amount": "500", "key": "op-too-much"})
    assert too_much.status_code in (400, 409)
