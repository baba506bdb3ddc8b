"""ap's foreign keys follow bank.Account to ledger.Account.

State only: the table keeps its name (bank_account), its rows, its constraint and the
foreign-key constraints pointing at it; nothing in the database changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ap', '0008_inbound_senders'),
        ('ledger', '0002_account_from_bank'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='billpayment',
                    name='account',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.account'),
                ),
                migrations.AlterField(
                    model_name='vendorcreditline',
                    name='account',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.account'),
                ),
            ],
        ),
    ]
