from django.apps import AppConfig


class ArConfig(AppConfig):
    name = "apps.ar"
    label = "ar"
    verbose_name = "Receivables"

    def ready(self) -> None:
        # Register this app's QBO sync sinks with the sync engine (it cannot import us).
        from apps.ar import credits, ingest, movements, overpayments

        ingest.register()
        credits.register()  # the `credit_memo.apply` outbox kind, known to every worker
        overpayments.register()  # `payment.apply`
        movements.register()  # payments, for bank reconciliation (apps.ledger.movements)
