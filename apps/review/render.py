"""Document pages as PNG for the staff change form (no PDF in an iframe: CSP forbids frames).

Rendering happens in the isolated reader process (memory, CPU, wall and output budgets), never
in the web process: a file that slipped past extraction cannot take a web worker down.
"""

from __future__ import annotations

from apps.ap.documents.isolation import isolated_render
from apps.ap.documents.limits import current_limits

PREVIEW_DPI = 110


def page_png(data: bytes, content_type: str, page: int) -> bytes:
    del content_type  # the reader decides by content, never by the stored type
    return isolated_render(data, page=page, dpi=PREVIEW_DPI, limits=current_limits())
