"""The runway guardrails count every payment already committed but not yet in the books — one an
earlier tick queued (waiting out its undo window), one in the outbox a sync has not reflected —
and run again when a payment leaves its undo window; switching the record rule off cancels its
waiting payments.

The numbers: 50,000 in the bank, about 500 a day of burn, a runway floor of 80 days. One 9,000
payment leaves about 82 days (it goes); two leave about 64 (the second is held)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.ap.models import Bill
from apps.ap.services import bill_pay_now
from apps.automation.models import RuleAction
from apps.automation.rules import rule_switch
from apps.automation.tick import automation_preview, automation_tick
from apps.core.dates import local_today
from apps.core.models import AuditEvent
from apps.integrations.sync.models import Action
from apps.ledger.models import Account
from apps.runway.cache import runway_invalidate
from apps.runway.engine import PayBillNow
from apps.tray.models import TrayItem
from tests.automation.conftest import burn, switch_on
from tests.factories.ap import BillFactory
from tests.utils import in_tenant

NINE = Decimal("9000.00")
LATER = timedelta(minutes=61)  # past the 60-minute undo window


@pytest.fixture
def floor(books, settings):
    """The record rule on with an 80-day floor, payments waiting 60 minutes. Returns today."""
    settings.AUTOMATION_PAYMENT_UNDO_MINUTES = 60
    burn(books, Decimal("500.00"))
    switch_on(books, "record", floor_days="80", floor_amount="")
    return local_today(books.business.timezone)


def _scheduled(books, today, amount=NINE) -> Bill:
    """A bill the owner approved and scheduled for today."""
    with in_tenant(books.business):
        bill = BillFactory(vendor=books.vendor, total=amount, due_date=today + timedelta(days=1))
        Bill.objects.filter(pk=bill.pk).update(status=Bill.Status.SCHEDULED,
                                               scheduled_date=today, approved_amount=amount)
        bill.refresh_from_db()
    runway_invalidate(books.business)
    return bill


def _row(books, bill) -> RuleAction:
    with in_tenant(books.business):
        return RuleAction.objects.get(kind="record", target_id=str(bill.pk))


def _paid(books, bill) -> int:
    return Action.objects.filter(business=books.business, target_id=str(bill.pk)).count()


def test_control_one_tick_queues_the_first_and_holds_the_second(books, floor):
    first, second = _scheduled(books, floor), _scheduled(books, floor)
    automation_tick(books.business)
    assert _row(books, first).state == "waiting"
    assert _row(books, second).reason == "runway_floor"


def test_a_payment_an_earlier_tick_queued_counts(books, floor):
    biz = books.business
    first = _scheduled(books, floor)
    automation_tick(biz)
    assert _row(books, first).state == "waiting"
    second = _scheduled(books, floor)  # the owner schedules another one between two ticks
    assert automation_preview(biz, kinds=("record",), days=0).held()  # the dry run agrees
    automation_tick(biz)
    row = _row(books, second)
    assert (row.state, row.reason) == ("held", "runway_floor")
    assert "below the floor of 80.0 days" in row.reason_text
    assert _row(books, first).state == "waiting"


@pytest.mark.parametrize("outcome", ["pending", "succeeded"])
def test_a_payment_in_the_outbox_not_yet_synced_counts(books, floor, outcome):
    biz = books.business
    by_hand = _scheduled(books, floor + timedelta(days=5))
    with in_tenant(biz):  # the owner records one as paid on its page
        action = bill_pay_now(actor=books.owner, bill=by_hand, account=books.account,
                              idempotency_key="by-hand", approval_limit=Decimal(0))
    if outcome == "succeeded":  # QuickBooks took it; no sync has brought it into the books yet
        Action.objects.filter(pk=action.pk).update(state=Action.State.SUCCEEDED,
                                                   updated_at=timezone.now())
    due = _scheduled(books, floor)
    automation_tick(biz)
    assert (_row(books, due).state, _row(books, due).reason) == ("held", "runway_floor")
    assert _paid(books, due) == 0


def test_committed_payments_are_what_will_leave_the_bank(books, floor):
    """Waiting: the whole balance (as its release pays); the outbox: the amount sent, unless it
    failed or a sync since shows it in the books."""
    from apps.automation.guardrails import committed_payments  # here: the others run without it

    biz = books.business
    waiting = _scheduled(books, floor, Decimal("1000.00"))
    automation_tick(biz)
    later = floor + timedelta(days=5)
    part, failed, synced = (_scheduled(books, later, Decimal("18000.00")) for _ in range(3))
    with in_tenant(biz):
        sent = {b.pk: bill_pay_now(actor=books.owner, bill=b, account=books.account,
                                   idempotency_key=f"hand-{b.pk}", approval_limit=Decimal(0),
                                   amount="4500.00") for b in (part, failed, synced)}
        Action.objects.filter(pk=sent[failed.pk].pk).update(state=Action.State.FAILED)
        Action.objects.filter(pk=sent[synced.pk].pk).update(
            state=Action.State.SUCCEEDED, updated_at=timezone.now() - timedelta(hours=1))
        Bill.objects.filter(pk=synced.pk).update(synced_at=timezone.now())  # the sync saw it
        assert committed_payments(biz) == [PayBillNow(str(waiting.pk)),
                                           PayBillNow(str(part.pk), Decimal("4500.00"))]
        key = _row(books, waiting).key
        assert committed_payments(biz, leave_out=key) == [
            PayBillNow(str(part.pk), Decimal("4500.00"))]


def test_release_control_the_payment_is_not_counted_twice(books, floor):
    biz = books.business
    bill = _scheduled(books, floor)
    now = timezone.now()
    automation_tick(biz, now=now)
    report = automation_tick(biz, now=now + LATER)
    assert report.released == 1 and _paid(books, bill) == 1
    assert _row(books, bill).state == "done"


@pytest.mark.parametrize("change", ["balance", "stale", "paid by hand"])
def test_release_runs_the_guardrails_again(books, floor, change):
    biz = books.business
    bill = _scheduled(books, floor)
    now = timezone.now()
    automation_tick(biz, now=now)
    assert _row(books, bill).state == "waiting"
    if change == "balance":  # a sync in the window: the bank balance is down to 30,000
        with in_tenant(biz):
            Account.objects.filter(pk=books.account.pk).update(
                current_balance=Decimal("30000.00"))
        biz.last_sync_at = now
        biz.save(update_fields=["last_sync_at"])
        runway_invalidate(biz)
    elif change == "stale":  # no sync since: the books are 40 hours old at release
        biz.last_sync_at = now - timedelta(hours=40)
        biz.save(update_fields=["last_sync_at"])
    else:  # another 9,000 bill recorded as paid by hand during the window
        other = _scheduled(books, floor + timedelta(days=5))
        with in_tenant(biz):
            bill_pay_now(actor=books.owner, bill=other, account=books.account,
                         idempotency_key="by-hand", approval_limit=Decimal(0))
    report = automation_tick(biz, now=now + LATER)
    assert report.released == 0 and _paid(books, bill) == 0
    row = _row(books, bill)
    assert row.state == "held" and row.undo_until is None
    assert row.reason == ("stale" if change == "stale" else "runway_floor")
    with in_tenant(biz):  # shown as the tick's holds are
        assert TrayItem.objects.get(key="automation:record:held").status == "open"
    event = AuditEvent.objects.get(business=biz, action="automation.payment_held")
    assert event.object_id == str(bill.pk) and event.after["reason"] == row.reason


def test_held_at_release_is_retried_into_a_new_window_once_the_books_recover(books, floor):
    biz = books.business
    bill = _scheduled(books, floor)
    now = timezone.now()
    automation_tick(biz, now=now)
    biz.last_sync_at = now - timedelta(hours=40)
    biz.save(update_fields=["last_sync_at"])
    automation_tick(biz, now=now + LATER)
    assert _row(books, bill).state == "held"
    biz.last_sync_at = now + LATER  # a sync comes
    biz.save(update_fields=["last_sync_at"])
    automation_tick(biz, now=now + LATER + timedelta(minutes=1))
    row = _row(books, bill)
    assert row.state == "waiting" and row.undo_until > now + LATER  # the owner may undo again
    assert _paid(books, bill) == 0
    automation_tick(biz, now=now + 2 * LATER + timedelta(minutes=2))
    automation_tick(biz, now=now + 2 * LATER + timedelta(minutes=3))
    assert _paid(books, bill) == 1 and _row(books, bill).state == "done"


def test_switching_the_record_rule_off_cancels_its_waiting_payments(books, floor):
    biz = books.business
    bill = _scheduled(books, floor)
    now = timezone.now()
    automation_tick(biz, now=now)
    with in_tenant(biz):
        rule_switch(actor=books.owner, kind="record", on=False)
    row = _row(books, bill)
    assert (row.state, row.reason) == ("undone", "rule_off")
    assert row.undone_by_email == books.owner.email and row.undo_until is None
    assert AuditEvent.objects.filter(business=biz, action="automation.payment_dropped",
                                     object_id=str(bill.pk)).exists()
    with in_tenant(biz):  # on again: the old payment does not go
        rule_switch(actor=books.owner, kind="record", on=True)
    automation_tick(biz, now=now + LATER)
    automation_tick(biz, now=now + 2 * LATER)
    assert _paid(books, bill) == 0 and _row(books, bill).state == "undone"
    with in_tenant(biz):
        assert Bill.objects.get(pk=bill.pk).status == Bill.Status.SCHEDULED  # for the owner

