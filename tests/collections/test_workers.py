"""Real processes on real Redis and Postgres: a tick killed (SIGKILL) at each point of the
delivery is retried, and every customer's email goes out once — or, killed between recording
`sending` and the provider's answer, at most once and visibly `unknown`."""

import os
import re
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context

from apps.accounts.models import Role
from apps.ar.models import Customer, Invoice
from apps.ar.reminders.models import CollectionsSettings, ReminderEmail
from apps.ar.reminders.send import lease_seconds, tick_key, tick_lock
from apps.core.dates import local_today
from apps.tenancy.models import Business
from tests.factories import make_member
from tests.portal import factories as f
from tests.utils import child_database_url

pytestmark = [pytest.mark.worker]
CUSTOMERS = 4


@pytest.fixture
def alpha_due(transactional_db):
    alpha = Business.objects.get(slug="alpha")
    make_member(alpha, Role.OWNER)
    with tenant_context(alpha):
        CollectionsSettings.objects.update_or_create(
            singleton=1, defaults={"enabled": True, "attach_pdfs": False})
        today = local_today(alpha.timezone)
        for i in range(CUSTOMERS):
            f.invoice(f.customer(f"Crash {i}", f"ap{i}@crash.test"), "100.00",
                      today - timedelta(days=1))
    yield alpha, today
    # A dead worker's lease outlives the test (600 s of real time): free the day for the next.
    lock = tick_lock(tick_key(alpha, today))
    lock.redis.delete(lock.key)
    with tenant_context(alpha):
        ReminderEmail.objects.all().delete()
        Invoice.objects.all().delete()
        Customer.objects.all().delete()


def _tick(slug: str, day, maildir: Path, ahead: float = 0, **env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.collections.tick_worker", slug, day.isoformat(),
         str(maildir), str(ahead)],
        env={**os.environ, "DATABASE_URL": child_database_url(),
             "DJANGO_SETTINGS_MODULE": "oodaloo.settings.test", **env},
        cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _emails(maildir: Path) -> Counter:
    counts: Counter = Counter()
    for path in maildir.glob("*") if maildir.exists() else []:
        for to in re.findall(r"^To: (\S+)", path.read_text(errors="replace"), flags=re.M):
            counts[to] += 1
    return counts


@pytest.mark.parametrize("fault,sent,unknown", [
    ("kill_after_claim", CUSTOMERS, 0),  # nothing handed over: the retry sends all, once
    ("kill_before_provider", CUSTOMERS - 1, 1),  # marked sending, not handed over: not resent
    ("kill_after_provider", CUSTOMERS - 1, 1),  # handed over, not recorded: never twice
])
def test_tick_killed_then_retried_sends_each_email_once(alpha_due, tmp_path, fault, sent,
                                                        unknown):
    alpha, today = alpha_due
    crashed = _tick("alpha", today, tmp_path, OODALOO_REMINDER_FAULT=fault)
    crashed.communicate(timeout=60)
    assert crashed.returncode == -9  # SIGKILL, like the OOM killer
    # The dead worker's lease (the default 600 s) still holds the day: a retry now is refused…
    early = _tick("alpha", today, tmp_path)
    assert early.communicate(timeout=60)[0].split()[0] == "busy"
    # … and one on a clock past the lease takes over (no waiting for real time).
    retry = _tick("alpha", today, tmp_path, ahead=lease_seconds() + 1)
    out, err = retry.communicate(timeout=60)
    assert retry.returncode == 0, err
    emails = _emails(tmp_path)
    with tenant_context(alpha):
        states = Counter(ReminderEmail.objects.values_list("state", flat=True))
    assert states == Counter({"sent": sent, "unknown": unknown} if unknown else {"sent": sent})
    assert max(emails.values()) == 1  # never two emails to anyone
    expected = CUSTOMERS - (1 if fault == "kill_before_provider" else 0)
    assert sum(emails.values()) == expected, emails
