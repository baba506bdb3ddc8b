from django.contrib import admin

from apps.core.admin_site import display_names
from apps.integrations.plaid.models import PlaidItem

display_names(PlaidItem, "Plaid bank connection", "Plaid bank connections")


@admin.register(PlaidItem)
class PlaidItemAdmin(admin.ModelAdmin):
    """Bank-feed health for staff: state, last sync, last error (never the token)."""

    list_display = ("business", "institution_name", "status", "last_sync_at", "last_error")
    list_filter = ("status",)
    list_select_related = ("business",)
    search_fields = ("business__name", "institution_name", "item_id")
    fields = ("business", "item_id", "institution_name", "host", "status", "created_at",
              "last_sync_at", "last_error")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # items are created by the Link flow
