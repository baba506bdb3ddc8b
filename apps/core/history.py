"""The append-only history row a record keeps of what people and the system did to it."""

from django.db import models


class HistoryEvent(models.Model):
    """Who (an email, empty for the system) did what (``kind``, ``detail``) and when. Concrete
    models add the foreign key to the record whose history it is (``related_name="events"``)."""

    created_at = models.DateTimeField(auto_now_add=True)
    actor_email = models.CharField(max_length=254, blank=True)
    kind = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor_email or 'system'}"
