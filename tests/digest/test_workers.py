"""Real processes on real Redis and Postgres: two workers on the same week send one email;
a worker killed mid-send (SIGKILL) is retried and the email still goes out exactly once."""

from pathlib import Path

import pytest
from django_tenants.utils import tenant_context

from apps.core.dates import local_today
from apps.digest.content import week_label
from apps.digest.models import DigestRun
from apps.digest.services import lease_seconds
from tests.digest.workers import send_worker_start

pytestmark = [pytest.mark.worker]


def _emails(maildir: Path) -> int:
    return len(list(maildir.glob("*.log"))) if maildir.exists() else 0


def test_two_workers_same_week_send_one_email(alpha_books, tmp_path):
    week = week_label(local_today(alpha_books.timezone))
    workers = [send_worker_start(week, tmp_path) for _ in range(2)]
    outputs = [w.communicate(timeout=60) for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    states = sorted(out.split()[0] for out, _ in outputs)
    assert "sent" in states and _emails(tmp_path) == 1, outputs


@pytest.mark.parametrize("fault,final", [("kill_after_render", "sent"),
                                         ("kill_before_provider", "unknown"),
                                         ("kill_after_provider", "unknown")])
def test_worker_killed_mid_send_then_retried_sends_at_most_once(alpha_books, tmp_path, fault,
                                                                final):
    week = week_label(local_today(alpha_books.timezone))
    crashed = send_worker_start(week, tmp_path, OODALOO_DIGEST_FAULT=fault)
    crashed.communicate(timeout=60)
    assert crashed.returncode == -9  # SIGKILL, like the OOM killer
    sent_before_retry = _emails(tmp_path)
    busy = send_worker_start(week, tmp_path)  # the dead worker's lease still holds
    assert busy.communicate(timeout=60)[0].split()[0] == "busy"
    # The retry runs on a clock past the dead worker's lease (Redis lock and DB row).
    retry = send_worker_start(week, tmp_path, ahead=lease_seconds() + 1)
    out, err = retry.communicate(timeout=60)
    assert retry.returncode == 0, err
    with tenant_context(alpha_books):
        run = DigestRun.objects.get(key=f"digest:alpha:{week}")
    assert run.state == final and run.attempts == 2
    if fault == "kill_after_render":  # nothing was handed over: the retry sends it
        assert (sent_before_retry, _emails(tmp_path)) == (0, 1)
    elif fault == "kill_after_provider":  # handed over, not recorded: never sent twice
        assert (sent_before_retry, _emails(tmp_path)) == (1, 1)
    else:  # marked sending, died before the call: we can't know, so we don't resend
        assert (sent_before_retry, _emails(tmp_path)) == (0, 0)
