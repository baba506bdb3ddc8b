"""portal.BusinessSettings becomes business_settings.BusinessSettings (below portal, api and digest).

State only: the table keeps its name (portal_businesssettings), its rows and its
constraints; nothing in the database changes."""

import datetime
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('portal', '0002_histories_append_only'),  # the table exists before the state moves
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='BusinessSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('singleton', models.PositiveSmallIntegerField(default=1, editable=False, unique=True)),
                        ('approval_limit', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                        ('digest_weekday', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], default=0)),
                        ('digest_time', models.TimeField(default=datetime.time(9, 0))),
                        ('digest_enabled', models.BooleanField(default=True)),
                        ('digest_extra_recipients', models.JSONField(blank=True, default=list)),
                        ('digest_confirmed_at', models.DateTimeField(blank=True, null=True)),
                        ('reserves_confirmed_at', models.DateTimeField(blank=True, null=True)),
                        ('onboarding_done_at', models.DateTimeField(blank=True, null=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'verbose_name_plural': 'business settings',
                        'db_table': 'portal_businesssettings',
                        'constraints': [models.CheckConstraint(condition=models.Q(('approval_limit__gte', 0)), name='approval_limit_not_negative'), models.CheckConstraint(condition=models.Q(('singleton', 1)), name='settings_singleton')],
                    },
                ),
            ],
        ),
    ]
