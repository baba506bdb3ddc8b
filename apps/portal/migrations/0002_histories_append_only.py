"""Bill and document histories (this business's schema) cannot be rewritten: UPDATE raises.
Rows still leave with their bill or document (QuickBooks deleted the bill; the business was
deleted), so DELETE stays allowed. The function lives in public (core 0002), so the trigger
survives cloning the template schema."""

from django.db import migrations

FORWARD = """
DROP TRIGGER IF EXISTS history_no_update ON ap_billevent;
CREATE TRIGGER history_no_update BEFORE UPDATE ON ap_billevent
    FOR EACH ROW EXECUTE FUNCTION public.oodaloo_history_no_update();
DROP TRIGGER IF EXISTS history_no_update ON ap_documentevent;
CREATE TRIGGER history_no_update BEFORE UPDATE ON ap_documentevent
    FOR EACH ROW EXECUTE FUNCTION public.oodaloo_history_no_update();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS history_no_update ON ap_billevent;
DROP TRIGGER IF EXISTS history_no_update ON ap_documentevent;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("ap", "0002_documents"),
        ("core", "0002_audit_append_only_in_database"),
    ]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
