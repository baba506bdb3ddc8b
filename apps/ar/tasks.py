"""Celery task: send one claimed reminder email (the manual "Send reminder" path)."""

from celery import shared_task
from django.db import connection

from apps.ar.reminders.models import ReminderEmail
from apps.ar.reminders.send import OPEN_STATES, REMINDER_EMAIL_SEND, reminder_email_send
from apps.core.tasks import BusinessTask


@shared_task(name=REMINDER_EMAIL_SEND, base=BusinessTask)
def reminder_email_send_task(email_id: int) -> str:
    email = ReminderEmail.objects.filter(pk=email_id, state__in=OPEN_STATES).first()
    if email is None:
        return "already settled"
    return reminder_email_send(connection.tenant, email)
