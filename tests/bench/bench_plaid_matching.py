"""Bank-feed matching quality on the demo agency: precision ≥ 98 %, recall ≥ 95 %.

Ground truth: the generator's own record of which QBO record each Plaid transaction renders
(replayed from its seeded streams, tests/bank/demo_feed.py::demo_truth). Reference in the same
run: the naive rule "same account, same amount, first record within 0-3 days" (no ranking)."""

from __future__ import annotations

import tempfile
import uuid
from datetime import date
from pathlib import Path

from tests.bench.harness import Result, timed

AS_OF = date(2026, 11, 20)


def _naive_precision(business, truth) -> float:
    """Each bank transaction takes the first same-amount record 0-3 days earlier."""
    from django_tenants.utils import tenant_context

    from apps.ap.models import BillPayment
    from apps.ar.models import Payment
    from apps.bank.models import BankTransaction, Deposit, FeedAccount, Purchase, Transfer
    from apps.ledger.movements import movement_records
    from tests.bank.demo_feed import ENTITY_OF_KIND

    with tenant_context(business):
        links = dict(FeedAccount.objects.filter(link_confirmed=True).values_list(
            "pk", "linked_account__qbo_id"))
        records = sorted(movement_records(set(links.values())), key=lambda r: r.day)
        models = {"payment": Payment, "deposit": Deposit, "bill_payment": BillPayment,
                  "purchase": Purchase, "transfer": Transfer}
        qid = {k: dict(m.objects.values_list("pk", "qbo_id")) for k, m in models.items()}
        used, predicted, correct = set(), 0, 0
        for t in BankTransaction.objects.order_by("date", "pk"):
            acct = links.get(t.feed_account_id)
            for r in records:
                key = (r.kind, r.pk, r.account_qbo_id)
                if (r.account_qbo_id == acct and r.amount == t.amount and key not in used
                        and 0 <= (t.date - r.day).days <= 3):
                    used.add(key)
                    predicted += 1
                    correct += truth.get(t.transaction_id) == (ENTITY_OF_KIND[r.kind],
                                                               qid[r.kind].get(r.pk))
                    break
    return correct / predicted if predicted else 1.0


def run(quick: bool) -> list[Result]:
    from apps.accounts.services import business_create_with_owner
    from apps.bank.services.feed_connect import feed_connect_sandbox
    from apps.bank.services.linking import link_accept_suggestions
    from apps.bank.services.reconcile import reconcile
    from apps.demo.generator import generate_company
    from apps.sandboxes.plaid import start_sandbox
    from tests.bank.demo_feed import demo_truth, match_score, qbo_books_ingest

    seed, years, scale = 1, (1 if quick else 2), (0.5 if quick else 1.0)
    slug = f"p{uuid.uuid4().hex[:10]}"
    business_create_with_owner(slug=slug, name=f"Bench {slug}", owner_email=f"o@{slug}.test",
                               timezone_name="America/Los_Angeles", password="bench-password-1")
    from apps.tenancy.models import Business

    business = Business.objects.get(slug=slug)
    with tempfile.TemporaryDirectory() as tmp:
        summary = generate_company(Path(tmp), seed=seed, years=years, scale=scale, as_of=AS_OF)
        qbo_books_ingest(business, Path(tmp) / "qbo", summary.realm)
        with start_sandbox(Path(tmp) / "plaid") as sandbox:
            feed_connect_sandbox(business, host=sandbox.base_url)
            link_accept_suggestions(business)
            seconds, _ = timed(reconcile, business)
    truth = demo_truth(seed, years, scale, AS_OF)
    score = match_score(business, truth)
    naive = _naive_precision(business, truth)
    notes = (f"{summary.counts['plaid_transactions']} Plaid txns, {score.truth} with a QBO "
             f"source, {score.predicted} matched, reconcile {seconds:.2f} s; truth = generator "
             f"replay (seed {seed}, {years} y, scale {scale})")
    return [
        Result(name="Bank-feed matching precision (demo agency)",
               figure=round(100 * score.precision, 2), unit="%", target="≥ 98 %",
               passed=score.precision >= 0.98, reference="naive first-same-amount rule",
               reference_figure=round(100 * naive, 2), notes=notes),
        Result(name="Bank-feed matching recall (demo agency)",
               figure=round(100 * score.recall, 2), unit="%", target="≥ 95 %",
               passed=score.recall >= 0.95, notes=notes),
    ]
