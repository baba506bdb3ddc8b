import logging

from django.apps import AppConfig

log = logging.getLogger(__name__)


def _tray_after_sync(ctx, full_sync: bool) -> None:
    """Sync finaliser: refresh the Prep Tray, then the business's public summary row, once the
    books changed (never fails the sync)."""
    from apps.tenancy.summary import summary_refresh_quietly
    from apps.tray.services import tray_generate

    try:
        tray_generate(ctx.business)
    except Exception:
        log.exception("tray generation after sync failed for %s", ctx.business.schema_name)
    # The public summary row (firm portfolio, staff console) follows every sync.
    summary_refresh_quietly(ctx.business)


def _tray_after_feed(business) -> None:
    """Bank feed listener: a feed sync or a confirmed link moves what the tray shows."""
    from apps.tray.services import tray_generate

    tray_generate(business)


class TrayConfig(AppConfig):
    name = "apps.tray"
    label = "tray"
    verbose_name = "Prep Tray"

    def ready(self) -> None:
        from apps.bank.services.feed_items import register_feed_listener
        from apps.integrations.sync.sinks import register_finaliser

        register_finaliser(_tray_after_sync)
        register_feed_listener(_tray_after_feed)
