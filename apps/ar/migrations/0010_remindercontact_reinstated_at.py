from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ar', '0009_customerreminders_mode_before_hold'),
    ]

    operations = [
        migrations.AddField(
            model_name='remindercontact',
            name='reinstated_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
