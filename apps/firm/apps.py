from django.apps import AppConfig


class FirmConfig(AppConfig):
    name = "apps.firm"
    label = "firm"
    verbose_name = "Accounting-firm console"
