"""Acting for a business: whose authority a rule acts with, and the lock every rule action
takes (the tick's steps and the release of waiting payments alike), so that one tick at a time
acts for a business."""

from __future__ import annotations

from typing import Any

from django.db import connection

from apps.accounts.models import Membership, Role
from apps.automation.models import Rule
from apps.core.actors import RuleActor
from apps.core.advisory import xact_lock


def rule_actor(rule: Rule) -> RuleActor | None:
    """The rule acts with the authority of the owner who switched it on, while they are one."""
    role = (Membership.objects.filter(business=connection.tenant,
                                      user__email__iexact=rule.switched_on_by_email)
            .values_list("role", flat=True).first())
    if role != Role.OWNER:
        return None
    return RuleActor(rule.kind, rule.name, role, rule.switched_on_by_email)


def business_lock(business: Any) -> None:
    """Held to the end of the current transaction."""
    xact_lock(f"automation:{business.schema_name}")
