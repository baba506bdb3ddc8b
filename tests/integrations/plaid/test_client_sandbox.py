"""plaid-python (through PlaidClient) against the real sandbox server, end to end."""

from __future__ import annotations

import json
import urllib.request
from decimal import Decimal

import plaid
import pytest
from plaid.api import plaid_api
from plaid.model.transactions_sync_request import TransactionsSyncRequest

from apps.integrations.plaid.client import PlaidClient
from apps.integrations.plaid.errors import (
    InvalidAccessToken,
    ItemLoginRequired,
    ItemNotFound,
    MutationDuringPagination,
    PlaidError,
    PlaidServerError,
    PlaidTransportError,
    RateLimitExceeded,
)
from apps.sandboxes.plaid import SandboxControl, SandboxControlError, SandboxHandle

from .bank_fixtures import CARD, CHECKING, FULL_TRANSACTION, minimal

INITIAL = 14  # transactions in bank_fixtures.base_transactions()


def test_link_accounts_and_balances(plaid_client: PlaidClient, receiver) -> None:
    link = plaid_client.create_link_token("user-1", receiver.url)
    assert link.link_token.startswith("link-sandbox-") and link.expiration.tzinfo
    access_token, item_id = plaid_client.exchange_public_token(
        plaid_client.sandbox_public_token(webhook=receiver.url)
    )
    accounts = {a.account_id: a for a in plaid_client.accounts(access_token)}
    assert accounts[CHECKING].current_balance == Decimal("110.94")
    assert accounts[CHECKING].available_balance == Decimal("100")
    assert accounts[CARD].type == "credit" and accounts[CARD].limit == Decimal("2000")
    balances = plaid_client.balances(access_token, [CARD])
    assert [b.account_id for b in balances] == [CARD]
    assert balances[0].balance_updated_at is not None
    item = plaid_client.item(access_token)
    assert item.item_id == item_id and item.webhook == receiver.url and item.error_code is None
    # Update-mode link token for an existing item.
    assert plaid_client.create_link_token("user-1", access_token=access_token).link_token


def test_public_token_is_single_use(plaid_client: PlaidClient) -> None:
    public_token = plaid_client.sandbox_public_token()
    plaid_client.exchange_public_token(public_token)
    with pytest.raises(PlaidError) as caught:
        plaid_client.exchange_public_token(public_token)
    assert caught.value.error_code == "INVALID_PUBLIC_TOKEN"
    assert caught.value.request_id


def test_each_exchange_is_its_own_item(plaid_client: PlaidClient) -> None:
    first = plaid_client.exchange_public_token(plaid_client.sandbox_public_token())
    second = plaid_client.exchange_public_token(plaid_client.sandbox_public_token())
    assert first[0] != second[0] and first[1] != second[1]
    plaid_client.remove_item(first[0])
    assert len(plaid_client.sync_transactions(second[0]).added) == INITIAL


def test_initial_sync_pages_and_incremental_sync(
    plaid_client: PlaidClient, sandbox: SandboxHandle, linked
) -> None:
    access_token, _ = linked
    first = plaid_client.sync_transactions(access_token, page_size=4)
    assert first.pages == 4 and len(first.added) == INITIAL
    assert not first.modified and not first.removed and not first.rejected
    walmart = next(t for t in first.added if t.transaction_id == FULL_TRANSACTION["transaction_id"])
    assert walmart.amount == Decimal("72.1") and walmart.is_outflow
    assert walmart.category_primary == "GENERAL_MERCHANDISE"
    deposit = next(t for t in first.added if t.transaction_id == "deposit")
    assert deposit.cash_flow == Decimal("2500")

    nothing = plaid_client.sync_transactions(access_token, first.next_cursor)
    assert (nothing.added, nothing.modified, nothing.removed) == ([], [], [])
    assert nothing.next_cursor == first.next_cursor

    sandbox.add_transactions([minimal("new1", Decimal("99.99"), "2024-04-01")])
    sandbox.modify_transactions([{"transaction_id": "t01", "amount": Decimal("11.00")}])
    sandbox.remove_transactions(["t02"])
    delta = plaid_client.sync_transactions(access_token, first.next_cursor)
    assert [t.transaction_id for t in delta.added] == ["new1"]
    assert delta.added[0].amount == Decimal("99.99")
    assert [(t.transaction_id, t.amount) for t in delta.modified] == [("t01", Decimal("11"))]
    assert [(r.transaction_id, r.account_id) for r in delta.removed] == [("t02", CHECKING)]


def test_pending_transaction_posts_with_pending_transaction_id(
    plaid_client: PlaidClient, sandbox: SandboxHandle, linked
) -> None:
    access_token, _ = linked
    first = plaid_client.sync_transactions(access_token)
    assert next(t for t in first.added if t.transaction_id == "pend1").pending
    posted_id = sandbox.post_pending("pend1", amount=Decimal("47.25"), date="2024-03-16")
    delta = plaid_client.sync_transactions(access_token, first.next_cursor)
    assert [r.transaction_id for r in delta.removed] == ["pend1"]
    (posted,) = delta.added
    assert posted.transaction_id == posted_id
    assert (posted.pending, posted.pending_transaction_id) == (False, "pend1")
    assert posted.amount == Decimal("47.25") and str(posted.date) == "2024-03-16"


def test_mutation_during_pagination_restarts_from_first_cursor(
    plaid_client: PlaidClient, sandbox: SandboxHandle, linked
) -> None:
    access_token, _ = linked
    sandbox.set_faults({"mutation": 1})
    result = plaid_client.sync_transactions(access_token, page_size=5)
    assert result.restarts == 1
    assert len({t.transaction_id for t in result.added}) == INITIAL == len(result.added)
    assert sandbox.stats()["faults_injected"]["mutation"] == 1


def test_real_mutation_mid_pagination_is_reported(
    plaid_client: PlaidClient, sandbox: SandboxHandle, linked
) -> None:
    access_token, _ = linked
    api = plaid_api.PlaidApi(
        plaid.ApiClient(
            plaid.Configuration(host=sandbox.base_url, api_key={"clientId": "c", "secret": "s"})
        )
    )
    page = api.transactions_sync(TransactionsSyncRequest(access_token=access_token, count=5))
    assert page["has_more"]
    sandbox.add_transactions([minimal("late", 1)])
    with pytest.raises(plaid.ApiException) as caught:
        api.transactions_sync(
            TransactionsSyncRequest(access_token=access_token, cursor=page["next_cursor"], count=5)
        )
    body = json.loads(caught.value.body)
    assert (caught.value.status, body["error_type"], body["error_code"]) == (
        400,
        "TRANSACTIONS_ERROR",
        "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION",
    )
    # The client recovers by restarting; the late transaction is simply part of the result.
    assert len(plaid_client.sync_transactions(access_token, page_size=5).added) == INITIAL + 1


def test_persistent_mutation_gives_up_after_max_restarts(
    plaid_client: PlaidClient, sandbox: SandboxHandle, linked
) -> None:
    sandbox.set_faults({"mutation": 10})
    with pytest.raises(MutationDuringPagination):
        plaid_client.sync_transactions(linked[0], page_size=5, max_restarts=2)


def test_removed_item_is_not_found(plaid_client: PlaidClient, linked) -> None:
    access_token, _ = linked
    plaid_client.remove_item(access_token)
    with pytest.raises(ItemNotFound):
        plaid_client.sync_transactions(access_token)
    with pytest.raises(InvalidAccessToken):
        plaid_client.accounts("access-sandbox-not-a-token")


def test_login_required_and_repair(
    plaid_client: PlaidClient, sandbox: SandboxHandle, linked
) -> None:
    access_token, item_id = linked
    sandbox.set_item_state(item_id, "ITEM_LOGIN_REQUIRED")
    with pytest.raises(ItemLoginRequired) as caught:
        plaid_client.accounts(access_token)
    assert caught.value.error_type == "ITEM_ERROR" and caught.value.display_message
    item = plaid_client.item(access_token)  # /item/get still answers, carrying the error
    assert item.error_code == "ITEM_LOGIN_REQUIRED"
    sandbox.set_item_state(item_id, "HEALTHY")
    assert plaid_client.accounts(access_token)
    sandbox.set_item_state(item_id, "PENDING_EXPIRATION")
    assert plaid_client.item(access_token).consent_expiration_time is not None


def test_rate_limit_and_server_error_faults(
    plaid_client: PlaidClient, sandbox: SandboxHandle, linked
) -> None:
    access_token, _ = linked
    sandbox.set_faults("ratelimit=1")
    with pytest.raises(RateLimitExceeded) as caught:
        plaid_client.sync_transactions(access_token)
    assert (caught.value.http_status, caught.value.error_code) == (429, "TRANSACTIONS_SYNC_LIMIT")
    assert caught.value.retryable
    sandbox.set_faults("ratelimit=0,error500=1")
    with pytest.raises(PlaidServerError) as server_error:
        plaid_client.balances(access_token)
    assert server_error.value.error_code == "INTERNAL_SERVER_ERROR"
    sandbox.set_faults("error500=0,sync_per_min=2")
    plaid_client.sync_transactions(access_token)
    plaid_client.sync_transactions(access_token)
    with pytest.raises(RateLimitExceeded):
        plaid_client.sync_transactions(access_token)


def test_seeded_random_faults_repeat(bank_dir) -> None:
    from apps.sandboxes.plaid import start_sandbox

    outcomes = []
    for _ in range(2):
        with start_sandbox(bank_dir) as handle:
            client = PlaidClient(handle.base_url, "c", "s")
            token = client.exchange_public_token(client.sandbox_public_token())[0]
            handle.set_faults("error500=0.3,ratelimit=0.2,seed=7")
            run = []
            for _ in range(12):
                try:
                    client.item(token)
                    run.append("ok")
                except PlaidError as exc:
                    run.append(exc.error_code)
            outcomes.append(run)
    assert outcomes[0] == outcomes[1] and len(set(outcomes[0])) > 1


def test_bad_control_input_is_a_clear_400(sandbox: SandboxHandle) -> None:
    payload = json.dumps(
        {
            "transactions": [
                {"transaction_id": "x", "account_id": "nope", "amount": 1, "date": "2024-01-01"},
                {
                    "transaction_id": "t01",
                    "account_id": CHECKING,
                    "amount": 1,
                    "date": "2024-01-01",
                },
                {
                    "transaction_id": "y",
                    "account_id": CHECKING,
                    "amount": 1e300,
                    "date": "2024-01-01",
                },
                {
                    "transaction_id": "z",
                    "account_id": CHECKING,
                    "amount": 1,
                    "date": "2024-01-01",
                    "iso_currency_code": "GBP",
                },
            ]
        }
    ).encode()
    request = urllib.request.Request(
        f"{sandbox.base_url}/_sandbox/transactions/add", data=payload, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 400
    problems = json.loads(caught.value.read())["problems"]
    assert [p["index"] for p in problems] == [0, 1, 2, 3]
    assert "unknown account" in problems[0]["reason"] and "duplicate" in problems[1]["reason"]
    assert "absurd" in problems[2]["reason"] and "GBP" in problems[3]["reason"]
    with urllib.request.urlopen(f"{sandbox.base_url}/_sandbox/stats", timeout=5) as response:
        assert json.loads(response.read())["transactions"] == INITIAL


def test_invalid_requests_get_plaid_error_objects(
    plaid_client: PlaidClient, linked, sandbox: SandboxHandle
) -> None:
    with pytest.raises(PlaidError) as bad_cursor:
        plaid_client.sync_transactions(linked[0], "garbage-cursor")
    assert (bad_cursor.value.error_type, bad_cursor.value.error_code) == (
        "INVALID_INPUT",
        "INVALID_FIELD",
    )
    raw = urllib.request.Request(f"{sandbox.base_url}/accounts/get", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as no_keys:
        urllib.request.urlopen(raw, timeout=5)
    body = json.loads(no_keys.value.read())
    assert body["error_code"] == "MISSING_FIELDS" and body["request_id"]
    assert set(body) >= {"error_type", "error_code", "error_message", "display_message"}


def test_unreachable_sandbox_is_a_transport_error() -> None:
    client = PlaidClient("http://127.0.0.1:9", "c", "s", timeout=2)
    with pytest.raises(PlaidTransportError) as caught:
        client.accounts("access-sandbox-x")
    assert caught.value.retryable


def test_control_api_over_http(plaid_client: PlaidClient, sandbox: SandboxHandle, linked) -> None:
    access_token, item_id = linked
    control = SandboxControl(sandbox.base_url)
    cursor = plaid_client.sync_transactions(access_token).next_cursor
    assert control.set_faults("latency=1")["latency"] == 1
    with pytest.raises(SandboxControlError) as caught:
        control.add_transactions([minimal("t03", 1)])
    assert caught.value.status == 400 and "duplicate" in caught.value.problems[0]["reason"]
    posted = control.post_pending("pend1", amount=Decimal("45.50"))
    control.set_balances(CHECKING, current=Decimal("65.44"))
    delta = plaid_client.sync_transactions(access_token, cursor)
    assert [t.transaction_id for t in delta.added] == [posted]
    assert delta.added[0].amount == Decimal("45.5")
    balances = {a.account_id: a.current_balance for a in plaid_client.balances(access_token)}
    assert balances[CHECKING] == Decimal("65.44")
    assert control.set_item_state(item_id, "ITEM_LOGIN_REQUIRED")["error"]["error_code"] == (
        "ITEM_LOGIN_REQUIRED"
    )
    stats = control.stats()
    assert stats["requests"]["/transactions/sync"] == 2 and stats["items"][0]["error"]
    assert control.sign_webhook("{}").count(".") == 2


def test_sync_responses_pass_plaid_python_models(sandbox: SandboxHandle, linked) -> None:
    """The same flow with plaid-python's strict model deserialization switched on."""
    strict = PlaidClient(sandbox.base_url, "c", "s", validate_models=True)
    access_token, _ = linked
    first = strict.sync_transactions(access_token, page_size=6)
    assert len(first.added) == INITIAL and first.pages == 3
    walmart = next(t for t in first.added if t.transaction_id == FULL_TRANSACTION["transaction_id"])
    assert walmart.amount == Decimal("72.1") and walmart.payment_channel == "in store"
    sandbox.post_pending("pend1")
    sandbox.modify_transactions([{"transaction_id": "t05", "merchant_name": "Renamed"}])
    delta = strict.sync_transactions(access_token, first.next_cursor)
    assert [t.pending_transaction_id for t in delta.added] == ["pend1"]
    assert [t.merchant_name for t in delta.modified] == ["Renamed"]
    assert [r.transaction_id for r in delta.removed] == ["pend1"]
