"""The sandbox's Link stand-in: Plaid's JavaScript contract, tokens checked, update mode repairs
the item (no LOGIN_REPAIRED webhook), the Link token's webhook reaches the new item."""

from __future__ import annotations

import requests

from apps.sandboxes.plaid.link_standin import COMPLETE_PATH, PAGE_PATH, SCRIPT_PATH


def test_the_script_defines_plaids_contract(sandbox):
    script = requests.get(f"{sandbox.base_url}{SCRIPT_PATH}", timeout=5)
    assert script.status_code == 200 and script.headers["Content-Type"].startswith(
        "text/javascript")
    for name in ("window.Plaid", "create", "open:", "exit:", "destroy:", "onSuccess", "onExit"):
        assert name in script.text


def test_unknown_tokens_get_no_page_and_cannot_finish(sandbox):
    page = requests.get(f"{sandbox.base_url}{PAGE_PATH}?token=link-sandbox-forged", timeout=5)
    assert page.status_code == 400
    done = requests.post(f"{sandbox.base_url}{COMPLETE_PATH}", timeout=5,
                         json={"link_token": "link-sandbox-forged", "outcome": "success"})
    assert done.status_code == 400 and done.json()["error_code"] == "INVALID_LINK_TOKEN"


def test_new_item_gets_the_link_tokens_webhook(sandbox, plaid_client, receiver):
    token = plaid_client.create_link_token("u1", receiver.url).link_token
    page = requests.get(f"{sandbox.base_url}{PAGE_PATH}", params={"token": token}, timeout=5)
    assert 'data-mode="new"' in page.text and "First Platypus Bank" in page.text
    done = requests.post(f"{sandbox.base_url}{COMPLETE_PATH}", timeout=5,
                         json={"link_token": token, "outcome": "success"}).json()
    assert {a["id"] for a in done["metadata"]["accounts"]} == set(sandbox.state.bank.accounts)
    access_token, item_id = plaid_client.exchange_public_token(done["public_token"])
    assert sandbox.state.items[item_id].webhook == receiver.url


def test_update_mode_repairs_the_login_without_a_login_repaired_webhook(
    sandbox, plaid_client, linked, receiver
):
    access_token, item_id = linked
    sandbox.set_item_state(item_id, "ITEM_LOGIN_REQUIRED")
    assert plaid_client.item(access_token).error_code == "ITEM_LOGIN_REQUIRED"
    token = plaid_client.create_link_token("u1", access_token=access_token).link_token
    page = requests.get(f"{sandbox.base_url}{PAGE_PATH}", params={"token": token}, timeout=5)
    assert 'data-mode="update"' in page.text and "Sign in again" in page.text
    requests.post(f"{sandbox.base_url}{COMPLETE_PATH}", timeout=5,
                  json={"link_token": token, "outcome": "success"}).raise_for_status()
    assert plaid_client.item(access_token).error_code is None
    sandbox.wait_webhooks()
    codes = [d["body"]["webhook_code"] for d in sandbox.webhook_deliveries()]
    assert "ERROR" in codes and "LOGIN_REPAIRED" not in codes
