from django.contrib import admin

from apps.core.models import AuditEvent, JobRun


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only pipelines create: no add, no change, no delete."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
