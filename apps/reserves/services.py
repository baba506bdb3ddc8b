"""Reserves: create, edit, fund and release money set aside. Every change writes a ledger entry
(fund/release) and an audit event, and makes cached runway figures stale.

Call inside the business's schema (the reserve rows live there)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from apps.core.errors import ApplicationError
from apps.core.money import parse_money
from apps.core.services.audit import audit_record
from apps.core.services.data_version import data_changed
from apps.core.tenant import current_business
from apps.reserves.models import Reserve, ReserveEntry

UNSET: Any = object()
FORM_TOKEN_MAX = 64  # ReserveEntry.form_token


class ReserveError(ApplicationError):
    code = "invalid_reserve"




def _business() -> Any:
    return current_business(error=ReserveError, code="no_business",
                            message="reserves are changed inside a business")


def _money(value: object, what: str, *, allow_zero: bool = False) -> Decimal:
    return parse_money(value, what=what, allow_zero=allow_zero, error=ReserveError,
                       code="invalid_amount")


def _state(r: Reserve) -> dict:
    return {
        "name": r.name,
        "kind": r.kind,
        "target": f"{r.target:.2f}",
        "held": f"{r.held:.2f}",
        "due_date": r.due_date.isoformat() if r.due_date else None,
        "active": r.active,
    }


def reserve_create(
    *,
    actor: Any,
    name: str,
    kind: str = Reserve.Kind.CUSTOM,
    target: object = Decimal("0"),
    due_date: date | None = None,
) -> Reserve:
    """A new, empty reserve (fund it with `reserve_fund`)."""
    business = _business()
    name = (name or "").strip()
    if not name:
        raise ReserveError("a reserve needs a name", code="invalid_name")
    if kind not in Reserve.Kind.values:
        raise ReserveError(f"unknown reserve kind {kind!r}", code="invalid_kind")
    target_amount = _money(target, "target", allow_zero=True)
    with transaction.atomic():
        reserve = Reserve.objects.create(
            name=name, kind=kind, target=target_amount, due_date=due_date
        )
        audit_record(
            actor=actor, action="reserve.created", business=business, obj=reserve,
            before=None, after=_state(reserve),
        )
    data_changed()
    return reserve


def reserve_update(
    *,
    actor: Any,
    reserve: Reserve,
    name: str = UNSET,
    kind: str = UNSET,
    target: object = UNSET,
    due_date: date | None = UNSET,
    active: bool = UNSET,
) -> Reserve:
    """Edit a reserve's settings (not its money: use fund/release). A reserve still holding
    money cannot be closed — release it first, so the ledger explains where the money went."""
    business = _business()
    changes: dict[str, Any] = {}
    if name is not UNSET:
        if not (name or "").strip():
            raise ReserveError("a reserve needs a name", code="invalid_name")
        changes["name"] = name.strip()
    if kind is not UNSET:
        if kind not in Reserve.Kind.values:
            raise ReserveError(f"unknown reserve kind {kind!r}", code="invalid_kind")
        changes["kind"] = kind
    if target is not UNSET:
        changes["target"] = _money(target, "target", allow_zero=True)
    if due_date is not UNSET:
        changes["due_date"] = due_date
    if active is not UNSET:
        changes["active"] = bool(active)
    with transaction.atomic():
        locked = Reserve.objects.select_for_update().get(pk=reserve.pk)
        if changes.get("active") is False and locked.held > 0:
            raise ReserveError(
                f"{locked.name} still holds {locked.held:.2f}; release it before closing",
                code="reserve_not_empty",
            )
        before = _state(locked)
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.save()
        audit_record(
            actor=actor, action="reserve.updated", business=business, obj=locked,
            before=before, after=_state(locked),
        )
    data_changed()
    _refresh(reserve, locked)
    return reserve


def _refresh(reserve: Reserve, fresh: Reserve) -> None:
    for field in ("name", "kind", "target", "held", "due_date", "active", "updated_at"):
        setattr(reserve, field, getattr(fresh, field))


def _move(actor: Any, reserve: Reserve, amount: object, note: str, *, sign: int,
          form_token: str | None) -> ReserveEntry:
    business = _business()
    what = "amount to set aside" if sign > 0 else "amount to release"
    value = _money(amount, what)
    if form_token is not None and not 0 < len(form_token) <= FORM_TOKEN_MAX:
        raise ReserveError("This form is out of date; reload the page and try again.",
                           code="form_token_invalid")
    with transaction.atomic():
        locked = Reserve.objects.select_for_update().get(pk=reserve.pk)
        # Checked under the reserve's lock: a concurrent submit of the same form waits here,
        # then finds the first one's entry.
        done = ReserveEntry.objects.filter(form_token=form_token).first() if form_token else None
        if done is not None:
            if done.reserve_id != locked.pk or (done.amount > 0) != (sign > 0):
                raise ReserveError("This form was already used for another move.",
                                   code="conflict")
            return done  # the same form again (double click, resubmit): moved once
        if not locked.active:
            raise ReserveError(f"{locked.name} is closed", code="reserve_inactive")
        if sign < 0 and value > locked.held:
            raise ReserveError(
                f"cannot release {value:.2f} from {locked.name}: it holds {locked.held:.2f}",
                code="insufficient_reserve",
            )
        before = _state(locked)
        locked.held += sign * value
        locked.save(update_fields=["held", "updated_at"])
        entry = ReserveEntry.objects.create(
            reserve=locked, amount=sign * value, actor_email=getattr(actor, "email", "") or "",
            note=(note or "")[:300], form_token=form_token or None,
        )
        audit_record(
            actor=actor, action="reserve.funded" if sign > 0 else "reserve.released",
            business=business, obj=locked, before=before,
            after={**_state(locked), "amount": f"{value:.2f}", "note": entry.note},
        )
    data_changed()
    _refresh(reserve, locked)
    return entry


def reserve_fund(actor: Any, reserve: Reserve, amount: object, note: str = "", *,
                 form_token: str | None = None) -> ReserveEntry:
    """Set money aside: Reserved grows, Available shrinks by `amount` (> 0, ≤ 2 decimals).
    With `form_token` (the portal form's), at most once: the same token returns the first
    entry and moves nothing."""
    return _move(actor, reserve, amount, note, sign=1, form_token=form_token)


def reserve_release(actor: Any, reserve: Reserve, amount: object, note: str = "", *,
                    form_token: str | None = None) -> ReserveEntry:
    """Give money back to Available; never more than the reserve holds (once per
    `form_token`, as `reserve_fund`)."""
    return _move(actor, reserve, amount, note, sign=-1, form_token=form_token)
