"""What staff can *do* to a business from the admin. Each operation calls the one service that
already does the job (never a second path) and writes an audit entry: who, what, which business.

Admin actions and buttons (apps/staff/admin.py) only parse the request and report the result."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.accounts.models import Membership
from apps.automation.rules import automation_pause
from apps.core.errors import Conflict
from apps.core.services.audit import audit_record
from apps.digest.services import digest_send
from apps.integrations.plaid.models import PlaidItem
from apps.integrations.sync import outbox
from apps.integrations.sync.models import Action, QboConnection, QuarantinedRecord
from apps.integrations.sync.qbo_sync import SyncBusy, qbo_fetch_changed
from apps.integrations.sync.reconnect_notices import reconnect_link_send
from apps.integrations.sync.tasks import qbo_sync_business_task
from apps.review.services import review_task_reassign
from apps.tenancy.models import Business


def _connected(business: Business) -> QboConnection:
    conn = QboConnection.objects.filter(business=business).first()
    if conn is None or conn.status == QboConnection.Status.DISCONNECTED:
        raise Conflict(f"{business.name} has no QuickBooks connection")
    return conn


def staff_sync_now(*, business: Business, full: bool, actor: Any) -> str:
    """Enqueue the business's QuickBooks sync (the task the dispatcher sends); returns its id."""
    _connected(business)
    with tenant_context(business):
        result = qbo_sync_business_task.delay(full=full)
    audit_record(actor=actor, action="staff.sync_now", business=business,
                 object_type="tenancy.Business", object_id=str(business.pk),
                 after={"full": full, "task_id": result.id})
    return result.id


def staff_action_retry(*, action: Action, actor: Any) -> Action:
    """Settle an action against QuickBooks now (look it up; re-send with the same requestid only
    if it is not there): the reconciler's own service, so a retry never pays twice."""
    before = action.state
    settled = outbox.action_reconcile(action.pk)
    audit_record(actor=actor, action="staff.action_retry", business=action.business,
                 object_type="sync.Action", object_id=str(action.pk),
                 before={"state": before}, after={"state": settled.state, "key": settled.key})
    return settled


def staff_quarantine_refetch(*, record: QuarantinedRecord, actor: Any) -> QuarantinedRecord:
    """Fetch the record from QuickBooks again and map it through the sync's ingest (the webhook
    path): mapped now → resolved; still broken → stays quarantined with the new reason."""
    if record.source != "qbo" or not record.external_id:
        raise Conflict("only QuickBooks records with an id can be fetched again")
    _connected(record.business)
    try:
        qbo_fetch_changed(record.business, {record.entity: [record.external_id]})
    except SyncBusy as exc:
        raise Conflict("a sync is running for this business; try again in a minute") from exc
    record.refresh_from_db()
    audit_record(actor=actor, action="staff.quarantine_refetch", business=record.business,
                 obj=record, after={"entity": record.entity, "id": record.external_id,
                                    "resolved": record.resolved_at is not None})
    return record


def staff_quarantine_resolve(*, record: QuarantinedRecord, actor: Any) -> bool:
    """Staff decided the record needs nothing more (e.g. fixed in QuickBooks and re-synced)."""
    with transaction.atomic():
        n = QuarantinedRecord.objects.filter(pk=record.pk, resolved_at__isnull=True).update(
            resolved_at=timezone.now())
        audit_record(actor=actor, action="staff.quarantine_resolve", business=record.business,
                     obj=record, after={"entity": record.entity, "id": record.external_id})
    return bool(n)


def staff_digest_resend(*, business: Business, week: str, reason: str, actor: Any):
    """The digest's audited resend (``digest_send(force=True)``), with staff's reason
    (``week`` empty: the business's current week)."""
    reason = (reason or "").strip()
    if not reason:
        raise Conflict("a resend needs a reason")
    # digest_send audits the resend (``digest.resend``: who, business, week, reason).
    return digest_send(business, week or None, force=True, actor=actor, reason=reason)


def staff_reconnect_link(*, business: Business, actor: Any) -> int:
    """Email every owner the QuickBooks reconnect link now; returns the number of emails."""
    conn = QboConnection.objects.filter(business=business).first()
    if conn is None:
        raise Conflict(f"{business.name} never connected QuickBooks")
    sent = reconnect_link_send(conn)
    audit_record(actor=actor, action="staff.reconnect_link", business=business,
                 object_type="sync.QboConnection", object_id=str(conn.pk), after={"emails": sent})
    return sent


def staff_lockout_reset(*, email: str = "", ip: str = "", actor: Any,
                        business: Business | None = None) -> int:
    """Lift django-axes lockouts for an email and/or an IP; returns the attempts cleared."""
    if not email and not ip:
        raise Conflict("name an email or an IP to unlock")
    cleared = axes_reset(ip=ip or None, username=email or None)
    # Listed on each business the person belongs to (their owners see who unlocked them).
    businesses = [business] if business is not None else list(
        Business.objects.filter(memberships__user__email__iexact=email)) if email else []
    for each in businesses or [None]:
        audit_record(actor=actor, action="staff.lockout_reset", business=each,
                     object_type="axes.AccessAttempt", object_id=email or ip,
                     after={"email": email, "ip": ip, "cleared": cleared})
    return cleared


def staff_automation_pause(*, business: Business, paused: bool, reason: str, actor: Any) -> bool:
    """Pause or resume a business's automation rules and reminders (the automation tick and the
    collections dispatcher skip a paused business). Audited there; returns whether it changed."""
    return automation_pause(business=business, actor=actor, paused=paused, reason=reason)


def staff_review_reassign(*, task_id: int, assignee: Any, actor: Any):
    """The review queue's reassign (audited there as ``review.reassign``)."""
    return review_task_reassign(task_id=task_id, assignee=assignee, actor=actor)


def businesses_memberless():
    """Businesses nobody belongs to: what a sign-up interrupted between provisioning and adding
    its owner left behind before the two were one transaction (each holds its slug)."""
    return Business.objects.real().filter(memberships__isnull=True).order_by("created_at")


def staff_business_remove_memberless(*, business: Business, actor: Any, reason: str) -> dict:
    """Drop a business with no membership at all (schema and rows), freeing its slug. Anything
    with a member is its owners' to delete (apps/lifecycle); one with a QuickBooks connection or
    a bank link is refused too (those need revoking: an owner's deletion does it)."""
    reason = (reason or "").strip()
    if not reason:
        raise Conflict("removing a business needs a reason")
    with transaction.atomic():
        # The row lock makes a membership added meanwhile wait (its foreign key), then fail.
        locked = Business.objects.real().select_for_update().filter(pk=business.pk).first()
        if locked is None:
            raise Conflict(f"{business.slug} is not a business that can be removed")
        if Membership.objects.filter(business=locked).exists():
            raise Conflict(f"{locked.slug} has members: only its owner can delete it")
        if (QboConnection.objects.filter(business=locked).exists()
                or PlaidItem.objects.filter(business=locked).exists()):
            raise Conflict(f"{locked.slug} has a QuickBooks or bank connection")
        removed = {"slug": locked.slug, "name": locked.name, "schema": locked.schema_name,
                   "created_at": locked.created_at.isoformat()}
        audit_record(actor=actor, action="staff.business_removed", business=None, obj=locked,
                     before=removed, after={"reason": reason})
        connection.set_schema_to_public()
        locked.delete(force_drop=True)
    return removed
