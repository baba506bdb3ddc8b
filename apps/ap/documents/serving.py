"""Headers for every response that carries a stored document's bytes (owner and staff views).

The bytes came from a stranger: the browser must never run them as a page of ours. `sandbox`
makes an opened PDF or image an opaque origin with no scripts, forms or navigation of ours;
`nosniff` stops a browser from guessing HTML out of a "PDF"; nothing is cached on the way.
"""

from __future__ import annotations

from django.http import HttpResponse

DOCUMENT_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"


def served_document(response: HttpResponse, filename: str, *, inline: bool) -> HttpResponse:
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Content-Security-Policy"] = DOCUMENT_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
