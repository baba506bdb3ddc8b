"""The demo agency through both sides: QBO books ingested by qbosync's sinks, the Plaid bank
served by the sandbox and synced by our feed, plus the generator's ground truth of which QBO
record each Plaid transaction came from (used by the test and `make bench`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django_tenants.utils import tenant_context

ENTITY_OF_KIND = {"payment": "Payment", "deposit": "Deposit", "bill_payment": "BillPayment",
                  "purchase": "Purchase", "transfer": "Transfer"}


def demo_truth(seed: int, years: float, scale: float, as_of: date) -> dict[str, tuple[str, str]]:
    """Plaid transaction id → (QBO entity, QBO Id), replaying the generator's seeded streams.

    The generator's Plaid objects do not name their QBO source, so we re-run its deterministic
    build (same seed → same ids) and record each movement as its transaction is rendered."""
    from apps.demo.generator import company, plaid_render
    from apps.demo.generator.qbo_render import assign_ids

    led, _start = company.build_ledger(seed, years, scale, as_of)
    seen: list[tuple[object, str]] = []
    original = plaid_render._transaction

    def recording(mv, *args, **kwargs):
        tx = original(mv, *args, **kwargs)
        seen.append((mv, tx["transaction_id"]))
        return tx

    plaid_render._transaction = recording
    try:
        plaid_render.render_bank(led, company._rng(seed, "plaid"), as_of)
    finally:
        plaid_render._transaction = original
    assign_ids(led)
    return {tid: (type(mv.txn).__name__, mv.txn.qbo_id)
            for mv, tid in seen if mv.txn is not None and not mv.bank_only}


def qbo_books_ingest(business, qbo_dir: Path, realm: str) -> int:
    """Store the demo's QBO files through the sync sinks (as a full sync would)."""
    from apps.integrations.sync.models import QboConnection
    from apps.integrations.sync.qbo_sync import SYNC_ORDER, qbo_ingest_objects

    QboConnection.objects.update_or_create(
        business=business, defaults={"realm_id": realm, "api_base": "http://127.0.0.1:9",
                                     "access_token": "none", "refresh_token": "none"})
    stored = 0
    for n, entity in enumerate(SYNC_ORDER):
        path = qbo_dir / f"{entity}.json"
        if not path.exists():
            continue
        rows = json.loads(path.read_text(), parse_float=Decimal)[entity]
        stored += qbo_ingest_objects(business, entity, rows, finalise=n == len(SYNC_ORDER) - 1)
    return stored


@dataclass
class Score:
    predicted: int
    correct: int
    truth: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.truth if self.truth else 1.0


def match_score(business, truth: dict[str, tuple[str, str]]) -> Score:
    from apps.ap.models import BillPayment
    from apps.ar.models import Payment
    from apps.bank.models import BankTransaction, Deposit, Purchase, Transfer

    models = {"payment": Payment, "deposit": Deposit, "bill_payment": BillPayment,
              "purchase": Purchase, "transfer": Transfer}
    with tenant_context(business):
        qbo_id = {kind: dict(model.objects.values_list("pk", "qbo_id"))
                  for kind, model in models.items()}
        rows = list(BankTransaction.objects.values_list("transaction_id", "matched_type",
                                                        "matched_id"))
    present = {tid for tid, _k, _i in rows}
    predicted = correct = 0
    for tid, kind, pk in rows:
        if not kind:
            continue
        predicted += 1
        if truth.get(tid) == (ENTITY_OF_KIND[kind], qbo_id[kind].get(pk)):
            correct += 1
    return Score(predicted, correct, sum(1 for tid in truth if tid in present))
