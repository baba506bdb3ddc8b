"""The staff back office in the admin: the staff home, and buttons that operate a business.

The admins of the lower layers (accounts, sync, plaid, review) are extended here, at the top
layer, with actions that call apps/staff/services.py (each audited). An action needs the
``staff.operate`` permission (the operator role); support staff see the same lists read-only.
"""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.safestring import mark_safe

from apps.accounts.admin import BusinessAdmin, UserAdmin
from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.integrations.sync.admin import ActionAdmin, QboConnectionAdmin, QuarantinedRecordAdmin
from apps.integrations.sync.models import Action, QboConnection, QuarantinedRecord
from apps.review.admin import ReviewTaskAdmin
from apps.review.models import ReviewTask
from apps.staff import services
from apps.staff.home import staff_home, sync_problems
from apps.staff.models import SupportSession
from apps.staff.support import support_link, support_session_start
from apps.tenancy.models import Business


class OperateMixin:
    """``permissions=["operate"]`` on an action checks this (Django calls has_<perm>_permission)."""

    def has_operate_permission(self, request) -> bool:
        return request.user.has_perm("staff.operate")

    def has_view_as_permission(self, request) -> bool:
        return request.user.has_perm("staff.view_as")

    def _each(self, request, queryset, describe, call) -> None:
        """Run ``call`` per selected row; report each result or refusal as an admin message."""
        for obj in queryset:
            try:
                result = call(obj)
            except ApplicationError as exc:
                self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, describe(obj, result), messages.SUCCESS)


# --- businesses ------------------------------------------------------------------------------


class TableFilter(admin.SimpleListFilter):
    """A list filter from a table: value → (label, queryset → the rows it keeps)."""

    table: dict = {}

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _keep) in self.table.items()]

    def queryset(self, request, queryset):
        chosen = self.table.get(self.value())
        return chosen[1](queryset) if chosen else queryset


class HealthFilter(TableFilter):
    title = "sync health"
    parameter_name = "health"
    table = {
        "failing": ("Sync failing", lambda q: q.filter(pk__in=sync_problems()[0].values("pk"))),
        "stale": ("Sync stale", lambda q: q.filter(pk__in=sync_problems()[1].values("pk"))),
    }


class AutomationFilter(TableFilter):
    title = "automation"
    parameter_name = "automation"
    table = {
        "held": ("Actions held back", lambda q: q.filter(summary__automation_held__gt=0)),
        "paused": ("Paused by staff", lambda q: q.filter(automation_paused_at__isnull=False)),
    }


class BusinessActionForm(ActionForm):
    reason = forms.CharField(required=False,
                             label="Reason (view as owner, digest resend, pause automation)")
    week = forms.CharField(required=False, label="Week (e.g. 2026-W49; empty: this week)")


class StaffBusinessAdmin(OperateMixin, BusinessAdmin):
    action_form = BusinessActionForm
    list_filter = (HealthFilter, AutomationFilter)
    actions = ["view_as_owner", "sync_now", "sync_full", "resend_digest",
               "email_reconnect_link", "unlock_owner_logins", "pause_automation",
               "resume_automation"]

    @admin.action(description="View as owner (read-only, time-boxed; reason required)",
                  permissions=["view_as"])
    def view_as_owner(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one business to view.", messages.ERROR)
            return None
        try:
            session = support_session_start(business=queryset.get(), actor=request.user,
                                            reason=request.POST.get("reason", ""))
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return None
        return HttpResponseRedirect(support_link(session))

    @admin.action(description="Sync now (incremental)", permissions=["operate"])
    def sync_now(self, request, queryset):
        self._each(request, queryset, lambda b, task: f"{b.name}: sync queued ({task}).",
                   lambda b: services.staff_sync_now(business=b, full=False, actor=request.user))

    @admin.action(description="Sync now (full)", permissions=["operate"])
    def sync_full(self, request, queryset):
        self._each(request, queryset, lambda b, task: f"{b.name}: full sync queued ({task}).",
                   lambda b: services.staff_sync_now(business=b, full=True, actor=request.user))

    @admin.action(description="Resend the week's digest (reason required)",
                  permissions=["operate"])
    def resend_digest(self, request, queryset):
        reason, week = request.POST.get("reason", ""), request.POST.get("week", "").strip()
        self._each(request, queryset,
                   lambda b, r: f"{b.name}: resend {r.key}: {r.state}, {r.sent} email(s) sent.",
                   lambda b: services.staff_digest_resend(business=b, week=week, reason=reason,
                                                          actor=request.user))

    @admin.action(description="Email the owner a QuickBooks reconnect link",
                  permissions=["operate"])
    def email_reconnect_link(self, request, queryset):
        self._each(request, queryset, lambda b, n: f"{b.name}: {n} reconnect email(s) sent.",
                   lambda b: services.staff_reconnect_link(business=b, actor=request.user))

    @admin.action(description="Pause automation and reminders", permissions=["operate"])
    def pause_automation(self, request, queryset):
        self._automation_pause(request, queryset, paused=True, word="paused",
                               unchanged="were already paused")

    @admin.action(description="Resume automation and reminders", permissions=["operate"])
    def resume_automation(self, request, queryset):
        self._automation_pause(request, queryset, paused=False, word="resumed",
                               unchanged="were not paused")

    def _automation_pause(self, request, queryset, *, paused: bool, word: str,
                          unchanged: str) -> None:
        reason = request.POST.get("reason", "")
        self._each(request, queryset,
                   lambda b, changed: f"{b.name}: automation and reminders "
                                      f"{word if changed else unchanged}.",
                   lambda b: services.staff_automation_pause(business=b, paused=paused,
                                                             reason=reason, actor=request.user))

    @admin.action(description="Unlock the owners' login lockouts", permissions=["operate"])
    def unlock_owner_logins(self, request, queryset):
        def unlock(business):
            emails = [m.user.email for m in business.memberships.all()]
            return sum(services.staff_lockout_reset(email=e, actor=request.user,
                                                    business=business) for e in emails)
        self._each(request, queryset, lambda b, n: f"{b.name}: {n} failed attempt(s) cleared.",
                   unlock)


class StaffGroupAdmin(GroupAdmin):
    """The staff roles are defined in code (apps/staff/roles.py; every release resets them) and
    a group's permissions are what a staff member may do: only a superuser changes one."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class StaffUserAdmin(OperateMixin, UserAdmin):
    actions = ["unlock_login"]

    @admin.action(description="Unlock login lockout", permissions=["operate"])
    def unlock_login(self, request, queryset):
        self._each(request, queryset, lambda u, n: f"{u.email}: {n} failed attempt(s) cleared.",
                   lambda u: services.staff_lockout_reset(email=u.email, actor=request.user))


# --- sync: connections, outbox, quarantine ---------------------------------------------------


class ExpiringFilter(admin.SimpleListFilter):
    title = "refresh token expiry"
    parameter_name = "expiring"

    def lookups(self, request, model_admin):
        return [("14", "within 14 days"), ("3", "within 3 days")]

    def queryset(self, request, queryset):
        if self.value() in ("14", "3"):
            horizon = timezone.now() + timedelta(days=int(self.value()))
            return queryset.exclude(status=QboConnection.Status.DISCONNECTED).filter(
                refresh_expires_at__lte=horizon)
        return queryset


class StaffQboConnectionAdmin(OperateMixin, QboConnectionAdmin):
    list_filter = ("status", ExpiringFilter)
    actions = ["email_reconnect_link"]

    @admin.action(description="Email the owner a reconnect link", permissions=["operate"])
    def email_reconnect_link(self, request, queryset):
        self._each(request, queryset, lambda c, n: f"{c.business.name}: {n} email(s) sent.",
                   lambda c: services.staff_reconnect_link(business=c.business,
                                                           actor=request.user))


class StaffActionAdmin(OperateMixin, ActionAdmin):
    actions = ["retry_or_reconcile"]

    @admin.action(description="Retry / reconcile with QuickBooks", permissions=["operate"])
    def retry_or_reconcile(self, request, queryset):
        self._each(request, queryset, lambda a, done: f"{a.key}: {done.state}.",
                   lambda a: services.staff_action_retry(action=a, actor=request.user))


class StaffQuarantinedRecordAdmin(OperateMixin, QuarantinedRecordAdmin):
    actions = ["refetch", "mark_resolved"]

    @admin.action(description="Fetch again from QuickBooks and re-map", permissions=["operate"])
    def refetch(self, request, queryset):
        def describe(record, fresh):
            if fresh.resolved_at:
                return f"{record.entity} {record.external_id}: mapped; resolved."
            return f"{record.entity} {record.external_id}: still quarantined: {fresh.reason[:120]}"
        self._each(request, queryset, describe,
                   lambda r: services.staff_quarantine_refetch(record=r, actor=request.user))

    @admin.action(description="Mark resolved", permissions=["operate"])
    def mark_resolved(self, request, queryset):
        self._each(request, queryset,
                   lambda r, n: f"{r.entity} {r.external_id}: "
                                f"{'resolved' if n else 'was already resolved'}.",
                   lambda r: services.staff_quarantine_resolve(record=r, actor=request.user))


# --- review queue ----------------------------------------------------------------------------


class OverSlaFilter(admin.SimpleListFilter):
    title = "review SLA"
    parameter_name = "over_sla"

    def lookups(self, request, model_admin):
        return [("1", f"waiting over {settings.STAFF_REVIEW_SLA_HOURS} h")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            cutoff = timezone.now() - timedelta(hours=settings.STAFF_REVIEW_SLA_HOURS)
            return queryset.waiting().filter(created_at__lt=cutoff)
        return queryset


class ReassignForm(ActionForm):
    assignee = forms.EmailField(required=False, label="Reassign to (staff email)")


class StaffReviewTaskAdmin(OperateMixin, ReviewTaskAdmin):
    action_form = ReassignForm
    list_filter = (OverSlaFilter, *ReviewTaskAdmin.list_filter)
    list_display = ("sla", *ReviewTaskAdmin.list_display)
    readonly_fields = ("total", "currency")  # money changes only through approve (audited)
    actions = [*ReviewTaskAdmin.actions, "reassign"]

    @admin.display(description="SLA")
    def sla(self, task):
        over = task.age > timedelta(hours=settings.STAFF_REVIEW_SLA_HOURS)
        waiting = task.state in (ReviewTask.State.OPEN, ReviewTask.State.CLAIMED)
        if over and waiting:
            return mark_safe('<strong style="color:#ba2121">over SLA</strong>')  # a constant
        return "ok"

    @admin.action(description="Reassign to the staff member named below", permissions=["operate"])
    def reassign(self, request, queryset):
        email = request.POST.get("assignee", "").strip()
        assignee = User.objects.filter(email__iexact=email, is_staff=True).first()
        if assignee is None:
            self.message_user(request, f"No staff member {email!r}.", messages.ERROR)
            return
        self._each(request, queryset, lambda t, done: f"#{t.document_id}: now {assignee.email}.",
                   lambda t: services.staff_review_reassign(task_id=t.pk, assignee=assignee,
                                                            actor=request.user))


for model, model_admin in [(Business, StaffBusinessAdmin), (User, StaffUserAdmin),
                           (Group, StaffGroupAdmin),
                           (QboConnection, StaffQboConnectionAdmin), (Action, StaffActionAdmin),
                           (QuarantinedRecord, StaffQuarantinedRecordAdmin),
                           (ReviewTask, StaffReviewTaskAdmin)]:
    admin.site.unregister(model)
    admin.site.register(model, model_admin)


# django-axes' "cleanup expired attempts" needs a request attribute only its login handler sets
# (it crashed with a 500 here). axes itself deletes expired attempts (AXES_COOLOFF_TIME) on every
# sign-in attempt, and staff clear a lockout with the audited "Unlock login lockout" actions.
_AxesAttemptAdmin = type(admin.site._registry[AccessAttempt])
admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, type("StaffAccessAttemptAdmin", (_AxesAttemptAdmin,),
                                        {"actions": []}))


@admin.register(SupportSession)
class SupportSessionAdmin(admin.ModelAdmin):
    list_display = ("started_at", "staff", "business", "reason", "expires_at", "ended_at")
    list_select_related = ("staff", "business")
    readonly_fields = [f.name for f in SupportSession._meta.fields]

    def has_add_permission(self, request):
        return False  # started from the business page's "view as owner" (audited)

    def has_delete_permission(self, request, obj=None):
        return False


# --- the staff home ----------------------------------------------------------------------------


def staff_home_view(request):
    context = {**admin.site.each_context(request), "title": "Staff home",
               "counts": staff_home()}
    return TemplateResponse(request, "staff/home.html", context)


_original_get_urls = admin.site.get_urls


def _get_urls():
    return [path("staff/home/", admin.site.admin_view(staff_home_view), name="staff-home"),
            *_original_get_urls()]


admin.site.get_urls = _get_urls
admin.site.index_template = "staff/admin_index.html"  # links the staff home
