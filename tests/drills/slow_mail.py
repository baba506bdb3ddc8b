"""A file email backend with a provider's latency, for crash drills: a real provider takes tens
of milliseconds per message, so a worker killed after the first email is killed mid-run (with
instant local writes a fast machine could finish the whole run before the kill lands)."""

import time

from django.core.mail.backends.filebased import EmailBackend as FileBackend

LATENCY_SECONDS = 0.1


class EmailBackend(FileBackend):
    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            time.sleep(LATENCY_SECONDS)
            sent += super().send_messages([message])
        return sent
