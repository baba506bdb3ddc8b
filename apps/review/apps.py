from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "apps.review"
    label = "review"
    verbose_name = "Bill document review"

    def ready(self) -> None:
        # The document workflow tells the queue about documents it creates or decides
        # (apps.ap cannot import this higher-layer app, so the queue registers itself).
        from apps.ap.documents import services as documents
        from apps.review.services import review_task_sync

        documents.queue_listener_register(review_task_sync)
