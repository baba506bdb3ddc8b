from django.apps import apps as django_apps
from django.contrib import admin

from apps.core.models import AuditEvent, JobRun

# django-otp's apps have no verbose name, so the admin index shows "Otp_Totp" and "Otp_Static".
for _label, _name in {"otp_totp": "Two-step sign-in: authenticator apps",
                      "otp_static": "Two-step sign-in: backup codes"}.items():
    if django_apps.is_installed(f"django_otp.plugins.{_label}"):
        django_apps.get_app_config(_label).verbose_name = _name


class ReadOnly:
    """No add, no change, no delete: rows only pipelines or services write (a model admin or
    an inline)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "business",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "ip",
    )
    list_filter = ("action", "business")
    search_fields = ("actor_label", "action", "object_id", "request_id")
    date_hierarchy = "created_at"
    list_select_related = ("business",)


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "name", "business", "state", "duration_ms", "error")
    list_filter = ("state", "name")
    list_select_related = ("business",)
