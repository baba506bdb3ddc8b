"""Staff console: connections (never the tokens), sync runs, quarantine, and the outbox."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone

from apps.core.admin_site import display_names
from apps.integrations.sync.connection import connection_needs_reconnect
from apps.integrations.sync.models import Action, QboConnection, QuarantinedRecord, SyncRun

display_names(QboConnection, "QuickBooks connection", "QuickBooks connections")


@admin.register(QboConnection)
class QboConnectionAdmin(admin.ModelAdmin):
    list_display = ("business", "company_name", "realm_id", "status", "needs_reconnect",
                    "refresh_expires_at", "last_full_sync_at", "changes_since")
    list_filter = ("status",)
    search_fields = ("business__slug", "business__name", "company_name", "realm_id")
    # Tokens are secrets: not listed, not shown, not editable.
    exclude = ("access_token", "refresh_token")
    readonly_fields = ("business", "realm_id", "company_name", "api_base", "oauth_environment",
                       "access_expires_at", "refresh_expires_at", "connected_at", "home_currency",
                       "multicurrency_enabled", "synced_entities", "last_full_sync_at",
                       "changes_since", "last_error")

    @admin.display(boolean=True, description="Reconnect soon")
    def needs_reconnect(self, obj: QboConnection) -> bool:
        return connection_needs_reconnect(obj)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ("business", "source", "kind", "state", "started_at", "finished_at",
                    "requests", "quarantined")
    list_filter = ("source", "kind", "state")
    search_fields = ("business__slug", "error")
    readonly_fields = [f.name for f in SyncRun._meta.fields]
    date_hierarchy = "started_at"

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(QuarantinedRecord)
class QuarantinedRecordAdmin(admin.ModelAdmin):
    list_display = ("business", "entity", "external_id", "short_reason", "last_seen",
                    "resolved_at")
    list_filter = ("entity", ("resolved_at", admin.EmptyFieldListFilter), "source")
    search_fields = ("business__slug", "external_id", "reason")
    readonly_fields = [f.name for f in QuarantinedRecord._meta.fields]
    actions = ["mark_resolved"]

    @admin.display(description="Reason")
    def short_reason(self, obj: QuarantinedRecord) -> str:
        return obj.reason[:120]

    @admin.action(description="Mark resolved")
    def mark_resolved(self, request, queryset) -> None:
        n = queryset.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        self.message_user(request, f"{n} record(s) marked resolved.", messages.SUCCESS)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("key", "business", "kind", "state", "drift", "attempts", "external_id",
                    "created_by_email", "created_at", "updated_at")
    list_filter = ("state", "drift", "kind")
    search_fields = ("key", "business__slug", "external_id", "target_id", "error")
    # Money payloads are evidence: staff read them, never edit them here.
    readonly_fields = [f.name for f in Action._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
