"""The public host: sign-in, sign-up, invitations, staff admin (2FA), webhooks, operations."""

from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from apps.accounts import views as accounts
from apps.core.views import health
from apps.integrations.sync.views import qbo_oauth_callback_forward, qbo_webhook
from apps.portal.intuit import qbo_disconnect_url, qbo_launch

admin.site.__class__ = OTPAdminSite
admin.site.site_header = "Oodaloo staff console"
admin.site.site_title = "Oodaloo staff"

urlpatterns = [
    path("", accounts.public_login, name="login"),
    path("login/", accounts.public_login),
    path("logout/", accounts.public_logout, name="logout"),
    path("signup/", accounts.signup, name="signup"),
    path("businesses/", accounts.choose_business, name="choose-business"),
    path("businesses/<slug:slug>/", accounts.go_to_business, name="go-to-business"),
    path("invite/<str:token>/", accounts.accept_invitation, name="accept-invitation"),
    path("admin/", admin.site.urls),
    path("webhooks/email/", include("apps.ap.documents.urls_inbound")),
    path("webhooks/qbo/", qbo_webhook, name="qbo-webhook"),
    path("connect/qbo/callback/", qbo_oauth_callback_forward, name="qbo-callback-forward"),
    # Intuit's app settings: Launch URL and Disconnect URL (apps/portal/intuit.py).
    path("connect/qbo/launch/", qbo_launch, name="qbo-launch"),
    path("connect/qbo/disconnect/", qbo_disconnect_url, name="qbo-disconnect-url"),
    path("health", health, name="health"),
    path("", include("apps.integrations.mail.urls")),
    path("webhooks/plaid/", include("apps.bank.urls_webhooks")),
    path("", include("django_prometheus.urls")),
]
