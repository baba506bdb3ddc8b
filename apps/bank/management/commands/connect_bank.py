"""manage.py connect_bank: link a business's bank through Plaid non-interactively (development:
the Plaid sandbox plays the user's trip through Link), then run the first feed sync."""

from django.core.management.base import BaseCommand, CommandError

from apps.bank.services.feed_connect import feed_connect_sandbox
from apps.bank.services.feed_items import item_status_set, items_for, plaid_client_for
from apps.bank.services.linking import link_accept_suggestions
from apps.integrations.plaid.errors import InvalidAccessToken, ItemNotFound
from apps.integrations.plaid.models import PlaidItem
from apps.tenancy.models import Business


def _still_valid(item: PlaidItem) -> bool:
    try:
        plaid_client_for(item.host).item(item.access_token)
    except (InvalidAccessToken, ItemNotFound):
        return False
    return True


class Command(BaseCommand):
    help = "Connect a business to a Plaid sandbox bank and sync it (development and demo)."

    def add_arguments(self, parser):
        parser.add_argument("business", help="business slug")
        parser.add_argument(
            "--sandbox", required=True, help="Plaid sandbox URL, e.g. http://127.0.0.1:8802"
        )
        parser.add_argument("--webhook", help="webhook URL the sandbox should call")
        parser.add_argument("--accept-links", action="store_true",
                            help="confirm the suggested QuickBooks account for each bank account")

    def handle(self, *args, **opts):
        business = Business.objects.filter(slug=opts["business"]).first()
        if business is None:
            raise CommandError(f"No business “{opts['business']}”.")
        existing = [i for i in items_for(business) if i.host == opts["sandbox"]]
        item = existing[0] if existing else None
        if item is not None and not _still_valid(item):
            # A restarted sandbox forgets its items (real Plaid would ask for update-mode Link).
            item_status_set(item, PlaidItem.Status.DISCONNECTED, "sandbox restarted")
            item = None
        if item is not None:
            self.stdout.write(f"{business.name}: bank already connected ({item.item_id})")
        else:
            item = feed_connect_sandbox(business, host=opts["sandbox"], webhook=opts.get("webhook"))
            message = f"{business.name}: bank connected ({item.item_id})"
            self.stdout.write(self.style.SUCCESS(message))
        if opts["accept_links"]:
            linked = link_accept_suggestions(business)
            self.stdout.write(f"  linked accounts: {linked}")
