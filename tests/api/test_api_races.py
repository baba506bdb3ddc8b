"""Two requests at once, each on its own thread and database connection (committed data,
`transaction=True`): a refresh token is spent once."""

import threading

import pytest
from django.db import connections
from django.test import Client

from apps.api import auth

pytestmark = pytest.mark.django_db(transaction=True)

JSON = "application/json"


def _both(*requests):
    """Run the request callables on two threads at once; their responses, in order."""
    answers = [None] * len(requests)

    def run(i):
        try:
            answers[i] = requests[i]()
        finally:
            connections.close_all()  # this thread's connection, or the test database stays open

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return answers


def test_two_refreshes_with_one_token_give_one_new_pair(tenant_a, owner_a, monkeypatch):
    host = Client(HTTP_HOST="alpha.localhost")
    refresh = host.post("/api/v1/auth/token/", {"email": owner_a.email,
                                                "password": "correct-horse-battery"},
                        content_type=JSON).json()["refresh"]
    # Both requests have read the token (not yet blacklisted) before either spends it.
    barrier = threading.Barrier(2, timeout=10)
    read = auth._refresh_for

    def read_then_meet(raw, business):
        token = read(raw, business)
        barrier.wait()
        return token

    monkeypatch.setattr(auth, "_refresh_for", read_then_meet)

    def post():
        return Client(HTTP_HOST="alpha.localhost").post(
            "/api/v1/auth/refresh/", {"refresh": refresh}, content_type=JSON)

    answers = _both(post, post)
    assert sorted(a.status_code for a in answers) == [200, 401], [a.content for a in answers]
    loser = next(a for a in answers if a.status_code == 401)
    assert loser.json()["error"]["code"] == "not_authenticated"
