"""The reminders rule is the switch that lets the collections tick send: on, the automation
tick sends the day's reminder steps once (stale books hold them); the collections dispatcher
leaves an automated or paused business alone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core import mail
from django.utils import timezone

from apps.ar.reminders.models import CollectionsSettings
from apps.automation.models import RuleAction
from apps.automation.rules import automation_pause, rule_switch
from apps.automation.tick import automation_preview, automation_tick
from apps.collections.services import reminders_due
from tests.portal import factories as f
from tests.utils import in_tenant


def _morning(business) -> datetime:
    return datetime.now(ZoneInfo(business.timezone)).replace(hour=9, minute=0, second=0,
                                                             microsecond=0)


def _overdue_customer(books):
    today = f.today_of(books.business)
    with in_tenant(books.business):
        c = f.customer("Acme Co", "billing@acme.test")
        f.invoice(c, "1000.00", today - timedelta(days=1), doc="A-1")  # +1 step due today


def test_reminders_rule_sends_the_day_once(books):
    biz = books.business
    _overdue_customer(books)
    with in_tenant(biz):
        rule_switch(actor=books.owner, kind="remind", on=True)
        row = CollectionsSettings.objects.get()
        assert row.enabled and row.automated
    now = _morning(biz)
    assert "remind" in automation_preview(biz, days=0, include_off=False, now=now).sentence("USD")
    assert biz.slug not in {b.slug for b, _ in reminders_due(now)}  # the rule sends, not beat
    automation_tick(biz, now=now)
    automation_tick(biz, now=now)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["billing@acme.test"]
    with in_tenant(biz):
        assert RuleAction.objects.get(kind="remind").state == "done"
        rule_switch(actor=books.owner, kind="remind", on=False)
        assert not CollectionsSettings.objects.get().enabled


def test_stale_books_hold_reminders(books):
    biz = books.business
    _overdue_customer(books)
    biz.last_sync_at = timezone.now() - timedelta(days=3)
    biz.save(update_fields=["last_sync_at"])
    with in_tenant(biz):
        rule_switch(actor=books.owner, kind="remind", on=True)
    automation_tick(biz, now=_morning(biz))
    assert mail.outbox == []
    with in_tenant(biz):
        assert RuleAction.objects.get(kind="remind").reason == "stale"


def test_collections_dispatcher_skips_a_paused_business(books):
    biz = books.business
    with in_tenant(biz):
        CollectionsSettings.objects.update_or_create(singleton=1, defaults={"enabled": True})
    now = _morning(biz)
    assert biz.slug in {b.slug for b, _ in reminders_due(now)}
    automation_pause(business=biz, actor=None, paused=True)
    assert biz.slug not in {b.slug for b, _ in reminders_due(now)}


def test_a_queued_reminders_tick_of_a_paused_business_sends_nothing(books):
    from apps.collections.services import reminders_run

    biz = books.business
    _overdue_customer(books)
    with in_tenant(biz):
        CollectionsSettings.objects.update_or_create(singleton=1, defaults={"enabled": True})
    automation_pause(business=biz, actor=None, paused=True)
    assert reminders_run(biz, f.today_of(biz)).state == "paused"
    assert mail.outbox == []
