"""A token refresh inside a caller's transaction (an outbox after-action hook runs in one):
QBO rotates the refresh token, so the new one must survive that transaction's rollback. Real
sandbox (no refresh-token grace) and Postgres; committed data, so transactional tests."""

import time

import pytest
from django.db import transaction

from apps.integrations.sync.connection import ConnectionTokenSource
from apps.integrations.sync.models import QboConnection
from tests.integrations.sync.qbo_company import control

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_refresh_in_a_transaction_that_rolls_back_keeps_the_rotated_token(sb,
                                                                             synced):
    conn = QboConnection.objects.get(business=synced)
    before = conn.refresh_token
    control(sb, "tokens", {"action": "config", "grace": 0})  # the old token dies now
    with pytest.raises(RuntimeError), transaction.atomic():
        ConnectionTokenSource(conn).refresh()
        raise RuntimeError("the hook failed after its read")
    conn.refresh_from_db()
    assert conn.refresh_token != before
    time.sleep(1.1)  # the sandbox's token timestamps have whole seconds
    ConnectionTokenSource(conn).refresh()  # with the kept token: QBO accepts it
    conn.refresh_from_db()
    assert conn.status == QboConnection.Status.CONNECTED


def test_a_refresh_under_the_caller_s_own_lock_of_the_connection_does_not_wait_for_itself(
        sb, synced):
    conn = QboConnection.objects.get(business=synced)
    before = conn.refresh_token
    with transaction.atomic():
        QboConnection.objects.select_for_update().get(pk=conn.pk)
        ConnectionTokenSource(conn).refresh()  # on the caller's session, as before
    conn.refresh_from_db()
    assert conn.refresh_token != before and conn.status == QboConnection.Status.CONNECTED
