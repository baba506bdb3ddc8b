"""Plaid Link in the portal: where Link's script comes from, and the CSP that lets it run.

Production loads Plaid's own script (cdn.plaid.com, already in production's CSP). Development
and tests load the Plaid sandbox's stand-in with the same JavaScript contract, from whatever
host the sandbox runs on — so pages that show a Link button add that origin to their CSP.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from apps.portal.csp import csp_allowing

SCRIPT_PATH = "/link/v2/stable/link-initialize.js"


def link_script_url() -> str:
    return settings.PLAID_LINK_SCRIPT_URL or f"{settings.PLAID_HOST.rstrip('/')}{SCRIPT_PATH}"


def link_origin() -> str:
    parts = urlsplit(link_script_url())
    return f"{parts.scheme}://{parts.netloc}"


# Let a page load Link's script and show Link's frame (nothing else is widened).
plaid_link_csp = csp_allowing(
    lambda: {"script-src": [link_script_url()], "frame-src": [link_origin()]}
)
