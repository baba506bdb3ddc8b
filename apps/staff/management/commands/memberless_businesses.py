from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.staff.services import businesses_memberless, staff_business_remove_memberless
from apps.tenancy.models import Business


class Command(BaseCommand):
    help = ("List businesses nobody belongs to (an interrupted sign-up's leftovers), or remove "
            "one: --remove SLUG --by STAFF_EMAIL --reason TEXT (audited staff.business_removed).")

    def add_arguments(self, parser):
        parser.add_argument("--remove", metavar="SLUG")
        parser.add_argument("--by", metavar="STAFF_EMAIL", help="the staff member removing it")
        parser.add_argument("--reason", default="")

    def handle(self, *args, **opts):
        if not opts["remove"]:
            for business in businesses_memberless():
                self.stdout.write(f"{business.slug}\t{business.schema_name}\t"
                                  f"{business.created_at:%Y-%m-%d %H:%M}\t{business.name}")
            return
        # The audit entry names a person: someone with a staff account, not "the shell".
        actor = User.objects.filter(email__iexact=(opts["by"] or "").strip(), is_staff=True,
                                    is_active=True).first()
        if actor is None:
            raise CommandError("--by must name an active staff member's email")
        business = Business.objects.filter(slug=opts["remove"].strip().lower()).first()
        if business is None:
            raise CommandError(f"no business {opts['remove']!r}")
        try:
            removed = staff_business_remove_memberless(business=business, actor=actor,
                                                       reason=opts["reason"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Removed {removed['slug']} (schema {removed['schema']} dropped); the slug is free."))
