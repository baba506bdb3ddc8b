"""A retried digest goes to today's recipients: a member removed or unsubscribed since the first
attempt (refused by the provider, or cut short by a dead worker) is not mailed — the delivery is
`cancelled`, "no longer a recipient" — and the run is judged on the others."""

from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.accounts.models import Membership, Role
from apps.accounts.services import membership_remove
from apps.core.clock import OffsetClock
from apps.core.dates import local_today
from apps.digest.content import week_label
from apps.digest.models import DigestRun
from apps.digest.selectors import runs_with_tracking
from apps.digest.services import (
    Recipient,
    digest_recipients,
    digest_send,
    digest_unsubscribe,
    lease_seconds,
    unsubscribe_token,
)
from tests.digest.workers import send_worker_start
from tests.factories import make_member

NOW = timezone.now()
WEEK = week_label(NOW.astimezone(ZoneInfo("America/Los_Angeles")).date())
BOB = "bob@example.test"


def _bob(business):
    bob = make_member(business, Role.BOOKKEEPER, email=BOB)
    Membership.objects.filter(user=bob, business=business).update(receives_digest=True)
    return bob


def _deliveries(business, key):
    with tenant_context(business):
        run = DigestRun.objects.get(key=key)
        return run, {d.email: (d.state, d.error) for d in run.deliveries.all()}


def test_a_member_removed_after_a_refused_attempt_is_not_mailed_on_the_retry(
        books_a, owner_a, postmark):
    bob = _bob(books_a)
    postmark.mode, postmark.refusal = "refuse", 422  # 09:00: it refuses every message
    first = digest_send(books_a, WEEK, now=NOW)
    assert first.state == "failed"
    assert sorted(postmark.to(postmark.refused)) == sorted([owner_a.email, BOB])
    membership_remove(actor=owner_a, membership=Membership.objects.get(user=bob,
                                                                       business=books_a))
    postmark.mode = "accept"  # 09:15: the retry
    second = digest_send(books_a, WEEK, now=NOW)
    assert (second.state, second.sent) == ("sent", 1)
    assert postmark.to(postmark.accepted) == [owner_a.email]
    run, deliveries = _deliveries(books_a, first.key)
    assert deliveries == {owner_a.email: ("sent", ""),
                          BOB: ("cancelled", "no longer a recipient")}
    with tenant_context(books_a):
        [row] = [r for r in runs_with_tracking() if r.pk == run.pk]
    assert (row.recipients, row.cancelled) == (1, 1)


def test_everyone_gone_before_the_retry_skips_the_run(books_a, owner_a, postmark):
    postmark.mode, postmark.refusal = "refuse", 422
    first = digest_send(books_a, WEEK, now=NOW)
    Membership.objects.filter(user=owner_a, business=books_a).update(receives_digest=False)
    postmark.mode = "accept"
    assert digest_send(books_a, WEEK, now=NOW).state == "skipped"
    assert postmark.accepted == []
    assert _deliveries(books_a, first.key)[1] == {
        owner_a.email: ("cancelled", "no longer a recipient")}


@pytest.mark.worker
def test_a_member_who_unsubscribed_after_a_worker_died_mid_send_is_not_mailed(alpha_books,
                                                                             tmp_path):
    """The worker is SIGKILLed just before handing the owner's email to the provider: the run is
    left `sending`, Bob's delivery still pending. Bob unsubscribes (one click); the retry marks
    the owner's `unknown` (never sent twice) and sends Bob nothing."""
    _bob(alpha_books)
    week = week_label(local_today(alpha_books.timezone))
    crashed = send_worker_start(week, tmp_path, OODALOO_DIGEST_FAULT="kill_before_provider")
    crashed.communicate(timeout=60)
    assert crashed.returncode == -9
    key = f"digest:alpha:{week}"
    run, deliveries = _deliveries(alpha_books, key)
    assert run.state == "sending" and deliveries[BOB][0] == "pending"
    bob = Membership.objects.get(user__email=BOB, business=alpha_books)
    digest_unsubscribe(business=alpha_books,
                       token=unsubscribe_token(alpha_books, Recipient(BOB, bob.user_id)))
    assert BOB not in {r.email for r in digest_recipients(alpha_books)}
    clock = OffsetClock()
    clock.advance(lease_seconds() + 1)  # past the dead worker's lease
    retry = digest_send(alpha_books, week, clock=clock)
    assert (retry.state, retry.sent) == ("unknown", 0)
    assert mail.outbox == []
    assert _deliveries(alpha_books, key)[1][BOB] == ("cancelled", "no longer a recipient")
