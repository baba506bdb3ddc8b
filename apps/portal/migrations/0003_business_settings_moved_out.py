"""The portal forgets BusinessSettings: it now lives in apps.business_settings.

State only: the table keeps its name (portal_businesssettings), its rows and its
constraints; nothing in the database changes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0002_histories_append_only'),
        ('business_settings', '0001_from_portal'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(
                    name='BusinessSettings',
                ),
            ],
        ),
    ]
