"""The outbox: every write to QBO is an ``Action`` row before it is an HTTP request.

States: ``pending → sent → succeeded | failed | unknown``.

- ``sent`` is committed BEFORE the request goes out, under a row lock, so two workers can never
  send one action concurrently and a crash mid-request leaves a visible trace.
- The action key is QBO's ``requestid``: a re-send after a lost response gets QBO's first answer
  back, never a second payment. Bill payments also carry the key in ``PrivateNote`` so the
  reconciler can find them in QBO even after QBO forgot the requestid.
- ``failed`` = QBO definitely refused (validation): readable reason, nothing written.
  ``unknown`` = no definite answer after retries: the reconciler finds out later.
- Drift (our state ≠ QBO's) sets ``drift``, writes an audit entry and ``Business.last_error``.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.core import hooks
from apps.core.enqueue import ALERTS_EVALUATE, enqueue, enqueue_for
from apps.core.money import parse_money
from apps.core.services.audit import audit_record
from apps.core.services.data_version import data_changed, pages_changed
from apps.integrations.qbo.client import QboClient
from apps.integrations.qbo.errors import (
    AuthenticationError,
    ForbiddenError,
    NotFoundError,
    QboError,
    StaleObjectError,
    ValidationError,
)
from apps.integrations.sync import sinks
from apps.integrations.sync.connection import ConnectError, connection_for, qbo_client_for
from apps.integrations.sync.models import Action
from apps.tenancy.models import Business

ACTION_EXECUTE = "sync.action_execute"  # the task (tasks.py) action_enqueue sends

log = logging.getLogger(__name__)

KEY_MAX = 36  # fits QBO's requestid (50; 36 in batch)
# The longest client token (a form's token, an API Idempotency-Key) an action's key may be made
# from: `action_key` hashes it, so its length never reaches QBO. The API accepts keys this long.
TOKEN_MAX = 200
STALE_AFTER = timedelta(minutes=10)
NOTE_PREFIX = "Oodaloo action "
DEFINITE_FAILURES = (ValidationError, NotFoundError, StaleObjectError, ForbiddenError)

Handler = Callable[[QboClient, Action], dict[str, Any]]
Finder = Callable[[QboClient, Action], list[dict[str, Any]]]


class OutboxError(Exception):
    pass


# --- handlers by kind ---------------------------------------------------------------------


def payload_amount(value: Any, name: str) -> Decimal:
    """An amount of an action's payload (apps/core/money.parse_money), or OutboxError."""
    return parse_money(value, what=name, error=OutboxError)


def payload_date(value: Any, name: str) -> str:
    """A date of an action's payload as QBO's TxnDate. Required: the producer sets it in the
    business's time zone, and the finder must look on the same day the send wrote (a default of
    the server's today could move between the two across midnight)."""
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise OutboxError(f"{name} must be a date like 2026-03-12, got {value!r}") from None


def action_note(action: Action) -> str:
    """The PrivateNote that carries the action's key into QBO (finders look for it)."""
    return f"{NOTE_PREFIX}{action.key}"


def find_by_note(client: QboClient, entity: str, txn_date: Any, action: Action) -> list[dict]:
    """``entity`` rows in QBO dated ``txn_date`` that carry this action's key in their
    PrivateNote — how every finder recognises what an action wrote (TxnDate is filterable in a
    query; the note is not)."""
    note = f"{NOTE_PREFIX}{action.key}"
    found = []
    for page in client.query_all(entity, where=f"TxnDate = '{txn_date}'"):
        found.extend(row for row in page if str(row.get("PrivateNote") or "") == note)
    return found


# Every kind (`bill_payment.create`, `bill.create`, `credit_memo.apply` …) belongs to the
# domain that writes it: (send, find) plugged at this hook point, keyed by the kind, by
# `oodaloo/wiring.py`.
KIND = "outbox.kind"


def kind_handlers(kind: str) -> tuple[Handler, Finder | None] | None:
    found = hooks.plugged(KIND, kind)
    return found[-1] if found else None


# --- create -------------------------------------------------------------------------------


def action_key(business: Business, prefix: str, *parts: Any) -> str:
    """The outbox key (QBO's requestid, ≤ KEY_MAX) for one user action, made by the server and
    bound to the business: its schema and id are hashed in with the action's own parts (target
    ids, the form's token). A token copied from another business's page can never name, return
    or block that business's action."""
    if len(prefix) > KEY_MAX - 33:
        raise OutboxError(f"action key prefix {prefix!r} is too long")
    joined = ":".join(str(p) for p in (business.schema_name, business.pk, *parts))
    return f"{prefix}-{hashlib.sha256(joined.encode()).hexdigest()[:32]}"


def action_create(
    business: Business,
    kind: str,
    payload: dict[str, Any],
    key: str | None = None,
    *,
    target_type: str = "",
    target_id: str = "",
    actor_email: str = "",
    enqueue: bool = True,
) -> Action:
    """Record a write to do. Idempotent on ``key``: the same key returns the existing action.
    The execute task is sent after the surrounding transaction commits."""
    if kind_handlers(kind) is None:
        raise OutboxError(f"unknown action kind {kind!r}")
    key = key or str(uuid.uuid4())
    if len(key) > KEY_MAX:
        raise OutboxError(f"action key longer than {KEY_MAX} characters")
    existing = Action.objects.filter(key=key).first()
    if existing is not None:
        if existing.business_id != business.pk or existing.kind != kind:
            raise OutboxError("action key already used for another business or kind")
        return existing
    try:
        with transaction.atomic():
            action = Action.objects.create(
                business=business, key=key, kind=kind, payload=payload,
                target_type=target_type, target_id=str(target_id), created_by_email=actor_email,
            )
    except IntegrityError:
        return Action.objects.get(key=key)  # a concurrent create with the same key won
    if enqueue:
        transaction.on_commit(lambda: action_enqueue(action))
    return action


def action_enqueue(action: Action) -> None:
    with tenant_context(action.business):
        enqueue(ACTION_EXECUTE, action.pk)


# --- execute ------------------------------------------------------------------------------


def readable_error(exc: Exception) -> str:
    if isinstance(exc, QboError):
        text = exc.message or str(exc)
        if exc.detail and exc.detail != exc.message:
            text = f"{text}: {exc.detail}"
        return f"QuickBooks refused it: {text}"[:2000]
    return f"{type(exc).__name__}: {exc}"[:2000]


def _claim(action_id: int, allowed: tuple, *, sent_before: Any = None) -> Action | None:
    """Move the action to ``sent`` under a row lock, committed before any HTTP is sent. With
    ``sent_before``, a ``sent`` action is taken only if untouched since then: a fresher one
    belongs to the worker sending it now."""
    with transaction.atomic():
        action = Action.objects.select_for_update().select_related("business").get(pk=action_id)
        if action.state not in allowed or _sending(action, sent_before):
            return None
        action.state = Action.State.SENT
        action.attempts += 1
        action.save(update_fields=["state", "attempts", "updated_at"])
    pages_changed(action.business)  # pages show an action's state
    return action


def _sending(action: Action, sent_before: Any) -> bool:
    return (sent_before is not None and action.state == Action.State.SENT
            and action.updated_at >= sent_before)


def _settle(action: Action, state: str, *, result: dict | None = None, error: str = "") -> None:
    action.state = state
    action.error = error
    fields = ["state", "error", "updated_at"]
    if result is not None:
        action.result = result
        action.external_id = str(result.get("Id") or "")[:64]
        fields += ["result", "external_id"]
    action.save(update_fields=fields)
    pages_changed(action.business)
    if state == Action.State.FAILED:
        _alert_now(action)


def _alert_now(action: Action) -> None:
    """A refused or drifting write: the owner's alerts are evaluated now (a task, after the
    commit), not at the next hourly tick; the alert's unique (kind, day) keeps it to one."""
    enqueue_for(action.business, ALERTS_EVALUATE)


def _run_hooks(action: Action, client: QboClient, hooks: list, stage: str) -> None:
    """Let the domain reflect the write's outcome (registered hooks), each in its own savepoint,
    without changing the action; then stale runway results must go (the books changed)."""
    if not hooks:
        return
    conn = connection_for(action.business)
    ctx = sinks.SinkContext(business=action.business, realm_id=conn.realm_id, client=client)
    for hook in hooks:
        try:
            with transaction.atomic():
                hook(ctx, action)
        except Exception:
            log.exception("%s hook failed for %s", stage, action.key)
    data_changed(action.business)


def _after_success(action: Action, client: QboClient) -> None:
    """QBO did it: e.g. a paid bill's balance is re-read."""
    _run_hooks(action, client, list(sinks.after_action_hooks(action.kind)), "after-action")


def _after_failure(action: Action, client: QboClient) -> None:
    """QBO refused for good (``failed`` is final: nothing re-sends it): the domain undoes what
    it did ahead of the write (a placeholder bill)."""
    _run_hooks(action, client, list(sinks.after_failure_hooks(action.kind)), "after-failure")


def _send(action: Action) -> Action:
    handler, _finder = kind_handlers(action.kind)
    try:
        client = qbo_client_for(action.business)
    except ConnectError as exc:  # nothing left: it goes once QuickBooks is connected again
        _settle(action, Action.State.PENDING, error=f"QuickBooks is not connected: {exc}")
        return action
    try:
        result = handler(client, action)
    except OutboxError as exc:
        _settle(action, Action.State.FAILED, error=str(exc))
        _after_failure(action, client)
    except DEFINITE_FAILURES as exc:
        _settle(action, Action.State.FAILED, error=readable_error(exc))
        _after_failure(action, client)
    except AuthenticationError as exc:
        # Rejected before anything happened: retry once the owner reconnects.
        _settle(action, Action.State.PENDING, error=f"QuickBooks needs reconnecting: {exc}")
    except Exception as exc:
        # Transport loss after retries, 5xx, limiter timeout...: maybe applied, maybe not.
        _settle(action, Action.State.UNKNOWN, error=readable_error(exc))
    else:
        _settle(action, Action.State.SUCCEEDED, result=result)
        _after_success(action, client)
    return action


def action_execute(action: Action | int) -> Action:
    """Send a pending action once. Anything but ``pending`` is left alone (a no-op): done
    actions stay done, and ``sent``/``unknown`` ones belong to the reconciler."""
    action_id = action if isinstance(action, int) else action.pk
    claimed = _claim(action_id, (Action.State.PENDING,))
    if claimed is None:
        return Action.objects.get(pk=action_id)
    with tenant_context(claimed.business):
        return _send(claimed)


# --- reconcile ----------------------------------------------------------------------------


def _drift(action: Action, reason: str) -> None:
    action.drift = True
    action.error = reason[:2000]
    action.save(update_fields=["drift", "error", "updated_at"])
    pages_changed(action.business)
    audit_record(
        actor=None, action="action.drift", business=action.business,
        object_type="sync.Action", object_id=str(action.pk),
        after={"key": action.key, "kind": action.kind, "reason": reason},
    )
    _alert_now(action)
    Business.objects.filter(pk=action.business_id).update(
        last_error=f"QuickBooks disagrees with Oodaloo about {action.kind} {action.key}: {reason}"
    )


def action_reconcile(action: Action | int, *, check_succeeded: bool = False) -> Action:
    """Settle an ``unknown`` or stale ``sent``/``pending`` action against QBO: look it up; if
    it is there, it succeeded; if not, re-send with the same requestid. With
    ``check_succeeded``, also verify a succeeded action still exists in QBO (drift check)."""
    action_id = action if isinstance(action, int) else action.pk
    current = Action.objects.select_related("business").get(pk=action_id)
    sent_before = timezone.now() - STALE_AFTER
    if current.state == Action.State.PENDING:
        return action_execute(current)
    if current.state == Action.State.FAILED or _sending(current, sent_before):
        return current
    if current.state == Action.State.SUCCEEDED and not check_succeeded:
        return current
    _handler, finder = kind_handlers(current.kind)
    with tenant_context(current.business):
        try:
            client = qbo_client_for(current.business)
        except ConnectError as exc:
            if current.state == Action.State.SUCCEEDED:
                return current
            return _unknown(action_id, sent_before, f"QuickBooks is not connected: {exc}")
        found: list[dict[str, Any]] | None = None
        if finder is not None:
            try:
                found = finder(client, current)
            except QboError as exc:
                log.warning("lookup for %s failed: %s", current.key, exc)
                if current.state != Action.State.SUCCEEDED:
                    # Not knowing whether it is there, never send it again: look next round.
                    return _unknown(action_id, sent_before,
                                    f"Could not look it up in QuickBooks: {readable_error(exc)}")
        if current.state == Action.State.SUCCEEDED:
            if found is not None and not found:
                _drift(current, "the record Oodaloo wrote is no longer in QuickBooks")
            elif found and len(found) > 1:
                _drift(current, f"{len(found)} records in QuickBooks carry this action's key")
            return current
        if found:
            claimed = _claim(action_id, (Action.State.SENT, Action.State.UNKNOWN),
                             sent_before=sent_before)
            if claimed is None:
                return Action.objects.get(pk=action_id)
            _settle(claimed, Action.State.SUCCEEDED, result=found[0])
            if len(found) > 1:
                _drift(claimed, f"{len(found)} records in QuickBooks carry this action's key")
            _after_success(claimed, client)
            return claimed
        claimed = _claim(action_id, (Action.State.SENT, Action.State.UNKNOWN),
                         sent_before=sent_before)
        if claimed is None:
            return Action.objects.get(pk=action_id)
        return _send(claimed)


def _unknown(action_id: int, sent_before: Any, error: str) -> Action:
    """A stale ``sent`` or an ``unknown`` action stays (or becomes) ``unknown``, saying why."""
    with transaction.atomic():
        action = Action.objects.select_for_update().select_related("business").get(pk=action_id)
        if action.state in (Action.State.SENT, Action.State.UNKNOWN) and not _sending(
                action, sent_before):
            action.state, action.error = Action.State.UNKNOWN, error[:2000]
            action.save(update_fields=["state", "error", "updated_at"])
    pages_changed(action.business)
    return action


def actions_needing_reconcile(now: Any = None) -> Any:
    """``unknown`` actions, and ``sent``/``pending`` ones untouched for STALE_AFTER."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    return Action.objects.filter(
        Q(state=Action.State.UNKNOWN)
        | Q(state__in=[Action.State.SENT, Action.State.PENDING], updated_at__lt=cutoff)
    )
