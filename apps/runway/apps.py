from django.apps import AppConfig


class RunwayConfig(AppConfig):
    name = "apps.runway"
    label = "runway"
    verbose_name = "Runway"
