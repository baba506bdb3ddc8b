"""API keys: an owner creates one with a scope and can revoke it. The key acts as the owner who
created it (so MembershipMiddleware's role checks and the services' guards apply unchanged),
limited to reads when its scope is `read`. Only a SHA-256 of the secret is stored; the full key
is shown once, at creation."""

from __future__ import annotations

from django.db import models


class ApiKey(models.Model):
    class Scope(models.TextChoices):
        READ = "read"
        WRITE = "write", "Read and write"

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, help_text="Public part of the key.")
    secret_hash = models.CharField(max_length=64)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    # Users live in the public schema; keep the id and email rather than a cross-schema FK.
    created_by_id = models.BigIntegerField()
    created_by_email = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…, {self.scope})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
