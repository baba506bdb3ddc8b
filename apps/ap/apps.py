from django.apps import AppConfig


class ApConfig(AppConfig):
    name = "apps.ap"
    label = "ap"
    verbose_name = "Payables"

    def ready(self) -> None:
        # Register this app's QBO sync sinks with the sync engine (it cannot import us).
        from apps.ap import ingest, movements, vendor_credits
        from apps.ap.documents import qbo_bill

        ingest.register()
        qbo_bill.register()  # the `bill.create` outbox kind, known to every worker
        vendor_credits.register()  # `vendor_credit.apply`
        movements.register()  # bill payments, for bank reconciliation (apps.ledger.movements)
