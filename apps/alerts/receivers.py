"""anymail's tracking signal → the alert email's delivery (delivered, opened, bounced...).
Routed by the metadata we sent (`alert`, `schema`, `send_id`); other mail is not ours. The
webhook view has verified the shared secret before this runs. Connected in oodaloo/wiring.py."""

from apps.alerts.services import alert_tracking_record


def on_tracking(sender, event, esp_name, **kwargs):
    alert_tracking_record(event)
