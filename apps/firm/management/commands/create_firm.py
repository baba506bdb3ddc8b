from django.core.management.base import BaseCommand, CommandError

from apps.accounts.firm_access import firm_create
from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.tenancy.urls import public_url


class Command(BaseCommand):
    help = "Create an accounting firm with an existing user as its first partner."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--partner-email", required=True)
        parser.add_argument("--timezone", default="America/New_York")

    def handle(self, *args, **opts):
        user = User.objects.filter(email=opts["partner_email"].strip().lower()).first()
        if user is None:
            raise CommandError("No account with that email; sign up or get invited first.")
        try:
            firm = firm_create(actor=user, slug=opts["slug"], name=opts["name"],
                               timezone_name=opts["timezone"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {firm.name}"))
        self.stdout.write(f"  console: {public_url(f'/firm/{firm.slug}/')}")
