"""Reconciliation: bank-feed transactions matched to the QBO records that moved the same money.

Rules (docs/bank-feeds.md):
- Only feed accounts whose link to a QBO account is confirmed are reconciled.
- A QBO record is a candidate for a bank transaction on the linked account when the amount is
  equal to the cent (Plaid's sign: + = money out of a bank account / a charge on a card) and the
  bank date is within MATCH_DAYS_BEFORE..MATCH_DAYS_AFTER of the QBO date (banks post 0-3 days
  later; checks clear later). Candidates: Payment (to the account), Deposit, BillPayment,
  Purchase (a credit is money in), both legs of a Transfer.
- Pairs are assigned greedily, closest first: smallest day gap (authorized date when the bank
  gives one), then counterparty similarity. Each record and each transaction is used once.
- A bank transaction matched to a QBO Transfer, or pairing with an opposite transaction on another
  of our feed accounts (±3 days), is an own-account transfer (`is_transfer`); the runway excludes
  those between included accounts from burn.
- Matches are re-checked every run: a QBO record deleted or changed frees its transaction.

The candidates come from ``apps.ledger.movements``: ap, ar and bank each register the sources of
their own records (bank may not import its siblings' payments).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from difflib import SequenceMatcher

from django.db import transaction
from django_tenants.utils import tenant_context

from apps.bank.models import BankTransaction, FeedAccount
from apps.ledger.models import Account
from apps.ledger.movements import QboRecord, movement_records

MATCH_DAYS_BEFORE = 3  # bank date may precede the QBO date (entered late in QBO)
MATCH_DAYS_AFTER = 10  # ... or follow it (posting lag, checks clearing)
TRANSFER_PAIR_DAYS = 3
STALE_UNMATCHED_DAYS = 3  # "older than a few days" → a tray item


@dataclass
class ReconcileReport:
    """What one run changed (the sync reports `newly_matched`)."""

    newly_matched: int = 0
    unmatched_cleared: int = 0


def _similar(a: str, b: str) -> float:
    a, b = a.lower().strip(), b.lower().strip()
    if not a or not b:
        return 0.0
    if a in b or b in a:
        return 1.0
    return SequenceMatcher(None, a, b).ratio()


def _gap(txn: BankTransaction, rec: QboRecord) -> int:
    gaps = [abs((txn.date - rec.day).days)]
    if txn.authorized_date:
        gaps.append(abs((txn.authorized_date - rec.day).days))
    return min(gaps)


def _in_window(txn: BankTransaction, rec: QboRecord) -> bool:
    lag = (txn.date - rec.day).days
    if -MATCH_DAYS_BEFORE <= lag <= MATCH_DAYS_AFTER:
        return True
    return txn.authorized_date is not None and txn.authorized_date == rec.day


def match_pairs(txns: list[BankTransaction], records: list[QboRecord],
                qbo_of_feed: dict[int, str]) -> list[tuple[BankTransaction, QboRecord]]:
    """Greedy closest-first assignment of bank transactions to QBO records (pure function)."""
    by_key: dict[tuple[str, Decimal], list[QboRecord]] = defaultdict(list)
    for rec in records:
        by_key[(rec.account_qbo_id, rec.amount)].append(rec)
    pairs = []
    for txn in txns:
        acct = qbo_of_feed.get(txn.feed_account_id)
        for rec in by_key.get((acct, txn.amount), ()):
            if _in_window(txn, rec):
                who = txn.merchant_name or txn.counterparty or txn.name
                sim = _similar(who, rec.counterparty) if rec.counterparty else 0.0
                pairs.append((_gap(txn, rec), -sim, txn.date, txn.transaction_id, rec.kind,
                               rec.pk, txn, rec))
    pairs.sort(key=lambda p: p[:6])
    used_txn: set[int] = set()
    used_rec: set[tuple[str, int, str]] = set()
    chosen = []
    for *_, txn, rec in pairs:
        rkey = (rec.kind, rec.pk, rec.account_qbo_id)
        if txn.pk in used_txn or rkey in used_rec:
            continue
        used_txn.add(txn.pk)
        used_rec.add(rkey)
        chosen.append((txn, rec))
    return chosen


def _feed_transfer_pairs(txns: list[BankTransaction]) -> list[tuple[BankTransaction,
                                                                     BankTransaction]]:
    """Unmatched money out on one feed account meeting the same money in on another (±3 d)."""
    ins: dict[Decimal, list[BankTransaction]] = defaultdict(list)
    for t in txns:
        if t.amount < 0:
            ins[-t.amount].append(t)
    used: set[int] = set()
    pairs = []
    for out in sorted((t for t in txns if t.amount > 0), key=lambda t: (t.date, t.pk)):
        best = None
        for cand in ins.get(out.amount, ()):
            if cand.pk in used or cand.feed_account_id == out.feed_account_id:
                continue
            gap = abs((cand.date - out.date).days)
            if gap <= TRANSFER_PAIR_DAYS and (best is None or gap < best[0]):
                best = (gap, cand)
        if best is not None:
            used.add(best[1].pk)
            pairs.append((out, best[1]))
    return pairs


def _state(t: BankTransaction) -> tuple:
    return (t.matched_type, t.matched_id, t.match_reason, t.is_transfer, t.transfer_to_key)


def reconcile(business) -> ReconcileReport:
    """Match the business's feed transactions to QBO records; idempotent."""
    report = ReconcileReport()
    with tenant_context(business), transaction.atomic():
        feeds = list(FeedAccount.objects.filter(removed=False))
        qbo_of_feed = {f.pk: f.linked_account.qbo_id for f in feeds
                       if f.link_confirmed and f.linked_account_id and f.linked_account}
        feed_of_qbo = {q: pk for pk, q in qbo_of_feed.items()}
        records = movement_records(set(qbo_of_feed.values()))
        live = {(r.kind, r.pk, r.account_qbo_id): r for r in records}
        txns = list(BankTransaction.objects.filter(feed_account__removed=False))
        before = {t.pk: _state(t) for t in txns}
        # Re-check matches: a QBO record deleted/changed (or an account relinked) frees its txn.
        dirty: list[BankTransaction] = []
        taken: set[tuple[str, int, str]] = set()
        for t in txns:
            if not t.matched_type:
                continue
            key = (t.matched_type, t.matched_id, qbo_of_feed.get(t.feed_account_id, ""))
            rec = live.get(key)
            if rec is None or rec.amount != t.amount or key in taken:
                t.matched_type, t.matched_id, t.match_reason = "", None, ""
                t.is_transfer, t.transfer_to_key = False, ""
                dirty.append(t)
                report.unmatched_cleared += 1
            else:
                taken.add(key)
        # Feed-only transfer pairs stay open to a QBO match (a QBO record is better evidence).
        open_txns = [t for t in txns if not t.matched_type]
        open_records = [r for r in records if (r.kind, r.pk, r.account_qbo_id) not in taken]
        for txn, rec in match_pairs(open_txns, open_records, qbo_of_feed):
            txn.matched_type, txn.matched_id = rec.kind, rec.pk
            txn.match_reason = f"amount, {_gap(txn, rec)}d"
            txn.is_transfer, txn.transfer_to_key = rec.kind == "transfer", ""
            if rec.kind == "transfer":
                txn.is_transfer = True
                if txn.amount > 0 and rec.peer_qbo_id:
                    peer_feed = feed_of_qbo.get(rec.peer_qbo_id)
                    txn.transfer_to_key = (f"feed:{peer_feed}" if peer_feed
                                           else f"qbo:{rec.peer_qbo_id}")
            dirty.append(txn)
            report.newly_matched += 1
        leftovers = [t for t in txns if not t.matched_type
                     and (not t.is_transfer or t.match_reason == "feed transfer")]
        for t in leftovers:  # re-pair from scratch each run (idempotent)
            if t.is_transfer:
                t.is_transfer, t.transfer_to_key, t.match_reason = False, "", ""
                dirty.append(t)
        for out, inn in _feed_transfer_pairs(leftovers):
            out.is_transfer = inn.is_transfer = True
            out.transfer_to_key = f"feed:{inn.feed_account_id}"
            out.match_reason = inn.match_reason = "feed transfer"
            dirty.extend((out, inn))
        dirty = [t for t in txns if _state(t) != before[t.pk]]  # write only what changed
        if dirty:
            BankTransaction.objects.bulk_update(
                dirty,
                ["matched_type", "matched_id", "match_reason", "is_transfer", "transfer_to_key"],
                batch_size=2000,
            )
    return report


def unmatched_queryset(as_of: date, *, older_than_days: int = STALE_UNMATCHED_DAYS):
    """Posted feed transactions on reconciled accounts with no QBO record, older than a few
    days (a fresh one may simply not be entered yet). Runs in the current schema."""
    return BankTransaction.objects.filter(
        feed_account__removed=False, feed_account__link_confirmed=True,
        feed_account__linked_account__isnull=False, pending=False, matched_type="",
        is_transfer=False, date__lte=as_of - timedelta(days=older_than_days),
    ).select_related("feed_account")


def unmatched_transactions(business, as_of: date, *, older_than_days: int = STALE_UNMATCHED_DAYS
                           ) -> list[BankTransaction]:
    """`unmatched_queryset` of ``business``, oldest first."""
    with tenant_context(business):
        return list(unmatched_queryset(as_of, older_than_days=older_than_days)
                    .order_by("date", "pk"))


@dataclass
class AccountBridge:
    """Why the bank's balance differs from QBO's for one linked bank account."""

    name: str
    qbo_balance: Decimal
    bank_balance: Decimal
    in_flight: Decimal  # recorded in QBO, still pending at the bank (+ = money still to leave)
    bank_only: Decimal  # posted at the bank, no QBO record (+ = money that left)
    qbo_only: Decimal  # recorded in QBO within the feed's history, never seen at the bank

    @property
    def explained_bank_balance(self) -> Decimal:
        return self.qbo_balance + self.in_flight - self.bank_only + self.qbo_only

    @property
    def difference(self) -> Decimal:
        return self.bank_balance - self.explained_bank_balance


def cash_bridge(business) -> list[AccountBridge]:
    """Bank cash = QBO cash + in-flight items − bank-only items + QBO-only items, per linked
    bank account (the acceptance check of "one truth for cash")."""
    zero = Decimal("0.00")
    out = []
    with tenant_context(business):
        feeds = FeedAccount.objects.filter(
            removed=False, link_confirmed=True, linked_account__isnull=False,
            linked_account__account_type=Account.Type.BANK,
        ).select_related("linked_account")
        for f in feeds:
            acct = f.linked_account
            txns = list(f.txns.all())
            in_flight = sum((t.amount for t in txns if t.pending and t.matched_type), zero)
            bank_only = sum((t.amount for t in txns if not t.pending and not t.matched_type),
                            zero)
            first = min((t.authorized_date or t.date for t in txns), default=None)
            matched = {(t.matched_type, t.matched_id) for t in txns if t.matched_type}
            qbo_only = zero
            if first is not None:
                qbo_only = sum((r.amount for r in movement_records({acct.qbo_id})
                                if r.day >= first and (r.kind, r.pk) not in matched), zero)
            out.append(AccountBridge(f"{acct.name} ••{f.mask}", acct.current_balance,
                                     f.current_balance or zero, in_flight, bank_only, qbo_only))
    return out
