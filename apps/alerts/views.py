"""The owner's Alerts page on the business's host: which kinds, thresholds, email, the webhook
with a "send test" button, and the history of alerts sent. Owner only (read and write)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import portal_view
from apps.alerts import selectors
from apps.alerts.models import Kind
from apps.alerts.preferences import alert_settings_set, webhook_test_send
from apps.alerts.services import alert_settings_get
from apps.alerts.webhook import webhook_masked
from apps.core.errors import ApplicationError

OWNER = {"read": Role.OWNER, "write": Role.OWNER}


def _refused(request, exc: ApplicationError):
    return render(request, "portal/action_error.html",
                  {"level": "error", "message": exc.message, "back": "/settings/alerts/"},
                  status=getattr(exc, "status", 400))


def _webhook_posted(post) -> str | None:
    """The field is never prefilled (the URL is a credential): blank keeps the saved webhook,
    the "remove" box clears it, anything else replaces it."""
    if post.get("webhook_clear") == "1":
        return ""
    return post.get("webhook_url", "").strip() or None


@portal_view(**OWNER)
def alerts_page(request):
    if request.method == "POST":
        try:
            alert_settings_set(
                actor=request.user, business=request.business,
                enabled_kinds=request.POST.getlist("kinds"),
                runway_days_threshold=request.POST.get("runway_days_threshold", ""),
                sync_failing_hours=request.POST.get("sync_failing_hours", ""),
                email_enabled=request.POST.get("email_enabled") == "1",
                webhook_url=_webhook_posted(request.POST),
            )
        except ApplicationError as exc:
            return _refused(request, exc)
        messages.success(request, "Alert settings saved.")
        return redirect("/settings/alerts/")
    prefs = alert_settings_get()
    kinds = [(value, label, prefs.kind_enabled(value)) for value, label in Kind.choices]
    return render(request, "alerts/settings.html", {
        "business": request.business, "prefs": prefs, "kinds": kinds,
        "webhook_masked": webhook_masked(prefs.webhook_url or ""),
        "history": selectors.alert_history(),
        "webhook_failure": selectors.last_webhook_failure(),
    })


@require_POST
@portal_view(**OWNER)
def webhook_test(request):
    try:
        result = webhook_test_send(actor=request.user, business=request.business)
    except ApplicationError as exc:
        return _refused(request, exc)
    (messages.success if result.ok else messages.error)(request, result.message)
    return redirect("/settings/alerts/")
