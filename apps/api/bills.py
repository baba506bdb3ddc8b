"""Bills and vendors over the API: the filtered list (the portal's own selector), detail, the
workflow writes (approve, schedule, hold, release, record a payment) and vendor credits. Each
write calls the same service the portal's buttons call, with the same role checks (the
`portal_view` declaration in urls.py plus the service's own guard), the same bill events and
audit rows, and `Idempotency-Key` replay on top."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from apps.ap.models import Bill, Vendor, VendorCredit
from apps.ap.selectors import (
    BILL_STATUS_FILTERS,
    DUE_FILTERS,
    bill_filters,
    bills_filtered,
    vendors_filtered,
)
from apps.ap.services import bill_approve, bill_hold, bill_pay_now, bill_release, bill_schedule
from apps.ap.vendor_credits import VENDOR_CREDIT, unapplied
from apps.api.base import action_view, detail_view, document_out, filtered_rows, list_view, lookup
from apps.api.conventions import IDEMPOTENCY_HEADER, money
from apps.business_settings.selectors import approval_limit
from apps.core.errors import ApplicationError
from apps.ledger.credit_sources import CreditSource
from apps.ledger.models import Account

BillOut = document_out(
    "BillOut", Bill, party="vendor",
    fields=["id", "qbo_id", "doc_number", "vendor", "vendor_id", "txn_date", "due_date", "total",
            "balance", "status", "scheduled_date"])
bill_rows = filtered_rows(bill_filters, bills_filtered)


FILTER_PARAMS = [
    OpenApiParameter("status", str, enum=list(BILL_STATUS_FILTERS),
                     description="open (default), paid, all, or a workflow status"),
    OpenApiParameter("vendor", int, description="a vendor id"),
    OpenApiParameter("due", str, enum=list(DUE_FILTERS), description="overdue or within N days"),
    OpenApiParameter("q", str, description="number or vendor name contains"),
]
_bill = lookup(lambda: Bill.objects.live().select_related("vendor"))

BillListView = list_view(bill_rows, BillOut, ordering=("due_date", "id"),
                         parameters=FILTER_PARAMS, doc="Bills, filtered like the portal's list.")
BillDetailView = detail_view(_bill, BillOut)
BillApproveView = action_view(
    _bill, lambda r, bill: bill_approve(actor=r.user, bill=bill, approval_limit=approval_limit()),
    BillOut, doc="Approve (bookkeepers up to the approval limit; above it, owners).")


class ScheduleIn(serializers.Serializer):
    pay_on = serializers.DateField(allow_null=True, help_text="ISO date; null clears it.")


BillScheduleView = action_view(
    _bill, lambda r, bill, pay_on: bill_schedule(actor=r.user, bill=bill, pay_on=pay_on,
                                                 approval_limit=approval_limit()),
    BillOut, body=ScheduleIn, doc="Plan the payment date (the forecast moves with it).")


class HoldIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


BillHoldView = action_view(
    _bill, lambda r, bill, reason: bill_hold(actor=r.user, bill=bill, reason=reason),
    BillOut, body=HoldIn)
BillReleaseView = action_view(
    _bill, lambda r, bill: bill_release(actor=r.user, bill=bill), BillOut)


class PaymentIn(serializers.Serializer):
    account = serializers.IntegerField(min_value=1, max_value=2**31 - 1,
                                       help_text="A bank (cash) account id to pay from.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False,
                                      min_value=0, help_text="Defaults to the open balance.")


class ActionOut(serializers.Serializer):
    """A QuickBooks write queued in the outbox (sent once; no money moves)."""

    key = serializers.CharField()
    state = serializers.CharField()
    amount = serializers.CharField(source="payload.amount")


def _required_key(request) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        raise ApplicationError("Send an Idempotency-Key header with this write.",
                               code="idempotency_key_required")
    return key


def _pay(request, bill, account, amount=None):
    key = _required_key(request)
    found = Account.objects.cash().filter(pk=account).first()
    if found is None:
        raise ApplicationError("Choose a bank account to pay from.", code="invalid_account")
    return bill_pay_now(actor=request.user, bill=bill, account=found, idempotency_key=key,
                        amount=amount, approval_limit=approval_limit())


BillPaymentView = action_view(
    _bill, _pay, ActionOut, body=PaymentIn, status=202,
    doc="Record a bill payment in QuickBooks through the outbox. `Idempotency-Key` is required "
        "(it also seeds the outbox key).")


# --- vendors and vendor credits ---------------------------------------------------------------

class VendorOut(serializers.ModelSerializer):
    balance = money("balance")

    class Meta:
        model = Vendor
        fields = ["id", "qbo_id", "display_name", "company_name", "email", "active", "balance"]


VENDOR_PARAMS = [OpenApiParameter("q", str), OpenApiParameter("active", str, enum=["0", "1"])]
_vendor = lookup(lambda: Vendor.objects.all())
VendorListView = list_view(lambda r: vendors_filtered(r.query_params), VendorOut,
                           ordering=("display_name", "id"), parameters=VENDOR_PARAMS)
VendorDetailView = detail_view(_vendor, VendorOut)


class VendorCreditOut(serializers.ModelSerializer):
    vendor = serializers.CharField(source="vendor.display_name", default="")
    total = money("total")
    unapplied = serializers.SerializerMethodField()

    class Meta:
        model = VendorCredit
        fields = ["id", "qbo_id", "doc_number", "vendor", "txn_date", "total", "unapplied"]

    def get_unapplied(self, credit) -> str:
        return f"{unapplied(credit):.2f}"


def apply_body(name: str, document: str) -> type[serializers.Serializer]:
    """The body of applying a credit: the `document` ("bill", "invoice") id and an optional
    amount (default: as much as both allow)."""
    return type(name, (serializers.Serializer,), {
        document: serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        "amount": serializers.DecimalField(max_digits=14, decimal_places=2, required=False,
                                           min_value=0),
    })


def credit_apply_call(source: CreditSource, *, document: str, find):
    """The `action_view` call that applies a credit source's row to the body's `document`
    (`find(id)`): through the outbox, once per Idempotency-Key (required)."""
    def call(request, row, amount=None, **body):
        return source.apply(actor=request.user, row=row, document=find(body[document]),
                            amount=amount, idempotency_key=_required_key(request))

    return call


ApplyToBillIn = apply_body("ApplyToBillIn", "bill")
_apply_vendor_credit = credit_apply_call(VENDOR_CREDIT, document="bill", find=_bill)


_credit = lookup(lambda: VendorCredit.objects.live().select_related("vendor"))
VendorCreditListView = list_view(lambda r: VendorCredit.objects.live().select_related("vendor"),
                                 VendorCreditOut, ordering=("-txn_date", "id"))
VendorCreditApplyView = action_view(
    _credit, _apply_vendor_credit, ActionOut, body=ApplyToBillIn, status=202,
    doc="Apply a vendor credit to a bill in QuickBooks (outbox, once; Idempotency-Key "
        "required).")
