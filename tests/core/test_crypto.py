from cryptography.fernet import Fernet
from django.db import connection

from apps.core import crypto
from apps.integrations.sync.models import QboConnection


def test_tokens_are_encrypted_at_rest_and_keys_rotate(tenant_a, settings):
    old_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old_key
    conn = QboConnection.objects.create(
        business=tenant_a, realm_id="123", api_base="http://127.0.0.1:1",
        access_token="access-secret", refresh_token="refresh-secret",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM sync_qboconnection WHERE id = %s", [conn.pk])
        stored = cursor.fetchone()[0]
    assert "access-secret" not in stored
    assert QboConnection.objects.get(pk=conn.pk).access_token == "access-secret"

    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = f"{new_key},{old_key}"  # newest first; old still decrypts
    assert QboConnection.objects.get(pk=conn.pk).refresh_token == "refresh-secret"
    rotated = crypto.rotate(stored)
    settings.FIELD_ENCRYPTION_KEY = new_key
    assert crypto.decrypt(rotated) == "access-secret"
