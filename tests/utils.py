"""Test helpers shared by every test module."""

import re
import threading
from contextlib import contextmanager

from django.db import connection, connections
from django.test import Client

BACKEND = "django.contrib.auth.backends.ModelBackend"


@contextmanager
def in_tenant(business):
    """Run ORM code inside a business's schema, then return to public."""
    previous = connection.tenant if hasattr(connection, "tenant") else None
    connection.set_tenant(business)
    try:
        yield business
    finally:
        if previous is not None and previous.schema_name != "public":
            connection.set_tenant(previous)
        else:
            connection.set_schema_to_public()


@contextmanager
def committed_businesses(*slugs: str):
    """Businesses provisioned for real, for transactional tests (``django_db(transaction=True)``
    flushes only the public schema): yields them, then drops their schemas. Spare schemas off
    (``settings.TENANT_SPARE_SCHEMAS = 0``) is the caller's."""
    from apps.tenancy.services import business_provision

    made = []
    try:
        for slug in slugs:
            made.append(business_provision(slug=slug, name=slug.replace("-", " ").title()))
        yield made
    finally:
        connection.set_schema_to_public()
        for business in made:
            business.delete(force_drop=True)


def client_for(business=None, user=None) -> Client:
    """A test client on a business's host (or the public host), optionally signed in."""
    host = f"{business.slug}.localhost" if business is not None else "localhost"
    client = Client(HTTP_HOST=host)
    if user is not None:
        client.force_login(user, backend=BACKEND)
    return client


def invitation_link_from_mail(email: str) -> str:
    """The path (`/invite/<token>/` or `/firm/invite/<token>/`) of the newest invitation emailed
    to `email` — the only place an invitation's link goes. Invitations are emailed on commit: a
    test inside a transaction invites under `django_capture_on_commit_callbacks(execute=True)`."""
    from django.core import mail

    for message in reversed(mail.outbox):
        if email.lower() in (to.lower() for to in message.to):
            found = re.search(r"https?://[^/\s]+(/(?:firm/)?invite/[\w-]+/)", message.body)
            if found:
                return found.group(1)
    raise AssertionError(f"No invitation was emailed to {email}.")


def child_database_url() -> str:
    """DATABASE_URL for a worker process that must share this test run's database."""
    from tests.service_urls import database_url

    return database_url(connection.settings_dict)


def at_once(*calls, timeout: float = 60):
    """Run the callables on threads at once (for races); their answers, in order. Each thread
    closes its own database connection, or the test database stays open."""
    answers = [None] * len(calls)

    def run(i):
        try:
            answers[i] = calls[i]()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return answers
