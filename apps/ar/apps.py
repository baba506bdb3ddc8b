from django.apps import AppConfig


class ArConfig(AppConfig):
    name = "apps.ar"
    label = "ar"
    verbose_name = "Receivables"
