from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ar', '0008_reminderemail_attempts'),
    ]

    operations = [
        migrations.AddField(
            model_name='customerreminders',
            name='mode_before_hold',
            field=models.CharField(blank=True, choices=[('default', 'Default sequence'), ('custom', 'Another sequence'), ('paused', 'Paused (held)'), ('never', 'Never remind')], max_length=8),
        ),
    ]
