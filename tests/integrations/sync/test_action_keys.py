"""Outbox keys are made by the server and bound to the business (DESIGN §7 Money)."""

from apps.integrations.sync.outbox import KEY_MAX, action_key


def test_the_same_form_token_makes_different_keys_in_two_businesses(tenant_a, tenant_b):
    a = action_key(tenant_a, "cm", 7, 9, "token-from-the-form")
    b = action_key(tenant_b, "cm", 7, 9, "token-from-the-form")
    assert a != b and "token-from-the-form" not in a
    assert a == action_key(tenant_a, "cm", 7, 9, "token-from-the-form")  # stable: retries match
    assert len(a) <= KEY_MAX and a.startswith("cm-")
