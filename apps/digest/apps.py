from django.apps import AppConfig


class DigestConfig(AppConfig):
    name = "apps.digest"
    label = "digest"
    verbose_name = "Digest"

    def ready(self) -> None:
        from apps.digest import receivers  # noqa: F401 — connects the tracking receiver
