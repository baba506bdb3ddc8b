"""Feed accounts of a disconnected bank give back their QuickBooks links (as
`feed_items.feed_accounts_release` now does), so the bank connected again can take them."""

from django.db import migrations


def release(apps, schema_editor):
    FeedAccount = apps.get_model("bank", "FeedAccount")
    FeedAccount.objects.filter(removed=True).update(
        linked_account=None, link_confirmed=False, suggested_account=None)


class Migration(migrations.Migration):

    dependencies = [("bank", "0006_account_moved_to_ledger")]

    operations = [migrations.RunPython(release, migrations.RunPython.noop)]
