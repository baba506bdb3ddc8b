"""Who acts when no person clicks: an automation rule acting with the authority its owner gave
it (apps/automation). Services that check a role ask `acting_role`; the audit log names the rule
(`audit_record` labels any non-user actor with `str(actor)`), so every automatic change reads
"rule “Auto-approve” (set by owner@…)" in the business's activity."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleActor:
    rule_kind: str
    rule_name: str
    role: str  # the role of the person who switched the rule on, checked at each tick
    on_behalf_of: str  # that person's email
    pk: None = None  # never a user: audit entries carry actor_label only

    @property
    def email(self) -> str:
        """What BillEvents, reserve entries and outbox actions record as the actor."""
        return f"rule:{self.rule_kind}"

    def __str__(self) -> str:
        return f"rule “{self.rule_name}” (set by {self.on_behalf_of})"


def acting_role(actor: object) -> str | None:
    """The role a rule acts with, or None for anyone else (people are looked up as members)."""
    return actor.role if isinstance(actor, RuleActor) else None
