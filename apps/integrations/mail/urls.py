"""Provider webhooks on the public host. anymail verifies the basic-auth WEBHOOK_SECRET (and the
provider's signature where configured) before any receiver sees an event; a verified body that
cannot be read is answered 400 (`guard.py`), never 500."""

from anymail import urls as anymail_urls
from django.urls import include, path

from apps.integrations.mail.guard import guard_patterns

urlpatterns = [
    path("anymail/", include((guard_patterns(anymail_urls.urlpatterns), anymail_urls.app_name))),
]
