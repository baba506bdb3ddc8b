"""One set of templates, three outputs: the email (HTML with CSS inlined + plain text), the web
page and the PDF (WeasyPrint, print CSS, A4 or Letter by the business's country)."""

from __future__ import annotations

from dataclasses import dataclass

import css_inline
from django.template.loader import render_to_string
from weasyprint import HTML

UNSUBSCRIBE_PLACEHOLDER = "__OODALOO_UNSUBSCRIBE_URL__"
_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def _context(content: dict, **extra) -> dict:
    return {"c": content, "currency": content["currency"], **extra}


def digest_render_html(
    content: dict, *, unsubscribe_url: str = UNSUBSCRIBE_PLACEHOLDER, late: str = "",
    pdf_failed: bool = False,
) -> str:
    """The email body: email-safe HTML (tables, no SVG — mail clients drop it) with every CSS
    rule inlined into style attributes. `pdf_failed`: says the PDF is not attached, and where
    to read the digest instead."""
    html = render_to_string(
        "digest/email.html",
        _context(content, mode="email", unsubscribe_url=unsubscribe_url, late=late,
                 pdf_failed=pdf_failed),
    )
    return email_html(html)


def email_html(html: str) -> str:
    """Any email body (the business digest, the firm digest): every CSS rule inlined."""
    return _INLINER.inline(html)


def pdf_render(html: str) -> RenderedPdf:
    """Any printable page (the business digest, the firm digest) as a PDF (WeasyPrint)."""
    document = HTML(string=html, base_url=None).render()
    return RenderedPdf(data=document.write_pdf(), pages=len(document.pages))


def digest_render_text(
    content: dict, *, unsubscribe_url: str = UNSUBSCRIBE_PLACEHOLDER, late: str = "",
    pdf_failed: bool = False,
) -> str:
    return render_to_string(
        "digest/email.txt",
        _context(content, unsubscribe_url=unsubscribe_url, late=late, pdf_failed=pdf_failed),
    )


def digest_render_page_body(content: dict, *, late: str = "") -> str:
    """The digest body for the portal page (SVG charts), inside the portal's layout."""
    return render_to_string("digest/_body.html", _context(content, mode="web", late=late))


def digest_render_pdf(content: dict, *, late: str = "") -> RenderedPdf:
    return pdf_render(render_to_string("digest/pdf.html",
                                       _context(content, mode="pdf", late=late)))
