"""One truth for cash: each Plaid account linked to its QBO account.

We suggest the QBO copy by mask, name and balance; the owner confirms (or says "a separate
account"). Until confirmed, the runway counts the QBO copy only (a feed account without a
confirmed link is shown, not counted), so nothing is ever counted twice; confirmed as separate,
it counts on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher

from django.db import transaction
from django_tenants.utils import tenant_context

from apps.bank.models import Account, FeedAccount
from apps.bank.services.feed_items import feed_changed
from apps.core.services.audit import audit_record
from apps.core.services.data_version import data_changed

# Plaid account type → the QBO account type it can be a copy of.
QBO_TYPE_FOR = {"depository": Account.Type.BANK, "credit": Account.Type.CREDIT_CARD}
SUGGEST_FROM = 40


class LinkError(ValueError):
    pass


@dataclass(frozen=True)
class LinkCandidate:
    account: Account
    score: int
    reason: str


def _norm(text: str) -> str:
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def link_score(feed: FeedAccount, account: Account) -> LinkCandidate:
    """Mask is the strongest clue (a different mask rules the pair out), then name, then the
    balance (equal to the cent, or within 2 %: the two sides lag each other by a few days)."""
    score, why = 0, []
    if feed.mask and account.mask:
        if feed.mask == account.mask:
            score, why = 50, [f"mask ••{feed.mask}"]
        else:
            return LinkCandidate(account, -100, "different mask")
    names = [_norm(n) for n in (feed.name, feed.official_name) if n]
    ratio = max((SequenceMatcher(None, n, _norm(account.name)).ratio() for n in names),
                default=0.0)
    if ratio >= 0.5:
        score += round(30 * ratio)
        why.append("name")
    if feed.current_balance is not None:
        a, b = abs(feed.current_balance), abs(account.current_balance)
        if a == b:
            score, why = score + 20, [*why, "balance"]
        elif max(a, b) > 0 and abs(a - b) / max(a, b) <= Decimal("0.02"):
            score, why = score + 10, [*why, "balance within 2%"]
    return LinkCandidate(account, score, ", ".join(why))


def link_candidates(feed: FeedAccount) -> list[LinkCandidate]:
    qbo_type = QBO_TYPE_FOR.get(feed.type)
    if qbo_type is None:
        return []
    taken = FeedAccount.objects.exclude(pk=feed.pk).filter(
        link_confirmed=True, linked_account__isnull=False
    ).values_list("linked_account_id", flat=True)
    accounts = Account.objects.filter(
        account_type=qbo_type, is_deleted=False, active=True
    ).exclude(pk__in=list(taken))
    found = [link_score(feed, a) for a in accounts]
    return sorted((c for c in found if c.score > 0), key=lambda c: (-c.score, c.account.pk))


def link_suggestions_refresh(business) -> int:
    """Store the best unique suggestion for every unconfirmed feed account; returns how many
    have one. Greedy on score so two feed accounts never get the same QBO account."""
    with tenant_context(business):
        feeds = list(FeedAccount.objects.filter(link_confirmed=False, removed=False))
        pairs = sorted(
            ((c.score, f.pk, c) for f in feeds for c in link_candidates(f)
             if c.score >= SUGGEST_FROM),
            key=lambda p: (-p[0], p[1]),
        )
        chosen: dict[int, LinkCandidate] = {}
        used: set[int] = set()
        for _score, feed_pk, cand in pairs:
            if feed_pk not in chosen and cand.account.pk not in used:
                chosen[feed_pk] = cand
                used.add(cand.account.pk)
        for f in feeds:
            cand = chosen.get(f.pk)
            new = (cand.account.pk if cand else None, cand.reason[:200] if cand else "")
            if (f.suggested_account_id, f.suggestion_reason) != new:
                f.suggested_account_id, f.suggestion_reason = new
                f.save(update_fields=["suggested_account", "suggestion_reason"])
        return len(chosen)


def link_confirm(business, feed: FeedAccount, account: Account | None, *, actor=None
                 ) -> FeedAccount:
    """The owner's word: `account` is the QBO copy of this feed account, or None = "a separate
    account QBO does not have" (then the feed account counts on its own)."""
    _link_record(business, feed, account, actor=actor)
    data_changed(business)  # the link decides which balance counts as cash
    feed_changed(business)
    return feed


def _link_record(business, feed: FeedAccount, account: Account | None, *, actor) -> None:
    """Check, save and audit one link; the caller says once that the data changed."""
    with tenant_context(business), transaction.atomic():
        if account is not None:
            expected = QBO_TYPE_FOR.get(feed.type)
            if account.account_type != expected:
                raise LinkError(f"a {feed.type} account cannot be linked to {account.account_type}")
            other = FeedAccount.objects.filter(linked_account=account).exclude(pk=feed.pk).first()
            if other is not None:
                raise LinkError(f"{account.name} is already linked to {other}")
        before = {"linked": feed.linked_account_id, "confirmed": feed.link_confirmed}
        feed.linked_account = account
        feed.link_confirmed = True
        feed.suggested_account = None
        feed.suggestion_reason = ""
        feed.save(update_fields=["linked_account", "link_confirmed", "suggested_account",
                                 "suggestion_reason"])
        audit_record(actor=actor, action="bank_feed.link_confirm", business=business,
                     object_type="FeedAccount", object_id=str(feed.pk), before=before,
                     after={"linked": feed.linked_account_id, "confirmed": True})


def link_undo(business, feed: FeedAccount, *, actor=None) -> FeedAccount:
    with tenant_context(business), transaction.atomic():
        before = {"linked": feed.linked_account_id, "confirmed": feed.link_confirmed}
        feed.linked_account = None
        feed.link_confirmed = False
        feed.save(update_fields=["linked_account", "link_confirmed"])
        audit_record(actor=actor, action="bank_feed.link_undo", business=business,
                     object_type="FeedAccount", object_id=str(feed.pk), before=before,
                     after={"linked": None, "confirmed": False})
    data_changed(business)
    link_suggestions_refresh(business)
    feed_changed(business)
    return feed


def link_accept_suggestions(business, *, actor=None) -> int:
    """Confirm every current suggestion (the owner's "these are right" button; also the demo)."""
    with tenant_context(business):
        feeds = list(FeedAccount.objects.filter(link_confirmed=False, removed=False,
                                                suggested_account__isnull=False)
                     .select_related("suggested_account"))
    for f in feeds:
        _link_record(business, f, f.suggested_account, actor=actor)
    if feeds:  # one recompute for the lot, not one per link
        data_changed(business)
        feed_changed(business)
    return len(feeds)
