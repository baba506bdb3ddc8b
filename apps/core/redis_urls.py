"""Celery (kombu) and redis-py spell a Redis on a unix socket differently: kombu
``redis+socket://PATH?virtual_host=N``, redis-py ``unix://PATH?db=N`` (the embedded services'
broker URLs, oodaloo/embedded.py). Anything that talks to the broker's Redis directly converts
here."""

from __future__ import annotations


def redis_py_url(broker_url: str) -> str:
    """A broker URL as redis-py's ``Redis.from_url`` takes it (TCP URLs are the same)."""
    if not broker_url.startswith("redis+socket://"):
        return broker_url
    return broker_url.replace("redis+socket://", "unix://", 1).replace("virtual_host=", "db=", 1)
