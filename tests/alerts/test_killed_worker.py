"""A worker killed (SIGKILL, a real separate process) at each point of sending an alert, then
the evaluation run again: each channel gets the day's alert at most once — exactly once when
the kill came before anything was handed over — and a lost one is visibly `unknown`."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.accounts.models import Role
from apps.alerts.models import Alert, AlertDelivery, AlertSettings, Kind
from apps.alerts.services import alerts_evaluate
from apps.integrations.plaid.models import PlaidItem
from apps.tenancy.models import Business
from tests.factories import PlaidItemFactory, make_member
from tests.utils import child_database_url

pytestmark = [pytest.mark.worker]


@pytest.fixture
def alpha_due(transactional_db, receiver):
    alpha = Business.objects.get(slug="alpha")
    make_member(alpha, Role.OWNER)
    with tenant_context(alpha):
        AlertSettings.objects.update_or_create(singleton=1, defaults={
            "webhook_url": receiver.url,
            "disabled_kinds": [k for k in Kind.values if k != Kind.BANK_REPAIR]})
    PlaidItemFactory(business=alpha, status=PlaidItem.Status.LOGIN_REQUIRED)
    yield alpha
    with tenant_context(alpha):
        Alert.objects.all().delete()
        AlertSettings.objects.all().delete()


def _evaluate(maildir: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tests.alerts.evaluate_worker", "alpha", str(maildir)],
        env={**os.environ, "DATABASE_URL": child_database_url(),
             "DJANGO_SETTINGS_MODULE": "oodaloo.settings.test", **env},
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("fault,emails,posts,unknown", [
    ("kill_after_claim", 1, 1, 0),  # nothing handed over: the rerun sends both, once
    ("kill_before_provider", 0, 1, 1),  # email marked sending, not handed over: not resent
    ("kill_after_provider", 1, 1, 1),  # email handed over, not recorded: never twice
])
def test_a_killed_worker_sends_each_channel_at_most_once(alpha_due, receiver, tmp_path, fault,
                                                         emails, posts, unknown):
    crashed = _evaluate(tmp_path, OODALOO_ALERTS_FAULT=fault)
    assert crashed.returncode == -9, crashed.stderr[-2000:]  # SIGKILL, like the OOM killer
    with tenant_context(alpha_due):  # the dead worker's `sending` rows have gone stale
        AlertDelivery.objects.filter(state="sending").update(
            updated_at=timezone.now() - timedelta(minutes=11))
    rerun = alerts_evaluate(alpha_due)
    assert rerun.claimed == []  # the day's alert was claimed by the dead worker
    again = _evaluate(tmp_path)  # and once more, in another process: nothing new
    assert again.returncode == 0, again.stderr[-2000:]
    files = len(list(tmp_path.glob("*"))) if tmp_path.exists() else 0
    assert files + len(mail.outbox) == emails
    assert len(receiver.received) == posts
    with tenant_context(alpha_due):
        assert Alert.objects.count() == 1
        states = list(AlertDelivery.objects.values_list("state", flat=True))
    assert states.count("unknown") == unknown and states.count("sent") == emails + posts - (
        1 if fault == "kill_after_provider" else 0)
