from django.core.management.base import BaseCommand

from apps.tenancy.services import public_tenant_ensure, template_schema_ensure


class Command(BaseCommand):
    help = (
        "Create the public tenant row/hosts and the migrated template schema new businesses clone."
    )

    def handle(self, *args, **options):
        public_tenant_ensure()
        template_schema_ensure()
        self.stdout.write(self.style.SUCCESS("public host and template schema ready"))
