from functools import partial

from django.http import JsonResponse
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.accounts.models import Role
from apps.accounts.permissions import open_view, portal_view
from apps.api import (
    automation,
    bank_feed,
    bills,
    business,
    collections,
    files,
    forecast,
    invoices,
    key_views,
    reserves,
    team,
    tray,
    views,
)
from apps.api.auth import refuses_api_keys
from apps.core.routes import resource, verbs

# Role checks: `portal_view` (viewers read; writes need a bookkeeper unless stated), enforced by
# MembershipMiddleware exactly as for the portal; services re-check (e.g. approval limit).
OWNER_WRITES = portal_view(write=Role.OWNER)
OWNER_ONLY = portal_view(read=Role.OWNER, write=Role.OWNER)
MEMBER_WRITES = portal_view(write=Role.VIEWER)
BOOKKEEPER_ONLY = portal_view(read=Role.BOOKKEEPER, write=Role.BOOKKEEPER)


def owner_signed_in(view):
    """Keys, the team, alert destinations: owners, and writes only by a person signed in —
    never an API key (apps/api/auth.py refuses_api_keys says why)."""
    return OWNER_ONLY(refuses_api_keys(view))


def owner_writes_signed_in(view):
    """The business itself (settings, deletion): any member reads, owners signed in write."""
    return OWNER_WRITES(refuses_api_keys(view))


def not_found(request, rest=""):
    """Any other path under /api/ (a malformed id, a typo): the error family's JSON 404."""
    return JsonResponse({"error": {"code": "not_found", "message": "No such API operation."}},
                        status=404)


def op(route, view, name, access=portal_view):
    return path(f"v1/{route}", access(view.as_view()), name=f"api-{name}")


urlpatterns = [
    op("auth/token/", views.TokenObtainView, "token", open_view),
    op("auth/refresh/", views.TokenRefreshView, "refresh", open_view),
    op("auth/sign-out/", views.SignOutView, "sign-out", MEMBER_WRITES),
    op("keys/", key_views.ApiKeyListView, "keys", owner_signed_in),
    op("keys/<int:pk>/", key_views.ApiKeyRevokeView, "key", owner_signed_in),
    # The business, its settings, bank accounts, sync, activity
    op("business/", business.BusinessView, "business", owner_writes_signed_in),
    op("business/export/", business.BusinessExportView, "business-export", OWNER_ONLY),
    op("bank-accounts/", business.BankAccountListView, "bank-accounts"),
    op("bank-accounts/<int:pk>/include/", business.BankAccountIncludeView, "bank-account-include",
       OWNER_WRITES),
    op("sync/", business.SyncView, "sync", OWNER_WRITES),
    op("sync/disconnect/", bank_feed.QboDisconnectView, "sync-disconnect", OWNER_ONLY),
    op("bank-feeds/", bank_feed.FeedItemListView, "bank-feeds", OWNER_ONLY),
    op("bank-feeds/<int:pk>/sync/", bank_feed.FeedItemSyncView, "bank-feed-sync", OWNER_ONLY),
    op("bank-feeds/<int:pk>/disconnect/", bank_feed.FeedItemDisconnectView,
       "bank-feed-disconnect", OWNER_ONLY),
    op("feed-accounts/", bank_feed.FeedAccountListView, "feed-accounts", OWNER_ONLY),
    *verbs("feed-accounts/<int:pk>/", "feed-account",
           {"link": bank_feed.FeedAccountLinkView, "unlink": bank_feed.FeedAccountUnlinkView},
           route=partial(op, access=OWNER_ONLY)),
    op("recurring/", business.RecurringView, "recurring"),
    op("activity/", business.ActivityListView, "activity",
       portal_view(read=Role.BOOKKEEPER, write=Role.OWNER)),
    # Team (owners, signed in)
    op("team/", team.TeamView, "team", owner_signed_in),
    op("team/invitations/", team.InvitationListView, "team-invitations", owner_signed_in),
    op("team/invitations/<int:pk>/revoke/", team.InvitationRevokeView, "team-invitation-revoke",
       owner_signed_in),
    *verbs("team/members/<int:pk>/", "team-member",
           {"role": team.MemberRoleView, "remove": team.MemberRemoveView},
           route=partial(op, access=owner_signed_in)),
    op("team/firms/", team.FirmAddView, "team-firms", owner_signed_in),
    op("team/firms/<int:pk>/end/", team.FirmEndView, "team-firm-end", owner_signed_in),
    op("team/grants/<int:pk>/revoke/", team.GrantRevokeView, "team-grant-revoke", owner_signed_in),
    # Automation rules (bookkeepers propose and undo; switching on is the owner's, in the
    # service) and owner alerts
    op("automation/rules/", automation.RuleListView, "automation-rules", BOOKKEEPER_ONLY),
    op("automation/rules/<str:kind>/", automation.RuleView, "automation-rule", BOOKKEEPER_ONLY),
    *verbs("automation/rules/<str:kind>/", "automation-rule",
           {"on": automation.RuleOnView, "off": automation.RuleOffView},
           route=partial(op, access=BOOKKEEPER_ONLY)),
    op("automation/actions/", automation.RuleActionListView, "automation-actions",
       BOOKKEEPER_ONLY),
    op("automation/actions/<int:pk>/undo/", automation.RuleActionUndoView,
       "automation-action-undo", BOOKKEEPER_ONLY),
    op("alerts/", automation.AlertSettingsView, "alerts", owner_signed_in),
    op("alerts/webhook-test/", automation.AlertWebhookTestView, "alerts-webhook-test",
       owner_signed_in),
    # Runway and forecast
    op("runway/", forecast.RunwayView, "runway"),
    op("runway/scenario/", forecast.ScenarioView, "runway-scenario", MEMBER_WRITES),
    op("aging/", forecast.AgingView, "aging"),
    op("forecast/snapshots/", forecast.SnapshotListView, "forecast-snapshots"),
    op("forecast/accuracy/", forecast.AccuracyView, "forecast-accuracy"),
    # Bills, vendors, vendor credits
    *resource("bills/", ("bills", "bill"), bills.BillListView, bills.BillDetailView, {
        "approve": bills.BillApproveView, "schedule": bills.BillScheduleView,
        "hold": bills.BillHoldView, "release": bills.BillReleaseView,
        "payments": bills.BillPaymentView}, route=op),
    op("vendors/", bills.VendorListView, "vendors"),
    op("vendors/<int:pk>/", bills.VendorDetailView, "vendor"),
    op("vendor-credits/", bills.VendorCreditListView, "vendor-credits"),
    op("vendor-credits/<int:pk>/apply/", bills.VendorCreditApplyView, "vendor-credit-apply"),
    # Invoices, customers, credits, overpayments
    *resource("invoices/", ("invoices", "invoice"), invoices.InvoiceListView,
              invoices.InvoiceDetailView, {"remind": invoices.InvoiceRemindView,
                                           "expect": invoices.InvoiceExpectView,
                                           "dispute": invoices.InvoiceDisputeView}, route=op),
    *resource("customers/", ("customers", "customer"), invoices.CustomerListView,
              invoices.CustomerDetailView, {
                  "hold": invoices.CustomerHoldView, "release": invoices.CustomerReleaseView,
                  "reminders": invoices.CustomerRemindersView,
                  "contacts": invoices.CustomerContactsView}, route=op),
    op("credits/", invoices.CreditListView, "credits"),
    op("credits/<int:pk>/apply/", invoices.CreditApplyView, "credit-apply"),
    op("overpayments/", invoices.OverpaymentListView, "overpayments"),
    op("overpayments/<int:pk>/apply/", invoices.OverpaymentApplyView, "overpayment-apply"),
    # Collections: settings, sequences, steps (owners write)
    op("collections/settings/", collections.CollectionsSettingsView, "collections-settings",
       OWNER_WRITES),
    op("collections/sequences/", collections.SequenceListView, "sequences", OWNER_WRITES),
    op("collections/sequences/<int:pk>/steps/", collections.SequenceStepsView, "sequence-steps",
       OWNER_WRITES),
    op("collections/steps/<int:pk>/", collections.StepView, "step", OWNER_WRITES),
    # Reserves
    op("reserves/confirm/", reserves.ReservesConfirmView, "reserves-confirm"),
    *resource("reserves/", ("reserves", "reserve"), reserves.ReserveListView,
              reserves.ReserveDetailView, {"fund": reserves.ReserveFundView,
                                           "release": reserves.ReserveReleaseView}, route=op),
    # Tray
    op("tray/refresh/", tray.TrayRefreshView, "tray-refresh"),
    *resource("tray/", ("tray", "tray"), tray.TrayListView, actions={
        "done": tray.TrayDoneView, "snooze": tray.TraySnoozeView,
        "dismiss": tray.TrayDismissView, "reopen": tray.TrayReopenView}, route=op),
    # Documents and digests
    op("documents/", files.DocumentListView, "documents"),
    op("documents/<int:pk>/", files.DocumentDetailView, "document"),
    path("schema/", portal_view(SpectacularAPIView.as_view()), name="api-schema"),
    path("docs/", portal_view(SpectacularSwaggerView.as_view(url_name="api-schema")),
         name="api-docs"),
    re_path(r"^(?P<rest>.*)$", portal_view(read=Role.VIEWER, write=Role.VIEWER)(not_found),
            name="api-not-found"),
]
