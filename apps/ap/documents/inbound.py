"""Bills by email: each business has an address `bills+<slug>@<DOCUMENTS_INBOUND_DOMAIN>`.

anymail's Postmark inbound webhook (basic-auth verified with ANYMAIL WEBHOOK_SECRET before
anything is read) sends the `inbound` signal; the receiver below only hands the message to
`inbound_message_receive`. Only senders the business allows, vouched for by the provider's
SPF/DKIM verdict (`apps.ap.documents.senders`), get their attachments read and an answer by
email; any other message is recorded as rejected and never answered (nothing is echoed to a
sender we could not verify).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from anymail.signals import inbound
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from django.conf import settings
from django.dispatch import receiver
from django_tenants.utils import tenant_context

from apps.ap.documents.checks import DocumentRefused
from apps.ap.documents.models import Document
from apps.ap.documents.senders import inbound_rejection_record, inbound_sender_verdict
from apps.ap.documents.services import document_receive, sender_notify
from apps.integrations.mail.guard import UnreadableBodyIs400

log = logging.getLogger(__name__)


def inbound_domain() -> str:
    return getattr(settings, "DOCUMENTS_INBOUND_DOMAIN", "inbound.oodaloo.localhost")


def inbound_address(business) -> str:
    return f"bills+{business.slug}@{inbound_domain()}"


def _business_for(addresses: list[str]):
    from apps.tenancy.models import Business

    pattern = re.compile(rf"^bills\+([a-z0-9-]+)@{re.escape(inbound_domain())}$", re.I)
    for address in addresses:
        match = pattern.match(address.strip())
        if match:
            business = Business.objects.real().filter(slug=match.group(1).lower()).first()
            if business is not None:
                return business
    return None


@dataclass
class InboundResult:
    business_slug: str = ""
    rejected: str = ""  # why the message was not accepted (nothing read, nothing answered)
    created: list[int] = field(default_factory=list)
    already_had: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def inbound_message_receive(message) -> InboundResult:
    """Turn an inbound email's attachments into documents of the business it was sent to."""
    result = InboundResult()
    sender = message.from_email.addr_spec if message.from_email else ""
    addresses = [message.envelope_recipient or ""] + [a.addr_spec for a in message.to or []]
    addresses += [a.addr_spec for a in message.cc or []]
    business = _business_for([a for a in addresses if a])
    if business is None:
        # No bounce: replying to unknown addresses would make us a backscatter source.
        log.warning("inbound email for no known business: %s", addresses)
        return result
    result.business_slug = business.slug
    with tenant_context(business):
        verdict = inbound_sender_verdict(message, business)
        if not verdict.accepted:
            inbound_rejection_record(message, verdict.reason)
            result.rejected = verdict.reason
            return result
    attachments = list(message.attachments)
    if not attachments:
        sender_notify(sender, "No bill attached",
                      f"Your email to {inbound_address(business)} had no attachment, so no "
                      "bill was added. Please attach the bill as a PDF, PNG or JPEG.")
        return result
    with tenant_context(business):
        for part in attachments:
            name = part.get_filename() or "attachment"
            try:
                received = document_receive(
                    name=name, data=part.get_content_bytes() or b"", source=Document.Source.EMAIL,
                    sender_email=sender, subject=message.subject or "",
                )
            except DocumentRefused as exc:
                result.refused.append(str(exc))
                continue
            bucket = result.already_had if received.already_had else result.created
            bucket.append(received.document.pk)
    if result.refused:  # the sender is verified (above): its own file names may be echoed
        sender_notify(sender, "Some attachments could not be used",
                      "\n".join(result.refused)
                      + f"\n\n{len(result.created)} other file(s) were received.")
    return result


class BillsInboundView(UnreadableBodyIs400, PostmarkInboundWebhookView):
    """Postmark inbound webhook (verified by basic auth before the body is read; a verified
    body that cannot be read is a 400, not a 500)."""


@receiver(inbound, sender=BillsInboundView, dispatch_uid="oodaloo-bills-inbound")
def _on_inbound(sender, event, esp_name, **kwargs) -> None:
    inbound_message_receive(event.message)
