from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_tenants.admin import TenantAdminMixin

from apps.accounts.models import Invitation, Membership, User
from apps.core.admin import ReadOnly, ReadOnlyAdmin
from apps.tenancy.models import Business, Domain


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "password1", "password2")}),)
    filter_horizontal = ("groups",)

    def get_readonly_fields(self, request, obj=None):
        # Granting access is a superuser's: else the admin role (accounts.change_user) could
        # make itself a superuser, or join a group with more permissions.
        fields = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        return (*fields, "is_staff", "is_superuser", "groups", "user_permissions")

    def has_change_permission(self, request, obj=None):
        # A superuser's account (its email, its password) is a superuser's to change.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Memberships change through the team services only (last owner, firm access below
    owner, the member-left hook that revokes API keys), and are audited there."""

    list_display = ("user", "business", "role", "created_at")
    list_filter = ("role", "business")
    search_fields = ("user__email", "business__name")
    list_select_related = ("user", "business")
    readonly_fields = ("user", "business", "role", "created_at")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "business", "role", "created_at", "expires_at", "accepted_at")
    list_select_related = ("business",)
    exclude = ("token_hash",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class MembershipInline(ReadOnly, admin.TabularInline):
    """Who belongs to the business, read-only (as MembershipAdmin): a row edited here would
    skip the team services' rules, and an owner row added here would outlast any read-only
    support session."""

    model = Membership
    extra = 0
    fields = readonly_fields = ("user", "role", "firm", "created_at")


@admin.register(Business)
class BusinessAdmin(TenantAdminMixin, admin.ModelAdmin):
    """The staff console's health view: one row per business, with its people."""

    list_display = (
        "name",
        "slug",
        "created_at",
        "owner",
        "quickbooks",
        "last_sync_at",
        "last_error_short",
        "token_expires_at",
        "bank_feeds",
        "timezone",
    )
    search_fields = ("name", "slug")
    readonly_fields = (
        "schema_name",
        "created_at",
        "last_sync_at",
        "last_error",
        "token_expires_at",
    )
    inlines = [DomainInline, MembershipInline]

    def get_queryset(self, request):
        # Connections are reached through reverse relations by name: the kernel imports no
        # integration code, and the page stays at a fixed number of queries.
        return (
            super().get_queryset(request).real()
            .select_related("qbo_connection")
            .prefetch_related("memberships__user", "plaid_items")
        )

    def has_add_permission(self, request):
        return False  # businesses are provisioned by sign-up or `create_business`

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="owner")
    def owner(self, obj):
        owners = [m.user.email for m in obj.memberships.all() if m.role == "owner"]
        return ", ".join(owners)

    @admin.display(description="last error")
    def last_error_short(self, obj):
        return (obj.last_error or "")[:80]

    @admin.display(description="QuickBooks")
    def quickbooks(self, obj):
        conn = getattr(obj, "qbo_connection", None)
        return "not connected" if conn is None else conn.get_status_display()

    @admin.display(description="bank feeds")
    def bank_feeds(self, obj):
        items = list(obj.plaid_items.all())
        if not items:
            return "none"
        return ", ".join(f"{i.institution_name or i.item_id[:8]}: {i.status}" for i in items)
