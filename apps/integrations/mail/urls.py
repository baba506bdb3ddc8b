"""Provider webhooks on the public host. anymail verifies the basic-auth WEBHOOK_SECRET (and the
provider's signature where configured) before any receiver sees an event."""

from django.urls import include, path

urlpatterns = [
    path("anymail/", include("anymail.urls")),
]
