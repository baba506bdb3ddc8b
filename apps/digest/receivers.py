"""anymail's tracking signal → the digest's delivery records. The webhook view has already
verified the shared secret (and provider signature) before this runs; the work is a service."""

from anymail.signals import tracking
from django.dispatch import receiver

from apps.digest.services import digest_tracking_record


@receiver(tracking, dispatch_uid="digest-tracking")
def on_tracking(sender, event, esp_name, **kwargs):
    digest_tracking_record(event, esp_name)
