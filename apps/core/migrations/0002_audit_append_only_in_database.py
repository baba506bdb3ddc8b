"""The audit log is append-only in the database itself, not only in Python: a trigger refuses
UPDATE and DELETE of `core_auditevent` rows whoever runs them (the app, a shell, psql).
TRUNCATE and disabling the trigger stay possible for the table's owner (tests flush tables that
way); production should run the app as a role that does not own the tables (docs/operating.md).

The one change allowed is the database's own ON DELETE SET NULL bookkeeping: when a person or a
business is deleted, their rows keep every value (`actor_label`, the business in `before`) and
only lose the now-dangling link. Any other change raises.

`oodaloo_history_no_update()` is shared with the tenant schemas' histories (bill and document
events; see apps/portal/migrations/0002): it lives in public so cloned schemas reach it."""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION public.oodaloo_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
       AND (NEW.business_id IS NULL OR NEW.business_id = OLD.business_id)
       AND (NEW.id, NEW.created_at, NEW.actor_label, NEW.action, NEW.object_type,
            NEW.object_id, NEW.before, NEW.after, NEW.ip, NEW.request_id)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.created_at, OLD.actor_label, OLD.action, OLD.object_type,
            OLD.object_id, OLD.before, OLD.after, OLD.ip, OLD.request_id)
    THEN
        RETURN NEW;  -- only unlinking a deleted person or business
    END IF;
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION public.oodaloo_history_no_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS audit_append_only ON core_auditevent;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION public.oodaloo_audit_append_only();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS audit_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS public.oodaloo_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
