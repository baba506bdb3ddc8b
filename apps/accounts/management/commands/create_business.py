from django.core.management.base import BaseCommand, CommandError

from apps.accounts.services import business_create_with_owner
from apps.core.errors import ApplicationError
from apps.tenancy.urls import business_url


class Command(BaseCommand):
    help = (
        "Create a business (schema cloned from the template) and its owner; prints how to sign in."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="portal address: <slug>.localhost")
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--timezone", default="America/New_York")
        parser.add_argument("--password", help="owner's password (generated if omitted)")

    def handle(self, *args, **opts):
        try:
            business, user, password = business_create_with_owner(
                slug=opts["slug"],
                name=opts["name"],
                owner_email=opts["owner_email"],
                timezone_name=opts["timezone"],
                password=opts.get("password"),
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {business.name} ({business.schema_name})"))
        self.stdout.write(f"  portal:   {business_url(business)}")
        self.stdout.write(f"  owner:    {user.email}")
        if password:
            self.stdout.write(f"  password: {password}")
        elif opts.get("password"):
            self.stdout.write("  password: (as given)")
        else:
            self.stdout.write("  password: (existing account, unchanged)")
