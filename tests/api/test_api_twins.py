"""Every portal action has its API twin: walk the portal's URL patterns, find the views that
accept POST, and check each maps to an operation in the API's schema (or is listed below as
browser-only, with the reason). A new portal action fails here until it has a twin."""

import inspect

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.api.schema_ops import operations

pytestmark = pytest.mark.django_db

# portal URL name → (method, API path template)
TWINS = {
    "tray-refresh": ("post", "/api/v1/tray/refresh/"),
    "tray-done": ("post", "/api/v1/tray/{id}/done/"),
    "tray-snooze": ("post", "/api/v1/tray/{id}/snooze/"),
    "tray-dismiss": ("post", "/api/v1/tray/{id}/dismiss/"),
    "tray-reopen": ("post", "/api/v1/tray/{id}/reopen/"),
    "bill-approve": ("post", "/api/v1/bills/{id}/approve/"),
    "bill-schedule": ("post", "/api/v1/bills/{id}/schedule/"),
    "bill-hold": ("post", "/api/v1/bills/{id}/hold/"),
    "bill-release": ("post", "/api/v1/bills/{id}/release/"),
    "bill-pay": ("post", "/api/v1/bills/{id}/payments/"),
    "invoice-remind": ("post", "/api/v1/invoices/{id}/remind/"),
    "invoice-expect": ("post", "/api/v1/invoices/{id}/expect/"),
    "invoice-dispute": ("post", "/api/v1/invoices/{id}/dispute/"),
    "credit-apply": ("post", "/api/v1/credits/{id}/apply/"),
    "vendor-credit-apply": ("post", "/api/v1/vendor-credits/{id}/apply/"),
    "overpayment-apply": ("post", "/api/v1/overpayments/{id}/apply/"),
    "collections-settings": ("put", "/api/v1/collections/settings/"),
    "sequence-create": ("post", "/api/v1/collections/sequences/"),
    "step-new": ("post", "/api/v1/collections/sequences/{id}/steps/"),
    "step-edit": ("put", "/api/v1/collections/steps/{id}/"),
    "step-delete": ("delete", "/api/v1/collections/steps/{id}/"),
    "customer-reminders": ("post", "/api/v1/customers/{id}/reminders/"),
    "customer-contacts": ("post", "/api/v1/customers/{id}/contacts/"),
    "customer-hold": ("post", "/api/v1/customers/{id}/hold/"),
    "customer-release": ("post", "/api/v1/customers/{id}/release/"),
    "reserve-create": ("post", "/api/v1/reserves/"),
    "reserves-skip": ("post", "/api/v1/reserves/confirm/"),
    "reserve-update": ("patch", "/api/v1/reserves/{id}/"),
    "reserve-move": ("post", "/api/v1/reserves/{id}/fund/"),  # and …/release/
    "bank-include": ("post", "/api/v1/bank-accounts/{id}/include/"),
    "recurring-confirm": ("post", "/api/v1/recurring/"),
    "recurring-dismiss": ("post", "/api/v1/recurring/"),
    "recurring-clear": ("delete", "/api/v1/recurring/"),
    "tenant-login": ("post", "/api/v1/auth/token/"),
    "tenant-login-code": ("post", "/api/v1/auth/token/"),  # the code goes as `otp`
    "tenant-logout": ("post", "/api/v1/auth/sign-out/"),
    "api-keys-page": ("post", "/api/v1/keys/"),
    "api-key-revoke-page": ("delete", "/api/v1/keys/{id}/"),
    "team-invite": ("post", "/api/v1/team/invitations/"),
    "team-role": ("post", "/api/v1/team/members/{id}/role/"),
    "team-remove": ("post", "/api/v1/team/members/{id}/remove/"),
    "team-invitation-revoke": ("post", "/api/v1/team/invitations/{id}/revoke/"),
    "team-firm-add": ("post", "/api/v1/team/firms/"),
    "team-firm-end": ("post", "/api/v1/team/firms/{id}/end/"),
    "team-grant-revoke": ("post", "/api/v1/team/grants/{id}/revoke/"),
    "disconnect-qbo": ("post", "/api/v1/sync/disconnect/"),
    "bank-feed-sync": ("post", "/api/v1/bank-feeds/{id}/sync/"),
    "bank-feed-disconnect": ("post", "/api/v1/bank-feeds/{id}/disconnect/"),
    "bank-feed-link": ("post", "/api/v1/feed-accounts/{id}/link/"),
    "bank-feed-unlink": ("post", "/api/v1/feed-accounts/{id}/unlink/"),
    "automation-save": ("post", "/api/v1/automation/rules/{kind}/"),
    "automation-on": ("post", "/api/v1/automation/rules/{kind}/on/"),
    "automation-off": ("post", "/api/v1/automation/rules/{kind}/off/"),
    "automation-undo": ("post", "/api/v1/automation/actions/{id}/undo/"),
    "alerts-settings": ("put", "/api/v1/alerts/"),
    "alerts-webhook-test": ("post", "/api/v1/alerts/webhook-test/"),
    "settings-digest": ("patch", "/api/v1/business/"),
    "settings-approval": ("patch", "/api/v1/business/"),
    "settings-timezone": ("patch", "/api/v1/business/"),
    "settings-inbound-senders": ("patch", "/api/v1/business/"),
    "settings-export": ("post", "/api/v1/business/export/"),
    "settings-delete": ("delete", "/api/v1/business/"),
    "documents": ("post", "/api/v1/documents/"),
    "digest-subscription": ("post", "/api/v1/digests/subscription/"),
}

# Portal actions with no API twin on purpose (or not yet — issue #20 lists them).
BROWSER_ONLY = {
    "connect-qbo-start": "OAuth with Intuit happens in the owner's browser",
    "tenant-support-end": "staff support sessions are a staff browser session, not a member's",
    "reminder-unsubscribe": "a customer's one-click link, not a member action",
    "digest-unsubscribe": "a recipient's one-click link, not a member action",
    "bank-feed-link-token": "Plaid Link runs in the owner's browser",
    "bank-feed-exchange": "Plaid Link runs in the owner's browser",
    "bank-feed-repaired": "Plaid Link update mode runs in the owner's browser",
}


def _methods(view) -> set[str]:
    """The HTTP methods a function view takes: from require_http_methods' closure, else from
    whether its source handles POST."""
    fn = view
    while fn is not None:
        for cell in (fn.__closure__ or ()):
            value = cell.cell_contents
            if isinstance(value, list) and value and all(isinstance(m, str) for m in value) \
                    and set(value) <= {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}:
                return set(value)
        fn = getattr(fn, "__wrapped__", None)
    try:
        source = inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return {"GET"}
    return {"GET", "POST"} if "request.method" in source and '"POST"' in source else {"GET"}


def _portal_actions(patterns=None, prefix="") -> dict[str, str]:
    found = {}
    for entry in patterns if patterns is not None else get_resolver("oodaloo.urls_tenant") \
            .url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("api/"):
                continue
            found |= _portal_actions(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name and "POST" in _methods(entry.callback):
            found[entry.name] = prefix + str(entry.pattern)
    return found


def test_every_portal_action_has_an_api_twin():
    actions = _portal_actions()
    ops = set(operations())
    assert len(actions) > 40, actions  # the walk really found the portal's forms
    missing = sorted(name for name in actions if name not in TWINS and name not in BROWSER_ONLY)
    wrong = sorted((name, TWINS[name]) for name in actions if name in TWINS
                   and TWINS[name] not in ops)
    stale = sorted((set(TWINS) | set(BROWSER_ONLY)) - set(actions))
    print(f"twins: {len(actions)} portal actions, {sum(n in TWINS for n in actions)} with an "
          f"API twin, {sum(n in BROWSER_ONLY for n in actions)} browser-only")
    assert not missing, f"portal actions without an API twin: {missing}"
    assert not wrong, f"twins missing from the schema: {wrong}"
    assert not stale, f"mapped names that are not portal actions: {stale}"
    assert reverse("api-reserve-release", args=[1])  # the other half of reserve-move
