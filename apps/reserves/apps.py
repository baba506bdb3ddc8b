from django.apps import AppConfig


class ReservesConfig(AppConfig):
    name = "apps.reserves"
    label = "reserves"
    verbose_name = "Reserves"
