"""A business's own host: the portal, its API and sign-in. Every view declares its access."""

from django.urls import include, path

from apps.accounts import views as accounts
from apps.accounts.permissions import open_view
from apps.core.views import health
from apps.staff.views import support_end, support_enter

urlpatterns = [
    path("login/", accounts.tenant_login, name="tenant-login"),
    path("login/code/", accounts.login_code, name="tenant-login-code"),
    path("logout/", accounts.tenant_logout, name="tenant-logout"),
    path("auth/handoff/", accounts.tenant_handoff, name="tenant-handoff"),
    path("auth/support/", support_enter, name="tenant-support"),
    path("auth/support/end/", support_end, name="tenant-support-end"),
    path("health", open_view(health)),
    path("api/v1/digests/", include("apps.digest.api")),  # before api/'s JSON 404 catch-all
    path("api/", include("apps.api.urls")),
    path("settings/api-keys/", include("apps.api.key_pages")),
    path("", include("apps.portal.urls")),
]
