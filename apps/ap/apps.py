from django.apps import AppConfig


class ApConfig(AppConfig):
    name = "apps.ap"
    label = "ap"
    verbose_name = "Payables"
