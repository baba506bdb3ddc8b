"""anymail's tracking signal → the digest's and the reminders' delivery records. One receiver
for the one webhook endpoint, routed by the metadata we sent (`kind: reminder` or a digest key).
The webhook view has already verified the shared secret (and provider signature) before this
runs; the work is in services. Connected to the signal in oodaloo/wiring.py."""

from apps.ar.reminders.tracking import is_reminder_event, reminder_tracking_record
from apps.digest.services import digest_tracking_record
from apps.tray.services import tray_generate


def on_tracking(sender, event, esp_name, **kwargs):
    if is_reminder_event(event):
        outcome = reminder_tracking_record(event, esp_name)
        if outcome is not None and outcome.stopped:  # "Fix Acme's billing email" in the tray
            tray_generate(outcome.business)
        return
    digest_tracking_record(event, esp_name)
