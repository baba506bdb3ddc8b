from django.apps import AppConfig


def _alerts_after_sync(ctx, full_sync: bool) -> None:
    """Sync finaliser: evaluate this business's alerts once the sync's writes are committed
    (a task, so a slow mail provider or webhook never holds the sync's transaction)."""
    from apps.alerts.services import alerts_evaluate_later

    alerts_evaluate_later(ctx.business)


class AlertsConfig(AppConfig):
    name = "apps.alerts"
    label = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from apps.alerts import receivers  # noqa: F401 — connects the email tracking receiver
        from apps.integrations.sync.sinks import register_finaliser

        register_finaliser(_alerts_after_sync)  # one line: movable into the wiring module
