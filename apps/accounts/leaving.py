"""When someone leaves a business (an owner removes them, a firm's grant is taken back): the
layers above that hold credentials of theirs for that business end them — the API's keys
(``apps.api.keys``), plugged in ``oodaloo/wiring.py``. Without it a key checked only at each
request (membership) would work again the day its creator rejoined."""

from __future__ import annotations

from typing import Any

from apps.core import hooks

# `listener(actor=, business=, user=)`, called inside the transaction that deletes the
# membership (so a failure keeps the person in).
MEMBER_LEFT = "accounts.member_left"


def member_left(*, actor: Any, membership: Any) -> None:
    for listener in hooks.plugged(MEMBER_LEFT):
        listener(actor=actor, business=membership.business, user=membership.user)
