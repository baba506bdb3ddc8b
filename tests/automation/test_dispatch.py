"""Beat's hourly automation dispatch: one tick per business with a rule on, none for a business
without one or paused by staff; the task runs the tick in the business's schema."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from apps.automation.dispatch import automation_dispatch
from apps.automation.rules import automation_pause
from apps.automation.tasks import automation_tick_task
from apps.core.models import JobRun
from tests.automation.conftest import switch_on
from tests.utils import in_tenant

pytestmark = pytest.mark.usefixtures("memory_broker")


def test_dispatch_sends_one_tick_per_business_with_a_rule_on(books, tenant_b):
    now = timezone.now()
    assert automation_dispatch(now) == []  # no rule on anywhere
    switch_on(books, "approve")
    assert automation_dispatch(now) == [f"automation:alpha:{now:%Y-%m-%dT%H}"]
    automation_pause(business=books.business, actor=None, paused=True)
    assert automation_dispatch(now) == []


def test_the_tick_task_acts_in_the_business_schema(books):
    switch_on(books, "approve")
    with in_tenant(books.business):
        out = automation_tick_task.apply(kwargs={"hour": "h"}).get()
    assert out["state"] == "done" and [k for k, s in out["outcomes"] if s == "done"]
    assert JobRun.objects.filter(name="automation.tick", state="succeeded").exists()


def test_beat_runs_the_dispatcher_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["automation-dispatch"]
    assert entry["task"] == "automation.dispatch" and entry["schedule"] == timedelta(hours=1)
