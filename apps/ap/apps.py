from django.apps import AppConfig


class ApConfig(AppConfig):
    name = "apps.ap"
    label = "ap"
    verbose_name = "Payables"

    def ready(self) -> None:
        # Register this app's QBO sync sinks with the sync engine (it cannot import us).
        from apps.ap import ingest

        ingest.register()
