"""The digest's public services, by concern (docs/digest.md):

- ``schedule``: the owner's day and time, the recipients, unsubscribe, which digests are due;
- ``content``: the week's figures (built once per run, stored on it);
- ``sending``: claim, render and send at most once per business, week and recipient; dispatch;
- ``tracking``: provider events against deliveries.
"""

from apps.digest.content import digest_build, week_label, week_parse
from apps.digest.schedule import (
    DueDigest,
    Recipient,
    Schedule,
    digest_due,
    digest_key,
    digest_recipients,
    digest_schedule,
    digest_subscription_set,
    digest_unsubscribe,
    scheduled_at,
    unsubscribe_token,
    unsubscribe_url,
)
from apps.digest.sending import (
    DIGEST_SEND,
    SendReport,
    digest_dispatch,
    digest_send,
    late_note,
    lease_seconds,
)
from apps.digest.tracking import digest_tracking_record

__all__ = [
    "DIGEST_SEND",
    "DueDigest",
    "Recipient",
    "Schedule",
    "SendReport",
    "digest_build",
    "digest_dispatch",
    "digest_due",
    "digest_key",
    "digest_recipients",
    "digest_schedule",
    "digest_send",
    "digest_subscription_set",
    "digest_tracking_record",
    "digest_unsubscribe",
    "late_note",
    "lease_seconds",
    "scheduled_at",
    "unsubscribe_token",
    "unsubscribe_url",
    "week_label",
    "week_parse",
]
