"""Who may email bills in (DESIGN §7: inbound email is accepted only from senders the business
allows), and whether the mail provider vouches that the sender is who the From line says.

A message is accepted only when both hold:

1. **Allowed**: its From address is a member of the business, or matches the owner's list
   (an address, or ``@domain``), edited in Settings.
2. **Authenticated**: the provider's verdict, from the headers it adds on top of the message
   (the topmost ``Received-SPF`` and ``Authentication-Results``; any further copies came with
   the message and could be forged): SPF ``pass`` for an envelope sender of the From's domain,
   or DKIM ``pass`` signed by the From's domain.

Anything else is recorded as a `RejectedEmail` (visible to the owner on the Documents page,
logged for staff) and gets no reply: the sender is unverified, so nothing is echoed to it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from apps.accounts.models import Membership, Role
from apps.ap.documents.models import InboundSender, RejectedEmail
from apps.core.errors import ApplicationError, PermissionDenied
from apps.core.services.audit import audit_record

log = logging.getLogger(__name__)
_ADDRESS = re.compile(r"^[^@\s]+@[a-z0-9.-]+\.[a-z]{2,}$")
_DOMAIN = re.compile(r"^@[a-z0-9.-]+\.[a-z]{2,}$")
MAX_SENDERS = 200


@dataclass(frozen=True)
class SenderVerdict:
    accepted: bool
    reason: str = ""


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower().strip(" >")


def _aligned(domain: str, sender_domain: str) -> bool:
    """Relaxed alignment: the same domain, or one a subdomain of the other."""
    return bool(domain) and (domain == sender_domain or domain.endswith("." + sender_domain)
                             or sender_domain.endswith("." + domain))


def _spf_pass(message: Any, sender_domain: str) -> bool:
    header = (message.get_all("Received-SPF") or [""])[0]
    if not header.strip().lower().startswith("pass"):
        return False
    envelope = re.search(r"envelope-from=\"?<?([^;\s>\"]+)", header, re.I)
    envelope_from = envelope.group(1) if envelope else (message.envelope_sender or "")
    return _aligned(_domain(envelope_from), sender_domain)


def _dkim_pass(message: Any, sender_domain: str) -> bool:
    header = (message.get_all("Authentication-Results") or [""])[0]
    for match in re.finditer(r"dkim=pass[^;]*?header\.(?:d|i)=@?([a-z0-9.-]+)", header, re.I):
        if _aligned(match.group(1).lower(), sender_domain):
            return True
    return False


def sender_allowed(address: str, business: Any) -> bool:
    address = address.strip().lower()
    if not address or "@" not in address:
        return False
    if Membership.objects.filter(business=business, user__email__iexact=address).exists():
        return True
    return InboundSender.objects.filter(pattern__in=[address, "@" + _domain(address)]).exists()


def inbound_sender_verdict(message: Any, business: Any) -> SenderVerdict:
    """Runs inside the business's schema."""
    sender = message.from_email.addr_spec if message.from_email else ""
    if not sender:
        return SenderVerdict(False, "no sender address")
    if not sender_allowed(sender, business):
        return SenderVerdict(False, "sender is not on this business's list of allowed senders")
    domain = _domain(sender)
    if not (_spf_pass(message, domain) or _dkim_pass(message, domain)):
        return SenderVerdict(False, "the mail provider could not verify the sender (no SPF or "
                                    "DKIM pass for the sender's domain)")
    return SenderVerdict(True)


def inbound_rejection_record(message: Any, reason: str) -> RejectedEmail:
    sender = message.from_email.addr_spec if message.from_email else ""
    log.warning("inbound email rejected (%s) from %r", reason, sender)
    return RejectedEmail.objects.create(
        sender=sender[:254], subject=(message.subject or "")[:300], reason=reason[:300],
        attachments=len(list(message.attachments)))


def inbound_senders_parse(raw: str) -> list[str]:
    """One address or @domain per line (commas too); lower-cased, de-duplicated, checked."""
    patterns: list[str] = []
    for item in re.split(r"[\n,;]+", raw or ""):
        item = item.strip().lower()
        if not item:
            continue
        if not (_ADDRESS.match(item) or _DOMAIN.match(item)):
            raise ApplicationError(f"“{item[:80]}” is neither an email address nor @domain.",
                                   code="invalid")
        if item not in patterns:
            patterns.append(item)
    if len(patterns) > MAX_SENDERS:
        raise ApplicationError(f"At most {MAX_SENDERS} senders, please.", code="invalid")
    return patterns


def inbound_senders_set(*, actor: Any, business: Any, raw: str) -> list[str]:
    """Replace the allowed senders (owners only; audited). Runs in the business's schema."""
    if not Membership.objects.filter(user=actor, business=business, role=Role.OWNER).exists():
        raise PermissionDenied("Only an owner can change who may email bills in.")
    patterns = inbound_senders_parse(raw)
    with transaction.atomic():
        before = list(InboundSender.objects.values_list("pattern", flat=True))
        InboundSender.objects.exclude(pattern__in=patterns).delete()
        for pattern in patterns:
            InboundSender.objects.get_or_create(
                pattern=pattern, defaults={"added_by_email": getattr(actor, "email", "")})
        audit_record(actor=actor, action="settings.inbound_senders", business=business,
                     object_type="ap.InboundSender", before={"senders": before},
                     after={"senders": patterns})
    return patterns
