from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "apps.ledger"
    label = "ledger"
    verbose_name = "Ledger reference data"

    def ready(self) -> None:
        # Register this app's QBO sync sinks with the sync engine (it cannot import us).
        from apps.ledger import ingest

        ingest.register()
