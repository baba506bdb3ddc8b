from django.apps import AppConfig


class TrayConfig(AppConfig):
    name = "apps.tray"
    label = "tray"
    verbose_name = "Prep Tray"
