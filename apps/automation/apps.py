from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "apps.automation"
    label = "automation"
    verbose_name = "Automation"

    def ready(self) -> None:
        # The tray sits below us: it shows our "held back" causes through its source registry.
        from apps.automation.causes import automation_tray_causes
        from apps.tray.sources import tray_source_register

        tray_source_register("automation", automation_tray_causes)
