"""bank's foreign keys follow Account to the ledger; bank forgets the model.

State only: the table keeps its name (bank_account), its rows, its constraint and the
foreign-key constraints pointing at it; nothing in the database changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ap', '0009_account_fks_to_ledger'),
        ('ar', '0005_account_fks_to_ledger'),
        ('bank', '0005_exchange_rate_precision'),
        ('ledger', '0002_account_from_bank'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='feedaccount',
                    name='linked_account',
                    field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='feed', to='ledger.account'),
                ),
                migrations.AlterField(
                    model_name='purchaseline',
                    name='account',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.account'),
                ),
                migrations.AlterField(
                    model_name='feedaccount',
                    name='suggested_account',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.account'),
                ),
                migrations.AlterField(
                    model_name='transfer',
                    name='from_account',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.account'),
                ),
                migrations.AlterField(
                    model_name='purchase',
                    name='account',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.account'),
                ),
                migrations.AlterField(
                    model_name='transfer',
                    name='to_account',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.account'),
                ),
                migrations.AlterField(
                    model_name='creditcardpayment',
                    name='card_account',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.account'),
                ),
                migrations.AlterField(
                    model_name='journalentryline',
                    name='account',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.account'),
                ),
                migrations.AlterField(
                    model_name='deposit',
                    name='account',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.account'),
                ),
                migrations.AlterField(
                    model_name='creditcardpayment',
                    name='bank_account',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.account'),
                ),
                migrations.DeleteModel(
                    name='Account',
                ),
            ],
        ),
    ]
