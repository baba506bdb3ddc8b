"""The automation's fields of the business's public summary row (the staff home's
"automation held back" count reads it; apps/tenancy/summary.py)."""

from __future__ import annotations

from typing import Any

from apps.automation.models import RuleAction


def automation_summary(business: Any) -> dict[str, Any]:
    return {"automation_held": RuleAction.objects.filter(state=RuleAction.State.HELD).count()}
