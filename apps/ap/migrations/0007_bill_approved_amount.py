from django.db import migrations, models


def approvals_hold_for_todays_balance(apps, schema_editor):
    """Bills approved before this field existed were approved at (at most) today's balance."""
    Bill = apps.get_model("ap", "Bill")
    Bill.objects.filter(status__in=["approved", "scheduled"]).update(
        approved_amount=models.F("balance"))


class Migration(migrations.Migration):

    dependencies = [
        ("ap", "0006_exchange_rate_precision"),
    ]

    operations = [
        migrations.AddField(
            model_name="bill",
            name="approved_amount",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True),
        ),
        migrations.RunPython(approvals_hold_for_todays_balance, migrations.RunPython.noop),
    ]
