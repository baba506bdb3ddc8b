"""The daily tick: one email per customer per day, each invoice × step at most once, paid
invoices drop out, the habit shift, holds, and the runway left unchanged."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from apps.ar.models import Invoice
from apps.ar.reminders.models import ReminderEmail, ReminderSend
from apps.ar.reminders.plan import Habit, reminders_plan
from apps.ar.reminders.send import email_claim, reminder_email_send, reminders_tick
from apps.ar.reminders.sequences import customer_hold, habit_shift, scheduled_offsets
from apps.runway.engine import to_json
from apps.runway.services import runway_compute
from tests.portal import factories as f
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db


def _keys(email):
    return sorted(email.sends.values_list("key", flat=True))


def test_three_invoices_two_steps_due_today_make_exactly_one_email(rem):
    day = rem.today
    with in_tenant(rem.business):
        c = f.customer("Acme Co", "billing@acme.test")
        soon = f.invoice(c, "1000.00", day + timedelta(days=3), doc="A-1")  # −3 step today
        week = f.invoice(c, "2000.00", day - timedelta(days=7), doc="A-2")  # +7 step today
        older = f.invoice(c, "500.00", day - timedelta(days=12), doc="A-3")  # +7 went 5 days ago
        first = reminders_tick(rem.business, day - timedelta(days=5), {})
        assert first.sent == 1 and len(mail.outbox) == 1  # A-3's step 7, A-2's step 1 (caught up)
        assert _keys(ReminderEmail.objects.get(day=day - timedelta(days=5))) == sorted(
            [f"remind:{older.pk}:{rem.steps[7].pk}", f"remind:{week.pk}:{rem.steps[1].pk}"])
        mail.outbox.clear()

        report = reminders_tick(rem.business, day, {})
        assert report.sent == 1 and len(mail.outbox) == 1
        (email,) = ReminderEmail.objects.filter(day=day)
        assert _keys(email) == sorted([f"remind:{soon.pk}:{rem.steps[-3].pk}",
                                       f"remind:{week.pk}:{rem.steps[7].pk}"])
        msg = mail.outbox[0]
        assert msg.to == ["billing@acme.test"] and email.total == Decimal("3000.00")
        assert "A-1" in msg.body and "A-2" in msg.body and "A-3" not in msg.body
        assert "$3,000.00" in msg.body and "https://pay.example.test/alpha" in msg.body
        assert msg.reply_to == [rem.owner.email] and msg.cc == []
        assert "alpha" in msg.from_email.lower() and "<digest@" in msg.from_email
        assert msg.subject == f"{rem.business.name}: a week past due ($3,000.00)"
        assert older.reminder_sends.count() == 1  # only its earlier step

        again = reminders_tick(rem.business, day, {})  # a second tick the same day
        assert again.sent == 0 and len(mail.outbox) == 1
        assert ReminderSend.objects.count() == 4


def test_paying_one_invoice_stops_only_its_reminders(rem):
    day = rem.today
    with in_tenant(rem.business):
        c = f.customer("Bolt", "ap@bolt.test")
        x = f.invoice(c, "100.00", day - timedelta(days=1), doc="X")
        y = f.invoice(c, "200.00", day - timedelta(days=1), doc="Y")
        reminders_tick(rem.business, day, {})
        assert _keys(ReminderEmail.objects.get(day=day)) == sorted(
            [f"remind:{x.pk}:{rem.steps[1].pk}", f"remind:{y.pk}:{rem.steps[1].pk}"])
        Invoice.objects.filter(pk=x.pk).update(balance=0, home_balance=0, paid_date=day)
        week_later = day + timedelta(days=6)  # step 7 of both
        reminders_tick(rem.business, week_later, {})
        email = ReminderEmail.objects.get(day=week_later)
        assert _keys(email) == [f"remind:{y.pk}:{rem.steps[7].pk}"]
        assert "X" not in [s.invoice.doc_number for s in email.sends.all()]
        assert "$200.00" in mail.outbox[-1].body


def test_paid_or_disputed_between_claim_and_send_is_skipped(rem):
    day = rem.today
    with in_tenant(rem.business):
        c = f.customer("Crest", "ap@crest.test")
        x = f.invoice(c, "100.00", day - timedelta(days=1), doc="X")
        y = f.invoice(c, "200.00", day - timedelta(days=1), doc="Y")
        (planned,) = reminders_plan(day, {}).sendable
        email = email_claim(planned, day)
        Invoice.objects.filter(pk=x.pk).update(balance=0, home_balance=0)
        assert reminder_email_send(rem.business, email) == "sent"
        assert list(email.sends.values_list("invoice_id", "state")) == [
            (x.pk, "skipped"), (y.pk, "included")]
        assert "$200.00" in mail.outbox[-1].body and "Invoice X " not in mail.outbox[-1].body
        z = f.invoice(c, "50.00", day - timedelta(days=8), doc="Z")
        (planned,) = reminders_plan(day + timedelta(days=1), {}).sendable
        email = email_claim(planned, day + timedelta(days=1))
        Invoice.objects.filter(pk=z.pk).update(disputed_at=email.created_at)
        assert reminder_email_send(rem.business, email) == "cancelled"
        assert len(mail.outbox) == 1


def test_habit_shift_rule():
    assert habit_shift(Decimal("20.0"), 5) == 7  # ⌊20 ÷ 2⌋ = 10, capped at 7
    assert habit_shift(Decimal("6.4"), 3) == 3
    assert habit_shift(Decimal("20.0"), 2) == 0  # too little history of its own
    assert habit_shift(Decimal("-4"), 9) == 0 and habit_shift(None, 0) == 0
    assert scheduled_offsets([-3, 1, 7, 14, 30], 7) == {-3: -3, 1: 0, 7: 1, 14: 7, 30: 23}
    assert scheduled_offsets([-3, 1, 7, 14, 30], 3) == {-3: -3, 1: 0, 7: 4, 14: 11, 30: 27}
    assert scheduled_offsets([1, 7], 0) == {1: 1, 7: 7}


def test_a_customer_who_pays_late_gets_its_first_after_due_step_sooner(rem):
    day = rem.today
    with in_tenant(rem.business):
        late = f.customer("Slowpay", "ap@slow.test")
        prompt = f.customer("Prompt", "ap@prompt.test")
        f.invoice(late, "300.00", day, doc="L")  # due today
        f.invoice(prompt, "300.00", day, doc="P")
        habits = {late.qbo_id: Habit(Decimal("20.0"), 6), prompt.qbo_id: Habit(Decimal("1"), 6)}
        plan = {e.customer: e for e in reminders_plan(day, habits).sendable}
        # The late payer's step "1 day after due" moved onto the due date; the prompt payer
        # is still on its heads-up (3 days before, caught up).
        assert plan[late].shift == 7 and plan[late].items[0].step == rem.steps[1]
        assert plan[late].items[0].scheduled_offset == 0
        assert plan[prompt].shift == 0 and plan[prompt].items[0].step == rem.steps[-3]
        tomorrow = {e.customer: e for e in reminders_plan(day + timedelta(days=1),
                                                          habits).sendable}
        assert tomorrow[prompt].items[0].step == rem.steps[1]
        assert tomorrow[late].items[0].step == rem.steps[7]  # step 7 on day 1


def test_held_customer_gets_nothing_and_shows_held_in_the_preview(rem):
    day = rem.today
    with in_tenant(rem.business):
        c = f.customer("Held Co", "ap@held.test")
        f.invoice(c, "100.00", day - timedelta(days=1))
        customer_hold(actor=rem.bookkeeper, customer=c)
        assert reminders_plan(day, {}).sendable == []
        (preview,) = reminders_plan(day, {}, include_held=True).emails
        assert preview.held and preview.why_not == "held"
        assert reminders_tick(rem.business, day, {}).sent == 0 and mail.outbox == []


def test_reminders_off_send_nothing(rem):
    from apps.ar.reminders.models import CollectionsSettings

    with in_tenant(rem.business):
        f.invoice(f.customer("Off Co", "ap@off.test"), "100.00", rem.today - timedelta(days=1))
        CollectionsSettings.objects.update(enabled=False)
        assert reminders_tick(rem.business, rem.today, {}).state == "off"
        assert mail.outbox == []


def test_final_notice_puts_the_owner_in_copy(rem):
    day = rem.today
    with in_tenant(rem.business):
        f.invoice(f.customer("Final Co", "ap@final.test"), "900.00", day - timedelta(days=30))
        reminders_tick(rem.business, day, {})
        msg = mail.outbox[-1]
        assert msg.cc == [rem.owner.email] and msg.subject.startswith("Final notice")


def test_runway_output_is_unchanged_by_reminders(rem):
    day = rem.today
    with in_tenant(rem.business):
        acct = f.account()
        f.burn(acct, "9000.00", day)
        f.invoice(f.customer("Runway Co", "ap@rw.test"), "1500.00", day - timedelta(days=1))
        before = json.dumps(to_json(runway_compute(rem.business, as_of=day)),
                            sort_keys=True, default=str)
        assert reminders_tick(rem.business, day, {}).sent == 1
        f.fresh_runway(rem.business)
        after = json.dumps(to_json(runway_compute(rem.business, as_of=day)),
                           sort_keys=True, default=str)
        assert before == after


def test_a_taken_claim_falls_back_to_one_claim_per_email_and_the_others_still_go(rem):
    """The tick claims its emails in one transaction; when one key is already taken (a manual
    claim an instant before, a concurrent worker) each email is claimed on its own."""
    from django.utils import timezone

    from apps.ar.reminders.retry import MANUAL_GRACE
    from apps.ar.reminders.send import emails_claim
    from apps.core.dates import business_now_override

    day = rem.today
    with in_tenant(rem.business):
        for name in ("Ayla", "Brin", "Cato"):
            c = f.customer(name, f"ap@{name.lower()}.test")
            f.invoice(c, "100.00", day - timedelta(days=1), doc=f"{name}-1")
        plan = reminders_plan(day, {})
        assert len(plan.sendable) == 3
        taken = plan.sendable[1]
        assert email_claim(taken, day, manual=True) is not None  # its key is now used
        emails_claim(plan.sendable, day)
        assert ReminderSend.objects.count() == 3  # one per invoice: nothing claimed twice
        assert ReminderEmail.objects.filter(day=day).count() == 3
        # The tick sends the two claims and, once its own task looks lost, the manual one.
        with business_now_override(timezone.now() + MANUAL_GRACE + timedelta(minutes=1)):
            report = reminders_tick(rem.business, day, {})
            assert report.sent == 3 and sorted(m.to[0] for m in mail.outbox) == [
                "ap@ayla.test", "ap@brin.test", "ap@cato.test"]
            assert set(ReminderEmail.objects.values_list("state", flat=True)) == {"sent"}
            assert reminders_tick(rem.business, day, {}).sent == 0 and len(mail.outbox) == 3
