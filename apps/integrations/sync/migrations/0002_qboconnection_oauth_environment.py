from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("sync", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="qboconnection",
            name="oauth_environment",
            field=models.CharField(blank=True, max_length=300),
        ),
    ]
