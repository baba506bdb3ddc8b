"""Automation rules: each acts once (a second tick does nothing), holds at each guardrail with a
tray item saying why, respects stale data and staff's pause; the dry run says exactly what the
tick then does; undo within the window; bookkeepers propose, owners switch on."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.ap.models import Bill
from apps.ap.services import bill_schedule
from apps.automation.models import Rule, RuleAction
from apps.automation.rules import automation_pause, rule_action_undo, rule_save, rule_switch
from apps.automation.tick import automation_preview, automation_tick
from apps.core.dates import local_today
from apps.core.errors import Conflict, PermissionDenied
from apps.core.models import AuditEvent
from apps.integrations.sync.models import Action
from apps.reserves.models import Reserve
from apps.tenancy.models import BusinessSummary
from apps.tray.models import TrayItem
from tests.automation.conftest import burn, switch_on
from tests.factories import make_member
from tests.utils import in_tenant

ALL = ("approve", "schedule", "record", "reserve")


def _rows(business) -> dict[str, str]:
    with in_tenant(business):
        return dict(RuleAction.objects.values_list("key", "state"))


def test_each_rule_acts_once_and_a_second_tick_does_nothing(books):
    biz = books.business
    switch_on(books, *ALL)
    report = automation_tick(biz)
    with in_tenant(biz):
        bill = Bill.objects.get(pk=books.bill.pk)
        # Approved (known vendor, under the limit), scheduled 3 days before due, and — the
        # schedule not being due this week — not recorded.
        assert bill.status == Bill.Status.SCHEDULED
        assert bill.approved_by_email == "rule:approve"
        assert bill.scheduled_date == bill.due_date - timedelta(days=3)
        stranger = Bill.objects.get(vendor__display_name="New Vendor")
        assert stranger.status == Bill.Status.NEW
        reserve = Reserve.objects.get(pk=books.reserve.pk)
        assert reserve.held == Decimal("400.00")  # 20 % of the 2,000.00 payment
    states = _rows(biz)
    assert sorted(states.values()) == ["done", "done", "done"]
    assert report.sentence("USD").startswith("approve 1 bill(s) for $420.00, schedule 1")
    audits = AuditEvent.objects.filter(business=biz, actor_label__startswith="rule “")
    assert {a.action for a in audits} == {"bill.approved", "bill.scheduled", "reserve.funded"}
    before = (AuditEvent.objects.filter(business=biz).count(), _rows(biz))
    again = automation_tick(biz)
    assert [o for o in again.outcomes if o.state != "held"] == []
    assert (AuditEvent.objects.filter(business=biz).count(), _rows(biz)) == before


def test_record_pays_a_scheduled_bill_on_its_date_through_the_outbox_once(books):
    biz = books.business
    today = local_today(biz.timezone)
    with in_tenant(biz):
        Bill.objects.filter(pk=books.bill.pk).update(
            status=Bill.Status.SCHEDULED, scheduled_date=today, approved_amount=Decimal("420.00"))
    switch_on(books, "record")
    automation_tick(biz)
    automation_tick(biz)
    assert _rows(biz) == {f"record:bill:{books.bill.pk}:{today.isoformat()}": "done"}
    actions = Action.objects.filter(business=biz, target_id=str(books.bill.pk))
    assert actions.count() == 1
    action = actions.get()
    assert action.kind == "bill_payment.create" and action.payload["amount"] == "420.00"
    assert action.created_by_email == "rule:record"
    with in_tenant(biz):
        row = RuleAction.objects.get(kind="record")
        assert row.state == "done" and row.action_key == action.key


def test_runway_floor_holds_with_a_tray_item_and_the_staff_count(books):
    biz = books.business
    burn(books, Decimal("500.00"))  # 50,000 ÷ 500 a day ≈ 100 days of runway
    switch_on(books, "reserve", floor_days="99.5", floor_amount="")
    automation_tick(biz)
    with in_tenant(biz):
        assert Reserve.objects.get(pk=books.reserve.pk).held == 0  # 400 less is < 99.5 days
        row = RuleAction.objects.get(kind="reserve")
        assert row.state == "held" and row.reason == "runway_floor"
        assert "below the floor of 99.5 days" in row.reason_text
        item = TrayItem.objects.get(key="automation:reserve:held")
        assert item.status == "open" and "runway floor" in item.title
    assert BusinessSummary.objects.get(business=biz).automation_held == 1
    # Lower the floor: the next tick acts, the hold and its tray item go.
    with in_tenant(biz):
        rule_save(actor=books.owner, kind="reserve", params={}, floor_days="30")
    automation_tick(biz)
    with in_tenant(biz):
        assert RuleAction.objects.get(kind="reserve").state == "done"
        assert TrayItem.objects.get(key="automation:reserve:held").status == "closed"
    assert BusinessSummary.objects.get(business=biz).automation_held == 0


def test_low_point_floor_holds(books):
    biz = books.business
    switch_on(books, "approve", "schedule", floor_days="", floor_amount="1000000")
    automation_tick(biz)
    with in_tenant(biz):
        assert Bill.objects.get(pk=books.bill.pk).status == Bill.Status.NEW
        held = RuleAction.objects.filter(state="held")
        assert {r.reason for r in held} == {"low_point"}
        assert "forecast low point" in held.first().reason_text
        assert TrayItem.objects.filter(key="automation:approve:held", status="open").exists()
        rule_switch(actor=books.owner, kind="approve", on=False)  # the owner takes over
        assert TrayItem.objects.get(key="automation:approve:held").status == "closed"


def test_stale_data_holds_every_rule(books):
    biz = books.business
    biz.last_sync_at = timezone.now() - timedelta(hours=27)
    biz.save(update_fields=["last_sync_at"])
    switch_on(books, *ALL)
    automation_tick(biz)
    with in_tenant(biz):
        assert Bill.objects.get(pk=books.bill.pk).status == Bill.Status.NEW
        assert Reserve.objects.get(pk=books.reserve.pk).held == 0
        held = RuleAction.objects.all()
        assert held.count() == 2 and {r.reason for r in held} == {"stale"}
        assert "last QuickBooks sync 27 h ago" in held.first().reason_text


def test_dry_run_matches_the_real_run(books):
    biz = books.business
    with in_tenant(biz):  # one action that will be held: a reserve floor nothing passes
        Reserve.objects.filter(pk=books.reserve.pk).update(target=Decimal("5000.00"))
    switch_on(books, *ALL)
    with in_tenant(biz):
        rule_save(actor=books.owner, kind="reserve", params={}, floor_amount="49900")
    now = timezone.now()
    preview = automation_preview(biz, days=0, include_off=False, now=now)
    planned = {o.step.key: o.state for o in preview.outcomes}
    assert sorted(planned.values()) == ["done", "done", "held"]
    assert "held back 1: forecast low point floor" in preview.sentence("USD")
    report = automation_tick(biz, now=now)
    assert {o.step.key: o.state for o in report.outcomes} == planned
    assert _rows(biz) == planned


def test_undo_an_approval_and_a_payment_still_in_its_window(books, settings):
    biz = books.business
    settings.AUTOMATION_PAYMENT_UNDO_MINUTES = 60
    today = local_today(biz.timezone)
    with in_tenant(biz):
        paid_later = Bill.objects.create(
            realm_id="9130", qbo_id="9991", vendor=books.vendor, vendor_qbo_id=books.vendor.qbo_id,
            txn_date=today, due_date=today, total=Decimal("80.00"), balance=Decimal("80.00"),
            home_total=Decimal("80.00"), home_balance=Decimal("80.00"),
            status=Bill.Status.SCHEDULED, scheduled_date=today, approved_amount=Decimal("80.00"))
    switch_on(books, "approve", "record")
    automation_tick(biz)
    with in_tenant(biz):
        approval = RuleAction.objects.get(kind="approve")
        payment = RuleAction.objects.get(kind="record")
        assert payment.state == "waiting"
        rule_action_undo(actor=books.owner, action_id=approval.pk)
        rule_action_undo(actor=books.owner, action_id=payment.pk)
        assert Bill.objects.get(pk=books.bill.pk).status == Bill.Status.NEW
        with pytest.raises(Conflict):
            rule_action_undo(actor=books.owner, action_id=payment.pk)
    automation_tick(biz, now=timezone.now() + timedelta(hours=2))  # after the window
    assert not Action.objects.filter(business=biz, target_id=str(paid_later.pk)).exists()
    with in_tenant(biz):  # undone means undone: the rule does not approve it again
        assert Bill.objects.get(pk=books.bill.pk).status == Bill.Status.NEW
    assert AuditEvent.objects.filter(business=biz, action="automation.undone").count() == 2
    assert AuditEvent.objects.filter(business=biz, action="bill.approval_undone").exists()


def _payment_queued(books, settings):
    """The bill scheduled for today and approved; the record rule queues its payment (waiting
    out a 60-minute undo window). Returns today."""
    settings.AUTOMATION_PAYMENT_UNDO_MINUTES = 60
    today = local_today(books.business.timezone)
    with in_tenant(books.business):
        Bill.objects.filter(pk=books.bill.pk).update(
            status=Bill.Status.SCHEDULED, scheduled_date=today, approved_amount=Decimal("420.00"))
    switch_on(books, "record")
    automation_tick(books.business)
    return today


def test_payment_after_its_window_goes_once_and_cannot_be_undone(books, settings):
    biz = books.business
    _payment_queued(books, settings)
    assert not Action.objects.filter(business=biz).exists()
    later = timezone.now() + timedelta(minutes=61)
    automation_tick(biz, now=later)
    automation_tick(biz, now=later)
    assert Action.objects.filter(business=biz, target_id=str(books.bill.pk)).count() == 1
    with in_tenant(biz):
        row = RuleAction.objects.get(kind="record")
        with pytest.raises(Conflict, match="went to QuickBooks"):
            rule_action_undo(actor=books.owner, action_id=row.pk)


@pytest.mark.parametrize("change", ["rescheduled", "outgrew its approval"])
def test_a_payment_whose_bill_changed_in_its_window_is_not_sent(books, settings, change):
    biz = books.business
    today = _payment_queued(books, settings)
    with in_tenant(biz):
        bill = Bill.objects.get(pk=books.bill.pk)
        if change == "rescheduled":  # the owner moves it on the bill's page, not by undo
            bill_schedule(actor=books.owner, bill=bill, pay_on=today + timedelta(days=7),
                          approval_limit=Decimal(0))
        else:  # a sync: the vendor added a line in QuickBooks
            Bill.objects.filter(pk=bill.pk).update(balance=Decimal("900.00"),
                                                   home_balance=Decimal("900.00"))
    automation_tick(biz, now=timezone.now() + timedelta(minutes=61))
    assert not Action.objects.filter(business=biz, target_id=str(books.bill.pk)).exists()
    with in_tenant(biz):
        row = RuleAction.objects.get(kind="record")
    assert row.state == "undone" and row.reason_text.startswith("Not paid")
    assert AuditEvent.objects.filter(business=biz, action="automation.payment_dropped").exists()


def test_staff_pause_stops_the_tick(books):
    biz = books.business
    switch_on(books, *ALL)
    assert automation_pause(business=biz, actor=None, paused=True, reason="owner asked")
    assert automation_tick(biz).state == "paused"
    assert _rows(biz) == {}
    assert AuditEvent.objects.filter(business=biz, action="staff.automation_paused").exists()
    automation_pause(business=biz, actor=None, paused=False)
    assert automation_tick(biz).state == "done" and _rows(biz)


def test_bookkeeper_proposes_owner_switches_on(books):
    biz = books.business
    bookkeeper = make_member(biz, Role.BOOKKEEPER)
    with in_tenant(biz):
        rule = rule_save(actor=bookkeeper, kind="approve", params={"limit": "300"},
                         floor_days="45")
        assert rule.state == Rule.State.PROPOSED and rule.proposed_by_email == bookkeeper.email
        with pytest.raises(PermissionDenied):
            rule_switch(actor=bookkeeper, kind="approve", on=True)
    assert automation_tick(biz).state == "off"  # a proposal does nothing
    with in_tenant(biz):
        rule_switch(actor=books.owner, kind="approve", on=True)
        with pytest.raises(PermissionDenied):
            rule_save(actor=bookkeeper, kind="approve", params={"limit": "9000"})
    automation_tick(biz)
    with in_tenant(biz):  # the proposal's 300 limit: the 420 bill is left to the owner
        assert Bill.objects.get(pk=books.bill.pk).status == Bill.Status.NEW
    assert AuditEvent.objects.filter(business=biz, action="automation.rule_proposed").exists()


def test_a_rule_whose_owner_left_holds(books):
    biz = books.business
    switch_on(books, "approve")
    biz.memberships.filter(user=books.owner).update(role=Role.BOOKKEEPER)
    automation_tick(biz)
    with in_tenant(biz):
        assert RuleAction.objects.get().reason == "no_owner"
