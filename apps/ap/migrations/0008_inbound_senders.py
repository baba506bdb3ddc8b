from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ap", "0007_bill_approved_amount"),
    ]

    operations = [
        migrations.CreateModel(
            name="InboundSender",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("pattern", models.CharField(max_length=254, unique=True)),
                ("added_by_email", models.CharField(blank=True, max_length=254)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"ordering": ["pattern"]},
        ),
        migrations.CreateModel(
            name="RejectedEmail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("received_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("sender", models.CharField(blank=True, max_length=254)),
                ("subject", models.CharField(blank=True, max_length=300)),
                ("reason", models.CharField(max_length=300)),
                ("attachments", models.PositiveIntegerField(default=0)),
            ],
            options={"ordering": ["-received_at", "-id"]},
        ),
    ]
