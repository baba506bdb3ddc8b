"""The Plaid bank feed over the API (owners): its logins and accounts, sync a login now,
disconnect it, and link or unlink a feed account to its QuickBooks account — the
`apps.bank.services` calls the portal's bank-feed page makes. Connecting (and repairing) a
login stays in the browser: it is Plaid Link's widget. Also QuickBooks' disconnect."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.base import action_view, list_view, lookup, model_out
from apps.api.conventions import idempotent_write
from apps.bank.models import FeedAccount
from apps.bank.services.feed_connect import feed_disconnect
from apps.bank.services.feed_items import items_for
from apps.bank.services.feed_sync import FeedSyncBusy, feed_sync_run
from apps.bank.services.linking import LinkError, link_confirm, link_undo
from apps.core.errors import ApplicationError, Conflict, NotFound
from apps.integrations.plaid.models import PlaidItem
from apps.integrations.sync.connection import qbo_disconnect
from apps.ledger.models import Account

FeedItemOut = model_out("FeedItemOut", PlaidItem, [
    "id", "institution_name", "status", "last_sync_at", "created_at"])


FeedAccountOut = model_out("FeedAccountOut", FeedAccount, [
    "id", "item_id", "name", "mask", "type", "subtype", "currency", "linked_account",
    "link_confirmed"])


def _item(pk: int) -> PlaidItem:
    """Plaid logins live in the public schema: filtered by this business, else 404."""
    from django.db import connection

    item = PlaidItem.objects.filter(pk=pk, business=connection.tenant).first()
    if item is None:
        raise NotFound("No such bank login in this business.")
    return item


class FeedItemListView(APIView):
    @extend_schema(responses=FeedItemOut(many=True))
    def get(self, request):
        return Response(FeedItemOut(items_for(request.business), many=True).data)


def _sync(request, item):
    try:
        report = feed_sync_run(request.business, item=item, balances=True)
    except FeedSyncBusy as exc:
        raise Conflict("A bank sync is already running.", code="sync_running") from exc
    if report.errors:
        raise Conflict("The bank did not answer as expected; we will retry.",
                       code="bank_unavailable")
    return item


def _disconnect(request, item):
    feed_disconnect(request.business, item, actor=request.user)
    return item


FeedItemSyncView = action_view(_item, _sync, FeedItemOut, doc="Sync this bank login now.")
FeedItemDisconnectView = action_view(
    _item, _disconnect, FeedItemOut,
    doc="Disconnect the login at Plaid; runway cash falls back to QuickBooks' figures.")

_feed_account = lookup(lambda: FeedAccount.objects.filter(removed=False))
FeedAccountListView = list_view(lambda r: FeedAccount.objects.filter(removed=False),
                                FeedAccountOut, ordering=("name", "id"))


class LinkIn(serializers.Serializer):
    account = serializers.IntegerField(allow_null=True, min_value=1, max_value=2**31 - 1,
                                       help_text="The QuickBooks bank account; null: separate.")


def _link(request, feed, account):
    found = None
    if account is not None:
        found = Account.objects.filter(pk=account).first()
        if found is None:
            raise ApplicationError("No such QuickBooks account.", code="invalid_account")
    try:
        return link_confirm(request.business, feed, found, actor=request.user)
    except LinkError as exc:
        raise ApplicationError(str(exc), code="link_refused") from exc


FeedAccountLinkView = action_view(
    _feed_account, _link, FeedAccountOut, body=LinkIn,
    doc="Confirm which QuickBooks account this feed account is (or that it is separate).")
FeedAccountUnlinkView = action_view(
    _feed_account, lambda r, feed: link_undo(r.business, feed, actor=r.user), FeedAccountOut)


class QboDisconnectView(APIView):
    @idempotent_write(request=None, responses={204: None})
    def post(self, request):
        """Disconnect QuickBooks (revokes the grant at Intuit; reconnect from the portal)."""
        qbo_disconnect(request.user, request.business)
        return Response(status=204)
