import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_exists

from apps.core.errors import ApplicationError
from apps.tenancy.models import Business, Domain
from apps.tenancy.services import business_provision


def _tables(schema):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema]
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_new_business_is_cloned_from_the_template_with_all_tenant_tables():
    business = business_provision(slug="gamma-co", name="Gamma Co", timezone="Europe/London")
    try:
        assert schema_exists("gamma_co")
        assert _tables("gamma_co") == _tables("tenant_base")
        assert "django_migrations" in _tables("gamma_co")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM gamma_co.django_migrations")
            applied = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM tenant_base.django_migrations")
            assert applied == cursor.fetchone()[0] > 0
        assert Domain.objects.get(tenant=business).domain == "gamma-co.localhost"
        assert business.timezone == "Europe/London"
    finally:
        business.auto_drop_schema = True
        business.delete(force_drop=True)


@pytest.mark.parametrize(
    "slug, message",
    [
        ("alpha", "already taken"),
        ("www", "reserved"),
        ("admin", "reserved"),
        ("api", "reserved"),
        ("public", "reserved"),
        ("A!", "lowercase"),
        ("pg-things", "reserved"),
        ("", "lowercase"),
    ],
)
def test_bad_slugs_are_refused_with_a_clear_message(db, slug, message):
    with pytest.raises(ApplicationError) as info:
        business_provision(slug=slug, name="Whatever")
    assert message in info.value.message
    assert not Business.objects.filter(name="Whatever").exists()


def test_unknown_timezone_is_refused(db):
    with pytest.raises(ApplicationError, match="Unknown time zone"):
        business_provision(slug="tz-test", name="TZ", timezone="Mars/Olympus")


def test_real_excludes_public_and_template(db):
    slugs = set(Business.objects.real().values_list("slug", flat=True))
    assert {"alpha", "beta"} <= slugs
    assert "public" not in slugs and "tenant-base" not in slugs


@pytest.mark.django_db(transaction=True)
def test_create_business_command_prints_sign_in_details(capsys):
    call_command("create_business", "delta", "--name", "Delta", "--owner-email", "D@Example.test")
    out = capsys.readouterr().out
    assert "http://delta.localhost:8000/" in out
    assert "d@example.test" in out
    assert "password: " in out
    business = Business.objects.get(slug="delta")
    assert business.memberships.get().role == "owner"
    business.delete(force_drop=True)
