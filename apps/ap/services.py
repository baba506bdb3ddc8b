"""The bill workflow on top of QBO: approve, schedule, hold, pay now.

Status: new → approved → scheduled → paid, and on hold from any open state. `Bill.balance` is
QBO's truth: a bill whose balance is 0 is paid, whatever our status says. Every change appends a
`BillEvent`, writes an audit entry and bumps the runway data version. Payments leave through
the outbox (`bill_payment.create`), under a row lock, so a double click, two tabs or a retry
after a timeout make exactly one payment.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from apps.accounts.models import Role
from apps.accounts.roles import membership_require
from apps.ap import payment_outbox
from apps.ap.models import Bill, BillEvent
from apps.ap.vendor_credits import KIND as VENDOR_CREDIT_APPLY
from apps.core.dates import business_now, date_in_next_year, local_today
from apps.core.errors import ApplicationError, Conflict, PermissionDenied
from apps.core.money import parse_money
from apps.core.services.audit import audit_record
from apps.core.services.data_version import data_changed_on_commit
from apps.core.tenant import current_business
from apps.integrations.sync.models import IN_FLIGHT, Action
from apps.integrations.sync.outbox import TOKEN_MAX, action_create, action_key
from apps.ledger.credit_sources import document_busy
from apps.ledger.models import Account, ExchangeRate

BILL_PAYMENT = payment_outbox.KIND


class BillError(ApplicationError):
    code = "bill_invalid"


# --- shared helpers -----------------------------------------------------------------------



def runway_data_changed(business: Any) -> None:
    """Invalidate cached runway results after the transaction commits."""
    data_changed_on_commit(business)


def parse_amount(value: Any) -> Decimal:
    """A form amount (apps/core/money.parse_money): positive, at most 2 decimals, or BillError."""
    return parse_money(value, error=BillError)


def _lock(bill: Bill) -> Bill:
    """Re-read the bill under a row lock (callers are inside transaction.atomic)."""
    locked = Bill.objects.select_for_update().filter(pk=bill.pk).first()
    if locked is None:
        raise BillError("This bill no longer exists.")
    return locked


def _event(bill: Bill, actor: Any, kind: str, **detail: Any) -> BillEvent:
    return BillEvent.objects.create(
        bill=bill,
        actor_email=getattr(actor, "email", "") or "",
        kind=kind,
        detail={k: (str(v) if isinstance(v, Decimal | date) else v) for k, v in detail.items()},
    )


def _audit(actor: Any, business: Any, bill: Bill, action: str, before: dict, after: dict) -> None:
    audit_record(
        actor=actor, action=action, business=business, obj=bill, before=before, after=after
    )


def _lock_in_status(actor: Any, business: Any, bill: Bill, status: str, refused: str) -> Bill:
    """Lock the bill for a bookkeeper's step back (un-approve, release); ``refused`` (409)
    unless it is in ``status``."""
    bill = _lock(bill)
    membership_require(actor, business, Role.BOOKKEEPER)
    if bill.status != status:
        raise Conflict(refused)
    return bill


def _require_open(bill: Bill) -> None:
    if bill.is_deleted:
        raise BillError("This bill was deleted in QuickBooks.")
    if bill.balance <= 0:
        raise Conflict("This bill is already paid in QuickBooks; nothing to do.")


def _require_in_qbo(bill: Bill) -> None:
    """A placeholder (approved from a document, its QBO write not answered yet) cannot be
    approved, scheduled or paid: a payment would name a bill QuickBooks does not have."""
    if bill.awaiting_qbo:
        raise Conflict("This bill is not in QuickBooks yet.")


def _today(business: Any) -> date:
    return local_today(business.timezone)


# --- approval -----------------------------------------------------------------------------


def bill_can_approve(*, role: str | None, bill: Bill, approval_limit: Decimal) -> bool:
    if role == Role.OWNER:
        return True
    return role == Role.BOOKKEEPER and bill.home_balance <= approval_limit


def _approve_locked(actor: Any, business: Any, bill: Bill, approval_limit: Decimal) -> None:
    role = membership_require(actor, business, Role.BOOKKEEPER)
    if not bill_can_approve(role=role, bill=bill, approval_limit=approval_limit):
        raise PermissionDenied(_approval_refused_message(bill, approval_limit))
    before = {"status": bill.status, "approved_amount": bill.approved_amount}
    bill.status = Bill.Status.APPROVED
    bill.approved_by_email = actor.email
    bill.approved_at = business_now()
    bill.approved_amount = bill.balance  # the approval holds up to this balance, no further
    bill.save(update_fields=["status", "approved_by_email", "approved_at", "approved_amount"])
    _event(bill, actor, "approved", balance=bill.balance)
    _audit(actor, business, bill, "bill.approved", before,
           {"status": bill.status, "approved_amount": bill.approved_amount})


def _needs_approval(bill: Bill) -> bool:
    """New, or approved for less than the balance now open (the approval lapsed)."""
    return bill.status == Bill.Status.NEW or not bill.approval_holds()


def _approval_refused_message(bill: Bill, limit: Decimal) -> str:
    if bill.status != Bill.Status.NEW and bill.approved_amount is not None:
        return (f"This bill was approved at {bill.approved_amount:,.2f}; its balance is now "
                f"{bill.balance:,.2f}, which needs an owner's approval (limit {limit:,.2f}).")
    return f"Bills above the approval limit ({limit:,.2f}) need an owner's approval."


def bill_approve(*, actor: Any, bill: Bill, approval_limit: Decimal) -> Bill:
    """Approve a new (or held) bill. Bookkeepers up to `approval_limit`; above it, owners."""
    business = current_business()
    with transaction.atomic():
        bill = _lock(bill)
        _require_open(bill)
        _require_in_qbo(bill)
        if bill.status in (Bill.Status.APPROVED, Bill.Status.SCHEDULED) and bill.approval_holds():
            raise Conflict("This bill is already approved.")
        _approve_locked(actor, business, bill, approval_limit)
    runway_data_changed(business)
    return bill


def bill_approval_undo(*, actor: Any, bill: Bill) -> Bill:
    """Take back an approval (automation's undo): an approved, unscheduled bill goes back to
    new, as before it was approved. A scheduled or paid bill is refused."""
    business = current_business()
    with transaction.atomic():
        bill = _lock_in_status(actor, business, bill, Bill.Status.APPROVED,
                               "Only an approved bill that is not scheduled can be un-approved.")
        before = {"status": bill.status, "approved_amount": bill.approved_amount,
                  "approved_by": bill.approved_by_email}
        bill.status, bill.approved_by_email, bill.approved_at = Bill.Status.NEW, "", None
        bill.approved_amount = None
        bill.save(update_fields=["status", "approved_by_email", "approved_at", "approved_amount"])
        _event(bill, actor, "approval_undone")
        _audit(actor, business, bill, "bill.approval_undone", before, {"status": bill.status})
    runway_data_changed(business)
    return bill


# --- scheduling and hold ------------------------------------------------------------------


def _lock_to_plan(actor: Any, business: Any, bill: Bill, *, on_hold: str) -> Bill:
    """Lock an open bill for a bookkeeper's schedule or hold; refused (``on_hold``) when held."""
    bill = _lock(bill)
    _require_open(bill)
    membership_require(actor, business, Role.BOOKKEEPER)
    if bill.status == Bill.Status.ON_HOLD:
        raise Conflict(on_hold)
    return bill


def _plan_of(bill: Bill) -> dict[str, Any]:
    return {"status": bill.status, "scheduled_date": bill.scheduled_date}


def _replan(actor: Any, business: Any, bill: Bill, before: dict, status: str,
            scheduled: date | None, action: str, event: str, **detail: Any) -> None:
    """Set the bill's status and planned payment date, with its event and audit entry."""
    bill.status, bill.scheduled_date = status, scheduled
    bill.save(update_fields=["status", "scheduled_date"])
    _event(bill, actor, event, **detail)
    _audit(actor, business, bill, action, before, _plan_of(bill))


def bill_schedule(*, actor: Any, bill: Bill, pay_on: date | None, approval_limit: Decimal) -> Bill:
    """Plan the payment for `pay_on` (today or later; moves the bill in the forecast). A new
    bill is approved on the way if the actor may approve it. `None` clears the schedule."""
    business = current_business()
    date_in_next_year(pay_on, _today(business), BillError,
                      past="The payment date can't be in the past.",
                      too_far="Schedule payments at most a year ahead.")
    with transaction.atomic():
        bill = _lock_to_plan(actor, business, bill,
                             on_hold="This bill is on hold; release it first.")
        _require_in_qbo(bill)
        before = _plan_of(bill)
        if _needs_approval(bill):
            _approve_locked(actor, business, bill, approval_limit)
        status = Bill.Status.APPROVED if pay_on is None else Bill.Status.SCHEDULED
        _replan(actor, business, bill, before, status, pay_on, "bill.scheduled",
                "scheduled" if pay_on else "unscheduled", pay_on=pay_on)
    runway_data_changed(business)
    return bill


def bill_hold(*, actor: Any, bill: Bill, reason: str = "") -> Bill:
    business = current_business()
    with transaction.atomic():
        bill = _lock_to_plan(actor, business, bill, on_hold="This bill is already on hold.")
        _replan(actor, business, bill, _plan_of(bill), Bill.Status.ON_HOLD, None, "bill.held",
                "held", reason=reason[:300])
    runway_data_changed(business)
    return bill


def bill_release(*, actor: Any, bill: Bill) -> Bill:
    """Take a bill off hold: back to new (it needs approval again)."""
    business = current_business()
    with transaction.atomic():
        bill = _lock_in_status(actor, business, bill, Bill.Status.ON_HOLD,
                               "This bill is not on hold.")
        bill.status = Bill.Status.NEW
        bill.save(update_fields=["status"])
        _event(bill, actor, "released")
        _audit(actor, business, bill, "bill.released", {"status": "on_hold"}, {"status": "new"})
    runway_data_changed(business)
    return bill


# --- pay now ------------------------------------------------------------------------------


def payment_key(business: Any, bill: Bill, idempotency_key: str) -> str:
    """The outbox key (QBO requestid, ≤ 36 chars): one per (business, bill, form token)."""
    return action_key(business, "bp", bill.pk, idempotency_key)


def bill_payment_actions(business: Any, bill_ids: list[int]):
    return Action.objects.filter(
        business=business,
        kind=BILL_PAYMENT,
        target_type="bill",
        target_id__in=[str(i) for i in bill_ids],
    )


def _foreign_payment(business: Any, bill: Bill, account: Account, amount: Decimal,
                     today: date) -> dict[str, str]:
    """For a bill in another currency, what the payment records besides the amount (which is in
    the bill's currency): the currency, the rate of `today` (QBO's latest on or before it, else
    the bill's own) and the home amount. QBO pays such a bill from a home-currency account or
    one in the bill's currency, never a third."""
    home = business.currency or "USD"
    if bill.currency in ("", home):
        return {}
    if account.currency not in (home, bill.currency):
        raise BillError(f"A {bill.currency} bill is paid from a {home} or {bill.currency} "
                        f"account, not {account.currency}.")
    current = ExchangeRate.objects.current(bill.currency, today)
    rate = current.rate if current is not None else bill.exchange_rate
    if not rate:
        raise BillError(f"QuickBooks has no {bill.currency} exchange rate yet; sync and retry.")
    return {"currency": bill.currency, "exchange_rate": str(rate),
            "home_amount": str((amount * rate).quantize(Decimal("0.01")))}


def bill_pay_now(
    *,
    actor: Any,
    bill: Bill,
    account: Account,
    idempotency_key: str,
    approval_limit: Decimal,
    amount: Decimal | str | None = None,
) -> Action:
    """Pay (part of) the open balance today from `account` by a QBO BillPayment via the outbox.

    Exactly once: the same `idempotency_key` returns the first action (double click, retry);
    a different key while a payment is in flight or not yet reflected by a sync is refused
    (two tabs). A bill QBO already shows as paid is refused.
    """
    business = current_business()
    if not idempotency_key:
        raise BillError("This form has expired; reload the page and try again.")
    if len(idempotency_key) > TOKEN_MAX:
        raise BillError(f"The idempotency key is too long ({TOKEN_MAX} characters at most).")
    key = payment_key(business, bill, idempotency_key)
    existing = Action.objects.filter(business=business, key=key).first()
    if existing is not None:  # a replay of the same click: same answer, nothing new
        if existing.business_id != business.pk or existing.target_id != str(bill.pk):
            raise BillError("This form has expired; reload the page and try again.")
        return existing
    pay_amount = parse_amount(amount) if amount not in (None, "") else None
    with transaction.atomic():
        bill = _lock(bill)
        replay = Action.objects.filter(business=business, key=key).first()
        if replay is not None:  # the twin request won the lock first
            return replay
        _require_open(bill)
        _require_in_qbo(bill)
        role = membership_require(actor, business, Role.BOOKKEEPER)
        if bill.status == Bill.Status.ON_HOLD:
            raise Conflict("This bill is on hold; release it before paying.")
        account = Account.objects.filter(pk=account.pk).cash().first()
        if account is None:
            raise BillError("Choose one of your bank accounts to pay from.")
        pay_amount = pay_amount or bill.balance
        if pay_amount > bill.balance:
            raise BillError(f"That is more than the open balance ({bill.balance:,.2f}).")
        others = bill_payment_actions(business, [bill.pk]).exclude(state=Action.State.FAILED)
        for other in others:
            if other.state in IN_FLIGHT:
                raise Conflict("A payment for this bill is already on its way.")
            if other.updated_at >= bill.synced_at:  # succeeded, not yet seen by a sync
                raise Conflict("This bill was just paid; QuickBooks will show it shortly.")
        if document_busy(business, bill, (VENDOR_CREDIT_APPLY,)):
            raise Conflict("A vendor credit is being applied to this bill; wait for QuickBooks "
                           "to answer.")
        if _needs_approval(bill):
            # New, or its balance grew past what was approved: approve (again) on the way, or
            # refuse when the actor may not approve this balance.
            if not bill_can_approve(role=role, bill=bill, approval_limit=approval_limit):
                raise PermissionDenied(_approval_refused_message(bill, approval_limit)
                                       + " It can't be paid until then.")
            _approve_locked(actor, business, bill, approval_limit)
        if not bill.vendor_qbo_id or not account.qbo_id:
            raise BillError("This bill or account is not linked to QuickBooks.")
        today = _today(business)
        fx = _foreign_payment(business, bill, account, pay_amount, today)
        action = action_create(
            business,
            BILL_PAYMENT,
            {
                "vendor": bill.vendor_qbo_id,
                "bill": bill.qbo_id,
                "amount": str(pay_amount),
                "bank_account": account.qbo_id,
                "date": today.isoformat(),
                **fx,
            },
            key,
            target_type="bill",
            target_id=str(bill.pk),
            actor_email=actor.email,
        )
        _event(
            bill,
            actor,
            "payment_requested",
            amount=pay_amount,
            account=account.name,
            action_key=action.key,
            **fx,
        )
        _audit(
            actor,
            business,
            bill,
            "bill.pay_now",
            {"balance": bill.balance},
            {"amount": pay_amount, "account": account.name, "action": action.key, **fx},
        )
    runway_data_changed(business)
    return action
