"""bank.Account becomes ledger.Account (the chart of accounts, shared by ap, ar and bank).

State only: the table keeps its name (bank_account), its rows, its constraint and the
foreign-key constraints pointing at it; nothing in the database changes."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0001_initial'),
        ('bank', '0005_exchange_rate_precision'),  # the table exists before the state moves
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Account',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('realm_id', models.CharField(max_length=32)),
                        ('qbo_id', models.CharField(max_length=32)),
                        ('sync_token', models.CharField(blank=True, max_length=16)),
                        ('qbo_updated_at', models.DateTimeField(blank=True, null=True)),
                        ('is_deleted', models.BooleanField(default=False)),
                        ('synced_at', models.DateTimeField(auto_now=True)),
                        ('name', models.CharField(max_length=200)),
                        ('account_type', models.CharField(choices=[('Bank', 'Bank'), ('Credit Card', 'Credit Card'), ('Other', 'Other')], default='Other', max_length=32)),
                        ('qbo_account_type', models.CharField(blank=True, max_length=64)),
                        ('account_subtype', models.CharField(blank=True, max_length=64)),
                        ('acct_num', models.CharField(blank=True, max_length=64)),
                        ('current_balance', models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                        ('currency', models.CharField(default='USD', max_length=3)),
                        ('active', models.BooleanField(default=True)),
                        ('included_in_runway', models.BooleanField(default=True)),
                    ],
                    options={
                        'db_table': 'bank_account',
                        'ordering': ['name'],
                        'abstract': False,
                        'constraints': [models.UniqueConstraint(fields=('realm_id', 'qbo_id'), name='bank_account_unique_qbo_id')],
                    },
                ),
            ],
        ),
    ]
