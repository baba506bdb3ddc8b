"""The Prep Tray's "automation held back" items: one per rule with actions held back, saying
why (a tray cause source, plugged in oodaloo/wiring.py; contract in apps/core/tray_causes.py)."""

from __future__ import annotations

from decimal import Decimal

from apps.automation.guardrails import REASONS
from apps.automation.models import Rule, RuleAction
from apps.core.tray_causes import TrayCause, TrayContext, TrayKind

AUTOMATION_HELD = TrayKind("automation_held", "Automation held back")


def automation_tray_causes(ctx: TrayContext) -> list[TrayCause]:
    by_kind: dict[str, list[RuleAction]] = {}
    for row in RuleAction.objects.filter(state=RuleAction.State.HELD).order_by("created_at", "pk"):
        by_kind.setdefault(row.kind, []).append(row)
    out = []
    for kind, rows in by_kind.items():
        name = Rule.Kind(kind).label
        reasons = sorted({REASONS.get(r.reason, r.reason) for r in rows})
        out.append(TrayCause(
            f"automation:{kind}:held", AUTOMATION_HELD.value, Decimal(len(rows)),
            f"{name}: held back {len(rows)} action(s) ({', '.join(reasons)})"[:200],
            rows[0].reason_text[:300],
            amount=sum((r.amount or Decimal(0) for r in rows), Decimal(0)),
            impact_sentence="The rule did not act; decide these yourself, or adjust its "
                            "guardrails on the Automation page.",
            target_type="automation", target_id=kind,
        ))
    return out
