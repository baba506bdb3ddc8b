from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ar', '0007_collections_automated'),
    ]

    operations = [
        migrations.AddField(
            model_name='reminderemail',
            name='attempted_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='reminderemail',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0),
        ),
    ]
