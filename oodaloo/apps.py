from django.apps import AppConfig


class WiringConfig(AppConfig):
    """Installs oodaloo/wiring.py once every app is loaded (last in INSTALLED_APPS)."""

    name = "oodaloo"
    label = "oodaloo_wiring"
    verbose_name = "Wiring"

    def ready(self) -> None:
        from oodaloo import wiring

        wiring.install()
