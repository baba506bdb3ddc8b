"""ar's foreign keys follow bank.Account to ledger.Account.

State only: the table keeps its name (bank_account), its rows, its constraint and the
foreign-key constraints pointing at it; nothing in the database changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ar', '0004_reminders'),
        ('ledger', '0002_account_from_bank'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='refundreceipt',
                    name='deposit_account',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.account'),
                ),
                migrations.AlterField(
                    model_name='salesreceipt',
                    name='deposit_account',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.account'),
                ),
            ],
        ),
    ]
