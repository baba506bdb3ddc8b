"""Our one door to Plaid: a thin wrapper over plaid-python that speaks DTOs and PlaidError.

Retries and backoff live in apps/integrations/sync; this client only restarts a
/transactions/sync pagination loop, because Plaid requires that exact recovery.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import plaid
import urllib3.exceptions
from plaid.api import plaid_api
from plaid.model.accounts_balance_get_request import AccountsBalanceGetRequest
from plaid.model.accounts_balance_get_request_options import AccountsBalanceGetRequestOptions
from plaid.model.accounts_get_request import AccountsGetRequest
from plaid.model.country_code import CountryCode
from plaid.model.item_get_request import ItemGetRequest
from plaid.model.item_public_token_exchange_request import ItemPublicTokenExchangeRequest
from plaid.model.item_remove_request import ItemRemoveRequest
from plaid.model.link_token_create_request import LinkTokenCreateRequest
from plaid.model.link_token_create_request_user import LinkTokenCreateRequestUser
from plaid.model.products import Products
from plaid.model.sandbox_item_fire_webhook_request import SandboxItemFireWebhookRequest
from plaid.model.sandbox_public_token_create_request import SandboxPublicTokenCreateRequest
from plaid.model.sandbox_public_token_create_request_options import (
    SandboxPublicTokenCreateRequestOptions,
)
from plaid.model.transactions_sync_request import TransactionsSyncRequest
from plaid.model.webhook_verification_key_get_request import WebhookVerificationKeyGetRequest

from .dtos import (
    AccountDTO,
    ItemDTO,
    RejectedRecord,
    RemovedTransactionDTO,
    SyncResult,
    TransactionDTO,
    UnmappableRecord,
    account_from_plaid,
    item_from_plaid,
    transaction_from_plaid,
)
from .errors import (
    MutationDuringPagination,
    PlaidError,
    PlaidServerError,
    PlaidTransportError,
    error_from_body,
)

T = TypeVar("T")
SANDBOX_INSTITUTION = "ins_109508"
MAX_PAGE_SIZE = 500
# Balance calls can take 30 s or more at real banks (Plaid docs).
BALANCE_TIMEOUT = 60.0


@dataclass(frozen=True)
class LinkToken:
    link_token: str
    expiration: dt.datetime


class PlaidClient:
    def __init__(
        self,
        host: str,
        client_id: str,
        secret: str,
        *,
        timeout: float = 30.0,
        validate_models: bool = False,
        client_name: str = "Oodaloo",
        country_codes: Sequence[str] = ("US",),
        language: str = "en",
    ) -> None:
        configuration = plaid.Configuration(
            host=host, api_key={"clientId": client_id, "secret": secret}
        )
        self._api = plaid_api.PlaidApi(plaid.ApiClient(configuration))
        self.timeout = timeout
        # plaid-python's model deserialization costs ~4 ms per transaction (7 min for 100k),
        # so /transactions/sync pages are parsed from the raw JSON (amounts straight to
        # Decimal) unless strict model validation is asked for.
        self.validate_models = validate_models
        self.client_name = client_name
        self.country_codes = [CountryCode(code) for code in country_codes]
        self.language = language

    # ---- plumbing --------------------------------------------------------------------------
    def _call(
        self, method: Callable[..., T], request: Any, timeout: float | None = None, **options: Any
    ) -> T:
        try:
            return method(request, _request_timeout=timeout or self.timeout, **options)
        except plaid.ApiException as exc:
            if not exc.status:  # SSL or similar: no HTTP answer
                raise PlaidTransportError("TRANSPORT", "NO_RESPONSE", str(exc.reason)) from exc
            raise error_from_body(exc.body, exc.status) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise PlaidTransportError("TRANSPORT", "NO_RESPONSE", str(exc)) from exc

    # ---- linking ---------------------------------------------------------------------------
    def create_link_token(
        self, user_id: str, webhook: str | None = None, *, access_token: str | None = None
    ) -> LinkToken:
        """A Link token for a new connection, or for update mode when access_token is given."""
        fields: dict[str, Any] = {
            "client_name": self.client_name,
            "language": self.language,
            "country_codes": self.country_codes,
            "user": LinkTokenCreateRequestUser(client_user_id=str(user_id)),
        }
        if webhook:
            fields["webhook"] = webhook
        if access_token:
            fields["access_token"] = access_token
        else:
            fields["products"] = [Products("transactions")]
        response = self._call(self._api.link_token_create, LinkTokenCreateRequest(**fields))
        return LinkToken(response["link_token"], response["expiration"])

    def sandbox_public_token(
        self, institution_id: str = SANDBOX_INSTITUTION, webhook: str | None = None
    ) -> str:
        """Plays the user's trip through Link (Plaid's /sandbox/public_token/create)."""
        fields: dict[str, Any] = {
            "institution_id": institution_id,
            "initial_products": [Products("transactions")],
        }
        if webhook:
            fields["options"] = SandboxPublicTokenCreateRequestOptions(webhook=webhook)
        response = self._call(
            self._api.sandbox_public_token_create, SandboxPublicTokenCreateRequest(**fields)
        )
        return response["public_token"]

    def exchange_public_token(self, public_token: str) -> tuple[str, str]:
        response = self._call(
            self._api.item_public_token_exchange,
            ItemPublicTokenExchangeRequest(public_token=public_token),
        )
        return response["access_token"], response["item_id"]

    # ---- reads -----------------------------------------------------------------------------
    def accounts(self, access_token: str) -> list[AccountDTO]:
        response = self._call(self._api.accounts_get, AccountsGetRequest(access_token=access_token))
        return [account_from_plaid(a.to_dict()) for a in response["accounts"]]

    def balances(
        self, access_token: str, account_ids: Sequence[str] | None = None
    ) -> list[AccountDTO]:
        """Real-time balances (/accounts/balance/get)."""
        fields: dict[str, Any] = {"access_token": access_token}
        if account_ids:
            fields["options"] = AccountsBalanceGetRequestOptions(account_ids=list(account_ids))
        response = self._call(
            self._api.accounts_balance_get, AccountsBalanceGetRequest(**fields), BALANCE_TIMEOUT
        )
        return [account_from_plaid(a.to_dict()) for a in response["accounts"]]

    def item(self, access_token: str) -> ItemDTO:
        response = self._call(self._api.item_get, ItemGetRequest(access_token=access_token))
        body = response.to_dict()
        return item_from_plaid(body["item"], body.get("status"))

    def remove_item(self, access_token: str) -> None:
        self._call(self._api.item_remove, ItemRemoveRequest(access_token=access_token))

    def webhook_verification_key(self, key_id: str) -> dict[str, Any]:
        response = self._call(
            self._api.webhook_verification_key_get,
            WebhookVerificationKeyGetRequest(key_id=key_id),
        )
        return response["key"].to_dict()

    def fire_sandbox_webhook(
        self, access_token: str, webhook_code: str = "SYNC_UPDATES_AVAILABLE"
    ) -> None:
        self._call(
            self._api.sandbox_item_fire_webhook,
            SandboxItemFireWebhookRequest(access_token=access_token, webhook_code=webhook_code),
        )

    # ---- transactions ----------------------------------------------------------------------
    def sync_transactions(
        self,
        access_token: str,
        cursor: str | None = None,
        *,
        page_size: int = MAX_PAGE_SIZE,
        max_restarts: int = 3,
    ) -> SyncResult:
        """Pull every page of changes since `cursor` (None/"" = full history).

        Pages are buffered and returned together; persist `next_cursor` only with them. On
        TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION the whole loop restarts from `cursor`, as
        Plaid requires; after `max_restarts` the error is raised.
        """
        restarts = 0
        while True:
            try:
                result = self._sync_pages(access_token, cursor or "", page_size)
            except MutationDuringPagination:
                if restarts >= max_restarts:
                    raise
                restarts += 1
                continue
            return SyncResult(**{**result, "restarts": restarts})

    def _sync_page(self, request: TransactionsSyncRequest) -> dict[str, Any]:
        """One /transactions/sync page as plain dicts."""
        if self.validate_models:
            return self._call(self._api.transactions_sync, request).to_dict()
        raw = self._call(self._api.transactions_sync, request, _preload_content=False)
        try:
            body = json.loads(raw.data, parse_float=Decimal)
        except ValueError as exc:
            raise PlaidServerError("API_ERROR", "INVALID_RESPONSE", str(exc)) from exc
        finally:
            raw.release_conn()
        missing = {"added", "modified", "removed", "accounts", "next_cursor", "has_more"} - set(
            body if isinstance(body, dict) else ()
        )
        if missing:
            raise PlaidServerError(
                "API_ERROR", "INVALID_RESPONSE", f"sync response lacks {sorted(missing)}"
            )
        return body

    def _sync_pages(self, access_token: str, cursor: str, page_size: int) -> dict[str, Any]:
        added: dict[str, TransactionDTO] = {}
        modified: dict[str, TransactionDTO] = {}
        removed: dict[str, RemovedTransactionDTO] = {}
        rejected: list[RejectedRecord] = []
        accounts: list[AccountDTO] = []
        pages = 0
        while True:
            fields: dict[str, Any] = {"access_token": access_token, "count": page_size}
            if cursor:
                fields["cursor"] = cursor
            response = self._sync_page(TransactionsSyncRequest(**fields))
            pages += 1
            accounts = [account_from_plaid(a) for a in response["accounts"]]
            currency = {a.account_id: a.currency for a in accounts}
            for bucket, target in (("added", added), ("modified", modified)):
                for raw in response[bucket]:
                    try:
                        dto = transaction_from_plaid(raw, currency)
                    except UnmappableRecord as exc:
                        rejected.append(RejectedRecord(raw.get("transaction_id"), str(exc), raw))
                        continue
                    # A later page supersedes an earlier one for the same id.
                    if dto.transaction_id in added:
                        added[dto.transaction_id] = dto
                    else:
                        target[dto.transaction_id] = dto
                    removed.pop(dto.transaction_id, None)
            for gone in response["removed"]:
                tid = gone["transaction_id"]
                if added.pop(tid, None) is None:
                    modified.pop(tid, None)
                    removed[tid] = RemovedTransactionDTO(tid, gone.get("account_id"))
            cursor = response["next_cursor"]
            if not response["has_more"]:
                break
        return {
            "added": list(added.values()),
            "modified": list(modified.values()),
            "removed": list(removed.values()),
            "next_cursor": cursor,
            "accounts": accounts,
            "rejected": rejected,
            "pages": pages,
        }


__all__ = ["LinkToken", "PlaidClient", "PlaidError", "SANDBOX_INSTITUTION"]
