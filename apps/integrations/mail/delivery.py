"""Thin email delivery over Django's mail API and django-anymail (the provider is a setting).

Callers hand over plain data; this module knows nothing about digests or businesses. The
message carries our own `send_id` as its Message-ID and in anymail metadata, so a provider's
tracking events can be matched even when the provider's own id was never recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from anymail.message import AnymailMessage
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.message import make_msgid


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    text: str
    html: str
    send_id: str
    attachments: tuple[tuple[str, bytes, str], ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class SendOutcome:
    message_id: str  # the provider's id when it gives one, else our Message-ID
    status: str  # anymail status ("sent", "queued", ...) or "accepted" for local backends


def message_build(mail: OutgoingMail) -> AnymailMessage:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].rstrip(">") or "oodaloo.localhost"
    headers = {"Message-ID": make_msgid(idstring=mail.send_id, domain=domain), **mail.headers}
    msg = AnymailMessage(
        subject=mail.subject,
        body=mail.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to],
        headers=headers,
        metadata={**mail.metadata, "send_id": mail.send_id},
        tags=list(mail.tags),
        track_opens=True,
        track_clicks=True,
    )
    msg.attach_alternative(mail.html, "text/html")
    for name, content, mimetype in mail.attachments:
        msg.attach(name, content, mimetype)
    return msg


def mail_send(mail: OutgoingMail, *, connection=None) -> SendOutcome:
    """Hand one message to the configured backend. Raises on refusal (AnymailError etc.)."""
    msg = message_build(mail)
    msg.connection = connection or get_connection()
    msg.send(fail_silently=False)
    status = getattr(msg, "anymail_status", None)
    provider_id = getattr(status, "message_id", None) if status is not None else None
    if isinstance(provider_id, set):  # batch sends give a set; we send one "to" per message
        provider_id = next(iter(provider_id), None)
    statuses = getattr(status, "status", None) or set()
    return SendOutcome(
        message_id=str(provider_id or msg.extra_headers["Message-ID"]),
        status=",".join(sorted(statuses)) or "accepted",
    )
