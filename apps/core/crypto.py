"""Secrets at rest (OAuth tokens): Fernet with key rotation (MultiFernet; newest key first)."""

from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])


def encrypt(plaintext: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt with the newest key (run after prepending a new key)."""
    return _fernet(settings.FIELD_ENCRYPTION_KEY).rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python code sees plaintext."""

    def from_db_value(self, value, expression, connection):
        return None if value in (None, "") else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value  # blank stays blank (a revoked token), so NOT NULL columns accept it
        return encrypt(value)
