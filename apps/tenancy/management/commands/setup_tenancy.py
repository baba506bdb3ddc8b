from django.core.management.base import BaseCommand

from apps.tenancy.management.commands.tenancy_align_names import report
from apps.tenancy.services import public_tenant_ensure, template_schema_ensure


class Command(BaseCommand):
    help = (
        "Create the public tenant row/hosts and the migrated template schema new businesses "
        "clone; give existing business schemas the template's constraint and index names."
    )

    def add_arguments(self, parser):
        parser.add_argument("--skip-names", action="store_true",
                            help="do not align business schemas' constraint/index names")

    def handle(self, *args, skip_names=False, **options):
        public_tenant_ensure()
        template_schema_ensure()
        # Here, not after `migrate_schemas --tenant`: the release's tenant migrations run next
        # and may drop a constraint by the template's name; template and businesses are still
        # at the previous release's migrations, so their definitions compare like for like.
        if not skip_names:
            report(self, dry_run=False, verbosity=options["verbosity"])
        self.stdout.write(self.style.SUCCESS("public host and template schema ready"))
