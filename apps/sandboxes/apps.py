from django.apps import AppConfig


class SandboxesConfig(AppConfig):
    """Installed only so `manage.py qbo_sandbox` / `plaid_sandbox` are found; no models."""

    name = "apps.sandboxes"
    label = "sandboxes"
    verbose_name = "QBO and Plaid sandboxes (development tools)"
