"""Every admin action registered on our admins calls a service and writes an audit entry with
who, what and the business; the results show as admin messages. One QBO sandbox serves all.

The walk fails when an action is added without a case here, so no action escapes the audit: the
actions are discovered from the admin site's registry as a superuser sees them (every model,
ours and third-party), and each one run must leave an ``admin.action`` entry on its row (the
site's wrapper) besides our services' own entries; deletion is audited once confirmed."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.utils import timezone

from apps.core.models import AuditEvent
from apps.integrations.sync.models import Action, QboConnection, QuarantinedRecord
from apps.integrations.sync.outbox import NOTE_PREFIX, action_create, action_execute
from apps.review.models import ReviewTask
from apps.staff.models import SupportSession
from tests.factories import QuarantinedRecordFactory, ReviewTaskFactory, make_member
from tests.integrations.sync.qbo_company import sandbox_rows
from tests.staff.conftest import admin_client, staff_user

PAY_101 = {"vendor": "56", "bill": "101", "amount": "200.00", "bank_account": "35",
           "date": "2026-11-20"}


def our_actions(user, *, everyone: bool = False) -> set[tuple[str, str]]:
    """(model, action) pairs the admin offers ``user``; ``everyone``: third-party models too."""
    request = RequestFactory().get("/admin/")
    request.user = user
    found = set()
    for model, model_admin in admin.site._registry.items():
        if not everyone and not model.__module__.startswith("apps."):
            continue
        for name in model_admin.get_actions(request):
            if name != "delete_selected":
                found.add((model._meta.label_lower, name))
    return found


def _lockout(email):
    AccessAttempt.objects.create(username=email, ip_address="10.0.0.9", failures_since_start=5,
                                 user_agent="test", http_accept="*/*", path_info="/login/",
                                 get_data="", post_data="")


def pause(business):
    from apps.automation.rules import automation_pause

    automation_pause(business=business, actor=None, paused=True)


def cases(business, sb, operator):
    """(model, action) → (make the selected row; extra POST fields; audit action expected)."""
    owner = make_member(business)
    other = staff_user("second@oodaloo.test", "operator")

    def unknown_action():
        action = action_create(business, "bill_payment.create", PAY_101, enqueue=False)
        sb.set_faults("drop=1.0")
        action = action_execute(action)
        sb.set_faults("drop=0")
        assert action.state == "unknown"
        return action

    def task(document_id):
        return lambda: ReviewTaskFactory(business=business, document_id=document_id)

    def claimed():
        t = task(3)()
        t.state, t.assignee, t.claimed_at = ReviewTask.State.CLAIMED, operator, timezone.now()
        t.save()
        return t

    conn = QboConnection.objects.get(business=business)
    return {
        ("tenancy.business", "sync_now"): (lambda: business, {}, "staff.sync_now"),
        ("tenancy.business", "sync_full"): (lambda: business, {}, "staff.sync_now"),
        ("tenancy.business", "resend_digest"): (
            lambda: business, {"reason": "owner lost the email"}, "digest.resend"),
        ("tenancy.business", "email_reconnect_link"): (lambda: business, {},
                                                        "staff.reconnect_link"),
        ("tenancy.business", "unlock_owner_logins"): (
            lambda: (_lockout(owner.email), business)[1], {}, "staff.lockout_reset"),
        ("tenancy.business", "view_as_owner"): (lambda: business, {"reason": "ticket 42"},
                                                "staff.view_as"),
        ("tenancy.business", "pause_automation"): (lambda: business, {"reason": "owner asked"},
                                                   "staff.automation_paused"),
        ("tenancy.business", "resume_automation"): (
            lambda: (pause(business), business)[1], {}, "staff.automation_resumed"),
        ("accounts.user", "unlock_login"): (lambda: (_lockout(owner.email), owner)[1], {},
                                            "staff.lockout_reset"),
        ("sync.qboconnection", "email_reconnect_link"): (lambda: conn, {},
                                                          "staff.reconnect_link"),
        ("sync.action", "retry_or_reconcile"): (unknown_action, {}, "staff.action_retry"),
        ("sync.quarantinedrecord", "refetch"): (
            lambda: QuarantinedRecordFactory(business=business, entity="Bill", external_id="101"),
            {}, "staff.quarantine_refetch"),
        ("sync.quarantinedrecord", "mark_resolved"): (
            lambda: QuarantinedRecordFactory(business=business, entity="Vendor",
                                             external_id="56"),
            {}, "staff.quarantine_resolve"),
        ("review.reviewtask", "claim_selected"): (task(1), {}, "review.claim"),
        ("review.reviewtask", "release_selected"): (claimed, {}, "review.release"),
        ("review.reviewtask", "reassign"): (task(2), {"assignee": other.email},
                                            "review.reassign"),
    }


def _changelist(label: str) -> str:
    app, model = label.split(".")
    return f"/admin/{app}/{model}/"


def test_every_admin_action_is_audited_with_who_what_and_business(connected, sb):
    operator = staff_user("operator@oodaloo.test", "operator")
    client = admin_client(operator)
    table = cases(connected, sb, operator)
    assert our_actions(operator) == set(table), "an admin action without an audit case"
    for (label, name), (make, extra, audit_action) in sorted(table.items()):
        obj = make()
        started = timezone.now() - timedelta(seconds=1)
        response = client.post(_changelist(label), {
            "action": name, "_selected_action": [obj.pk], "index": 0, **extra}, follow=False)
        assert response.status_code in (200, 302), (name, response.status_code)
        notes = [str(m) for m in get_messages(response.wsgi_request)]
        assert notes, f"{name} showed no result"
        entry = AuditEvent.objects.filter(action=audit_action, created_at__gte=started).first()
        assert entry is not None, (name, notes)
        assert entry.actor_id == operator.pk and entry.business_id == connected.pk, name

    # What the actions did, beyond the audit: the unknown payment ended succeeded, once.
    retried = Action.objects.filter(kind="bill_payment.create").get()
    assert retried.state == "succeeded"
    assert len([r for r in sandbox_rows(sb, "BillPayment")
                if r.get("PrivateNote") == f"{NOTE_PREFIX}{retried.key}"]) == 1
    refetched = QuarantinedRecord.objects.get(entity="Bill", external_id="101")
    assert refetched.resolved_at is not None  # fetched again and mapped
    assert not AccessAttempt.objects.exists()
    assert SupportSession.objects.filter(business=connected, staff=operator).exists()
    assert ReviewTask.objects.get(document_id=2).assignee.email == "second@oodaloo.test"


def test_support_role_sees_lists_but_no_operator_action(tenant_a):
    support = staff_user("support@oodaloo.test", "support")
    client = admin_client(support)
    assert our_actions(support) == {("tenancy.business", "view_as_owner")}
    assert client.get("/admin/sync/action/").status_code == 200
    assert client.get("/admin/tenancy/business/").status_code == 200
    refused = client.post("/admin/tenancy/business/", {
        "action": "sync_now", "_selected_action": [tenant_a.pk], "index": 0})
    assert not AuditEvent.objects.filter(action="staff.sync_now").exists()
    assert refused.status_code in (200, 302)


def test_resend_without_a_reason_is_refused_and_not_sent(connected):
    operator = staff_user("operator@oodaloo.test", "operator")
    client = admin_client(operator)
    response = client.post("/admin/tenancy/business/", {
        "action": "resend_digest", "_selected_action": [connected.pk], "index": 0})
    assert "needs a reason" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not AuditEvent.objects.filter(action="digest.resend").exists()


def test_money_fields_are_read_only_in_every_admin(tenant_a):
    from django.db.models import DecimalField

    operator = staff_user("operator@oodaloo.test", "admin")
    request = RequestFactory().get("/admin/")
    request.user = operator
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_change_permission(request):
            continue
        readonly = set(model_admin.get_readonly_fields(request)) | set(model_admin.exclude or ())
        for field in model._meta.fields:
            if isinstance(field, DecimalField):
                assert field.name in readonly, f"{model._meta.label}.{field.name} is editable"


def third_party_cases():
    """Actions of the admins we register but did not write (django-celery-beat; axes' one
    action is removed in apps/staff/admin.py)."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    def periodic():
        every, _ = IntervalSchedule.objects.get_or_create(every=1, period="days")
        return PeriodicTask.objects.create(name=f"probe-{PeriodicTask.objects.count()}",
                                           task="core.job_runs_cleanup", interval=every)

    beat = "django_celery_beat.periodictask"
    return {
        (beat, "enable_tasks"): (periodic, {}, None),
        (beat, "disable_tasks"): (periodic, {}, None),
        (beat, "toggle_tasks"): (periodic, {}, None),
        (beat, "run_tasks"): (periodic, {}, None),
    }


def test_every_action_on_the_admin_site_is_audited_on_its_row(connected, sb):
    from django.contrib.admin import ModelAdmin

    from apps.accounts.models import User
    from apps.core.admin_site import AuditedAdminMixin

    boss = User.objects.create_user("boss@oodaloo.test", "a-long-password-1", is_staff=True,
                                    is_superuser=True)
    client = admin_client(boss)
    table = {**cases(connected, sb, boss), **third_party_cases()}
    offered = our_actions(boss, everyone=True)
    deletable = {label for label, name in offered if name == "delete_selected"}
    assert offered - {(label, "delete_selected") for label in deletable} == set(table), \
        "an admin action without an audit case"
    for (label, name), (make, extra, _service_audit) in sorted(table.items()):
        obj = make()
        started = timezone.now() - timedelta(seconds=1)
        response = client.post(_changelist(label), {
            "action": name, "_selected_action": [obj.pk], "index": 0, **extra})
        assert response.status_code in (200, 302), (label, name, response.status_code)
        entry = AuditEvent.objects.filter(action="admin.action", actor=boss,
                                          object_id=str(obj.pk), after__action=name,
                                          created_at__gte=started).first()
        assert entry is not None, (label, name)
        assert entry.after["model"] == label
        if label.split(".")[0] in ("tenancy", "sync", "review"):
            assert entry.business_id == connected.pk, (label, name)

    # delete_selected: every admin offering it deletes through the audited delete_queryset,
    # and a confirmed deletion leaves one entry per row (the confirmation page none).
    for model, model_admin in admin.site._registry.items():
        if model._meta.label_lower in deletable:
            assert isinstance(model_admin, AuditedAdminMixin), model
            assert type(model_admin).delete_queryset is AuditedAdminMixin.delete_queryset \
                or type(model_admin).delete_queryset is not ModelAdmin.delete_queryset, model
    record = QuarantinedRecord.objects.create(business=connected, entity="Item",
                                              external_id="7", reason="probe")
    form = {"action": "delete_selected", "_selected_action": [record.pk], "index": 0}
    client.post("/admin/sync/quarantinedrecord/", form)  # the "are you sure?" page
    assert not AuditEvent.objects.filter(action="admin.deleted",
                                         object_id=str(record.pk)).exists()
    client.post("/admin/sync/quarantinedrecord/", {**form, "post": "yes"})
    assert not QuarantinedRecord.objects.filter(pk=record.pk).exists()
    deleted = AuditEvent.objects.get(action="admin.deleted", object_id=str(record.pk))
    assert deleted.actor_id == boss.pk and deleted.business_id == connected.pk
