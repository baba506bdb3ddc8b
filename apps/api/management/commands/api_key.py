"""Create, list or revoke a business's API keys from the shell (the same services as the API).

    manage.py api_key create --business acme --owner ann@acme.test --name Sheets --scope read
    manage.py api_key list --business acme
    manage.py api_key revoke --business acme --owner ann@acme.test --id 3
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from apps.api.keys import api_key_create, api_key_revoke
from apps.api.models import ApiKey
from apps.core.errors import ApplicationError
from apps.tenancy.models import Business


class Command(BaseCommand):
    help = "Create, list or revoke API keys of a business."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("--business", required=True, help="The business's slug.")
        parser.add_argument("--owner", help="Email of the owner acting (create, revoke).")
        parser.add_argument("--name", default="")
        parser.add_argument("--scope", choices=ApiKey.Scope.values, default=ApiKey.Scope.READ)
        parser.add_argument("--id", type=int)

    def handle(self, *args, action, business, owner, name, scope, id, **options):
        biz = Business.objects.filter(slug=business).first()
        if biz is None:
            raise CommandError(f"No business “{business}”.")
        actor = get_user_model().objects.filter(email=(owner or "").lower()).first()
        if action != "list" and actor is None:
            raise CommandError("Name the acting owner with --owner.")
        with tenant_context(biz):
            try:
                if action == "create":
                    key, raw = api_key_create(actor=actor, business=biz, name=name, scope=scope)
                    self.stdout.write(f"Created key {key.id} ({key.scope}). Store it now, it is "
                                      f"not shown again:\n{raw}")
                elif action == "revoke":
                    key = api_key_revoke(actor=actor, business=biz, key_id=id or 0)
                    self.stdout.write(f"Revoked key {key.id} ({key.name}).")
                else:
                    for key in ApiKey.objects.all():
                        state = "revoked" if key.revoked_at else "active"
                        self.stdout.write(f"{key.id}\t{key.prefix}\t{key.scope}\t{state}\t"
                                          f"{key.name}")
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
