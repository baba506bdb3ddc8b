from django.core.management.base import BaseCommand

from apps.staff.roles import staff_roles_setup


class Command(BaseCommand):
    help = "Create or reset the staff groups: support, operator, admin (apps/staff/roles.py)."

    def handle(self, *args, **options):
        for name, n in staff_roles_setup().items():
            self.stdout.write(f"{name}: {n} permissions")
