"""Thin email delivery over Django's mail API and django-anymail (the provider is a setting).

Callers hand over plain data; this module knows nothing about digests or businesses. The
message carries our own `send_id` as its Message-ID and in anymail metadata, so a provider's
tracking events can be matched even when the provider's own id was never recorded.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr

from anymail.exceptions import AnymailAPIError, AnymailInvalidAddress, AnymailRecipientsRefused
from anymail.message import AnymailMessage
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.message import make_msgid
from django.utils import timezone

# Tracking events in order of how much they tell; a delivery shows the strongest seen.
TRACKING_RANK = {"queued": 1, "sent": 2, "deferred": 3, "delivered": 4, "opened": 5,
                 "clicked": 6, "unsubscribed": 7, "complained": 8, "rejected": 8, "failed": 8,
                 "bounced": 9}


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
    from_name: str = ""  # shown as the sender's name (the address stays ours: SPF/DKIM)
    reply_to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()


@dataclass(frozen=True)
class SendOutcome:
    message_id: str  # the provider's id when it gives one, else our Message-ID
    status: str  # anymail status ("sent", "queued", ...) or "accepted" for local backends


def message_build(mail: OutgoingMail) -> AnymailMessage:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].rstrip(">") or "oodaloo.localhost"
    headers = {"Message-ID": make_msgid(idstring=mail.send_id, domain=domain), **mail.headers}
    from_email = settings.DEFAULT_FROM_EMAIL
    if mail.from_name:
        from_email = formataddr((mail.from_name, parseaddr(from_email)[1]))
    msg = AnymailMessage(
        subject=mail.subject,
        body=mail.text,
        from_email=from_email,
        to=[mail.to],
        cc=list(mail.cc),
        reply_to=list(mail.reply_to),
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


def fault_hook(env_var: str) -> Callable[[str], None]:
    """Fault drill hook: with `env_var=<point>` set, the process SIGKILLs itself (like an OOM
    kill) at that point. Used by the crash tests and `make drill`; only where
    ``settings.FAULT_DRILLS`` is on (test and bench settings; off in production)."""

    def fault(point: str) -> None:
        if os.environ.get(env_var) == point and getattr(settings, "FAULT_DRILLS", False):
            os.kill(os.getpid(), signal.SIGKILL)

    return fault


def mail_deliver_recorded(mail: OutgoingMail, *, mark: Callable[..., object],
                          fault: Callable[[str], None] = lambda point: None) -> str:
    """Hand one message over at most once, recording each step through `mark(state, **fields)`
    (the caller's delivery row). `sending` is recorded — committed — before the provider call:
    a retry that finds a delivery still `sending` must not send it again (docs/digest.md).
    Returns the final state: sent, failed (the provider refused: may be retried) or unknown."""
    mark("sending")
    fault("kill_before_provider")
    try:
        outcome = mail_send(mail)
    except (AnymailRecipientsRefused, AnymailInvalidAddress) as exc:
        mark("failed", error=str(exc)[:2000])
        return "failed"
    except AnymailAPIError as exc:
        # An HTTP answer from the provider is a refusal; no answer (timeout) is ambiguous.
        state = "failed" if getattr(exc, "status_code", None) is not None else "unknown"
        mark(state, error=str(exc)[:2000])
        return state
    except Exception as exc:  # noqa: BLE001 — local backends: we can't know; don't resend
        mark("unknown", error=f"{type(exc).__name__}: {exc}"[:2000])
        return "unknown"
    fault("kill_after_provider")
    mark("sent", message_id=outcome.message_id[:200], sent_at=timezone.now(), error="")
    return "sent"


def tracking_dedupe_key(event, esp_name: str) -> str:
    """One key per provider event (providers retry webhooks)."""
    stamp = event.timestamp.isoformat() if event.timestamp else ""
    dedupe = event.event_id or f"{event.message_id}:{event.event_type}:{stamp}:{event.recipient}"
    return f"{esp_name}:{dedupe}"[:200]
