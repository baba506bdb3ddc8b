"""Plaid items (one per linked bank login) per business; the access token is encrypted at rest."""

from django.db import models

from apps.core.crypto import EncryptedTextField


class PlaidItem(models.Model):
    class Status(models.TextChoices):
        OK = "ok"
        LOGIN_REQUIRED = "login_required"
        PENDING_EXPIRATION = "pending_expiration"
        DISCONNECTED = "disconnected"

    business = models.ForeignKey(
        "tenancy.Business", on_delete=models.CASCADE, related_name="plaid_items"
    )
    item_id = models.CharField(max_length=128, unique=True)
    access_token = EncryptedTextField()
    institution_name = models.CharField(max_length=200, blank=True)
    host = models.URLField(help_text="Plaid API host (the local sandbox in development)")
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.OK)
    cursor = models.TextField(blank=True)  # saved only after the last page of a sync
    created_at = models.DateTimeField(auto_now_add=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.institution_name or self.item_id} ({self.status})"
