"""The Prep Tray's "automation held back" items: one per rule with actions held back, saying
why (registered with the tray's cause sources in AutomationConfig.ready)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from apps.automation.guardrails import REASONS
from apps.automation.models import Rule, RuleAction

TIER = 1


def automation_tray_causes(business: Any, today: date) -> list[dict[str, Any]]:
    by_kind: dict[str, list[RuleAction]] = {}
    for row in RuleAction.objects.filter(state=RuleAction.State.HELD).order_by("created_at", "pk"):
        by_kind.setdefault(row.kind, []).append(row)
    out = []
    for kind, rows in by_kind.items():
        name = Rule.Kind(kind).label
        reasons = sorted({REASONS.get(r.reason, r.reason) for r in rows})
        out.append({
            "key": f"automation:{kind}:held", "kind": "automation_held", "tier": TIER,
            "score": Decimal(len(rows)),
            "title": f"{name}: held back {len(rows)} action(s) ({', '.join(reasons)})"[:200],
            "detail": rows[0].reason_text[:300],
            "amount": sum((r.amount or Decimal(0) for r in rows), Decimal(0)),
            "impact_sentence": "The rule did not act; decide these yourself, or adjust its "
                               "guardrails on the Automation page.",
            "target_type": "automation", "target_id": kind,
        })
    return out
