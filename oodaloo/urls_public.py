"""The public host: sign-in, sign-up, invitations, staff admin (2FA), webhooks, operations."""

from django.contrib import admin
from django.urls import include, path

from apps.accounts import account_views, firm_signup_views, signup_views
from apps.accounts import views as accounts
from apps.core.views import health, metrics
from apps.integrations.sync.views import qbo_oauth_callback_forward, qbo_webhook
from apps.portal.intuit import qbo_disconnect_url, qbo_launch

urlpatterns = [
    path("", accounts.public_login, name="login"),
    path("login/", accounts.public_login),
    path("login/code/", accounts.login_code, name="login-code"),
    path("logout/", accounts.public_logout, name="logout"),
    path("account/", account_views.account, name="account"),
    path("account/two-step/start/", account_views.two_step_start, name="two-step-start"),
    path("account/two-step/confirm/", account_views.two_step_confirm, name="two-step-confirm"),
    path("account/two-step/disable/", account_views.two_step_disable, name="two-step-disable"),
    path("password/change/", account_views.PasswordChange.as_view(), name="password-change"),
    path("password/reset/", account_views.PasswordReset.as_view(), name="password-reset"),
    path("password/reset/sent/", account_views.reset_done, name="password-reset-done"),
    path(
        "password/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirm.as_view(),
        name="password-reset-confirm",
    ),
    path("password/reset/complete/", account_views.reset_complete,
         name="password-reset-complete"),
    path("signup/", signup_views.signup_start, name="signup"),
    path("signup/verify/<str:token>/", signup_views.signup_confirm, name="signup-verify"),
    path("signup/firm/", firm_signup_views.firm_signup_start, name="firm-signup"),
    path("signup/firm/verify/<str:token>/", firm_signup_views.firm_signup_confirm,
         name="firm-signup-verify"),
    path("businesses/", accounts.choose_business, name="choose-business"),
    path("businesses/new/", signup_views.business_new, name="business-new"),
    path("businesses/<slug:slug>/", accounts.go_to_business, name="go-to-business"),
    path("invite/<str:token>/", accounts.accept_invitation, name="accept-invitation"),
    path("firm/", include("apps.firm.urls")),
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
    path("metrics", metrics, name="prometheus-django-metrics"),
]
