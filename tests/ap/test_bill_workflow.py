"""Bill workflow services: approval limits, scheduling, hold, pay now exactly once."""

from datetime import timedelta
from decimal import Decimal

import pytest

from apps.accounts.models import Role
from apps.ap.models import Bill, BillEvent
from apps.ap.services import (
    BillError,
    bill_approve,
    bill_hold,
    bill_pay_now,
    bill_release,
    bill_schedule,
)
from apps.core.errors import Conflict, PermissionDenied
from apps.core.models import AuditEvent
from apps.integrations.sync.models import Action
from apps.runway.services import runway_compute
from tests.factories import make_member
from tests.portal import factories as f
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db
LIMIT = Decimal("500.00")


@pytest.fixture
def setup(tenant_a):
    with in_tenant(tenant_a):
        f.fresh_runway(tenant_a)
        today = f.today_of(tenant_a)
        v = f.vendor("Rent Co")
        data = {
            "today": today,
            "small": f.bill(v, "400.00", today + timedelta(days=3)),
            "big": f.bill(v, "2400.00", today + timedelta(days=3)),
            "account": f.account(),
            "bookkeeper": make_member(tenant_a, Role.BOOKKEEPER),
            "viewer": make_member(tenant_a, Role.VIEWER),
            "owner": make_member(tenant_a, Role.OWNER),
        }
    yield data


def test_bookkeeper_approves_up_to_the_limit_owner_above(tenant_a, setup):
    with in_tenant(tenant_a):
        bill_approve(actor=setup["bookkeeper"], bill=setup["small"], approval_limit=LIMIT)
        with pytest.raises(PermissionDenied, match="approval limit"):
            bill_approve(actor=setup["bookkeeper"], bill=setup["big"], approval_limit=LIMIT)
        assert Bill.objects.get(pk=setup["big"].pk).status == Bill.Status.NEW
        bill_approve(actor=setup["owner"], bill=setup["big"], approval_limit=LIMIT)
        big = Bill.objects.get(pk=setup["big"].pk)
        assert (
            big.status == Bill.Status.APPROVED
            and big.approved_by_email == "owner-alpha@example.test"
        )
        assert BillEvent.objects.filter(bill=big, kind="approved").count() == 1
        assert AuditEvent.objects.filter(action="bill.approved", object_id=str(big.pk)).exists()


def test_viewer_is_refused_every_action(tenant_a, setup):
    viewer, bill = setup["viewer"], setup["small"]
    with in_tenant(tenant_a):
        calls = [
            lambda: bill_approve(actor=viewer, bill=bill, approval_limit=LIMIT),
            lambda: bill_schedule(
                actor=viewer, bill=bill, pay_on=setup["today"], approval_limit=LIMIT
            ),
            lambda: bill_hold(actor=viewer, bill=bill),
            lambda: bill_pay_now(
                actor=viewer,
                bill=bill,
                account=setup["account"],
                idempotency_key="k1",
                approval_limit=LIMIT,
            ),
        ]
        for call in calls:
            with pytest.raises(PermissionDenied):
                call()
        assert Bill.objects.get(pk=bill.pk).status == Bill.Status.NEW
        assert not Action.objects.exists()
        assert not BillEvent.objects.exists()


def test_schedule_refuses_past_dates_and_moves_the_forecast(
    tenant_a, setup, django_capture_on_commit_callbacks
):
    owner, bill, today = setup["owner"], setup["small"], setup["today"]
    with in_tenant(tenant_a):
        with pytest.raises(BillError, match="past"):
            bill_schedule(
                actor=owner, bill=bill, pay_on=today - timedelta(days=1), approval_limit=LIMIT
            )
        assert Bill.objects.get(pk=bill.pk).scheduled_date is None
        before = runway_compute(tenant_a).forecast.bill_dates[str(bill.pk)]
        assert before == bill.due_date
        pay_on = today + timedelta(days=20)
        with django_capture_on_commit_callbacks(execute=True):
            bill_schedule(actor=owner, bill=bill, pay_on=pay_on, approval_limit=LIMIT)
        bill.refresh_from_db()
        assert bill.status == Bill.Status.SCHEDULED and bill.scheduled_date == pay_on
        # New bills are approved on the way; both steps are in the history.
        assert list(bill.events.values_list("kind", flat=True)) == ["approved", "scheduled"]
        assert runway_compute(tenant_a).forecast.bill_dates[str(bill.pk)] == pay_on


def test_hold_and_release(tenant_a, setup):
    with in_tenant(tenant_a):
        bill = bill_hold(actor=setup["bookkeeper"], bill=setup["small"], reason="disputed")
        assert bill.status == Bill.Status.ON_HOLD
        with pytest.raises(Conflict):
            bill_pay_now(
                actor=setup["owner"],
                bill=bill,
                account=setup["account"],
                idempotency_key="k",
                approval_limit=LIMIT,
            )
        bill = bill_release(actor=setup["bookkeeper"], bill=bill)
        assert bill.status == Bill.Status.NEW


def test_pay_now_double_click_and_retry_make_one_payment(tenant_a, setup):
    owner, bill, acct = setup["owner"], setup["small"], setup["account"]
    with in_tenant(tenant_a):
        first = bill_pay_now(
            actor=owner, bill=bill, account=acct, idempotency_key="form-1", approval_limit=LIMIT
        )
        again = bill_pay_now(
            actor=owner, bill=bill, account=acct, idempotency_key="form-1", approval_limit=LIMIT
        )
        assert again.pk == first.pk
        assert Action.objects.count() == 1
        assert first.kind == "bill_payment.create" and first.state == Action.State.PENDING
        assert first.payload == {
            "vendor": bill.vendor_qbo_id,
            "bill": bill.qbo_id,
            "amount": "400.00",
            "bank_account": acct.qbo_id,
            "date": setup["today"].isoformat(),
        }
        assert len(first.key) <= 36
        # A second tab (another form token) while the first payment is on its way: refused.
        with pytest.raises(Conflict, match="already on its way"):
            bill_pay_now(
                actor=owner, bill=bill, account=acct, idempotency_key="form-2", approval_limit=LIMIT
            )
        # Succeeded but not yet seen by a sync: still refused.
        Action.objects.filter(pk=first.pk).update(state=Action.State.SUCCEEDED)
        with pytest.raises(Conflict, match="just paid"):
            bill_pay_now(
                actor=owner, bill=bill, account=acct, idempotency_key="form-3", approval_limit=LIMIT
            )
        assert Action.objects.count() == 1
        assert BillEvent.objects.filter(kind="payment_requested").count() == 1


def test_pay_now_refuses_a_bill_already_paid_in_qbo(tenant_a, setup):
    with in_tenant(tenant_a):
        Bill.objects.filter(pk=setup["small"].pk).update(balance=0, home_balance=0)
        with pytest.raises(Conflict, match="already paid in QuickBooks"):
            bill_pay_now(
                actor=setup["owner"],
                bill=setup["small"],
                account=setup["account"],
                idempotency_key="k",
                approval_limit=LIMIT,
            )
        assert not Action.objects.exists()


@pytest.mark.parametrize(
    "amount, message",
    [
        ("12.345", "two decimal places"),
        ("-5", "more than zero"),
        ("0", "more than zero"),
        ("abc", "not an amount"),
        ("400.01", "more than the open balance"),
        ("NaN", "not an"),
    ],
)
def test_pay_now_bad_amounts_change_nothing(tenant_a, setup, amount, message):
    with in_tenant(tenant_a):
        with pytest.raises(BillError, match=message):
            bill_pay_now(
                actor=setup["owner"],
                bill=setup["small"],
                account=setup["account"],
                amount=amount,
                idempotency_key="k",
                approval_limit=LIMIT,
            )
        assert not Action.objects.exists()
        assert Bill.objects.get(pk=setup["small"].pk).status == Bill.Status.NEW


def test_pay_now_partial_amount_and_card_accounts_refused(tenant_a, setup):
    with in_tenant(tenant_a):
        card = f.account("Visa")
        card.account_type = card.Type.CREDIT_CARD
        card.save()
        with pytest.raises(BillError, match="bank accounts"):
            bill_pay_now(
                actor=setup["owner"],
                bill=setup["small"],
                account=card,
                idempotency_key="k",
                approval_limit=LIMIT,
            )
        action = bill_pay_now(
            actor=setup["owner"],
            bill=setup["small"],
            account=setup["account"],
            amount="150.50",
            idempotency_key="k",
            approval_limit=LIMIT,
        )
        assert action.payload["amount"] == "150.50"


def test_bookkeeper_cannot_pay_an_unapproved_bill_above_the_limit(tenant_a, setup):
    with in_tenant(tenant_a):
        with pytest.raises(PermissionDenied):
            bill_pay_now(
                actor=setup["bookkeeper"],
                bill=setup["big"],
                account=setup["account"],
                idempotency_key="k",
                approval_limit=LIMIT,
            )
        assert not Action.objects.exists()


def test_pay_now_refuses_a_balance_grown_since_approval_before_any_sync(tenant_a, setup):
    """The sync stored a higher balance but its finaliser has not run yet (or a race): pay now
    re-checks the approved amount under the row lock."""
    with in_tenant(tenant_a):
        small = setup["small"]
        bill_approve(actor=setup["bookkeeper"], bill=small, approval_limit=LIMIT)
        Bill.objects.filter(pk=small.pk).update(balance=Decimal("2400.00"),
                                                home_balance=Decimal("2400.00"))
        with pytest.raises(PermissionDenied, match="approved at 400.00"):
            bill_pay_now(actor=setup["bookkeeper"], bill=small, account=setup["account"],
                         idempotency_key="k", approval_limit=LIMIT)
        assert not Action.objects.exists()
        bill_approve(actor=setup["owner"], bill=small, approval_limit=LIMIT)  # not "already"
        assert Bill.objects.get(pk=small.pk).approved_amount == Decimal("2400.00")
