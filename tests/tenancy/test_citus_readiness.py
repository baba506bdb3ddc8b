"""The Citus schema-sharding path stays open (docs/scaling.md): every id is BIGINT and no tenant
table points at another tenant's schema."""

from django.db import connection


def test_every_primary_and_foreign_key_column_is_bigint(tenant_a):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_schema, c.table_name, c.column_name, c.data_type
            FROM information_schema.key_column_usage k
            JOIN information_schema.table_constraints t
              ON t.constraint_name = k.constraint_name AND t.table_schema = k.table_schema
            JOIN information_schema.columns c
              ON c.table_schema = k.table_schema AND c.table_name = k.table_name
             AND c.column_name = k.column_name
            WHERE t.constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')
              AND k.table_schema IN ('public', 'alpha')
              AND c.data_type IN ('integer', 'smallint')
            """
        )
        narrow = cursor.fetchall()
    # Third-party tables (django_celery_beat, django_otp, axes...) are public reference tables;
    # only ours must be BIGINT.
    # Our user's M2M links to django.contrib.auth's Group/Permission keep their integer ids.
    third_party = ("django_", "auth_", "otp_", "axes_", "celery_")
    ours = [
        row
        for row in narrow
        if not row[1].startswith(third_party) and row[2] not in ("group_id", "permission_id")
    ]
    assert ours == []


def test_tenant_tables_reference_only_their_schema_or_public(tenant_a):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT src.nspname, dst.nspname
            FROM pg_constraint con
            JOIN pg_class s ON s.oid = con.conrelid
            JOIN pg_namespace src ON src.oid = s.relnamespace
            JOIN pg_class d ON d.oid = con.confrelid
            JOIN pg_namespace dst ON dst.oid = d.relnamespace
            WHERE con.contype = 'f' AND src.nspname NOT IN ('public', 'pg_catalog')
            """
        )
        pairs = cursor.fetchall()
    assert pairs, "tenant schemas have foreign keys to check"
    assert all(dst in (src, "public") for src, dst in pairs), pairs
