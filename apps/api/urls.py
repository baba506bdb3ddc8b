from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.accounts.models import Role
from apps.accounts.permissions import open_view, portal_view
from apps.api import bills, invoices, key_views, tray, views

# Role checks: `portal_view` (viewers read; writes need a bookkeeper), enforced by
# MembershipMiddleware exactly as for the portal; services re-check (e.g. approval limit).
urlpatterns = [
    path("v1/auth/token/", open_view(views.TokenObtainView.as_view()), name="api-token"),
    path("v1/auth/refresh/", open_view(views.TokenRefreshView.as_view()), name="api-refresh"),
    path("v1/auth/sign-out/", portal_view(write=Role.VIEWER)(views.SignOutView.as_view()),
         name="api-sign-out"),
    path("v1/keys/", portal_view(read=Role.OWNER, write=Role.OWNER)(
        key_views.ApiKeyListView.as_view()), name="api-keys"),
    path("v1/keys/<int:pk>/", portal_view(read=Role.OWNER, write=Role.OWNER)(
        key_views.ApiKeyRevokeView.as_view()), name="api-key"),
    path("v1/runway/", portal_view(views.RunwayView.as_view()), name="api-runway"),
    path("v1/bills/", portal_view(bills.BillListView.as_view()), name="api-bills"),
    path("v1/bills/<int:pk>/", portal_view(bills.BillDetailView.as_view()), name="api-bill"),
    path("v1/bills/<int:pk>/approve/", portal_view(bills.BillApproveView.as_view()),
         name="api-bill-approve"),
    path("v1/bills/<int:pk>/schedule/", portal_view(bills.BillScheduleView.as_view()),
         name="api-bill-schedule"),
    path("v1/bills/<int:pk>/hold/", portal_view(bills.BillHoldView.as_view()),
         name="api-bill-hold"),
    path("v1/bills/<int:pk>/release/", portal_view(bills.BillReleaseView.as_view()),
         name="api-bill-release"),
    path("v1/bills/<int:pk>/payments/", portal_view(bills.BillPaymentView.as_view()),
         name="api-bill-payments"),
    path("v1/invoices/", portal_view(invoices.InvoiceListView.as_view()), name="api-invoices"),
    path("v1/invoices/<int:pk>/", portal_view(invoices.InvoiceDetailView.as_view()),
         name="api-invoice"),
    path("v1/invoices/<int:pk>/remind/", portal_view(invoices.InvoiceRemindView.as_view()),
         name="api-invoice-remind"),
    path("v1/invoices/<int:pk>/expect/", portal_view(invoices.InvoiceExpectView.as_view()),
         name="api-invoice-expect"),
    path("v1/tray/", portal_view(tray.TrayListView.as_view()), name="api-tray"),
    path("v1/tray/<int:pk>/done/", portal_view(tray.TrayDoneView.as_view()),
         name="api-tray-done"),
    path("v1/tray/<int:pk>/snooze/", portal_view(tray.TraySnoozeView.as_view()),
         name="api-tray-snooze"),
    path("v1/tray/<int:pk>/dismiss/", portal_view(tray.TrayDismissView.as_view()),
         name="api-tray-dismiss"),
    path("schema/", portal_view(SpectacularAPIView.as_view()), name="api-schema"),
    path("docs/", portal_view(SpectacularSwaggerView.as_view(url_name="api-schema")),
         name="api-docs"),
]
