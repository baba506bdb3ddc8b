from django.apps import AppConfig


class BankConfig(AppConfig):
    name = "apps.bank"
    label = "bank"
    verbose_name = "Bank"

    def ready(self) -> None:
        # Register this app's QBO sync sinks with the sync engine (it cannot import us).
        from apps.bank import ingest, movements

        ingest.register()
        movements.register()  # deposits, purchases, transfers, for reconciliation
